"""Golden files for the provision parser on the worked case: every version of
drafts/children-social-care-delegation, and the text of every amendment applied to its
base, parsed into provisions (line, id, label, kind, parent, heading). The files under
tests/golden/structure/ were reviewed by eye; `REGDRAFT_UPDATE_GOLDEN=1` rewrites them
after a deliberate change, for the diff to be reviewed again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from regdraft.core.patching import apply_patch, parse_patch
from regdraft.core.structure import parse_structure
from regdraft.files.formats import parse_amendment

ROOT = Path(__file__).resolve().parents[2]
DOC = "children-social-care-delegation"
VERSIONS = sorted((ROOT / "drafts" / DOC / "versions").glob("*.md"))
AMENDMENTS = sorted((ROOT / "amendments" / DOC).glob("*.md"))
GOLDEN = ROOT / "tests" / "golden" / "structure"


def outline(text: str) -> str:
    rows = [f"{p.line:>3}  {p.id:<16} {p.label:<24} {p.kind:<14} {p.parent or '-':<10} {p.heading}".rstrip()
            for p in parse_structure(text, strict=True).provisions]
    return "\n".join(rows) + "\n"


def check(name: str, text: str) -> None:
    golden = GOLDEN / f"{name}.txt"
    got = outline(text)
    if os.environ.get("REGDRAFT_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"{golden} is missing: run with REGDRAFT_UPDATE_GOLDEN=1 and review it"
    assert got == golden.read_text(encoding="utf-8")


def test_the_worked_case_is_in_the_tree():
    assert len(VERSIONS) >= 2 and len(AMENDMENTS) >= 10


@pytest.mark.parametrize("path", VERSIONS, ids=lambda p: p.stem)
def test_version_outline(path: Path):
    check(f"version-{path.stem}", path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", AMENDMENTS, ids=lambda p: p.stem)
def test_amended_outline(path: Path):
    amendment = parse_amendment(str(path), path.read_bytes())
    base = (ROOT / "drafts" / DOC / "versions" / f"{amendment.base_version:04d}.md").read_text(encoding="utf-8")
    applied = apply_patch(parse_patch(amendment.patch_text), base)
    assert applied.exact
    check(f"amended-{path.stem}", applied.text)
