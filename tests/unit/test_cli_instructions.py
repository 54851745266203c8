"""``regdraft instructions apply`` and ``write`` on files: instructions read from a file
and applied to a real text, never opening a database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from regdraft.cli import app
from regdraft.core.patching import apply_patch, parse_patch

REPO = Path(__file__).resolve().parents[2]
SI = REPO / "drafts" / "children-social-care-delegation" / "versions" / "0003.md"
FIXTURES = REPO / "tests" / "fixtures" / "instructions"

INSTRUCTIONS = ("1. In regulation 3(b), for “17A” substitute “17B”.\n\n"
                "2. After regulation 4 insert—\n\n“4A. Review\n\nThe Secretary of State must review these "
                "Regulations.”\n")


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("REGDRAFT_DOCUMENT", raising=False)
    runner = CliRunner(env={"REGDRAFT_DATABASE_URL": f"sqlite:///{tmp_path / 'never' / 'db.sqlite'}"})

    def invoke(*args: str | Path, code: int = 0):
        result = runner.invoke(app, ["instructions", *(str(a) for a in args)])
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.output
        return result

    yield invoke
    assert not (tmp_path / "never").exists(), "instructions on files opened the database"


def test_apply_prints_the_amended_text_or_its_patch(run, tmp_path: Path):
    file = tmp_path / "instructions.md"
    file.write_text(INSTRUCTIONS, encoding="utf-8")
    old = SI.read_text(encoding="utf-8")
    expected = (old.replace("12D and 17A", "12D and 17B")
                .replace("### 5. Provision", "### 4A. Review\n\nThe Secretary of State must review these "
                                             "Regulations.\n\n### 5. Provision"))
    assert run("apply", file, SI).stdout == expected
    patch = run("apply", file, SI, "--output", "patch").stdout
    assert apply_patch(parse_patch(patch), old).text == expected


def test_an_instruction_that_does_not_apply_is_one_line(run, tmp_path: Path):
    file = tmp_path / "instructions.md"
    file.write_text("1. Omit regulation 4.\n\n2. In regulation 4, omit “the”.\n", encoding="utf-8")
    result = run("apply", file, SI, code=2)
    assert result.stderr.strip() == "regdraft: instruction 2: no provision 'regulation 4'"
    assert result.stdout == ""


def test_write_then_apply_gives_the_new_act(run, tmp_path: Path):
    old = FIXTURES / "ukpga-2008-23_part1_v2011-04-01.md"
    new = FIXTURES / "ukpga-2008-23_part1_v2016-04-06.md"
    file = tmp_path / "instructions.md"
    file.write_text(run("write", old, new, "--kind", "uk-act").stdout, encoding="utf-8")
    assert run("apply", file, old, "--kind", "uk-act").stdout == new.read_text(encoding="utf-8")
