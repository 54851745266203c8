"""``regdraft render N --amendments SLUG -f akn``: an amendment of the worked case as an
Akoma Ntoso amendment document, from a real database; only of its own base."""

from __future__ import annotations

from pathlib import Path

import pytest

from regdraft.core.instructions import parse
from regdraft.formats.read.akn_amendment import read_amendment

from test_cli import cli  # noqa: F401  (the fixture: the CLI against a fresh database)

DOC = "children-social-care-delegation"


@pytest.fixture
def case(cli, repo_root: Path):
    """The CLI against a fresh database holding the worked case."""
    cli("load", "--root", repo_root)
    return cli


def test_an_amendment_renders_as_an_akn_amendment_of_its_base(case, repo_root: Path, tmp_path: Path):
    target = tmp_path / "review-clause.akn"
    case("render", "2", "--document", DOC, "--amendments", "review-clause", "-f", "akn", "-o", target)
    read = read_amendment(target.read_bytes())
    base = (repo_root / "drafts" / DOC / "versions" / "0002.md").read_text(encoding="utf-8")
    amended = parse(read.instructions, base)
    assert "### 6. Review" in amended and amended.startswith(base[:200])
    assert read.meta("base_version") == "2" and read.meta("slug") == "review-clause"
    assert [kind for kind, _ in read.modifications] == ["insertion"]


def test_only_one_amendment_and_only_against_its_base(case):
    wrong = case("render", "1", "--document", DOC, "--amendments", "review-clause", "-f", "akn", code=2)
    assert "made against version 2, not 1" in wrong.stderr
    two = case("render", "1", "--document", DOC, "--amendments", "profit-ban,evaluated-pilots", "-f", "akn", code=2)
    assert "renders one amendment" in two.stderr
