"""The CLI's file commands start without the database's modules: none of SQLModel,
SQLAlchemy, FastAPI or Starlette is imported to diff, render or read the structure of
files (their import was three quarters of a file diff's time), nor the outside formats'
writers (lxml, python-docx), nor the modules of the other commands: each command's
module is imported when it is run (``app.COMMANDS``), and ``--help`` still lists all."""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from regdraft.cli import app
from regdraft.cli.app import COMMANDS

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
heavy = sorted({m.split(".")[0] for m in sys.modules}
               & {"sqlmodel", "sqlalchemy", "fastapi", "starlette", "uvicorn", "alembic", "lxml", "docx"})
commands = sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("regdraft.cli."))
sys.stderr.write(f"exit {status} heavy {heavy}\\n")
sys.stderr.write(f"command modules {commands}\\n")
"""


@pytest.mark.parametrize("command", [["diff"], ["diff", "--format", "json"], ["render", "--format", "html"],
                                     ["render", "--format", "instructions"], ["structure"]])
def test_a_file_command_imports_no_database_module(tmp_path, command):
    new = tmp_path / "new.md"
    new.write_text(OLD.read_text().replace("functions", "duties", 3))
    files = [str(OLD)] if command == ["structure"] else [str(OLD), str(new)]
    done = subprocess.run([sys.executable, "-c", _RUN, *command, *files], capture_output=True, text=True,
                          cwd=tmp_path, env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    assert done.stderr.splitlines()[-2] == "exit 0 heavy []", done.stderr
    # app and common, and the command's own module (render's reuses diff's comparison_of)
    own = {"diff": ["texts"], "render": ["rendering", "texts"], "structure": ["structure"]}[command[0]]
    assert done.stderr.splitlines()[-1] == f"command modules {sorted(['app', 'common', *own])}"
    assert done.stdout


def _defined_commands() -> dict[str, str]:
    """Every command the modules of regdraft.cli register, by name, with its module."""
    for module in set(COMMANDS.values()):
        importlib.import_module(f"regdraft.cli.{module}")
    names = {}
    for info in app.registered_commands:
        names[info.name or info.callback.__name__] = info.callback.__module__.rsplit(".", 1)[1]
    for group in app.registered_groups:
        names[group.name or group.typer_instance.info.name] = next(
            info.callback.__module__ for info in group.typer_instance.registered_commands).rsplit(".", 1)[1]
    return names


def test_every_command_is_named_with_its_module():
    assert _defined_commands() == COMMANDS


def test_help_lists_every_command_in_order():
    done = subprocess.run([sys.executable, "-m", "regdraft.cli", "--help"], capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}, check=True)
    listed = [line.split()[0] for line in done.stdout.split("Commands:\n", 1)[1].splitlines() if line.strip()]
    assert listed == list(COMMANDS)


def test_a_mistyped_command_is_suggested_though_not_loaded(tmp_path):
    done = subprocess.run([sys.executable, "-m", "regdraft.cli", "propse"], capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}, cwd=tmp_path)
    assert done.returncode == 2
    assert "Did you mean 'propose'?" in done.stderr


def test_the_scanner_trims_headings_as_markdown_it_does():
    # spelt out so that reading a structure does not import markdown-it
    from markdown_it.common.utils import MD_TRIM_CHARS

    from regdraft.core.structure import COMMONMARK_TRIM

    assert COMMONMARK_TRIM == MD_TRIM_CHARS
