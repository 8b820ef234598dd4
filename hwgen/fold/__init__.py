"""hwgen.fold."""
