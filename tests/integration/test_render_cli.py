"""``regdraft render`` on the database (SQLite and PostgreSQL): redlines of versions and
amendments and Keeling schedules, with the fixtures of test_cli.py."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli import ACCOUNTABILITY, DOC, INSPECTION, cli, loaded, propose, root  # noqa: F401  (fixtures)


def test_render_versions_amendments_and_keeling_schedules(loaded, tmp_path: Path):
    propose(loaded, "inspection", INSPECTION, tmp_path, "--cite", "adcs:local authorities must remain accountable")
    propose(loaded, "accountability", ACCOUNTABILITY, tmp_path)
    page = loaded("render", "1", "2", "-d", DOC).stdout
    assert page.startswith("<!DOCTYPE html>") and 'data-version="2"' in page
    one = loaded("render", "2", "-a", "inspection", "-d", DOC, "-f", "criticmarkup").stdout
    assert "for profit.{++\n\n(3) A body to which a function is delegated is subject to inspection by Ofsted.++}" in one
    assert "{>>inspection: Amendment inspection (Association of Directors of Children's Services)<<}" in one
    # The schedule of every open amendment of version 2: the two conflict, review-date applies.
    schedule = json.loads(loaded("render", f"{DOC}@2", "--keeling", "-f", "json").stdout)
    assert schedule["applied"] == ["review-date"] and schedule["withheld"] == ["inspection", "accountability"]
    assert len(schedule["conflicts"]) == 1
    target = tmp_path / "keeling.html"
    assert loaded("render", "2", "--keeling", "-a", "inspection,review-date", "-d", DOC, "-o", target).stdout == ""
    html = target.read_text(encoding="utf-8")
    assert "local authorities must remain accountable" in html and 'id="note-2"' in html
    for args in (("render", "2", "--keeling", "-a", "nope", "-d", DOC), ("render", "9", "--keeling", "-d", DOC),
                 ("render", "other@2", "--keeling", "-d", DOC)):
        result = loaded(*args, code=2)
        assert result.stdout == "" and len(result.stderr.splitlines()) == 1, result.stderr


def test_a_keeling_file_links_its_notes_to_the_reviewer_pages_of_a_site(loaded, tmp_path: Path):
    propose(loaded, "inspection", INSPECTION, tmp_path, "--cite", "adcs:local authorities must remain accountable")
    target = tmp_path / "keeling.html"
    loaded("render", "2", "--keeling", "-a", "inspection", "-d", DOC, "-o", target,
           "--link-base", "https://regdraft.example.org/")
    html = target.read_text(encoding="utf-8")
    assert f'href="https://regdraft.example.org/documents/{DOC}/amendments/inspection"' in html
    assert f'href="https://regdraft.example.org/documents/{DOC}/responses/' in html and "#quote-" in html
    assert 'href="/api/' not in html
    for args, says in ((("--link-base", "javascript:alert(1)"), "http(s)://host"),
                       (("--link-base", "https://regdraft.example.org/api"), "http(s)://host"),
                       (("--link-base", "https://x.org", "--no-keeling"), "applies to --keeling")):
        keeling = () if "--no-keeling" in args else ("--keeling",)
        result = loaded("render", "2", *keeling, "-d", DOC, *[a for a in args if a != "--no-keeling"], code=2)
        assert result.stdout == "" and len(result.stderr.splitlines()) == 1 and says in result.stderr, result.stderr
