"""hwgen.backends."""
