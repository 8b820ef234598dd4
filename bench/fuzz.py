"""Long fuzz profile (issue 11): thousands of mutated models through verify and build.

    PYTHONPATH=. python bench/fuzz.py --n 2000 [--codegen-every 50] [--json out.json]

Mutations of three small exported models (tests/fuzz/seeds.py): structural, attribute, value and
byte-level (tests/fuzz/mutate.py). Each mutant runs through ``hwgen verify`` and ``hwgen build
--flow estimate`` in-process (every ``--codegen-every``-th also through the full flow with code
generation) and is classified by tests/fuzz/harness.py. Prints counts per outcome and per
mutation kind; exit status 1 if any outcome is a defect (traceback, hang, multi-line error,
accepted out-of-domain model, success with non-finite outputs).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "fuzz")]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--start", type=int, default=0, help="first mutant index (to resume)")
    ap.add_argument("--codegen-every", type=int, default=50)
    ap.add_argument("--verify-n", type=int, default=16)
    ap.add_argument("--timeout", type=int, default=300, help="seconds per command before 'hang'")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()

    import torch

    torch.set_num_threads(1)
    from harness import check_model
    from mutate import KINDS, mutate
    from seeds import export_seeds

    work = Path(tempfile.mkdtemp(prefix="hwgen-fuzz-"))
    seeds = export_seeds(work)
    data = {k: p.read_bytes() for k, p in seeds.items()}
    outcomes: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    bugs = []
    t0 = time.perf_counter()
    for i in range(args.start, args.start + args.n):
        rng = random.Random(i)
        seed = rng.choice(sorted(data))
        kind = KINDS[i % len(KINDS)]
        m = mutate(data[seed], kind, rng)
        path = work / "mutant.onnx"
        path.write_bytes(m.data)
        codegen = args.codegen_every > 0 and i % args.codegen_every == 0
        o = check_model(path, work, invalid=m.invalid, codegen=codegen, verify_n=args.verify_n,
                        timeout=args.timeout)
        outcomes[o.category] += 1
        by_kind[kind][o.category] += 1
        if codegen:
            outcomes[f"codegen:{o.codegen}"] += 1
        if not o.passed:
            bugs.append({"i": i, "seed": seed, "kind": kind, "desc": m.desc, "outcome": str(o)})
            print(f"BUG #{i} {seed} {kind}: {m.desc} -> {o}", flush=True)
        if (i - args.start + 1) % 100 == 0:
            print(f"{i - args.start + 1} mutants, {time.perf_counter() - t0:.0f} s: {dict(outcomes)}", flush=True)
    dt = time.perf_counter() - t0
    print(f"\n{args.n} mutants in {dt:.0f} s ({dt / max(args.n, 1):.2f} s each)")
    print("outcome counts:")
    for k, v in sorted(outcomes.items()):
        print(f"  {k:28s} {v}")
    print("per mutation kind (ok / refused / bugs):")
    for kind in KINDS:
        c = by_kind[kind]
        nbug = sum(v for k, v in c.items() if k.startswith("BUG"))
        print(f"  {kind:24s} {c['ok']:5d} {c['refused']:5d} {nbug:5d}")
    if args.json:
        args.json.write_text(json.dumps({"n": args.n, "seconds": dt, "outcomes": outcomes,
                                         "by_kind": by_kind, "bugs": bugs}, indent=1))
    return 1 if bugs else 0


if __name__ == "__main__":
    sys.exit(main())
