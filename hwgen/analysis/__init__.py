"""hwgen.analysis."""
