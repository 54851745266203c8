"""Timing and memory: medians of repeated runs, and peak resident memory over baseline.

Memory is measured in a fresh interpreter: it resets the kernel's peak-RSS mark
(``/proc/self/clear_refs``), notes its resident size, runs the operation, and reports
``VmHWM`` minus that baseline.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass
class Row:
    """One line of the results table."""

    section: str
    case: str
    ours: float | None  # seconds (median)
    peer: float | None = None
    peer_name: str = ""
    naive: float | None = None
    peak_mb: float | None = None
    size_mb: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.ours / self.peer if self.ours and self.peer else None

    @property
    def memory_ratio(self) -> float | None:
        return self.peak_mb / self.size_mb if self.peak_mb is not None and self.size_mb else None


def median_time(operation: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        operation()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def least_cpu_time(operation: Callable[[], object], repeats: int) -> float:
    """The least CPU time (``time.process_time``) of ``repeats`` runs: on a machine
    shared with other work, wall time measures the neighbours as much as the code."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        operation()
        times.append(time.process_time() - start)
    return min(times)


def git_word_diff(old: str, new: str, folder: str, repeats: int) -> float:
    """The median seconds of ``git diff --no-index --word-diff=porcelain`` on the two
    texts, written as files in ``folder``: the yardstick the pipeline is measured by."""
    a, b = Path(folder, "old.md"), Path(folder, "new.md")
    a.write_text(old, encoding="utf-8")
    b.write_text(new, encoding="utf-8")
    return median_command(["git", "diff", "--no-index", "--word-diff=porcelain", str(a), str(b)], repeats)


def median_command(command: list[str], repeats: int, **kwargs) -> float:
    def run() -> None:
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, **kwargs)
    return median_time(run, repeats)


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _peak_in_this_process(operation: Callable, args: tuple) -> float:
    gc.collect()
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # reset VmHWM to the current resident size
    baseline = _status("VmRSS")
    operation(*args)
    return (_status("VmHWM") - baseline) / 1e6


def peak_memory_mb(operation: Callable, *args) -> float:
    """Peak RSS over the baseline while ``operation(*args)`` runs, in MB.

    It runs in a fresh (spawned) interpreter that has received its arguments, so the
    heap left over from earlier runs cannot hide what the operation needs; the
    baseline is that interpreter's resident size just before the call. ``operation``
    must be a module-level function.
    """
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_peak_in_this_process, (operation, args))


def timed_in_child(operation: Callable[[], object], timeout: float) -> float | None:
    """Seconds one run of ``operation`` takes in a forked child, or None past ``timeout``
    (for the naive pipeline, which can take minutes on the larger texts)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        start = time.perf_counter()
        operation()
        with os.fdopen(write, "wb") as out:
            pickle.dump(time.perf_counter() - start, out)
        os._exit(0)
    os.close(write)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            with os.fdopen(read, "rb") as answer:
                data = answer.read()
            return pickle.loads(data) if data else None
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    os.close(read)
    return None
