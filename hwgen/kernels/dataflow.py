"""Cycle-level replay of processes joined by bounded FIFOs (the engine of the dataflow check).

Each process repeats its one-frame schedule ``frames`` times; the schedule is run-length
segments (cycles, words read per input, words written per output). Every cycle, each process
looks at the FIFOs as they were at the start of the cycle: it fires when every FIFO it reads
holds the words it needs and every FIFO it writes has room for its words, else it stalls
(blocking streams, a stalled HLS pipeline issues nothing). A word written in cycle t can be read
in cycle t+1; a word read in cycle t frees its slot in cycle t+1 — so two processes at one word
a cycle need depth 2, as hls::stream FIFOs do. A cycle in which no process fires is a deadlock
(the state no longer changes).

The loop runs in a small C function compiled with the system compiler on first use (cached by
content hash). It fast-forwards: when every firing process stays in its segment and every
occupancy moves linearly, the cycles until the first decision could change are applied at once
(an unfolded CNV layer's 576-cycle runs become one step). Without a compiler the plain
cycle-by-cycle loop runs in Python (slow: tests and small graphs); the two give identical
traces (tests compare them).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

_SOURCE = r"""
#include <stdint.h>
#include <stdlib.h>

/* Returns the cycles run. runs[run_off[p] + s*stride_p + 0] = cycles of segment s of process p,
   then its reads per input and writes per output; chan[port_off[p] + k] = the FIFO of port k
   (inputs first). done_at[p*F + f] = last cycle of frame f of p. At a deadlock, blocked[p] is
   the FIFO p waits on (-1: none) and why[p] is 0 (empty) or 1 (full). */
