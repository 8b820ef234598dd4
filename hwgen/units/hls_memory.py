"""The arrays of a unit's HLS code and how its pipelined loop touches them: banks after
ARRAY_PARTITION / ARRAY_RESHAPE, accesses per bank per loop iteration, the II bound that
follows, the memory each one is built from, and the pragmas that say so.

g++ C-simulation cannot see an initiation interval, so II = 1 is made by construction and
checked here, statically (DESIGN §6). The rules are Vitis HLS's (UG1399, v2023.2):

- "Arrays" / "Mapping Software Arrays to Hardware Memory": an array is a RAM or ROM with at most
  two ports; a pipelined loop whose iteration needs more than two accesses to one memory cannot
  start an iteration every cycle: II >= ceil(accesses / 2).
- "pragma HLS array_partition": ``complete`` splits a dimension into one element per bank
  (registers when every dimension is split); ``cyclic factor=F`` puts element i into bank i % F.
  An index the tool cannot resolve at compile time (a counter, a run-time value) into a split
  dimension becomes a multiplexer that reads every bank once; an unrolled loop's constant index
  touches only its own bank.
- "pragma HLS array_reshape": ``complete`` on a dimension concatenates its elements into one wider
  word, so one access reads all of them.
- "pragma HLS dependence": a sum read back ``d`` iterations after it is written is a true
  loop-carried dependence; a memory finishes a read-modify-write in up to RMW_DISTANCE cycles,
  so II >= ceil(RMW_DISTANCE / d) unless the buffer is registers (``rmw_buffer`` picks).
- "pragma HLS bind_storage": ``type=rom_2p`` / ``ram_2p`` with ``impl=bram | lutram | uram`` fixes
  the memory the cost model priced (Vitis would otherwise pick by its own rules); ``type=fifo``
  with ``impl=srl | bram | lutram`` does the same for a stream.

Every array of every unit is described by an ``ArraySpec``: the parameter arrays codegen
declares (their pragmas are generated from the spec, so they cannot drift apart), and the
library's internal buffers (their pragmas are written in templates/hls/lib; a test checks the
header carries each one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

# how one iteration of the unit's pipelined loop indexes a dimension
UNROLLED = "unrolled"  # every index, from an unrolled loop (compile-time constants)
ONE = "one"  # one index, known only at run time (a counter or data)

PORTS = 2  # UG1399: a block RAM / LUTRAM / URAM has at most two ports (rom_2p, ram_2p)
# own assumption, not measured here: the depth of one of the library's pipelined loops at
# 100-200 MHz (read, compute, write; Vitis typically schedules such loops 4-12 stages deep).
# Each entry into a loop costs it once per frame (fill + drain); calibrate it against the
# loop latencies in csynth.xml (`hwgen report parse`).
FILL_DRAIN_CYCLES = 8
# the pipeline stages a memory's read-modify-write spans (read latency, the add, the write);
# templates/hls/lib/common.hpp declares RAW dependences at this distance (the same constant)
RMW_DISTANCE = 4


@dataclass(frozen=True)
class Dim:
    """One array dimension: its size, how the loop indexes it, and its pragma
    (``none``, ``complete`` = ARRAY_PARTITION complete, ``reshape`` = ARRAY_RESHAPE complete,
    ``cyclic:F`` = ARRAY_PARTITION cyclic factor=F)."""

    size: int
    index: str
    pragma: str = "none"

    def banks(self) -> int:
        if self.pragma == "complete":
            return self.size
        if self.pragma.startswith("cyclic:"):
            return min(self.size, int(self.pragma.split(":")[1]))
        return 1

    def accesses_per_bank(self) -> int:
        """Accesses one array access of the iteration makes to each bank along this dimension."""
        if self.pragma in ("complete", "reshape") or self.index == ONE:
            return 1  # own bank / one wide word / the multiplexer reads each bank once
        return math.ceil(self.size / self.banks())  # unrolled over a dimension left whole


@dataclass(frozen=True)
class ArraySpec:
    """One array: ``dims`` (C order), ``reads`` and ``writes`` per loop iteration (each with the
    index pattern of ``dims``), the element width in bits after reshaping, the memory it is built
    from (``storage``: bram, lutram, uram, registers) and whether it is a parameter ROM.
    ``where``: "codegen" (declared in the layer's wrapper, pragmas generated) or "lib"."""

    name: str
    dims: tuple[Dim, ...]
    width: int
    reads: int = 1
    writes: int = 0
    storage: str = "bram"
    rom: bool = False
    where: str = "codegen"
    notes: str = ""
    raw_distance: int = 0  # iterations from a write to the read of the same word (0: no RMW)

    def banks(self) -> int:
        return math.prod(d.banks() for d in self.dims)

    def registers(self) -> bool:
        """Every dimension split or merged: the array is registers (or constants), any port count."""
        return all(d.pragma in ("complete", "reshape") for d in self.dims) or self.storage == "registers"

    def depth(self) -> int:
        """Words per bank."""
        return math.prod(d.size // d.banks() for d in self.dims if d.pragma != "reshape")

    def accesses_per_bank(self) -> int:
        per = math.prod(d.accesses_per_bank() for d in self.dims)
        return (self.reads + self.writes) * per

    def ii(self) -> int:
        if self.registers():
            return 1
        ports = math.ceil(self.accesses_per_bank() / PORTS)
        recurrence = math.ceil(RMW_DISTANCE / self.raw_distance) if self.raw_distance else 1
        return max(1, ports, recurrence)

    def report(self) -> dict:
        return {"banks": self.banks(), "depth": self.depth(), "width": self.width,
                "accesses_per_bank": self.accesses_per_bank(),
                "ports": "any" if self.registers() else PORTS,
                "storage": "registers" if self.registers() else self.storage, "ii": self.ii(),
                "where": self.where, **({"notes": self.notes} if self.notes else {}),
                **({"raw_distance": self.raw_distance} if self.raw_distance else {})}


@dataclass(frozen=True)
class IICheck:
    """The II bound of one unit: the worst of its arrays (1 when it has none)."""

    unit: str
    arrays: tuple[ArraySpec, ...] = field(default_factory=tuple)

    @property
    def ii_bound(self) -> int:
        return max([a.ii() for a in self.arrays] or [1])

    def report(self) -> dict:
        return {"ii_bound": self.ii_bound, "arrays": {a.name: a.report() for a in self.arrays}}


def rmw_buffer(name: str, size: int, width: int, distance: int) -> ArraySpec:
    """A read-modify-write buffer of the library (templates/hls/lib/common.hpp): ``size`` words,
    each read back ``distance`` iterations after it is written; registers (``<name>_r``, one
    read and one write per iteration) when that is closer than RMW_DISTANCE, else a memory
    (``<name>_m``) with a true RAW dependence declared at RMW_DISTANCE."""
    if distance < RMW_DISTANCE:
        return ArraySpec(f"{name}_r", (Dim(size, ONE, "complete"),), width, reads=1, writes=1, where="lib")
    return ArraySpec(f"{name}_m", (Dim(size, ONE),), width, reads=1, writes=1, storage="auto", where="lib",
                     raw_distance=distance)


def pragmas(a: ArraySpec, variable: str | None = None) -> list[str]:
    """The pragma lines that make array ``a`` what its spec says (for codegen-declared arrays)."""
    v = variable or a.name
    out = []
    for i, d in enumerate(a.dims, start=1):
        if d.pragma == "complete":
            out.append(f"#pragma HLS ARRAY_PARTITION variable={v} dim={i} complete")
        elif d.pragma == "reshape":
            out.append(f"#pragma HLS ARRAY_RESHAPE variable={v} dim={i} complete")
        elif d.pragma.startswith("cyclic:"):
            out.append(f"#pragma HLS ARRAY_PARTITION variable={v} dim={i} cyclic factor={d.pragma.split(':')[1]}")
    if not a.registers():
        kind = "rom_2p" if a.rom else "ram_2p"
        # Vivado HLS (2020.1 and older) has no BIND_STORAGE; its RESOURCE core names the same memory
        out += ["#ifdef __VITIS_HLS__",
                f"#pragma HLS BIND_STORAGE variable={v} type={kind} impl={a.storage}",
                "#else",
                f"#pragma HLS RESOURCE variable={v} core={kind.upper()}_{a.storage.upper()}",
                "#endif"]
    return out


def fifo_pragmas(variable: str, depth: int, impl: str) -> list[str]:
    """A stream's depth and the memory its FIFO is built from (UG1399 "pragma HLS stream",
    "pragma HLS bind_storage" type=fifo): without it Vitis picks SRL only up to 1,024 bits x
    depth 2 and decides the rest by its own rules."""
    return [f"#pragma HLS STREAM variable={variable} depth={depth}",
            "#ifdef __VITIS_HLS__",
            f"#pragma HLS BIND_STORAGE variable={variable} type=fifo impl={impl}",
            "#else",
            f"#pragma HLS RESOURCE variable={variable} core=FIFO_{impl.upper()}",
            "#endif"]


def memory_impl(depth: int, width: int, lutram_max_depth: int) -> str:
    """THE storage decision for one bank (used by the cost model and by the pragmas): a memory
    this shallow wastes most of a BRAM18, so it goes to LUTRAM; a deeper one to BRAM."""
    if depth <= 1:
        return "registers"
    return "lutram" if depth <= lutram_max_depth else "bram"
