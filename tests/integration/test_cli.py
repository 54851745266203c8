"""The command line against a real database (SQLite and PostgreSQL).

Each test gets a fresh database (``fresh_database_url``) named to the CLI through
``REGDRAFT_DATABASE_URL`` in CliRunner's environment, loads a small root of
``drafts/`` and ``amendments/`` files written here in the format of docs/files.md, and
drives the commands as a drafter would.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from regdraft.cli import app
from regdraft.core.patching import make_patch
from regdraft.core.text import content_hash

from sample_regulations import EXAMPLE

DOC = "example"
REAL_DOCUMENT = "children-social-care-delegation"

V1 = EXAMPLE
V2 = V1.replace("to any person.", "to any person other than a body carried on for profit.")

ADCS = ("The Association believes that child protection services should not be predicated on a profit "
        "motive, and that local authorities must remain accountable.")

# Two amendments inserting a paragraph (3) at the same place in version 2.
INSPECTION = V2.replace("carried on for profit.\n", "carried on for profit.\n\n(3) A body to which a function "
                        "is delegated is subject to inspection by Ofsted.\n")
ACCOUNTABILITY = V2.replace("carried on for profit.\n", "carried on for profit.\n\n(3) The local authority "
                            "remains accountable for the delegated function.\n")
# A change elsewhere (regulation 4), made in the files.
REVIEW = V2.replace("before 1st July 2019.", "before 1st July 2017.")


def write_root(root: Path) -> Path:
    """drafts/example (two versions, two stakeholders, one response) and one proposed
    amendment in amendments/example, as docs/files.md describes them."""
    drafts = root / "drafts" / DOC
    (drafts / "versions").mkdir(parents=True)
    (drafts / "responses").mkdir()
    (drafts / "versions" / "0001.md").write_text(V1, encoding="utf-8")
    (drafts / "versions" / "0002.md").write_text(V2, encoding="utf-8")
    (drafts / "document.yaml").write_text(f"""\
slug: {DOC}
title: The Example (Relevant Care Functions) (England) Regulations 2014
description: A small document for the command-line tests.
notice: ''
stakeholders:
- slug: adcs
  name: Association of Directors of Children's Services
  kind: professional body
- slug: nspcc
  name: NSPCC
  kind: charity
versions:
- number: 1
  parent: null
  author: Department for Education
  message: Consultation draft
  created: '2014-04-17T00:00:00Z'
  content_hash: {content_hash(V1)}
  produced_by: null
- number: 2
  parent: 1
  author: Department for Education
  message: No delegation to bodies carried on for profit
  created: '2014-07-01T00:00:00Z'
  content_hash: {content_hash(V2)}
  produced_by: null
""", encoding="utf-8")
    (drafts / "responses" / "adcs.md").write_text(f"""\
---
slug: adcs
stakeholder: adcs
title: ADCS response to the consultation
source: Example source
url: https://example.org/adcs
date: '2014-06-05'
stance: Opposed to a profit motive
provenance: Written for the tests.
---
{ADCS}
""", encoding="utf-8")
    amendments = root / "amendments" / DOC
    amendments.mkdir(parents=True)
    (amendments / "review-date.md").write_text(f"""\
---
slug: review-date
title: Review the Regulations sooner
proposer: nspcc
categories:
- accountability
status: proposed
base_version: 2
base_hash: {content_hash(V2)}
created: '2014-07-02T00:00:00Z'
citations: []
---
## Rationale

Five years is too long to wait.

## Patch

