"""The one console every layer reports progress on (the CLI prints errors on stderr itself)."""

from __future__ import annotations

from rich.console import Console

console = Console(highlight=False)


def say(message: str) -> None:
    """One line of progress for the user (rich markup allowed)."""
    console.print(message)
