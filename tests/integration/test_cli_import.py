"""``regdraft import`` and ``regdraft new`` on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from test_cli import cli  # noqa: F401  (the fixture: the CLI on this test's own database)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REVISED = FIXTURES / "clml" / "uksi-2005-263-2013-04-01.xml"
TEXT = FIXTURES / "text" / "uksi-2014-2407_as-made.txt"


def test_import_creates_a_document_and_then_its_next_version(cli, tmp_path: Path):
    out = cli("import", REVISED, "--document", "eol-vehicles").stdout
    assert out.startswith("created document eol-vehicles (uk-si): version 1 ")
    assert "read as clml: 1 preamble, 28 regulations, 63 paragraphs" in out
    assert "16 amendment annotations kept" in out and "the law as it stood on 2013-04-01" in out
    edited = tmp_path / "next.txt"
    edited.write_bytes(TEXT.read_bytes())
    out = cli("import", edited, "--document", "eol-vehicles", "--as-version", "-m", "Replaced").stdout
    assert out.startswith("updated document eol-vehicles: version 2 ")
    assert "eol-vehicles  2 versions" in cli("documents").stdout


def test_a_dry_run_prints_the_text_and_stores_nothing(cli):
    result = cli("import", TEXT, "--dry-run")
    assert result.stdout.startswith("# The Children and Young Persons Act 2008")
    assert "read as text: 1 preamble, 5 regulations" in result.stderr
    assert "eol" not in cli("documents").stdout and "2014" not in cli("documents").stdout


def test_a_hostile_file_is_one_line_status_2_and_nothing_is_stored(cli, tmp_path: Path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "a">]><x>&a;</x>')
    result = cli("import", bomb, "--document", "bomb", code=2)
    assert result.stderr.count("\n") == 1 and "declares a DTD or entities" in result.stderr
    assert "bomb" not in cli("documents").stdout


def test_new_creates_an_empty_document_that_an_import_fills(cli):
    assert cli("new", "draft-act", "--title", "The Draft Act 2027", "--kind", "uk-act").stdout == \
        "created document draft-act (uk-act)\n"
    cli("new", "draft-act", "--title", "Again", code=1)  # the slug is taken
    out = cli("import", FIXTURES / "clml" / "ukpga-2003-4-enacted.xml", "--document", "draft-act",
              "--as-version").stdout
    assert out.startswith("updated document draft-act: version 1 ")
    cli("import", TEXT, "--document", "draft-act", "--as-version", "--kind", "uk-si", code=2)
