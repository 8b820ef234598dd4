"""hwgen.backends.hls."""
