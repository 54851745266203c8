"""The CLI's file commands start without the database's modules: none of SQLModel,
SQLAlchemy, FastAPI or Starlette is imported to diff, render or read the structure of
files (their import was three quarters of a file diff's time)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OLD = ROOT / "tests" / "fixtures" / "legislation" / "uksi-2014-2407_as-made.legalize-uk.md"

_RUN = """
import sys
from regdraft.cli import app
sys.argv = ["regdraft", *sys.argv[1:]]
try:
    app(prog_name="regdraft")
except SystemExit as done:
    status = done.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"sqlmodel", "sqlalchemy", "fastapi", "starlette", "uvicorn", "alembic"})
sys.stderr.write(f"exit {status} heavy {heavy}\\n")
"""


@pytest.mark.parametrize("command", [["diff"], ["diff", "--format", "json"], ["render", "--format", "html"],
                                     ["render", "--format", "instructions"], ["structure"]])
def test_a_file_command_imports_no_database_module(tmp_path, command):
    new = tmp_path / "new.md"
    new.write_text(OLD.read_text().replace("functions", "duties", 3))
    files = [str(OLD)] if command == ["structure"] else [str(OLD), str(new)]
    done = subprocess.run([sys.executable, "-c", _RUN, *command, *files], capture_output=True, text=True,
                          cwd=tmp_path, env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    assert done.stderr.splitlines()[-1] == "exit 0 heavy []", done.stderr
    assert done.stdout
