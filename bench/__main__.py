"""Run every benchmark of docs/performance.md and print one table.

    python -m bench            # everything, about 5 minutes on 2 cores
    python -m bench --quick    # smaller sizes and shorter runs, about 2 minutes
    python -m bench --only pipeline,provisions,structure,stored,apply

``make bench`` runs the first. Figures are medians; ratios are ours ÷ the peer's, so
lower is better; memory is the peak resident size over the process's baseline, and
its ratio is to the size of the larger text.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time

from bench.measure import Row

SECTIONS = ("pipeline", "provisions", "structure", "stored", "page", "memory", "apply", "schedule", "listing", "search",
            "serving", "abuse", "client", "startup", "preview", "files")


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def table(rows: list[Row]) -> str:
    lines = ["| benchmark | case | ours | peer | ours ÷ peer | naive dmp | peak RSS over baseline | note |",
             "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        peer = f"{_seconds(row.peer)} ({row.peer_name})" if row.peer is not None else "—"
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "—"
        memory = (f"{row.peak_mb:.0f} MB ({row.memory_ratio:.0f}× text)" if row.memory_ratio is not None
                  else "—")
        lines.append(f"| {row.section} | {row.case} | {_seconds(row.ours)} | {peer} | {ratio} | "
                     f"{_seconds(row.naive)} | {memory} | {row.note} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 MB texts, 100 documents, 3-second load runs")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run (default: all of {', '.join(SECTIONS)})")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")

    started = time.perf_counter()
    rows: list[Row] = []
    explain: list[str] = []
    for section in chosen:
        print(f"running {section} ...", file=sys.stderr, flush=True)
        done = len(rows)
        if section == "pipeline":
            from bench import pipeline
            rows += pipeline.run([1_000_000] if args.quick else [1_000_000, 5_000_000],
                                 repeats=1 if args.quick else 3, naive=True)
        elif section == "provisions":
            from bench import pipeline
            rows += pipeline.provision_diff_rows([1_000_000] if args.quick else [1_000_000, 5_000_000],
                                                 repeats=1 if args.quick else 3)
        elif section == "structure":
            from bench import structure
            rows += structure.run([1_000_000] if args.quick else [1_000_000, 5_000_000], repeats=1 if args.quick else 3)
        elif section == "stored":
            from bench import stored
            rows += stored.run([1_000_000] if args.quick else [1_000_000, 5_000_000], repeats=1 if args.quick else 3)
        elif section == "client":
            from bench import client_diff
            rows += client_diff.run([1_000_000] if args.quick else [1_000_000, 5_000_000],
                                    repeats=3 if args.quick else 5)
        elif section == "page":
            from bench import page
            rows += page.run([1_000_000] if args.quick else [1_000_000, 5_000_000], repeats=1 if args.quick else 3)
        elif section == "memory":
            from bench import memory
            rows += memory.run([1_000_000] if args.quick else [1_000_000, 5_000_000], 3 if args.quick else 6)
        elif section == "apply":
            from bench import apply
            rows += apply.run(1_000_000, repeats=1 if args.quick else 3)
        elif section == "schedule":
            from bench import schedule
            rows += schedule.run(1_000_000, 50 if args.quick else 200, repeats=1 if args.quick else 3)
            rows += schedule.growth(1_000_000, [10, 100, 500, 1000], repeats=1 if args.quick else 3)
        elif section == "listing":
            from bench import listing
            listed, explain = listing.run(100 if args.quick else listing.DOCUMENTS)
            rows += listed
        elif section == "search":
            from bench import search
            rows += search.run(100 if args.quick else listing.DOCUMENTS)
        elif section == "serving":
            from bench import serving
            rows += serving.run(3 if args.quick else 10)
        elif section == "startup":
            from bench import start_up
            rows += start_up.run(10 if args.quick else 30)
        elif section == "files":
            from bench import plain_files
            rows += plain_files.run([1_000_000] if args.quick else [1_000_000, 5_000_000], 3 if args.quick else 5)
        elif section == "preview":
            from bench import preview
            rows += preview.run(3 if args.quick else 5)
        else:
            from bench import abuse
            rows += abuse.run()
        # Each section's rows as soon as they are in, so a late failure loses nothing.
        print(table(rows[done:]), file=sys.stderr, flush=True)

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"regdraft bench{' --quick' if args.quick else ''}: commit {commit or '?'}, Python "
          f"{platform.python_version()}, {os.cpu_count()} CPUs, {time.perf_counter() - started:.0f} s\n")
    print(table(rows))
    if explain:
        print("\nQuery plans of the listing requests (EXPLAIN):\n")
        print("\n".join(explain))
    return 0


if __name__ == "__main__":
    sys.exit(main())
