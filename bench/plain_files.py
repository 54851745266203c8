"""Target 2 of issue 17: ``regdraft diff|render OLD NEW`` on two plain files (no
database), in process, against git's word diff of the same files (at most 5×).

Each row runs the command itself (the Typer app, ``standalone_mode=False``, stdout
captured) on two files written from ``bench.corpus``: reading and normalising both
files, both texts' structure, the diff and its output, everything but the process's
start-up (``--only startup`` times that). CPU time, least of the repeats, for ours and
for git's child (``os.wait4``): on a shared machine wall time measures the neighbours.
The note times the parts alone: reading both files, both texts' structure, and
normalising one text, so a change to one of them shows where it went.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import tempfile
from pathlib import Path

from bench.corpus import edit_lines, insert_regulation, move_block, regulation_text
from bench.measure import Row, least_cpu_time

COMMANDS = (("diff OLD NEW", ["diff"]), ("diff --format json OLD NEW", ["diff", "--format", "json"]),
            ("render --format html OLD NEW", ["render", "--format", "html"]))


def run_command(args: list[str]) -> str:
    """What ``regdraft ARGS`` prints, run in this process."""
    from regdraft.cli import app

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        app(args, prog_name="regdraft", standalone_mode=False)
    return printed.getvalue()


def git_cpu(old: Path, new: Path, repeats: int) -> float:
    """The least user + system CPU seconds of ``git diff --no-index --word-diff=porcelain``."""
    times = []
    for _ in range(repeats):
        child = subprocess.Popen(["git", "diff", "--no-index", "--word-diff=porcelain", str(old), str(new)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(child.pid, 0)
        times.append(usage.ru_utime + usage.ru_stime)
    return min(times)


def _parts(old_path: Path, new_path: Path, repeats: int) -> str:
    from regdraft.cli.common import read_text
    from regdraft.core.diffing import read_structure
    from regdraft.core.text import normalise

    old, new = read_text(old_path), read_text(new_path)
    timed = {"reading both files": least_cpu_time(lambda: (read_text(old_path), read_text(new_path)), repeats),
             "structure of both": least_cpu_time(lambda: (read_structure(old), read_structure(new)), repeats),
             "normalising one": least_cpu_time(lambda: normalise(old), repeats)}
    return ", ".join(f"{name} {seconds * 1000:.1f} ms" for name, seconds in timed.items())


def cases(size: int) -> list[tuple[str, str, str]]:
    old = regulation_text(size, seed=size)
    return [("1% of lines", old, edit_lines(old, 0.01)[0]), ("10% of lines", old, edit_lines(old, 0.10)[0]),
            ("moved block", old, move_block(old)), ("inserted regulation", old, insert_regulation(old))]


def run(sizes: list[int], repeats: int) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        old_path, new_path = Path(folder, "old.md"), Path(folder, "new.md")
        for size in sizes:
            for name, old, new in cases(size):
                old_path.write_text(old, encoding="utf-8")
                new_path.write_text(new, encoding="utf-8")
                git = git_cpu(old_path, new_path, repeats)
                parts = _parts(old_path, new_path, repeats)
                for command, args in COMMANDS:
                    argv = args + [str(old_path), str(new_path)]
                    run_command(argv)  # its modules imported before the timing
                    ours = least_cpu_time(lambda: run_command(argv), repeats)
                    rows.append(Row("plain files", f"{len(old.encode()) / 1e6:.1f} MB, {name}: regdraft {command}",
                                    ours, git, "git word-diff, CPU",
                                    note=f"in process, CPU, least of {repeats}; {parts}; target: 5× git"))
    return rows
