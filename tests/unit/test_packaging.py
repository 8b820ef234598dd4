"""A wheel of hwgen carries flows/, boards/ and templates/ and finds them outside the checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_carries_the_data_directories(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("hwgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    # every module of the package and every data file of the checkout: a new subpackage or
    # template directory missing from pyproject.toml fails here
    want = {str(f.relative_to(ROOT)) for f in (ROOT / "hwgen").rglob("*.py") if "__pycache__" not in f.parts}
    for d in ("flows", "boards", "templates"):
        want |= {f"hwgen/_data/{f.relative_to(ROOT)}" for f in (ROOT / d).rglob("*") if f.is_file()}
    assert sorted(want - names) == []
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import hwgen.core.resources as r, hwgen.core.boards as b, "
            "hwgen.core.flow as f; print(r.data_dir('templates')); print(b.known_boards()); print(f.load_flow('default'))")
    out = subprocess.run([sys.executable, "-c", code, str(site)], cwd=tmp_path, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0] == str(site / "hwgen" / "_data" / "templates")
    assert out[1] == "['pynq-z1', 'zcu104']" and "codegen" in out[2]
