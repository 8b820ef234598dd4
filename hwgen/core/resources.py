"""Where hwgen's data lives: flows/, boards/ and templates/ at the top of a source checkout, or
their copies under hwgen/_data/ in an installed wheel (pyproject.toml maps them there)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # hwgen/


def data_dir(name: str) -> Path:
    """The directory ``name`` ("flows", "boards" or "templates")."""
    for candidate in (_PACKAGE.parent / name, _PACKAGE / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"hwgen's {name}/ directory is missing from {_PACKAGE.parent}; reinstall hwgen")
