"""Graph passes: streamline, lower, fold, fifo."""
