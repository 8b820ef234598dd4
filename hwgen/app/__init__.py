"""hwgen.app."""
