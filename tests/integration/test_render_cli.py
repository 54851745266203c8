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
    assert page.startswith("<!DOCTYPE html>") and 'data-amendment="version-2"' in page
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
