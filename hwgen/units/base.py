"""The unit protocol: every fact about a hardware unit lives in its module (DESIGN §4).

A unit is a frozen dataclass of its attributes and parameter arrays. The optimizer, the FIFO
pass, the estimate, the simulator and codegen only ever call the faces below; nothing outside
``hwgen/units/`` asks which kind of unit it holds. A face a unit does not implement raises
``TypeError`` naming the unit: an unknown unit is an error, never a silent default.

| face | what |
|---|---|
| ``simulate(*xs)`` | bit-accurate, batched numpy (batch first); integer in, integer out |
| ``in_ports()``, ``out_ports()`` | one ``Port`` per stream: elements per frame, per word, datatype |
| ``cycles()`` | loop iterations per frame under the unit's folding (= cycles at II = 1; C-sim counts them) |
| ``loop_entries()`` | pipelined loops entered per frame, each one pipeline fill and drain (C-sim counts them) |
| ``hls_arrays()`` | every array its HLS code touches, with partitioning, accesses per cycle, storage (``hls_memory``) |
| ``ii_bound()``, ``frame_cycles(backend)`` | the static II bound from those arrays; cycles between frame starts (the estimate's; rtl: ``cycles()``) |
| ``schedule()`` | per cycle of one frame: words read per input, written per output (the dataflow check) |
| ``schedule_runs()`` | the same as run-length segments (cycles, reads, writes); a unit implements one of the two |
| ``idle_cycles(i)`` | longest run of cycles in which it reads no word of input ``i`` (FIFO sizing) |
| ``start_fraction()``, ``tail()`` | when it can emit after its input starts, and how long it runs after the input ended (latency) |
| ``KNOBS``, ``legal_foldings()``, ``folding_error(...)`` | what the optimizer may choose |
| ``ties_to(consumer)``, ``tied_folding(choice)`` | units folded with their consumer (a window and its MVAU) |
| ``resources(board)`` | LUT, FF, BRAM18, URAM, DSP; the formula here, its source in a comment |
| ``shape()`` | a short human description of the problem size (reports) |
| ``context()`` | every value the HLS library call needs (templates only format) |
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import numpy as np

from hwgen.core.datatypes import DataType
from hwgen.core.ir import Node


def divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


# (cycles, words read per input, words written per output): one run of identical cycles
Run = tuple[int, tuple[int, ...], tuple[int, ...]]


class Runs:
    """Builds a run-length schedule: appends merge with the last run when the cycles match."""

    def __init__(self) -> None:
        self.runs: list[Run] = []

    def add(self, n: int, reads: tuple[int, ...], writes: tuple[int, ...]) -> None:
        if n <= 0:
            return
        if self.runs and self.runs[-1][1] == reads and self.runs[-1][2] == writes:
            self.runs[-1] = (self.runs[-1][0] + n, reads, writes)
        else:
            self.runs.append((n, reads, writes))

    def extend(self, runs: list[Run], times: int = 1) -> None:
        for _ in range(times):
            for n, r, w in runs:
                self.add(n, r, w)


@dataclasses.dataclass(frozen=True)
class Port:
    """One stream of a unit: ``elems`` elements per frame, ``epw`` per word, of ``dtype``."""

    elems: int
    epw: int
    dtype: str

    @property
    def bits(self) -> int:
        """Bits of one element."""
        return DataType.parse(self.dtype).bits

    @property
    def width(self) -> int:
        """Bits of one stream word."""
        return self.epw * self.bits

    @property
    def words(self) -> int:
        """Words per frame."""
        return self.elems // self.epw


@dataclasses.dataclass(frozen=True, eq=False)
class Unit:
    """Base class of every hardware unit. Subclasses list ``PARAMS`` (fields stored as node
    params, numpy arrays); every other field is a node attribute. ``KNOBS`` maps each folding
    attribute to the attribute whose divisors it takes (FINN's names are the upper-case knobs)."""

    name: str
    PARAMS: ClassVar[tuple[str, ...]] = ()
    KNOBS: ClassVar[dict[str, str]] = {}
    template: ClassVar[str] = ""
    # the layers FINN (finn-plus 1.6) makes of this unit, in stream order: FINN op type ->
    # {FINN attribute: our attribute}; folding files name them <op type>_<index> (fold/config.py)
    FINN_OPS: ClassVar[dict[str, dict[str, str]]] = {}

    # -- graph node <-> unit ------------------------------------------------------------------
    @classmethod
    def from_node(cls, node: Node) -> Unit:
        fields = {f.name for f in dataclasses.fields(cls)}
        kw: dict[str, Any] = {k: v for k, v in node.attrs.items() if k in fields}
        kw.update({k: v for k, v in node.params.items() if k in fields})
        return cls(name=node.name, **kw)

    def to_node(self, inputs: tuple[str, ...], outputs: tuple[str, ...]) -> Node:
        attrs, params = {}, {}
        for f in dataclasses.fields(self):
            if f.name == "name":
                continue
            v = getattr(self, f.name)
            (params if f.name in self.PARAMS else attrs)[f.name] = v
        params = {k: v for k, v in params.items() if v is not None}
        return Node(type(self).__name__, self.name, inputs, outputs, attrs, params)

    def evolve(self, **changes: Any) -> Unit:
        return dataclasses.replace(self, **changes)

    def _missing(self, face: str) -> TypeError:
        return TypeError(f"unit {type(self).__name__} ({self.name!r}) does not implement {face}()")

    # -- semantics ----------------------------------------------------------------------------
    def simulate(self, *xs: np.ndarray) -> np.ndarray:
        raise self._missing("simulate")

    def fused_with(self, consumer: Unit) -> Callable[[np.ndarray], np.ndarray] | None:
        """A faster simulation of ``consumer(self(x))`` as one step, or None (the default)."""
        return None

    # -- streams and schedule -------------------------------------------------------------------
    def in_ports(self) -> tuple[Port, ...]:
        raise self._missing("in_ports")

    def out_ports(self) -> tuple[Port, ...]:
        raise self._missing("out_ports")

    def cycles(self) -> int:
        raise self._missing("cycles")

    def loop_entries(self) -> int:
        raise self._missing("loop_entries")

    def hls_arrays(self) -> tuple:
        raise self._missing("hls_arrays")

    def ii_bound(self) -> int:
        """The static II bound of the unit's pipelined loops (hwgen.units.hls_memory)."""
        from hwgen.units.hls_memory import IICheck

        return IICheck(self.name, tuple(self.hls_arrays())).ii_bound

    def frame_cycles(self, backend: str = "hls") -> int:
        """Cycles between two frames' starts in hardware. HLS: the loop iterations at the static II
        bound, plus one pipeline fill and drain per loop entered (each process of the dataflow
        region returns after its frame, so its pipelines empty; hls_memory.FILL_DRAIN_CYCLES).
        rtl: ``cycles()`` -- the Verilog modules (templates/rtl/lib) take one step per cycle and
        run frame after frame without a bubble; tests/rtl/test_units_rtl.py measures every unit's
        cycles per frame in Verilator equal to ``cycles()``."""
        from hwgen.units.hls_memory import FILL_DRAIN_CYCLES

        if backend == "rtl":
            return self.cycles()
        return self.cycles() * self.ii_bound() + self.loop_entries() * FILL_DRAIN_CYCLES

    def idle_cycles(self, i: int = 0) -> int:
        raise self._missing("idle_cycles")

    def schedule(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        """One frame of stream activity as the HLS loop nest runs it at II = 1: for each cycle,
        (words read from each input, words written to each output). The cycle-level dataflow
        check replays it; a cycle whose reads are not there or whose writes find a full FIFO
        stalls the unit (blocking streams). A unit gives either this or ``schedule_runs``."""
        if type(self).schedule_runs is Unit.schedule_runs:
            raise self._missing("schedule")
        return (
            (r, w) for n, r, w in self.schedule_runs() for _ in range(n)
        )

    def schedule_runs(self) -> list[Run]:
        """``schedule()`` as run-length segments ``(cycles, reads, writes)``: a CNV layer is tens
        of thousands of cycles but a few thousand runs, which is what the dataflow check replays."""
        if type(self).schedule is Unit.schedule:
            raise self._missing("schedule")
        runs = Runs()
        for r, w in self.schedule():
            runs.add(1, r, w)
        return runs.runs

    def frame_schedule_runs(self, backend: str = "hls") -> list[Run]:
        """``schedule_runs()`` as the hardware spends a frame (``frame_cycles(backend)`` cycles).
        HLS: every iteration at the static II bound, then one pipeline fill and drain per loop
        entered, as idle cycles at the end of the frame (where they fall inside the frame is not
        modelled). rtl: one iteration a cycle, frame after frame (the Verilog's pipeline registers
        are not modelled; hwgen.passes.rtl_slack sizes the FIFOs for them)."""
        from hwgen.units.hls_memory import FILL_DRAIN_CYCLES

        if backend == "rtl":
            return list(self.schedule_runs())

        ii = self.ii_bound()
        runs = Runs()
        for n, r, w in self.schedule_runs():
            if ii == 1:
                runs.add(n, r, w)
                continue
            idle = ((0,) * len(r), (0,) * len(w))
            for _ in range(n):
                runs.add(1, r, w)
                runs.add(ii - 1, *idle)
        last = runs.runs[-1] if runs.runs else (0, (), ())
        runs.add(self.loop_entries() * FILL_DRAIN_CYCLES, (0,) * len(last[1]), (0,) * len(last[2]))
        return runs.runs

    def start_fraction(self) -> float:
        raise self._missing("start_fraction")

    def tail(self) -> int:
        raise self._missing("tail")

    # -- folding ----------------------------------------------------------------------------------
    def legal_foldings(self) -> list[dict[str, int]]:
        """Every legal setting of the knobs (by default: each knob divides its dimension)."""
        choices: list[dict[str, int]] = [{}]
        for knob, dim in self.KNOBS.items():
            choices = [{**c, knob: v} for c in choices for v in divisors(int(getattr(self, dim)))]
        return choices

    def folding_error(self, knob: str, value: int) -> str | None:
        """Why ``knob = value`` is illegal for this unit, or None when it is legal."""
        if knob not in self.KNOBS:
            known = ", ".join(k.upper() for k in self.KNOBS) or "no folding knobs"
            return f"has no {knob.upper()}; it takes {known}"
        dim = self.KNOBS[knob]
        d = int(getattr(self, dim))
        if value < 1 or d % value:
            return (f"{knob.upper()}={value} does not divide {dim.upper()}={d}; legal values: "
                    f"{', '.join(map(str, divisors(d)))}")
        return None

    def ties_to(self, consumer: Unit) -> bool:
        """True when this unit takes its folding from ``consumer`` (optimized as one group)."""
        return False

    def tied_folding(self, consumer_choice: dict[str, int]) -> dict[str, int] | None:
        """This unit's knobs for a folding of the consumer it ties to; None if incompatible."""
        return None

    # -- cost and presentation ------------------------------------------------------------------
    def resources(self, board: Any) -> dict[str, int]:
        raise self._missing("resources")

    def shape(self) -> str:
        raise self._missing("shape")

    def folding(self) -> dict[str, int]:
        """The current value of every knob."""
        return {k: int(getattr(self, k)) for k in self.KNOBS}

    # -- code generation ----------------------------------------------------------------------------
    def context(self) -> dict[str, Any]:
        raise self._missing("context")
