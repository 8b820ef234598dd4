"""One line about a design's throughput limit, for the CLI and the build summary (no heavy
imports: `hwgen --help` and `boards` must stay instant)."""

from __future__ import annotations


def bottleneck_text(p: dict) -> str:
    """The bottleneck, and where the cycle-level check's interval is what limits, that too."""
    if p.get("interval_source") == "check":
        return (f"interval {p['ii_cycles']:,} cycles/frame by the cycle-level check (slowest unit "
                f"{p['bottleneck']}: {p['units_max_cycles']:,})")
    return f"bottleneck {p['bottleneck']} ({p['max_cycles']:,} cycles/frame)"
