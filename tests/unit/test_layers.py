"""The package layout shows the layers: every import points down (DESIGN §1, issue 9)."""

from __future__ import annotations

import ast
from pathlib import Path

import hwgen

ROOT = Path(hwgen.__file__).parent
# lower number = lower layer; a module may import its own package or any lower one
LAYERS = {
    "core": 0, "kernels": 1, "frontend": 2, "units": 2, "zoo": 2, "sim": 3, "train": 3,
    "passes": 4, "analysis": 5, "fold": 6, "backends": 7, "app": 8,
}


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "hwgen" else None


def imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            if node.module == "hwgen":
                out.update(f"hwgen.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def upward_imports() -> list[str]:
    bad = []
    for f in sorted(ROOT.rglob("*.py")):
        rel = f.relative_to(ROOT)
        if len(rel.parts) < 2 or rel.parts[0] == "_data":
            continue
        own = rel.parts[0]
        for m in imports(f):
            pkg = _package(m)
            if pkg is None or pkg == own or pkg not in LAYERS:
                continue
            if LAYERS[pkg] > LAYERS[own]:
                bad.append(f"{rel}: imports {m} ({pkg} is above {own})")
    return bad


def test_every_package_is_assigned_a_layer():
    pkgs = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert pkgs - {"_data"} <= set(LAYERS), pkgs - set(LAYERS)


def test_imports_point_down():
    assert upward_imports() == []


def test_checker_sees_an_upward_import(tmp_path, monkeypatch):
    # the check must be able to fail: a core module importing the CLI is reported
    fake = tmp_path / "hwgen"
    (fake / "core").mkdir(parents=True)
    (fake / "core" / "x.py").write_text("from hwgen.app.cli import main\n")
    monkeypatch.setattr(__import__(__name__), "ROOT", fake)
    assert upward_imports() == ["core/x.py: imports hwgen.app.cli (app is above core)"]
