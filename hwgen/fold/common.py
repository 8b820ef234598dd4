"""What the optimizer and the folding-config reader share."""

from __future__ import annotations

from hwgen.core.errors import ConfigError


class FoldingError(ConfigError):
    """A folding request that no legal folding satisfies, or an illegal folding config."""
