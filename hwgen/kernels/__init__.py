"""hwgen.kernels."""
