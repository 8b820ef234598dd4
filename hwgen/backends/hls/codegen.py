"""HLS code generation: hardware-unit graph -> HLS C++ project (DESIGN §6).

``generate(g, board, out_dir)`` writes ``out_dir/hls/`` (top.cpp, top.hpp, params.hpp, tb.cpp,
build.sh, lib/), ``out_dir/README.md`` and the static II check ``out_dir/report/hls_check.json``. Every value is computed in Python (units'
``context()`` and ``hwgen.backends.hls.design``); the Jinja templates in templates/hls only format.
"""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import jinja2

from hwgen.backends.hls.design import Design, accelerator_nodes, build_design
from hwgen.backends.hls.ii_check import check_nodes, require_ii_1, write_report
from hwgen.core.ir import Graph
from hwgen.passes.insert import insert_stream_nodes
from hwgen.core.resources import data_dir

TEMPLATES = data_dir("templates")
LIB_DIR = TEMPLATES / "hls" / "lib"

_ENV: jinja2.Environment | None = None


def env() -> jinja2.Environment:
    """The one Jinja environment: StrictUndefined, trim_blocks, lstrip_blocks."""
    global _ENV
    if _ENV is None:
        _ENV = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False,
        )
    return _ENV


def render(template: str, **values) -> str:
    """Render ``templates/<template>``; errors name the template."""
    try:
        return env().get_template(template).render(**values)
    except jinja2.TemplateError as e:
        raise RuntimeError(f"template {template}: {type(e).__name__}: {e}") from e


def write_design(d: Design, hls_dir: Path, model: str) -> None:
    """top.cpp, top.hpp, params.hpp of one design into ``hls_dir``."""
    hls_dir.mkdir(parents=True, exist_ok=True)
    for name in ("top.cpp", "top.hpp", "params.hpp"):
        (hls_dir / name).write_text(render(f"hls/{name}.j2", d=d, model=model))


def write_testbench(designs: list[tuple[Design, str]], hls_dir: Path, sources: list[str]) -> None:
    """tb.cpp for (design, header path) pairs, build.sh compiling ``sources`` into ./csim."""
    ds = [{"top": d.top, "header": h} for d, h in designs]
    (hls_dir / "tb.cpp").write_text(render("hls/tb.cpp.j2", designs=ds))
    script = hls_dir / "build.sh"
    script.write_text(render("hls/build.sh.j2", sources=sources))
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    lib = hls_dir / "lib"
    if lib.exists():
        shutil.rmtree(lib)
    shutil.copytree(LIB_DIR, lib)


def generate(g: Graph, board, out_dir: str | Path, top: str = "top") -> Design:
    """Write the HLS project of hardware graph ``g`` for ``board`` into ``out_dir``."""
    out = Path(out_dir)
    axi = int(getattr(board, "axi_port_bits", 64))
    d = build_design(g, axi, top)  # raises CodegenError before anything is written
    checks = check_nodes(accelerator_nodes(insert_stream_nodes(g, axi)))  # units, converters, FIFOs
    require_ii_1(checks)  # a unit that cannot run at II = 1 is refused, before anything is written
    write_report(checks, out)  # report/hls_check.json
    hls = out / "hls"
    write_design(d, hls, g.name)
    write_testbench([(d, "top.hpp")], hls, ["tb.cpp", "top.cpp"])
    (out / "README.md").write_text(render("hls/README.md.j2", d=d, model=g.name, board=board,
                                          top=top))
    return d


__all__ = ["Design", "build_design", "env", "generate", "render"]


# -- flow step ---------------------------------------------------------------------------------
from hwgen.core.flow import FlowState, step  # noqa: E402


@step("codegen")
def _codegen_step(state: FlowState) -> FlowState:
    """Write the HLS project of the hardware graph into ``options["out_dir"]``."""
    out = Path(state.options["out_dir"])
    g = state.graph  # the latest stage: the folded hardware graph
    d = generate(g, state.options["board"], out)
    return state.with_artifact(hls_dir=out / "hls", design=d)
