"""The bit-accurate simulator: executor, kernels, packed-bit popcount."""
