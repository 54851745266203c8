"""``regdraft structure FILE``: the units and warnings of a file, without a database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from regdraft.cli import app

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "legislation"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv("REGDRAFT_DOCUMENT", raising=False)
    return CliRunner(env={"REGDRAFT_DATABASE_URL": f"sqlite:///{tmp_path / 'never' / 'db.sqlite'}"})


def test_text_lists_units_by_level_with_offsets_and_counts(runner, tmp_path):
    result = runner.invoke(app, ["structure", str(FIXTURES / "ukpga-2019-24.md"), "--kind", "uk-act"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("uk-act: 81 units (") and "12 schedule-paragraph" in lines[0]
    text = (FIXTURES / "ukpga-2019-24.md").read_text(encoding="utf-8")
    row = next(line for line in lines if line.strip().startswith("sch-para-3-2-a-i "))
    # The Schedule, its cross-heading, paragraph 3, 3(2), 3(2)(a): five levels above it.
    assert row.startswith("          sch-para-3-2-a-i ") and "[sub-paragraph, level 5]" in row
    start, end = map(int, row.split("]  ")[1].split()[0].split("-"))
    assert text[start:end].startswith("- (i) that an offence under section 1")
    assert not (tmp_path / "never").exists()


def test_json_gives_units_counts_metadata_and_warnings(runner, tmp_path):
    # The real part, with § 1005.3(b) taken out: § 1005.20 after § 1005.18 is how the CFR
    # numbers (no warning), (c) after (a) is a gap.
    text = (FIXTURES / "ecfr-12-1005-2011.md").read_text(encoding="utf-8")
    start = text.index("\n(b)", text.index("### § 1005.3"))
    path = tmp_path / "part-1005.md"
    path.write_text(text[:start] + text[text.index("\n(c)", start):], encoding="utf-8")
    result = runner.invoke(app, ["structure", str(path), "-k", "us-cfr", "-f", "json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["kind"] == "us-cfr" and found["counts"]["section"] == 19
    unit = next(u for u in found["units"] if u["id"] == "s1005-2-a-2-i")
    assert (unit["label"], unit["level"], unit["parent"]) == ("§ 1005.2(a)(2)(i)", 5, "s1005-2-a-2")
    assert [(w["code"], w["provision_id"]) for w in found["warnings"]] == [("numbering-gap", "s1005-3-c")]


def test_strict_refuses_a_warned_text_in_one_line(runner, tmp_path):
    path = tmp_path / "gap.md"
    path.write_text("### 4. A\n\nText.\n\n### 6. B\n", encoding="utf-8")
    result = runner.invoke(app, ["structure", str(path), "--strict"])
    assert result.exit_code == 2
    assert result.output.strip() == "regdraft: line 5, regulation 6: regulation 6 follows regulation 4: 1 missing between them"


def test_a_form_feed_is_read_as_a_line_end(runner, tmp_path):
    path = tmp_path / "paged.txt"
    path.write_bytes("1. These Regulations may be cited.\f2. In these Regulations—\n(a) one.\n".encode())
    result = runner.invoke(app, ["structure", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert [u["id"] for u in json.loads(result.output)["units"]] == ["reg-1", "reg-2", "reg-2-a"]


def test_an_unknown_kind_is_a_usage_error(runner, tmp_path):
    path = tmp_path / "t.md"
    path.write_text("### 1. A\n", encoding="utf-8")
    result = runner.invoke(app, ["structure", str(path), "--kind", "uk-bill"])
    assert result.exit_code == 2 and "uk-si" in result.output
