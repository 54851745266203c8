"""``regdraft render N --amendments SLUG -f akn``: an amendment of the worked case as an
Akoma Ntoso amendment document, from a real database; only of its own base."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from regdraft.cli import app
from regdraft.core.instructions import parse
from regdraft.formats.read.akn_amendment import read_amendment

DOC = "children-social-care-delegation"


@pytest.fixture
def cli(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch, repo_root: Path):
    for name in ("REGDRAFT_DOCUMENT", "REGDRAFT_ROOT", "REGDRAFT_ACTOR"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner(env={"REGDRAFT_DATABASE_URL": fresh_database_url, "REGDRAFT_ACTOR": "tester"})

    def invoke(*args: str | Path, code: int = 0):
        result = runner.invoke(app, [str(a) for a in args])
        assert "Traceback" not in result.output, result.output
        assert result.exit_code == code, (args, result.stdout, result.stderr)
        return result

    invoke("load", "--root", repo_root)
    return invoke


def test_an_amendment_renders_as_an_akn_amendment_of_its_base(cli, repo_root: Path, tmp_path: Path):
    target = tmp_path / "review-clause.akn"
    cli("render", "2", "--document", DOC, "--amendments", "review-clause", "-f", "akn", "-o", target)
    read = read_amendment(target.read_bytes())
    base = (repo_root / "drafts" / DOC / "versions" / "0002.md").read_text(encoding="utf-8")
    amended = parse(read.instructions, base)
    assert "### 6. Review" in amended and amended.startswith(base[:200])
    assert read.meta("base_version") == "2" and read.meta("slug") == "review-clause"
    assert [kind for kind, _ in read.modifications] == ["insertion"]


def test_only_one_amendment_and_only_against_its_base(cli):
    wrong = cli("render", "1", "--document", DOC, "--amendments", "review-clause", "-f", "akn", code=2)
    assert "made against version 2, not 1" in wrong.stderr
    two = cli("render", "1", "--document", DOC, "--amendments", "profit-ban,evaluated-pilots", "-f", "akn", code=2)
    assert "renders one amendment" in two.stderr
