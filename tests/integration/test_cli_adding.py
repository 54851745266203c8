"""``regdraft version add``, ``stakeholder add`` and ``response add`` on a real database
(SQLite and PostgreSQL), with the worked case's own texts: the reconstructed draft
(SI 2014/2407, OGL v3.0) as versions and UNISON's response as reported (drafts/)."""

from __future__ import annotations

from pathlib import Path

from test_cli import cli  # noqa: F401  (the fixture: the CLI on this test's own database)

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "drafts" / "children-social-care-delegation"
V1, V2 = CASE / "versions" / "0001.md", CASE / "versions" / "0002.md"
DOC = "delegation"
HOSTILE = '<script>alert("x")</script>'


def _body(path: Path) -> str:
    """A files-format response's text, without its front matter."""
    return path.read_text(encoding="utf-8").split("\n---\n", 1)[1]


def test_a_document_built_from_the_command_line_alone(cli, tmp_path: Path):
    cli("new", DOC, "--title", "Relevant care functions")
    out = cli("version", "add", V1, "-d", DOC, "-m", "Consultation draft", "--author", "DfE").stdout
    assert out.startswith("added version 1 ") and out.endswith(f" to document {DOC}\n")
    assert cli("version", "add", V2, "-d", DOC, "--parent", "1", "-m", "As laid").stdout.startswith("added version 2")
    versions = cli("versions", "-d", DOC).stdout
    assert "Consultation draft" in versions and "As laid" in versions and "DfE" in versions
    assert cli("diff", "1", "2", "-d", DOC).stdout.count("\n+") >= 1

    assert cli("stakeholder", "add", "unison", "--name", "UNISON", "--kind", "trade union", "-d", DOC).stdout == \
        f"added stakeholder unison to document {DOC}\n"
    text = tmp_path / "unison.md"
    text.write_text(_body(CASE / "responses" / "unison.md"), encoding="utf-8")
    out = cli("response", "add", "unison", "-s", "unison", "-f", text, "--title", "UNISON response, as reported",
              "--url", "https://www.communitycare.co.uk/2014/05/30/outsourcing-child-protection-privatisation-far-"
                       "say-unions-consultation-deadline-looms/", "--date", "2014-05-30",
              "--stance", "Opposed: abandon the plan", "-d", DOC).stdout
    assert out.startswith("added response unison ") and out.endswith(f" to document {DOC}\n")
    # The response can be cited at once.
    edited = tmp_path / "edited.md"
    edited.write_text(V2.read_text(encoding="utf-8").replace("A body corporate that is carried on for profit",
                                                                  "A body corporate other than a local authority"), "utf-8")
    cli("propose", "-d", DOC, "--from", edited, "--slug", "councils-only", "--title", "Councils only",
        "--proposer", "unison", "--category", "profit-ban", "--cite", "unison:a dangerous step")
    assert "councils-only" in cli("xref", "unison", "-d", DOC).stdout
    assert "version.created" in cli("log").stdout and "response.created" in cli("log").stdout


def test_what_would_overwrite_is_refused_on_one_line_and_nothing_changes(cli, tmp_path: Path):
    cli("new", DOC, "--title", "Relevant care functions")
    cli("version", "add", V1, "-d", DOC)
    stale = cli("version", "add", V2, "-d", DOC, "--parent", "0", code=2)  # not a version number
    assert stale.stderr.count("\n") == 1
    stale = cli("version", "add", V2, "-d", DOC, "--parent", "2", code=1)
    assert "the head is version 1" in stale.stderr and stale.stderr.count("\n") == 1
    assert f"'{DOC}' has no version 2" in stale.stderr  # a parent after the head is no version at all
    cli("stakeholder", "add", "unison", "--name", "UNISON", "-d", DOC)
    assert "already takes part" in cli("stakeholder", "add", "unison", "--name", "UNISON", "-d", DOC,
                                       code=1).stderr
    cli("new", "other", "--title", "Other")
    renamed = cli("stakeholder", "add", "unison", "--name", "Unison the union", "-d", "other", code=1)
    assert "exists already as 'UNISON'" in renamed.stderr
    text = tmp_path / "r.md"
    text.write_text("Outsourcing would be a dangerous step.\n", encoding="utf-8")
    cli("response", "add", "unison", "-s", "unison", "-f", text, "--title", "First", "-d", DOC)
    taken = cli("response", "add", "unison", "-s", "unison", "-f", text, "--title", "Second", "-d", DOC, code=1)
    assert "already has a response 'unison'" in taken.stderr
    assert cli("versions", "-d", DOC).stdout.count("\n") == 1


def test_hostile_text_is_refused_at_the_command_line_as_at_the_api(cli, tmp_path: Path):
    cli("new", DOC, "--title", "Relevant care functions")
    hostile = tmp_path / "hostile.md"
    hostile.write_text(V1.read_text(encoding="utf-8") + f"\n{HOSTILE}\n", encoding="utf-8")
    refused = cli("version", "add", hostile, "-d", DOC, code=2)
    assert "contains HTML" in refused.stderr and str(hostile) in refused.stderr
    assert "contains HTML" in cli("stakeholder", "add", "x", "--name", HOSTILE, "-d", DOC, code=2).stderr
    cli("stakeholder", "add", "unison", "--name", "UNISON", "-d", DOC)
    assert "contains HTML" in cli("response", "add", "r", "-s", "unison", "-f", hostile, "--title", "T", "-d", DOC,
                                  code=2).stderr
    plain = tmp_path / "plain.md"
    plain.write_text("A dangerous step.\n", encoding="utf-8")
    assert "url" in cli("response", "add", "r", "-s", "unison", "-f", plain, "--title", "T", "--url",
                        "javascript:alert(1)", "-d", DOC, code=2).stderr
    assert "no stakeholder 'nobody'" in cli("response", "add", "r", "-s", "nobody", "-f", plain, "--title", "T",
                                            "-d", DOC, code=2).stderr
    assert "date '2014-02-30' is not a date" in cli("response", "add", "r", "-s", "unison", "-f", plain, "--title",
                                                    "T", "--date", "2014-02-30", "-d", DOC, code=2).stderr
    assert cli("versions", "-d", DOC).stdout == ""
