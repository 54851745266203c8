"""Decisions from the command line, and decisions through export and load: a reason
goes with every status change (and must go with a rejection), into the event log and
the exported amendment's front matter, and back again unchanged."""

from __future__ import annotations

from pathlib import Path

import yaml

from test_cli import ACCOUNTABILITY, DOC, INSPECTION, propose
from test_cli import cli, loaded, root  # noqa: F401 (fixtures)

HOSTILE = '<script>alert("x")</script>'


def _front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_reject_needs_a_reason_on_one_line(loaded):
    result = loaded("status", "-d", DOC, "review-date", "rejected", code=2)
    assert result.stderr == "regdraft: an amendment cannot become rejected without a reason: say why (reason)\n"
    result = loaded("status", "-d", DOC, "review-date", "rejected", "--reason", HOSTILE, code=2)
    assert result.stderr.startswith("regdraft: reason contains HTML")
    assert loaded("amendments", "-d", DOC).stdout.startswith("review-date  proposed  ")


def test_reasons_go_to_the_log_and_the_exported_files_and_load_back(loaded, tmp_path: Path):
    propose(loaded, "inspection", INSPECTION, tmp_path)
    (tmp_path / "why.txt").write_text("Ofsted asked for it.\n", encoding="utf-8")
    loaded("accept", "-d", DOC, "inspection", "--reason-file", tmp_path / "why.txt", "--actor", "reviewer@dfe")
    loaded("status", "-d", DOC, "review-date", "rejected", "--reason", "Five years is the usual term.")
    last = loaded("log", "-d", DOC).stdout.splitlines()[-2:]
    assert "  amendment.accepted  inspection  " in last[0] and last[0].endswith("  reason: Ofsted asked for it.")
    assert last[1].endswith("  reason: Five years is the usual term.")

    out = tmp_path / "out"
    loaded("export", "--root", out)
    front = _front_matter(out / "amendments" / DOC / "inspection.md")
    assert front["status"] == "accepted"
    assert front["decision"]["reason"] == "Ofsted asked for it." and front["decision"]["by"] == "reviewer@dfe"
    assert _front_matter(out / "amendments" / DOC / "review-date.md")["decision"]["reason"] == \
        "Five years is the usual term."
    assert loaded("load", "--root", out).stdout.startswith("nothing changed")
    assert loaded("verify").stdout.startswith("ok")


def test_a_decision_in_the_files_is_loaded_and_exported_back(cli, root: Path, tmp_path: Path):
    path = root / "amendments" / DOC / "review-date.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: proposed\n", (
        "status: rejected\ndecision:\n  reason: Not now.\n  by: Department for Education\n"
        "  at: '2014-08-01T00:00:00Z'\n")), encoding="utf-8")
    cli("load", "--root", root)
    out = tmp_path / "out"
    cli("export", "--root", out)
    assert (out / "amendments" / DOC / "review-date.md").read_bytes() == path.read_bytes()
    assert cli("load", "--root", root).stdout.startswith("nothing changed")
    # A rejection the files give no reason for is refused, naming the line.
    path.write_text(path.read_text(encoding="utf-8").replace("reason: Not now.", "reason: ''"), encoding="utf-8")
    result = cli("load", "--root", root, code=2)
    assert f"amendments/{DOC}/review-date.md:" in result.stderr and "without a reason" in result.stderr


def test_decide_several_at_once_all_or_nothing(loaded, tmp_path: Path):
    propose(loaded, "inspection", INSPECTION, tmp_path)
    propose(loaded, "accountability", ACCOUNTABILITY, tmp_path)
    # The second insertion fails on the head the first makes: nothing is decided.
    failed = loaded("decide", "-d", DOC, "inspection=accepted", "accountability=accepted", code=1)
    assert "decision 2 (accountability)" in failed.stderr and "nothing was decided" in failed.stderr
    assert loaded("versions", "-d", DOC).stdout.count("\n") == 2
    result = loaded("decide", "-d", DOC, "inspection=accepted:Ofsted asked for it.", "accountability=rejected",
                    "review-date=withdrawn", "--reason", "One paragraph (3) is enough.")
    lines = result.stdout.splitlines()
    assert lines[0] == f"inspection: proposed → accepted ({DOC}@3)"
    assert lines[1].startswith("  hunk 1: exact at offset ")
    assert lines[2:4] == ["accountability: proposed → rejected", "review-date: proposed → withdrawn"]
    assert lines[4].startswith("batch ")
    log = loaded("log", "-d", DOC).stdout.splitlines()
    assert log[-2].endswith("reason: One paragraph (3) is enough.")
    bad = loaded("decide", "-d", DOC, "accountability", code=2)
    assert "expected AMENDMENT=STATUS[:REASON]" in bad.stderr


def test_an_amendment_falls_with_the_one_accepted_and_the_files_keep_it(loaded, tmp_path: Path):
    propose(loaded, "inspection", INSPECTION, tmp_path)
    propose(loaded, "accountability", ACCOUNTABILITY, tmp_path)
    assert loaded("falls-if", "-d", DOC, "accountability", "inspection").stdout == \
        "accountability falls if accepted: inspection\n"
    result = loaded("decide", "-d", DOC, "inspection=accepted:Ofsted asked for it.")
    assert "  fell: accountability" in result.stdout.splitlines()
    assert "accountability  fallen  " in loaded("amendments", "-d", DOC, "--status", "fallen").stdout
    out = tmp_path / "out"
    loaded("export", "--root", out)
    front = _front_matter(out / "amendments" / DOC / "accountability.md")
    assert front["status"] == "fallen" and front["falls_if"] == ["inspection"]
    assert front["decision"]["reason"] == "Fell when amendment inspection (Amendment inspection) was accepted: " \
                                          "Ofsted asked for it."
    assert loaded("load", "--root", out).stdout.startswith("nothing changed")
    assert loaded("verify").stdout.startswith("ok")
    assert "no amendment 'nope'" in loaded("falls-if", "-d", DOC, "accountability", "nope", code=2).stderr


def test_outcome_prints_the_consultations_outcome(loaded):
    loaded("status", "-d", DOC, "review-date", "rejected", "--reason", "Five years is the usual term.")
    markdown = loaded("outcome", "-d", DOC).stdout
    assert markdown.startswith("# Consultation outcome: The Example (Relevant Care Functions)")
    assert "Why: Five years is the usual term." in markdown
    linked = loaded("outcome", "-d", DOC, "--site", "https://regdraft.example.org/").stdout
    assert f"(https://regdraft.example.org/documents/{DOC}/amendments/review-date)" in linked
    assert loaded("outcome", "-d", DOC, "--format", "html").stdout.startswith("<!DOCTYPE html>")
    assert '"verdict": "Rejected"' in loaded("outcome", "-d", DOC, "-f", "json").stdout
