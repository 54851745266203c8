"""The CLI's start-up for file commands (issue 17, target 2: under 0.2 s): the CPU that
``regdraft diff``, ``structure`` and ``render`` take on two short files in a new
process, against a five-line Typer app with one two-argument command run the same way
(what any command line on Typer costs: Typer coerces every parameter through
pydantic). CPU, not wall time (user + system of the child, ``os.wait4``), least of the
runs: on a shared machine wall time measures the neighbours. Python caches bytecode
unless ``PYTHONDONTWRITEBYTECODE`` is set; the note says which.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.measure import Row

_TYPER_APP = """
import typer
app = typer.Typer()
@app.command()
def diff(a: str, b: str) -> None:
    print(a, b)
app()
"""

_OLD = "# A regulation\n\n### 1. Citation\n\n(1) These Regulations may be cited as the Test Regulations.\n"


def least_cpu(command: list[str], runs: int) -> float:
    """The least user + system CPU seconds of ``runs`` runs of ``command``."""
    times = []
    for _ in range(runs):
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        if status:
            raise RuntimeError(f"{' '.join(command)} failed")
        times.append(usage.ru_utime + usage.ru_stime)
    return min(times)


def run(runs: int) -> list[Row]:
    with tempfile.TemporaryDirectory() as folder:
        old, new, app = Path(folder) / "old.md", Path(folder) / "new.md", Path(folder) / "typer_app.py"
        old.write_text(_OLD)
        new.write_text(_OLD.replace("Test", "Trial"))
        app.write_text(_TYPER_APP)
        regdraft = [sys.executable, "-m", "regdraft.cli"]
        for warm in (regdraft + ["--help"], [sys.executable, str(app), "a", "b"]):  # bytecode written once
            least_cpu(warm, 1)
        floor = least_cpu([sys.executable, str(app), "a", "b"], runs)
        cached = "bytecode not cached (PYTHONDONTWRITEBYTECODE)" if os.environ.get("PYTHONDONTWRITEBYTECODE") \
            else "bytecode cached"
        rows = []
        for name, args in (("diff OLD NEW", ["diff", old, new]), ("structure FILE", ["structure", old]),
                           ("render --format html OLD NEW", ["render", "--format", "html", old, new])):
            rows.append(Row("CLI start-up", f"regdraft {name} (five-line files), CPU",
                            least_cpu(regdraft + [str(a) for a in args], runs), peer=floor,
                            peer_name="a Typer app's command",
                            note=f"least of {runs} runs; {cached}; target: under 0.2 s"))
        return rows