long df_run(long P, const long *nin, const long *nout, const long *port_off, const long *chan,
            const long *run_off, const long *nruns, const long *runs,
            const long *cap, long *occ, long *peak, long F, long max_cycles,
            long *done_at, long *blocked, long *why, long *deadlock, long C, long *stalls) {
    long *seg = calloc(P, sizeof(long)), *left = calloc(P, sizeof(long)), *frame = calloc(P, sizeof(long));
    long *delta = calloc(C > 0 ? C : 1, sizeof(long)), *need = calloc(P, sizeof(long));
    char *fire = calloc(P, 1);
    long active = 0, t = 0;
    for (long p = 0; p < P; ++p) {
        if (nruns[p] == 0 || F == 0) { frame[p] = F; continue; }
        left[p] = runs[run_off[p]];
        active++;
    }
    *deadlock = 0;
    while (active > 0 && t < max_cycles) {
        long nfire = 0;
        for (long c = 0; c < C; ++c) delta[c] = 0;
        for (long p = 0; p < P; ++p) {
            fire[p] = 0;
            blocked[p] = -1;
            if (frame[p] >= F) continue;
            const long ni = nin[p], no = nout[p];
            const long *row = runs + run_off[p] + seg[p] * (1 + ni + no);
            const long *ch = chan + port_off[p];
            long ok = 1;
            for (long i = 0; i < ni && ok; ++i)
                if (row[1 + i] && occ[ch[i]] < row[1 + i]) { ok = 0; blocked[p] = ch[i]; why[p] = 0; need[p] = row[1 + i]; }
            for (long j = 0; j < no && ok; ++j)
                if (row[1 + ni + j] && occ[ch[ni + j]] + row[1 + ni + j] > cap[ch[ni + j]]) {
                    ok = 0; blocked[p] = ch[ni + j]; why[p] = 1; need[p] = row[1 + ni + j];
                }
            if (!ok) continue;
            fire[p] = 1;
            nfire++;
            for (long i = 0; i < ni; ++i) delta[ch[i]] -= row[1 + i];
            for (long j = 0; j < no; ++j) delta[ch[ni + j]] += row[1 + ni + j];
        }
        if (nfire == 0) { *deadlock = 1; break; }
        /* fast-forward: k cycles in which every decision repeats (occupancies move linearly,
           every firing process stays in its segment, every stalled one stays stalled) */
        long k = max_cycles - t;
        for (long p = 0; p < P && k > 1; ++p) {
            if (frame[p] >= F) continue;
            const long ni = nin[p], no = nout[p];
            const long *row = runs + run_off[p] + seg[p] * (1 + ni + no);
            const long *ch = chan + port_off[p];
            if (!fire[p]) {
                long c = blocked[p], d = delta[c];
                if (why[p] == 0 && d > 0) { long m = (need[p] - occ[c] + d - 1) / d; if (m < k) k = m; }
                if (why[p] == 1 && d < 0) { long m = (occ[c] + need[p] - cap[c] - d - 1) / (-d); if (m < k) k = m; }
                continue;
            }
            if (left[p] < k) k = left[p];
            for (long i = 0; i < ni; ++i) {
                long c = ch[i], d = delta[c], r = row[1 + i];
                if (r && d < 0) { long m = (occ[c] - r) / (-d) + 1; if (m < k) k = m; }
            }
            for (long j = 0; j < no; ++j) {
                long c = ch[ni + j], d = delta[c], w = row[1 + ni + j];
                if (w && d > 0) { long m = (cap[c] - w - occ[c]) / d + 1; if (m < k) k = m; }
            }
        }
        if (k < 1) k = 1;
        for (long p = 0; p < P; ++p)  /* stall cycles: [p][0] on an empty input, [p][1] on a full output */
            if (blocked[p] >= 0) stalls[2 * p + why[p]] += k;
        for (long p = 0; p < P; ++p) {
            if (!fire[p]) continue;
            const long ni = nin[p], no = nout[p];
            const long *row = runs + run_off[p] + seg[p] * (1 + ni + no);
            const long *ch = chan + port_off[p];
            for (long j = 0; j < no; ++j) {  /* words held counting the cycle's write, at its largest */
                long c = ch[ni + j], w = row[1 + ni + j];
                if (!w) continue;
                long most = occ[c] + w + (delta[c] > 0 ? (k - 1) * delta[c] : 0);
                if (most > peak[c]) peak[c] = most;
            }
        }
        for (long c = 0; c < C; ++c) occ[c] += k * delta[c];
        for (long p = 0; p < P; ++p) {
            if (!fire[p]) continue;
            const long ni = nin[p], no = nout[p];
            left[p] -= k;
            if (left[p] == 0) {
                if (++seg[p] == nruns[p]) {
                    seg[p] = 0;
                    done_at[p * F + frame[p]] = t + k - 1;
                    if (++frame[p] == F) active--;
                }
                left[p] = runs[run_off[p] + seg[p] * (1 + ni + no)];
            }
        }
        t += k;
    }
    free(seg); free(left); free(frame); free(fire); free(delta); free(need);
    return t;
}
"""


@dataclass(frozen=True)
class Process:
    """One process: its input and output FIFO indices and its one-frame schedule as an int array
    (runs, 1 + inputs + outputs): cycles, then reads per input, then writes per output."""

    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    runs: np.ndarray


@dataclass(frozen=True)
class Trace:
    cycles: int  # cycles run
    deadlock: bool  # no process could fire (the state is frozen)
    done_at: np.ndarray  # (processes, frames): last cycle of each frame, -1 if not reached
    peak: np.ndarray  # (fifos,): most words held (a word written while one leaves counts twice)
    occupancy: np.ndarray  # (fifos,): words held when the run stopped
    blocked: list[tuple[int, int, str]]  # at a deadlock: (process, fifo, "empty" | "full")
    stalls: np.ndarray  # (processes, 2): cycles stalled on an empty input, on a full output


@lru_cache(maxsize=1)
def _library() -> ctypes.CDLL | None:
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None or os.environ.get("HWGEN_NO_C"):
        return None
    key = hashlib.sha256((_SOURCE + cc).encode()).hexdigest()[:16]
    root = Path(os.environ.get("HWGEN_CACHE") or Path.home() / ".cache" / "hwgen")
    lib = root / f"dataflow_{key}.so"
    if not lib.exists():
        try:
            root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory() as d:
                src, tmp = Path(d) / "df.c", Path(d) / "df.so"
                src.write_text(_SOURCE)
                if subprocess.run([cc, "-O2", "-shared", "-fPIC", str(src), "-o", str(tmp)],
                                  capture_output=True).returncode != 0:
                    return None
                os.replace(tmp, lib)  # atomic: concurrent workers may race here
        except OSError:  # an unwritable cache: the Python loop
            return None
    try:
        dll = ctypes.CDLL(str(lib))
    except OSError:
        return None
    dll.df_run.restype = ctypes.c_long
    dll.df_run.argtypes = [ctypes.c_long] + [ctypes.c_void_p] * 10 + [ctypes.c_long] * 2 + [ctypes.c_void_p] * 4 \
        + [ctypes.c_long, ctypes.c_void_p]
    return dll


def run(processes: list[Process], capacity: list[int], frames: int, max_cycles: int,
        use_c: bool = True) -> Trace:
    """Replay ``processes`` for ``frames`` frames over FIFOs of ``capacity`` words each."""
    n = len(processes)
    nin = np.array([len(p.inputs) for p in processes], np.int64)
    nout = np.array([len(p.outputs) for p in processes], np.int64)
    chan = np.array([c for p in processes for c in (*p.inputs, *p.outputs)] or [0], np.int64)
    port_off = np.concatenate([[0], np.cumsum(nin + nout)[:-1]]).astype(np.int64)
    flat = [np.ascontiguousarray(p.runs, np.int64).reshape(-1) for p in processes]
    for p, f in zip(processes, flat):
        assert p.runs.shape[1] == 1 + len(p.inputs) + len(p.outputs) and (p.runs[:, 0] > 0).all()
    runs = np.concatenate(flat) if flat else np.zeros(1, np.int64)
    run_off = np.concatenate([[0], np.cumsum([f.size for f in flat])[:-1]]).astype(np.int64)
    nruns = np.array([p.runs.shape[0] for p in processes], np.int64)
    cap = np.array(capacity, np.int64)
    occ = np.zeros(len(cap), np.int64)
    peak = np.zeros(len(cap), np.int64)
    done_at = np.full((n, frames), -1, np.int64)
    blocked = np.full(n, -1, np.int64)
    why = np.zeros(n, np.int64)
    dead = np.zeros(1, np.int64)
    stalls = np.zeros((n, 2), np.int64)
    lib = _library() if use_c else None
    args = (nin, nout, port_off, chan, run_off, nruns, runs, cap, occ, peak)
    if lib is not None:
        t = lib.df_run(n, *(a.ctypes.data for a in args), frames, max_cycles,
                       done_at.ctypes.data, blocked.ctypes.data, why.ctypes.data, dead.ctypes.data, len(cap),
                       stalls.ctypes.data)
    else:
        t = _run_python(n, *args, frames, max_cycles, done_at, blocked, why, dead, stalls)
    stuck = [(p, int(blocked[p]), "full" if why[p] else "empty") for p in range(n) if dead[0] and blocked[p] >= 0]
    return Trace(int(t), bool(dead[0]), done_at, peak, occ, stuck, stalls)


def _run_python(n, nin, nout, port_off, chan, run_off, nruns, runs, cap, occ, peak, frames, max_cycles,
                done_at, blocked, why, dead, stalls) -> int:
    """The C loop, line for line, in Python (no compiler on the machine)."""
    seg, frame = [0] * n, [0] * n
    left = [int(runs[run_off[p]]) if nruns[p] and frames else 0 for p in range(n)]
    for p in range(n):
        if nruns[p] == 0 or frames == 0:
            frame[p] = frames
    active = sum(f < frames for f in frame)
    t = 0
    while active > 0 and t < max_cycles:
        fired = []
        for p in range(n):
            blocked[p] = -1
            if frame[p] >= frames:
                continue
            ni, no = int(nin[p]), int(nout[p])
            base = run_off[p] + seg[p] * (1 + ni + no)
            row = runs[base:base + 1 + ni + no]
            ch = chan[port_off[p]:port_off[p] + ni + no]
            ok = True
            for i in range(ni):
                if row[1 + i] and occ[ch[i]] < row[1 + i]:
                    ok, blocked[p], why[p] = False, ch[i], 0
                    break
            for j in range(no if ok else 0):
                if row[1 + ni + j] and occ[ch[ni + j]] + row[1 + ni + j] > cap[ch[ni + j]]:
                    ok, blocked[p], why[p] = False, ch[ni + j], 1
                    break
            if ok:
                fired.append((p, row, ch, ni, no))
                for j in range(no):
                    peak[ch[ni + j]] = max(peak[ch[ni + j]], occ[ch[ni + j]] + row[1 + ni + j])
        if not fired:
            dead[0] = 1
            break
        for p in range(n):
            if blocked[p] >= 0:
                stalls[p, why[p]] += 1
        for p, row, ch, ni, no in fired:
            for i in range(ni):
                occ[ch[i]] -= row[1 + i]
            for j in range(no):
                occ[ch[ni + j]] += row[1 + ni + j]
            left[p] -= 1
            if left[p] == 0:
                seg[p] += 1
                if seg[p] == nruns[p]:
                    seg[p] = 0
                    done_at[p, frame[p]] = t
                    frame[p] += 1
                    active -= frame[p] == frames
                left[p] = int(runs[run_off[p] + seg[p] * (1 + ni + no)])
        t += 1
    return t
