"""hwgen.core."""