```diff-match-patch
{make_patch(V2, REVIEW)}```
""", encoding="utf-8")
    return root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_root(tmp_path / "root")


@pytest.fixture
def cli(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch):
    for name in ("REGDRAFT_DOCUMENT", "REGDRAFT_ROOT", "REGDRAFT_ACTOR"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner(env={"REGDRAFT_DATABASE_URL": fresh_database_url, "REGDRAFT_ACTOR": "tester"})

    def invoke(*args: str | Path, code: int = 0):
        result = runner.invoke(app, [str(a) for a in args])
        assert "Traceback" not in result.output, result.output
        assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr, result.exception)
        return result

    return invoke


@pytest.fixture
def loaded(cli, root: Path):
    cli("load", "--root", root)
    return cli


def propose(cli, slug: str, text: str, tmp_path: Path, *extra: str, code: int = 0):
    edited = tmp_path / f"{slug}.md"
    edited.write_text(text, encoding="utf-8")
    return cli("propose", "--document", DOC, "--base", "2", "--from", edited, "--slug", slug,
               "--title", f"Amendment {slug}", "--proposer", "adcs", "--category", "inspection-duty", *extra,
               code=code)


# --- load -------------------------------------------------------------------------------

def test_load_then_diff_versions(loaded):
    assert loaded("documents").stdout.startswith(f"{DOC}  2 versions  ")
    unified = loaded("diff", "1", "2", "--document", DOC).stdout
    lines = unified.splitlines()
    assert lines[:2] == [f"--- {DOC}@1", f"+++ {DOC}@2"]
    assert any(line.startswith("@@") and line.endswith(" regulation 3(2)") for line in lines), unified
    assert "+(2) A local authority may delegate a relevant care function to any person other than a body " \
           "carried on for profit." in lines

    body = json.loads(loaded("diff", f"{DOC}@1", f"{DOC}@2", "--format", "json", "--unchanged").stdout)
    assert body["old"] == {"name": f"{DOC}@1", "hash": content_hash(V1)}
    assert body["new"] == {"name": f"{DOC}@2", "hash": content_hash(V2)}
    assert "".join(op["text"] for c in body["changes"] for op in c["ops"] if op["op"] != "insert") == V1
    assert "".join(op["text"] for c in body["changes"] for op in c["ops"] if op["op"] != "delete") == V2
    changed = [(c["provision"], c["status"]) for c in body["changes"] if c["status"] != "unchanged"]
    assert changed == [("reg-3-2", "changed")]


def test_second_load_reports_nothing_changed(cli, root: Path):
    first = cli("load", "--root", root).stdout
    events = cli("log", "--limit", "1000").stdout.splitlines()
    second = cli("load", "--root", root).stdout
    assert second != first
    assert second.strip() and len(second.splitlines()) <= 5
    assert any(word in second.lower() for word in ("nothing", "unchanged", "no change")), second
    assert cli("log", "--limit", "1000").stdout.splitlines() == events


def test_load_of_an_invalid_file_is_one_line_with_path_and_line_and_writes_nothing(cli, root: Path):
    response = root / "drafts" / DOC / "responses" / "adcs.md"
    response.write_text(response.read_text(encoding="utf-8").replace("stakeholder: adcs", "stakeholder: nobody"),
                        encoding="utf-8")
    result = cli("load", "--root", root, code=2)
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith(f"regdraft: drafts/{DOC}/responses/adcs.md:"), line
    assert cli("documents").stdout == ""


def test_load_of_a_missing_root(cli, tmp_path: Path):
    result = cli("load", "--root", tmp_path / "nowhere", code=2)
    assert result.stderr == f"regdraft: {tmp_path / 'nowhere'}: no such directory\n"


def test_a_never_migrated_database_works(empty_database_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("REGDRAFT_DOCUMENT", raising=False)
    result = CliRunner(env={"REGDRAFT_DATABASE_URL": empty_database_url}).invoke(app, ["documents"])
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_load_the_real_repository(cli, repo_root: Path):
    if not (repo_root / "drafts" / REAL_DOCUMENT).is_dir():
        pytest.skip(f"drafts/{REAL_DOCUMENT} is not in this checkout yet (another engineer is writing it)")
    cli("load", "--root", repo_root)
    assert REAL_DOCUMENT in cli("documents").stdout
    assert cli("versions", "--document", REAL_DOCUMENT).stdout.startswith("1  ")
    assert cli("load", "--root", repo_root).stdout.startswith("nothing changed")


def test_search_says_when_there_are_more_hits_than_it_ranks(cli, repo_root: Path, monkeypatch):
    from regdraft.services import search

    cli("load", "--root", repo_root)
    exact = cli("search", "children", "--document", "children-social-care-delegation", "--limit", "3").stdout
    total = int(exact.splitlines()[-1].split()[0])
    assert total > 4 and exact.endswith(f"{total} hits, 1-3 shown\n")
    monkeypatch.setattr(search, "MAX_RANKED", 4)
    bounded = cli("search", "children", "--document", "children-social-care-delegation", "--limit", "3").stdout
    assert bounded.endswith("more than 4 hits, 1-3 shown\n")


# --- propose, conflicts, xref, log ------------------------------------------------------

def test_a_preview_says_how_a_proposal_would_apply_and_stores_nothing(loaded, tmp_path: Path):
    events = loaded("log", "--limit", "1000").stdout
    # On the head (version 2): its hunk, its report there, and each citation's check;
    # the second citation's quote is not in the response, which proposing refuses.
    result = propose(loaded, "inspection", INSPECTION, tmp_path, "--preview",
                     "--cite", "adcs:local authorities must remain accountable",
                     "--cite", "adcs:Ofsted must inspect every provider", code=1)
    lines = result.stdout.splitlines()
    assert lines[0] == "inspection (preview: nothing stored)"
    assert lines[1].startswith("hunk 1: @@ -") and lines[1].endswith(" regulation 3(3) (reg-3-3)")
    assert re.fullmatch(r"on the base, version 2: hunk 1: exact at offset \d+", lines[2])
    assert lines[3] == "citation 1 (adcs): ok"
    assert lines[4].startswith("refused: citation 2: quote not found: 'Ofsted must inspect") and len(lines) == 5
    # On version 1: the same edit made there, and how it would apply onto the head.
    on_v1 = tmp_path / "on-v1.md"
    on_v1.write_text(V1.replace("Regulations 2014.", "Regulations 2014 (as amended)."), encoding="utf-8")
    result = loaded("propose", "--document", DOC, "--base", "1", "--from", on_v1, "--slug", "citation-title",
                    "--title", "T", "--proposer", "adcs", "--category", "review", "--preview")
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[1:]] == ["hunk 1", "on the base, version 1", "on the head, version 2"]
    assert "hunk 1: exact" in lines[2] and "hunk 1: failed" not in lines[3]
    assert loaded("log", "--limit", "1000").stdout == events
    assert "inspection" not in loaded("amendments", "--document", DOC).stdout


def test_propose_from_an_edited_file(loaded, tmp_path: Path):
    result = propose(loaded, "inspection", INSPECTION, tmp_path,
                     "--rationale", "Ofsted must inspect.",
                     "--cite", "adcs:local authorities must remain accountable")
    lines = result.stdout.splitlines()
    assert lines[0] == "inspection"
    assert len(lines) == 2 and lines[1].startswith("hunk 1: @@ -")
    assert "regulation 3(3) (reg-3-3)" in lines[1]
    listed = loaded("amendments", "--document", DOC).stdout.splitlines()
    assert "inspection  proposed  @2  adcs  Amendment inspection" in listed
    # Against version 2 with the amendment applied: the new paragraph, attributed.
    body = json.loads(loaded("diff", "2", "--amendments", "inspection", "-d", DOC, "-f", "json").stdout)
    [change] = body["changes"]
    assert (change["provision"], change["status"]) == ("reg-3-3", "added")
    assert {op.get("amendment") for op in change["ops"] if op["op"] == "insert"} == {"inspection"}


def test_propose_refuses_bad_input_on_one_line(loaded, tmp_path: Path):
    result = propose(loaded, "same", V2, tmp_path, code=2)
    assert result.stderr.startswith("regdraft: ") and len(result.stderr.splitlines()) == 1
    result = propose(loaded, "quote", INSPECTION, tmp_path, "--cite", "adcs:words nobody wrote", code=2)
    assert "quote" in result.stderr and len(result.stderr.splitlines()) == 1
    propose(loaded, "taken", INSPECTION, tmp_path)
    result = propose(loaded, "taken", ACCOUNTABILITY, tmp_path, code=1)
    assert result.stderr == f"regdraft: document '{DOC}' already has an amendment 'taken'\n"
    # The text policy, as the API, the pages and the loader apply it.
    for option, value, words in (("--rationale", "See <img src=x onerror=alert(1)>", "contains HTML"),
                                 ("--rationale", "one\u202etwo", "U+202E RIGHT-TO-LEFT OVERRIDE")):
        result = propose(loaded, "hostile", INSPECTION, tmp_path, option, value, code=2)
        assert words in result.stderr and len(result.stderr.splitlines()) == 1
    result = propose(loaded, "hostile", INSPECTION.replace("by Ofsted", "by <iframe src=x>"), tmp_path, code=2)
    assert "contains HTML" in result.stderr


def test_conflicts_between_two_insertions_at_the_same_place(loaded, tmp_path: Path):
    propose(loaded, "inspection", INSPECTION, tmp_path)
    propose(loaded, "accountability", ACCOUNTABILITY, tmp_path)
    result = loaded("conflicts", "--document", DOC, "inspection", "accountability", code=1)
    [line] = result.stdout.splitlines()
    assert line.startswith("inspection  accountability  overlap  "), line
    assert "reg-3" in line
    # All open amendments: the same pair; the amendment from the files is not in it.
    everything = loaded("conflicts", "--document", DOC, code=1).stdout
    assert "review-date" not in everything
    result = loaded("conflicts", "--document", DOC, "inspection", "review-date")
    assert result.stdout == "no conflicts among 2 amendments\n"


def test_xref_of_a_provision_lists_the_amendment_and_its_citations(loaded, tmp_path: Path):
    propose(loaded, "inspection", INSPECTION, tmp_path,
            "--cite", "adcs:should not be predicated on a profit motive")
    lines = loaded("xref", "reg-3-3", "--document", DOC).stdout.splitlines()
    assert lines[0].startswith("provision reg-3-3 (regulation 3(3)")
    assert lines[1].startswith("inspection [proposed] Amendment inspection (proposed by adcs)")
    assert any(line.strip().startswith("hunk 1: ") and "reg-3-3" in line for line in lines)
    assert "  cites adcs: “should not be predicated on a profit motive”" in lines

    assert loaded("xref", "reg-4", "-d", DOC).stdout.splitlines()[:2] == [
        "provision reg-4 (regulation 4): 1 amendment",
        "review-date [proposed] Review the Regulations sooner (proposed by nspcc)"]
    response = loaded("xref", "adcs", "-d", DOC).stdout.splitlines()
    assert response[0].startswith("response adcs (") and response[1].startswith("inspection ")
    stakeholder = loaded("xref", "nspcc", "-d", DOC).stdout.splitlines()
    assert stakeholder[0].startswith("stakeholder nspcc (NSPCC)")
    assert "proposed review-date [proposed] Review the Regulations sooner (proposed by nspcc)" in stakeholder
    result = loaded("xref", "nothing-like-this", "-d", DOC, code=2)
    assert result.stderr.startswith("regdraft: 'nothing-like-this' is not a provision, response or stakeholder")


def test_log_shows_events(loaded, tmp_path: Path):
    propose(loaded, "inspection", INSPECTION, tmp_path, "--actor", "drafter@example.gov.uk")
    lines = loaded("log", "--document", DOC).stdout.splitlines()
    assert any(" tester  version.created  example@2  " in line for line in lines), lines
    [proposed] = [line for line in lines if "amendment.proposed" in line and "inspection" in line]
    time, actor, action, target, hashes = proposed.split("  ")
    assert (actor, action, target) == ("drafter@example.gov.uk", "amendment.proposed", f"{DOC}/inspection")
    assert hashes == f"{content_hash(V2)[:8]}→{content_hash(INSPECTION)[:8]}"
    assert len(time) == 20 and time.endswith("Z")
    assert loaded("log", "--document", DOC, "--limit", "1").stdout.splitlines() == [lines[-1]]


# --- accept, status, apply, versions ----------------------------------------------------

def test_accept_status_and_apply(loaded, tmp_path: Path):
    propose(loaded, "inspection", INSPECTION, tmp_path)
    propose(loaded, "accountability", ACCOUNTABILITY, tmp_path)
    # Applied together, the second fails where the first has already inserted.
    result = loaded("apply", "--document", DOC, "--version", "2", "inspection", "review-date")
    assert result.stdout == INSPECTION.replace("1st July 2019", "1st July 2017")
    failed = loaded("apply", "-d", DOC, "inspection", "accountability", "--report", code=1)
    assert failed.stdout == ""
    assert failed.stderr.splitlines()[0].startswith("inspection: hunk 1: exact at offset ")
    assert failed.stderr.splitlines()[-1].startswith("regdraft: accountability does not apply")

    assert loaded("accept", "-d", DOC, "inspection").stdout == \
        f"inspection: accepted as {DOC}@3 ({content_hash(INSPECTION)[:8]})\n"
    assert loaded("versions", "-d", DOC).stdout.splitlines()[-1].endswith("[accepted inspection]")
    result = loaded("accept", "-d", DOC, "accountability", code=1)
    assert result.stderr.splitlines() == ["hunk 1: failed (expected at offset 570)",
                                          "regdraft: amendment 'accountability' does not apply to the head "
                                          "(version 3)"]
    assert loaded("status", "-d", DOC, "accountability", "withdrawn").stdout == \
        "accountability: proposed → withdrawn\n"
    result = loaded("status", "-d", DOC, "inspection", "draft", code=1)
    assert "cannot become draft" in result.stderr
    loaded("status", "-d", DOC, "review-date", "accepted")
    assert loaded("diff", "3", "head", "-d", DOC).stdout.splitlines()[2].endswith(" regulation 4")


def test_unknown_names_are_exit_2(loaded):
    assert loaded("versions", "-d", "nope", code=2).stderr == "regdraft: no document 'nope'\n"
    assert loaded("diff", "1", "9", "-d", DOC, code=2).stderr == f"regdraft: document '{DOC}' has no version 9\n"
    assert loaded("accept", "-d", DOC, "ghost", code=2).stderr == \
        f"regdraft: document '{DOC}' has no amendment 'ghost'\n"


# Tokens and verify ------------------------------------------------------------------

def test_token_create_prints_the_secret_once_and_stores_only_its_hash(loaded, fresh_database_url):
    from sqlalchemy import text

    from regdraft.services.tokens import hash_secret
    from regdraft.store.engine import make_engine

    made = loaded("token", "create", "--role", "stakeholder", "--stakeholder", "adcs", "--name", "adcs-team")
    secret = made.stdout.strip()
    assert secret.startswith("rdt_") and "\n" not in secret and "cannot be shown again" in made.stderr
    engine = make_engine(fresh_database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT name, role, secret_hash FROM token")).all()
    engine.dispose()
    assert [tuple(r) for r in rows] == [("adcs-team", "stakeholder", hash_secret(secret))]
    listed = loaded("token", "list").stdout
    assert listed.startswith("adcs-team  stakeholder  adcs  ") and secret not in listed
    assert loaded("token", "revoke", "adcs-team").stdout.startswith("token 'adcs-team' revoked at ")
    assert "revoked" in loaded("token", "list").stdout
    assert "token.created" in loaded("log").stdout


@pytest.mark.parametrize("args, message", [
    (["--role", "owner"], "'owner' is not one of"),
    (["--role", "stakeholder"], "needs --stakeholder"),
    (["--role", "admin", "--stakeholder", "adcs"], "only a stakeholder token"),
    (["--role", "stakeholder", "--stakeholder", "nobody"], "no stakeholder 'nobody'"),
])
def test_token_create_refuses_what_makes_no_sense(loaded, args, message):
    result = loaded("token", "create", *args, code=2)
    assert message in result.stderr and result.stdout == ""


def test_a_taken_token_name_is_refused(loaded):
    loaded("token", "create", "--role", "reader", "--name", "one")
    assert "exists" in loaded("token", "create", "--role", "admin", "--name", "one", code=1).stderr


def test_verify_passes_on_a_sound_store_and_names_damage(loaded, fresh_database_url):
    from sqlalchemy import text

    from regdraft.store.engine import make_engine

    ok = loaded("verify")
    assert ok.stdout.startswith("ok: checked ") and "versions" in ok.stdout
    engine = make_engine(fresh_database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE version SET text = text || 'tampered' WHERE number = 2"))
    engine.dispose()
    damaged = loaded("verify", code=1)
    assert f"{DOC}@2: text does not match its content hash" in damaged.stdout
    assert damaged.stderr.startswith("regdraft: 1 problem(s) found")
