"""The parser against the one at a given commit (8ce6a34 by default, the last before the
kinds), on the bench's texts of each kind, timed in one run and interleaved so that the
load of a shared machine falls on both alike.

    PYTHONPATH=src python -m bench.parser_versions [--commit 8ce6a34] [--sizes 1000000,5000000] [--repeats 5]

The parser is read from the one file it was until it became the package
``core/structure/``, so ``--commit`` names a commit from before that split.

The parser at that commit knew SIs only: on an Act- or CFR-shaped text it finds fewer
units, so the figures compare the time to read the same bytes, not the same result."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import types
from pathlib import Path

from bench.corpus import KIND_TEXTS
from regdraft.core.structure import parse_structure

ROOT = Path(__file__).resolve().parents[1]


def parser_at(commit: str):
    """``parse_structure`` as it was at ``commit``, loaded from git beside today's."""
    source = subprocess.run(["git", "show", f"{commit}:src/regdraft/core/structure.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    module = types.ModuleType(f"structure_at_{commit}")
    module.__file__ = f"<{commit}:structure.py>"
    sys.modules[module.__name__] = module  # dataclasses look their module up by name
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module.parse_structure


def timed(read, repeats: int) -> tuple[float, float]:
    """(best, median) CPU seconds of ``repeats`` calls: the processor time the parser
    takes, not the time it waits for a processor on a shared machine."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        read()
        times.append(time.process_time() - start)
    times.sort()
    return times[0], times[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commit", default="8ce6a34")
    parser.add_argument("--sizes", default="1000000,5000000")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--kinds", default="uk-si,uk-act,us-cfr")
    args = parser.parse_args()
    old = parser_at(args.commit)
    print(f"{'text':<18} {'units':>7} {args.commit + ' best':>14} {'median':>8} {'now best':>9} {'median':>8}"
          f" {'now/then':>9}")
    for size in (int(s) for s in args.sizes.split(",")):
        for kind in args.kinds.split(","):
            text = KIND_TEXTS[kind](size, size)
            units = len(parse_structure(text, kind=kind, strict=False).provisions)
            then, now = [], []
            for _ in range(args.repeats):  # interleaved: one of each in turn
                then.append(timed(lambda: old(text, strict=False), 1)[0])
                now.append(timed(lambda: parse_structure(text, kind=kind, strict=False), 1)[0])
            then.sort()
            now.sort()
            mid = args.repeats // 2
            print(f"{len(text.encode()) / 1e6:.1f} MB {kind:<11} {units:>7} {then[0]:>14.3f} {then[mid]:>8.3f}"
                  f" {now[0]:>9.3f} {now[mid]:>8.3f} {now[mid] / then[mid]:>8.2f}×", flush=True)


if __name__ == "__main__":
    main()
