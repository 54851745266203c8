"""``regdraft render`` on files: every format, to stdout or a file, never a database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from regdraft.cli import app
from regdraft.core.instructions import parse

OLD = ("# Example Regulations\n\n### 3. Delegation\n\n(1) A council may delegate a function to any person.\n\n"
       "(2) A delegation is made in writing.\n")
NEW = (OLD.replace("any person", "a body that is not-for-profit")
       + "\n### 4. Review\n\nThe Secretary of State must review these Regulations.\n")


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("REGDRAFT_DOCUMENT", raising=False)
    runner = CliRunner(env={"REGDRAFT_DATABASE_URL": f"sqlite:///{tmp_path / 'never' / 'db.sqlite'}"})
    (tmp_path / "old.md").write_text(OLD, encoding="utf-8")
    (tmp_path / "new.md").write_text(NEW, encoding="utf-8")

    def invoke(*args: str | Path, code: int = 0):
        result = runner.invoke(app, ["render", *(str(a) for a in args)])
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.output
        return result

    yield invoke
    assert not (tmp_path / "never").exists(), "render on files opened the database"


def test_every_format_of_two_files(run, tmp_path: Path):
    old, new = tmp_path / "old.md", tmp_path / "new.md"
    page = run(old, new).stdout
    assert page.startswith("<!DOCTYPE html>") and f"<title>Redline: {old} → {new}</title>" in page
    fragment = run(old, new, "--format", "fragment").stdout
    assert fragment in page and '<h3 id="reg-4" data-provision="reg-4"><ins' in fragment
    assert "{~~any person~>a body that is not-for-profit~~}" in run(old, new, "-f", "criticmarkup").stdout
    assert run(old, new, "-f", "unified").stdout.startswith(f"--- {old}\n+++ {new}\n")
    assert [c["provision"] for c in json.loads(run(old, new, "-f", "json").stdout)["changes"]] == ["reg-3-1", "reg-4"]
    instructions = run(old, new, "-f", "instructions").stdout
    assert instructions.startswith("1. In regulation 3(1), for “any person” substitute “a body that is not-for-profit”.")
    assert parse(instructions, OLD) == NEW


def test_output_file_is_written_whole_and_bad_requests_are_one_line(run, tmp_path: Path):
    old, new, target = tmp_path / "old.md", tmp_path / "new.md", tmp_path / "out" / "redline.html"
    target.parent.mkdir()
    target.write_text("previous", encoding="utf-8")
    result = run(old, new, "--output", target)
    assert result.stdout == "" and target.read_text(encoding="utf-8") == run(old, new).stdout
    assert sorted(p.name for p in target.parent.iterdir()) == ["redline.html"]
    for args, message in (((old, new, "-o", tmp_path / "nowhere" / "x.html"), "no such directory"),
                          ((old, tmp_path / "missing.md", "-o", target), "missing.md: no such file"),
                          ((old, "--keeling"), "--keeling needs a version"),
                          ((old, new, "--keeling"), "--keeling renders one version"),
                          ((old, new, "-f", "epub"), "'epub' is not one of"),
                          ((old, new, "-f", "akn"), "'akn' is not offered for this rendering"),
                          ((old,), "rendering one version needs a version")):
        result = run(*args, code=2)
        assert result.stdout == "" and len(result.stderr.splitlines()) == 1 and message in result.stderr, args
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")  # a failed render kept the file
