"""Loading drafts/ and amendments/ into a real database (SQLite and PostgreSQL) and
exporting them back, byte for byte."""

from __future__ import annotations

import difflib
import json
import os
import shutil
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from regdraft.core.errors import InvalidFile
from regdraft.core.patching import make_patch
from regdraft.core.text import content_hash
from regdraft.files import export, load, read_tree
from regdraft.services import amendments as A
from regdraft.services import documents
from regdraft.services.verify import verify
from regdraft.store.engine import make_engine
from regdraft.store.models import (Amendment, AmendmentCategory, Citation, Document, DocumentCategory,
                                   DocumentStakeholder, Event, Hunk, HunkProvision, Response, Stakeholder, Version)

from example_case import BAN, NFP, RESPONSE, TEXT

TABLES = (Document, Stakeholder, DocumentStakeholder, Version, Response, Amendment, AmendmentCategory, Hunk,
          HunkProvision, Citation, Event)

V1, V2 = TEXT, BAN
H1, H2 = content_hash(V1), content_hash(V2)
LATER = V2 + "\n### 6. Inspection\n\nOfsted must inspect every provider each year.\n"
NCB_RESPONSE = "The National Children's Bureau asks for a ‘scoped pilot’ before any wider change.\n"

DOC = "drafts/example/document.yaml"
BAN_PATH = "amendments/example/profit-ban.md"
NFP_PATH = "amendments/example/not-for-profit.md"

DOCUMENT_YAML = f"""\
slug: example
title: Example Regulations
description: A small regulation for tests.
notice: 'This is a test: not law.'
stakeholders:
- slug: adcs
  name: Association of Directors of Children's Services
  kind: professional body
- slug: ncb
  name: National Children's Bureau
  kind: charity
versions:
- number: 1
  parent: null
  author: Department for Education
  message: Consultation draft
  created: '2014-04-17T00:00:00Z'
  content_hash: {H1}
  produced_by: null
- number: 2
  parent: 1
  author: Department for Education
  message: 'Accepted amendment profit-ban: Bar bodies carried on for profit'
  created: '2014-06-20T09:30:00Z'
  content_hash: {H2}
  produced_by: profit-ban
"""


def response_md(slug: str, title: str, text: str, date: str) -> str:
    return f"""\
---
slug: {slug}
stakeholder: {slug}
title: {title}
source: Community Care
url: https://example.org/{slug}
date: '{date}'
stance: ''
provenance: Verbatim passages of a press report.
---
{text}"""


def amendment_md(slug: str, *, status: str, base: int, base_text: str, new_text: str, categories: list[str],
                 citations: list[tuple[str, str]], created: str, rationale: str) -> str:
    cites = "".join(f"- response: {r}\n  quote: {q}\n" for r, q in citations)
    return (f"---\nslug: {slug}\ntitle: Amendment {slug}\nproposer: {citations[0][0] if citations else 'adcs'}\n"
            f"categories:\n" + "".join(f"- {c}\n" for c in categories) +
            f"status: {status}\nbase_version: {base}\nbase_hash: {content_hash(base_text)}\n"
            f"created: '{created}'\ncitations:" + ("\n" + cites if cites else " []\n") +
            f"---\n## Rationale\n\n{rationale}\n\n## Patch\n\n```diff-match-patch\n"
            f"{make_patch(base_text, new_text)}```\n")


def write_case(root: Path) -> dict[str, str]:
    """A document with 2 versions, 2 stakeholders, 2 responses and 3 amendments (one
    accepted, producing version 2); returns the files written (relative path → text)."""
    files = {
        DOC: DOCUMENT_YAML,
        "drafts/example/versions/0001.md": V1,
        "drafts/example/versions/0002.md": V2,
        "drafts/example/responses/adcs.md": response_md("adcs", "ADCS response", RESPONSE + "\n", "2014-06-05"),
        "drafts/example/responses/ncb.md": response_md("ncb", "NCB response", NCB_RESPONSE, "2014-06-06"),
        BAN_PATH: amendment_md(
            "profit-ban", status="accepted", base=1, base_text=V1, new_text=V2, categories=["profit-ban"],
            citations=[("adcs", "should not be predicated on a profit motive")], created="2014-05-30T00:00:00Z",
            rationale="Child protection must not be run for profit."),
        NFP_PATH: amendment_md(
            "not-for-profit", status="proposed", base=1, base_text=V1, new_text=NFP,
            categories=["scoped-pilot", "profit-ban"], citations=[("ncb", "a 'scoped pilot'  before any wider change")],
            created="2014-06-01T08:00:00Z", rationale="Pilot first.\n\nThen decide."),
        "amendments/example/inspection.md": amendment_md(
            "inspection", status="draft", base=2, base_text=V2, new_text=LATER, categories=["inspection-duty"],
            citations=[], created="2014-07-01T00:00:00Z", rationale=""),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return files


def counts(session: Session) -> dict[str, int]:
    return {table.__name__: session.exec(select(func.count()).select_from(table)).one() for table in TABLES}


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def case_root(tmp_path: Path) -> Path:
    root = tmp_path / "case"
    write_case(root)
    return root


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------

def test_load_imports_everything(session, case_root):
    report = load(session, case_root, actor="loader")
    assert report.as_dict() == {
        "documents": {"created": 1, "updated": 0, "unchanged": 0},
        "stakeholders": {"created": 2, "updated": 0, "unchanged": 0},
        "versions": {"created": 2, "updated": 0, "unchanged": 0},
        "responses": {"created": 2, "updated": 0, "unchanged": 0},
        "amendments": {"created": 3, "updated": 0, "unchanged": 0},
    }
    assert report.lines()[0] == "documents: 1 created, 0 updated, 0 unchanged"

    doc = documents.get_document(session, "example")
    assert (doc.title, doc.description, doc.notice) == ("Example Regulations", "A small regulation for tests.",
                                                        "This is a test: not law.")
    assert [s.slug for s in documents.list_stakeholders(session, doc)] == ["adcs", "ncb"]
    assert documents.get_stakeholder(session, "ncb").kind == "charity"

    v1, v2 = documents.list_versions(session, doc)
    assert (v1.text, v1.content_hash, v1.parent_id, v1.produced_by_id) == (V1, H1, None, None)
    assert (v2.text, v2.content_hash, v2.parent_id) == (V2, H2, v1.id)
    assert v2.created_at.replace(tzinfo=None).isoformat() == "2014-06-20T09:30:00"
    assert v2.message == "Accepted amendment profit-ban: Bar bodies carried on for profit"

    ncb = documents.get_response(session, doc, "ncb")
    assert (ncb.text, ncb.date, ncb.url, ncb.stance) == (NCB_RESPONSE, "2014-06-06", "https://example.org/ncb", "")

    ban = A.get_amendment(session, doc, "profit-ban")
    assert v2.produced_by_id == ban.id
    assert A.describe(session, ban) == {
        "title": "Amendment profit-ban", "proposer": "adcs", "status": "accepted", "base": 1,
        "rationale": "Child protection must not be run for profit.", "patch_text": make_patch(V1, V2),
        "categories": ["profit-ban"], "citations": [("adcs", "should not be predicated on a profit motive")]}
    assert ban.created_at.replace(tzinfo=None).isoformat() == "2014-05-30T00:00:00"
    nfp = A.get_amendment(session, doc, "not-for-profit")
    assert A.categories_of(session, nfp) == ["scoped-pilot", "profit-ban"]
    (citation, response), = A.citations_of(session, nfp)
    assert response.slug == "ncb"
    assert response.text[citation.start:citation.end] == "a ‘scoped pilot’ before any wider change"
    inspection = A.get_amendment(session, doc, "inspection")
    assert (inspection.status, session.get(Version, inspection.base_version_id).number) == ("draft", 2)
    assert [p.provision_id for _, links in A.hunks_of(session, inspection) for p in links] == ["reg-6"]

    actions = [e.action for e in session.exec(select(Event).order_by(Event.id))]
    assert actions.count("version.created") == 2 and actions.count("amendment.proposed") == 3
    assert "version.linked" in actions
    assert {e.actor for e in session.exec(select(Event))} == {"loader"}
    assert verify(session).ok, verify(session).problems


def test_a_second_load_changes_nothing(session, case_root):
    load(session, case_root, actor="loader")
    before = counts(session)
    report = load(session, case_root, actor="loader")
    assert not report.changed
    assert report.as_dict() == {kind: {"created": 0, "updated": 0, "unchanged": n} for kind, n in
                                [("documents", 1), ("stakeholders", 2), ("versions", 2), ("responses", 2),
                                 ("amendments", 3)]}
    assert counts(session) == before
    assert report.lines() == ["nothing changed (1 document, 2 stakeholders, 2 versions, 2 responses, "
                              "3 amendments unchanged)"]


def test_a_changed_list_of_stakeholders_is_one_event_of_the_document(session, case_root):
    load(session, case_root, actor="loader")
    last_event = session.exec(select(func.max(Event.id))).one()
    adcs = ("- slug: adcs\n  name: Association of Directors of Children's Services\n  kind: professional body\n")
    ncb = "- slug: ncb\n  name: National Children's Bureau\n  kind: charity\n"
    assert adcs + ncb in DOCUMENT_YAML
    (case_root / DOC).write_text(DOCUMENT_YAML.replace(adcs + ncb, ncb + adcs))
    report = load(session, case_root, actor="editor")
    assert (report.documents.updated, report.stakeholders.unchanged) == (1, 2)
    new = list(session.exec(select(Event).where(Event.id > last_event)))
    assert [(e.action, e.target, e.actor) for e in new] == [("document.stakeholders_changed", "example", "editor")]
    assert json.loads(new[0].detail) == {"stakeholders": ["ncb", "adcs"], "added": [], "removed": []}
    doc = documents.get_document(session, "example")
    assert [s.slug for s in documents.list_stakeholders(session, doc)] == ["ncb", "adcs"]


def test_changed_files_update_through_the_services(session, case_root):
    load(session, case_root, actor="loader")
    last_event = session.exec(select(func.max(Event.id))).one()
    (case_root / DOC).write_text(DOCUMENT_YAML.replace("title: Example Regulations", "title: Example Regs"))
    ncb = case_root / "drafts/example/responses/ncb.md"
    ncb.write_text(ncb.read_text().replace("stance: ''", "stance: Cautious"))
    nfp = case_root / NFP_PATH
    nfp.write_text(nfp.read_text().replace("status: proposed", "status: rejected").replace("Pilot first.", "Pilot."))
    report = load(session, case_root, actor="editor")
    assert (report.documents.updated, report.responses.updated, report.amendments.updated) == (1, 1, 1)
    assert (report.amendments.unchanged, report.versions.unchanged) == (2, 2)
    doc = documents.get_document(session, "example")
    assert doc.title == "Example Regs"
    amendment = A.get_amendment(session, doc, "not-for-profit")
    assert (amendment.status, amendment.rationale, amendment.revision) == ("rejected", "Pilot.\n\nThen decide.", 2)
    new = [e.action for e in session.exec(select(Event).where(Event.id > last_event).order_by(Event.id))]
    assert sorted(new) == ["amendment.revised", "document.updated", "response.updated"]


def test_a_retexted_response_moves_its_citations_even_when_they_change_in_the_same_load(session, case_root):
    load(session, case_root, actor="loader")
    adcs = case_root / "drafts/example/responses/adcs.md"
    adcs.write_text(adcs.read_text().replace(RESPONSE, "Reported in June: " + RESPONSE))
    load(session, case_root, actor="editor")
    doc = documents.get_document(session, "example")
    (citation, response), = A.citations_of(session, A.get_amendment(session, doc, "profit-ban"))
    assert response.text[citation.start:citation.end] == "should not be predicated on a profit motive"
    # The response loses the cited words and the amendment cites others, in one load.
    adcs.write_text(adcs.read_text().replace("“should not be predicated on a profit motive”, and that ", ""))
    nfp = case_root / NFP_PATH
    nfp.write_text(nfp.read_text().replace("- response: ncb\n", "- response: adcs\n", 1)
                   .replace("a 'scoped pilot'  before any wider change", "councils must remain accountable"))
    ban = case_root / BAN_PATH
    ban.write_text(ban.read_text().replace("should not be predicated on a profit motive", "ADCS says child protection"))
    load(session, case_root, actor="editor")
    (citation, response), = A.citations_of(session, A.get_amendment(session, doc, "profit-ban"))
    assert response.text[citation.start:citation.end] == "ADCS says child protection"
    assert verify(session).ok


def test_new_versions_are_appended_and_linked(session, case_root):
    load(session, case_root, actor="loader")
    # Accept "inspection" in the files: version 3 is produced by it.
    (case_root / "drafts/example/versions/0003.md").write_text(LATER)
    (case_root / DOC).write_text(DOCUMENT_YAML + f"""\
- number: 3
  parent: 2
  author: Department for Education
  message: Inspection duty
  created: '2014-08-01T00:00:00Z'
  content_hash: {content_hash(LATER)}
  produced_by: inspection
""")
    path = case_root / "amendments/example/inspection.md"
    path.write_text(path.read_text().replace("status: draft", "status: accepted"))
    report = load(session, case_root, actor="loader")
    assert (report.versions.created, report.versions.unchanged, report.amendments.updated) == (1, 2, 1)
    doc = documents.get_document(session, "example")
    v3 = documents.get_version(session, doc, 3)
    assert v3.produced_by_id == A.get_amendment(session, doc, "inspection").id
    assert not load(session, case_root, actor="loader").changed
    assert verify(session).ok, verify(session).problems


def test_documents_not_in_the_files_are_left_alone(session, case_root):
    other = documents.create_document(session, slug="other", title="Other", actor="api")
    documents.create_version(session, other, text="# Other\n\nText.\n", parent=None, author="x", actor="api")
    load(session, case_root, actor="loader")
    assert documents.count_versions(session, documents.get_document(session, "other")) == 1
    assert documents.get_document(session, "other").title == "Other"


def test_a_load_commits_and_reloads_unchanged_in_a_new_session(fresh_database_url, case_root, tmp_path):
    engine = make_engine(fresh_database_url)
    try:
        with Session(engine) as session:
            load(session, case_root, actor="loader")
            session.commit()
        with Session(engine) as session:
            before = counts(session)
            assert not load(session, case_root, actor="loader").changed
            session.commit()
        with Session(engine) as session:
            assert counts(session) == before
            out = tmp_path / "out"
            export(session, out)
        assert tree_bytes(out) == tree_bytes(case_root)
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------
# Exporting
# --------------------------------------------------------------------------------------

def test_export_reproduces_the_files_byte_for_byte(session, case_root, tmp_path):
    load(session, case_root, actor="loader")
    out = tmp_path / "out"
    written = export(session, out)
    assert sorted(p.relative_to(out).as_posix() for p in written) == sorted(tree_bytes(case_root))
    assert tree_bytes(out) == tree_bytes(case_root)
    # Exporting over the files it was loaded from changes no byte (and no file is rewritten).
    mtimes = {p: p.stat().st_mtime_ns for p in case_root.rglob("*") if p.is_file()}
    export(session, case_root, documents=["example"])
    assert {p: p.stat().st_mtime_ns for p in case_root.rglob("*") if p.is_file()} == mtimes
    assert tree_bytes(out) == tree_bytes(case_root)


def test_export_leaves_unknown_files_alone_and_writes_atomically(session, case_root, tmp_path):
    load(session, case_root, actor="loader")
    out = tmp_path / "out"
    (out / "drafts" / "example").mkdir(parents=True)
    (out / "README.md").write_text("mine")
    (out / "drafts" / "example" / "document.yaml").write_text("stale")
    export(session, out)
    assert (out / "README.md").read_text() == "mine"
    assert (out / "drafts" / "example" / "document.yaml").read_text() == DOCUMENT_YAML
    assert not [p for p in out.rglob("*.tmp")]


def test_export_of_what_the_api_made_loads_back_unchanged(session, tmp_path):
    doc = documents.create_document(session, slug="made", title="Made through the API", actor="api")
    documents.create_version(session, doc, text=V1, parent=None, author="DfE", actor="api")
    adcs = documents.upsert_stakeholder(session, slug="adcs", name="ADCS", actor="api")
    documents.set_document_stakeholders(session, doc, [adcs], actor="api")  # as PUT .../stakeholders/adcs does
    documents.put_response(session, doc, slug="adcs", stakeholder=adcs, text=RESPONSE, title="ADCS", actor="api")
    ban = A.propose(session, doc, A.AmendmentInput(
        slug="ban", title="Ban", proposer="adcs", base=1, categories=["profit-ban"], new_text=V2,
        rationale="  Because.  ", citations=[A.CitationInput("adcs", "should not be predicated on a profit motive")]),
        actor="api")
    A.accept(session, ban, actor="api")
    out = tmp_path / "out"
    export(session, out, documents=["made"])
    before = counts(session)
    report = load(session, out, actor="loader")
    assert not report.changed, report
    assert report.stakeholders.unchanged == 1
    assert counts(session)["Event"] == before["Event"]
    again = tmp_path / "again"
    export(session, again, documents=["made"])
    assert tree_bytes(again) == tree_bytes(out)


def test_export_does_not_write_through_a_symlink_out_of_the_root(session, case_root, tmp_path):
    load(session, case_root, actor="loader")
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "drafts").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidFile, match=r"^drafts/example/document\.yaml: is under a symbolic link that leads "
                                          r"outside the root"):
        export(session, out)
    assert list(outside.iterdir()) == []


def test_a_symlinked_amendments_folder_out_of_the_root_stops_the_export_before_any_file(session, case_root,
                                                                                         tmp_path):
    load(session, case_root, actor="loader")
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "amendments").symlink_to(outside, target_is_directory=True)
    with pytest.raises(InvalidFile, match=r"^amendments/example/.*: is under a symbolic link that leads outside"):
        export(session, out)
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["amendments"]  # no drafts/ written before it either


@pytest.mark.parametrize("link, to", [("amendments", "drafts"), ("amendments/example", "drafts/example"),
                                      ("drafts/example/responses", "drafts/example/versions")])
def test_export_refuses_a_symlink_inside_the_root_that_load_would_read_elsewhere(session, case_root, tmp_path,
                                                                                 link, to):
    load(session, case_root, actor="loader")
    out = tmp_path / "out"
    (out / to).mkdir(parents=True)
    (out / link).parent.mkdir(parents=True, exist_ok=True)
    (out / link).symlink_to(out / to, target_is_directory=True)
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    with pytest.raises(InvalidFile, match="symbolic link that would put the file somewhere other than"):
        export(session, out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before


def test_an_export_that_fails_while_writing_leaves_the_root_as_it_was(session, case_root, tmp_path, monkeypatch):
    load(session, case_root, actor="loader")
    out = tmp_path / "out"
    export(session, out)
    before = tree_bytes(out)
    documents.put_response(session, documents.get_document(session, "example"), slug="ncb",
                           stakeholder=documents.get_stakeholder(session, "ncb"), text=NCB_RESPONSE + "More.\n",
                           title="NCB", actor="tests")
    A.propose(session, documents.get_document(session, "example"), A.AmendmentInput(
        slug="later", title="Later", proposer="adcs", base=2, categories=["review"], new_text=LATER), actor="tests")
    writes = []
    real_fsync = os.fsync

    def disk_full_on_the_second(fd):
        writes.append(fd)
        if len(writes) == 2:
            raise OSError(28, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", disk_full_on_the_second)
    with pytest.raises(OSError, match="No space left"):
        export(session, out)
    assert tree_bytes(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # the staging tree is gone
    monkeypatch.undo()
    export(session, out)
    assert tree_bytes(out) != before and (out / "amendments" / "example" / "later.md").is_file()


class _Killed(BaseException):
    """The process dying at a chosen step (nothing after it runs, no cleanup either)."""


class _DyingAt:
    """A stand-in for a module (``os``, ``shutil``) of the exporter: the ``at``-th call
    of a step that changes the disk dies; ``rmtree`` does nothing, as after a kill."""

    STEPS = ("rename", "replace", "link", "symlink", "fsync", "chmod", "copy2", "copystat")

    def __init__(self, module, counter: list[int], at: int) -> None:
        self._module, self._counter, self._at = module, counter, at

    def __getattr__(self, name):
        real = getattr(self._module, name)
        if name == "rmtree":
            return lambda *args, **kwargs: None
        if name not in self.STEPS:
            return real

        def step(*args, **kwargs):
            self._counter[0] += 1
            if self._counter[0] == self._at:
                raise _Killed(name)
            return real(*args, **kwargs)

        return step


def _visible(root: Path) -> dict[str, bytes]:
    from regdraft.files.exporter import STAGING_PREFIX

    return {rel: data for rel, data in tree_bytes(root).items() if not rel.startswith(STAGING_PREFIX)}


def test_an_export_killed_at_any_step_leaves_the_old_trees_or_the_new_never_a_mix(session, case_root, tmp_path,
                                                                                  monkeypatch):
    from regdraft.files import exporter

    load(session, case_root, actor="loader")
    out = tmp_path / "out"
    export(session, out)
    (out / "drafts" / ".notes.txt").write_text("not exported, kept")
    old = tree_bytes(out)
    document = documents.get_document(session, "example")
    documents.put_response(session, document, slug="ncb", stakeholder=documents.get_stakeholder(session, "ncb"),
                           text=NCB_RESPONSE + "More.\n", title="NCB", actor="tests")
    A.propose(session, document, A.AmendmentInput(slug="later", title="Later", proposer="adcs", base=2,
                                                  categories=["review"], new_text=LATER), actor="tests")
    expected = tmp_path / "expected"
    export(session, expected)
    new = {**tree_bytes(expected), "drafts/.notes.txt": b"not exported, kept"}
    # Both trees change, so the swap has two folders to move.
    assert {rel.split("/")[0] for rel, _ in set(new.items()) ^ set(old.items())} == {"drafts", "amendments"}
    outcomes = []
    for at in range(1, 200):
        work = tmp_path / f"run-{at}"
        shutil.copytree(out, work, symlinks=True)
        counter = [0]
        monkeypatch.setattr(exporter, "os", _DyingAt(os, counter, at))
        monkeypatch.setattr(exporter, "shutil", _DyingAt(shutil, counter, at))
        try:
            export(session, work)
        except _Killed:
            killed = True
        else:
            killed = False
        monkeypatch.undo()
        journals = list(work.glob(f"{exporter.STAGING_PREFIX}*/{exporter.JOURNAL}"))
        if killed and not journals:
            assert _visible(work) == old, f"killed at step {at}, before the commit point"
        exporter.finish_interrupted_export(work)
        after = tree_bytes(work)
        assert after in (old, new), f"killed at step {at}: a mix of the old and the new trees"
        outcomes.append(after == new)
        if not killed:
            break
    else:
        pytest.fail("the export never finished")
    assert outcomes[-1] and not outcomes[0]  # the last run completed; the first was killed before its commit
    assert True in outcomes[:-1], "no kill fell after the commit point"
    # After a kill past the commit point, load finishes the swap itself and reads the new trees.
    first_committed = outcomes.index(True) + 1
    work = tmp_path / "load-after-kill"
    shutil.copytree(out, work, symlinks=True)
    monkeypatch.setattr(exporter, "os", _DyingAt(os, [0], first_committed))
    monkeypatch.setattr(exporter, "shutil", _DyingAt(shutil, [0], first_committed))
    with pytest.raises(_Killed):
        export(session, work)
    monkeypatch.undo()
    assert _visible(work) != new
    report = load(session, work, actor="loader")
    assert not report.changed, report
    assert tree_bytes(work) == new


def test_export_refuses_a_non_slug_document(session, tmp_path):
    with pytest.raises(Exception, match="not a slug"):
        export(session, tmp_path, documents=["../etc"])


# --------------------------------------------------------------------------------------
# Bad files: one line naming the file and the line, and nothing imported
# --------------------------------------------------------------------------------------

def _load_in_a_transaction(engine, root: Path) -> None:
    with Session(engine) as session:
        try:
            load(session, root, actor="loader")
            session.commit()
        except Exception:
            session.rollback()
            raise


BAD_FILES = [
    pytest.param(BAN_PATH, "quote: should not be predicated on a profit motive", "quote: profit is a fine motive",
                 f"{BAN_PATH}:13: citation 1: quote not found in response 'adcs'", id="quote"),
    pytest.param(NFP_PATH, f"base_hash: {H1}", f"base_hash: {H2}",
                 f"{NFP_PATH}:10: base_hash does not match version 1, whose hash is {H1}", id="base-hash"),
    pytest.param(NFP_PATH, " elevant care functions.", " elevant daycare functions.", None, id="patch-context"),
    pytest.param(NFP_PATH, ",24 +", ",24 +9", None, id="patch-place"),
]


@pytest.mark.parametrize("rel, old, new, message", BAD_FILES)
def test_a_bad_file_imports_nothing(fresh_database_url, case_root, rel, old, new, message):
    path = case_root / rel
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    engine = make_engine(fresh_database_url)
    try:
        with pytest.raises(InvalidFile) as err:
            _load_in_a_transaction(engine, case_root)
        if message is not None:
            assert str(err.value) == message
        else:
            assert str(err.value).startswith(f"{rel}:25: "), str(err.value)  # the first patch line
        with Session(engine) as session:
            assert set(counts(session).values()) == {0}
    finally:
        engine.dispose()


def test_errors_found_while_writing_name_the_file_and_line_and_roll_back(fresh_database_url, case_root):
    engine = make_engine(fresh_database_url)
    try:
        _load_in_a_transaction(engine, case_root)
        with Session(engine) as session:
            before = counts(session)
        # A new response, and an amendment whose stored creation time the files contradict:
        # the amendment is only found wrong once the database is consulted.
        (case_root / "drafts/example/responses/late.md").write_text(
            response_md("ncb", "Late", "Late words.\n", "2014-07-01").replace("slug: ncb", "slug: late", 1))
        path = case_root / NFP_PATH
        path.write_text(path.read_text().replace("2014-06-01T08:00:00Z", "2014-06-02T08:00:00Z"))
        with pytest.raises(InvalidFile) as err:
            _load_in_a_transaction(engine, case_root)
        assert str(err.value) == (f"{NFP_PATH}:11: created is '2014-06-02T08:00:00Z', but the stored amendment's is "
                                  "'2014-06-01T08:00:00Z'; it cannot change")
        with Session(engine) as session:
            assert counts(session) == before
            assert documents.find_response(session, documents.get_document(session, "example"), "late") is None
    finally:
        engine.dispose()


def test_a_stored_version_cannot_change(session, case_root):
    load(session, case_root, actor="loader")
    changed = V1.replace("Exclusions", "Exceptions")
    (case_root / "drafts/example/versions/0001.md").write_text(changed)
    (case_root / DOC).write_text(DOCUMENT_YAML.replace(H1, content_hash(changed)))
    # The amendments based on version 1 now fail first, in the files themselves ...
    with pytest.raises(InvalidFile, match=r"^amendments/example/not-for-profit\.md:10: base_hash does not match"):
        load(session, case_root, actor="loader")
    # ... and without them, the database refuses the new text of version 1.
    shutil.rmtree(case_root / "amendments")
    (case_root / DOC).write_text(DOCUMENT_YAML.replace(H1, content_hash(changed)).replace(
        "produced_by: profit-ban", "produced_by: null"))
    with pytest.raises(InvalidFile) as err:
        load(session, case_root, actor="loader")
    assert str(err.value) == (f"{DOC}:18: version 1: versions/0001.md hashes to {content_hash(changed)}, but the "
                              f"stored version's hash is {H1}; a stored version cannot change")


def test_produced_by_must_name_the_accepted_amendment_exactly_once(case_root):
    (case_root / DOC).write_text(DOCUMENT_YAML.replace("produced_by: profit-ban", "produced_by: null"))
    with pytest.raises(InvalidFile) as err:
        read_tree(case_root)
    assert str(err.value) == (f"{BAN_PATH}:7: the amendment is accepted, but no version in {DOC} names it in "
                              "produced_by")
    (case_root / DOC).write_text(DOCUMENT_YAML.replace("produced_by: profit-ban", "produced_by: not-for-profit"))
    with pytest.raises(InvalidFile, match=rf"^{DOC}:26: version 2: produced_by names amendment 'not-for-profit', "
                                          "which is proposed, not accepted$"):
        read_tree(case_root)


# --------------------------------------------------------------------------------------
# The files shipped in this repository
# --------------------------------------------------------------------------------------

def _shipped_documents(repo_root: Path) -> list[str]:
    drafts = repo_root / "drafts"
    if not drafts.is_dir():
        return []
    return sorted(p.name for p in drafts.iterdir() if p.is_dir() and not p.name.startswith("."))


def test_the_shipped_files_load_and_export_byte_for_byte(session, repo_root, tmp_path):
    shipped = _shipped_documents(repo_root)
    if not shipped:
        pytest.skip("no documents under drafts/ yet")
    report = load(session, repo_root, actor="test")
    assert report.documents.created == len(shipped)
    files = read_tree(repo_root).files()
    written = export(session, tmp_path, documents=shipped)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == sorted(files)
    differing = []
    for rel in files:
        mine, theirs = (tmp_path / rel).read_bytes(), (repo_root / rel).read_bytes()
        if mine != theirs:
            diff = difflib.unified_diff(theirs.decode().splitlines(True), mine.decode().splitlines(True),
                                        f"shipped/{rel}", f"exported/{rel}", n=1)
            differing.append("".join(list(diff)[:40]))
    assert not differing, "exported files differ from the shipped ones:\n" + "\n".join(differing)
    assert not load(session, repo_root, actor="test").changed
    result = verify(session)
    assert result.ok, result.problems


def test_a_documents_kind_is_loaded_and_exported(session, case_root, tmp_path):
    path = case_root / DOC
    path.write_text(path.read_text().replace("notice: ", "kind: uk-act\nnotice: ", 1))
    load(session, case_root, actor="loader")
    document = documents.get_document(session, "example")
    assert (document.kind, document.strict) == ("uk-act", False)
    head = documents.head(session, document)
    assert "section 3" in [p.label for p in documents.structure_of(document, head.text).provisions]
    export(session, tmp_path / "out")
    assert "\nkind: uk-act\nstakeholders:" in (tmp_path / "out" / DOC).read_text()


def test_a_strict_document_refuses_a_version_whose_structure_draws_warnings(session, case_root):
    # The example numbers its regulations 1, 3, 4, 5: read strictly, the gap is refused.
    path = case_root / DOC
    path.write_text(path.read_text().replace("notice: ", "strict: true\nnotice: ", 1))
    with pytest.raises(InvalidFile) as caught:
        load(session, case_root, actor="loader")
    assert caught.value.message.startswith("drafts/example/versions/0001.md:7: ")
    assert "regulation 3 follows regulation 1" in caught.value.message
    assert session.exec(select(func.count()).select_from(Document)).one() == 0


def test_an_unknown_kind_in_document_yaml_names_its_line(session, case_root):
    path = case_root / DOC
    text = path.read_text().replace("notice: ", "kind: cfr\nnotice: ", 1)
    path.write_text(text)
    with pytest.raises(InvalidFile) as caught:
        load(session, case_root, actor="loader")
    assert caught.value.extra["line"] == text.splitlines().index("kind: cfr") + 1
    assert "uk-si, uk-act, us-cfr, eu-act" in caught.value.message
    assert session.exec(select(func.count()).select_from(Document)).one() == 0


def test_the_kind_of_a_document_with_versions_cannot_change(session, case_root):
    load(session, case_root, actor="loader")
    session.flush()
    path = case_root / DOC
    path.write_text(path.read_text().replace("notice: ", "kind: eu-act\nnotice: ", 1))
    with pytest.raises(InvalidFile) as caught:
        load(session, case_root, actor="loader")
    assert "cannot change to eu-act" in caught.value.message
    assert documents.get_document(session, "example").kind == "uk-si"


def test_a_missing_content_hash_is_computed_on_load_and_written_on_export(session, case_root, tmp_path):
    path = case_root / DOC
    path.write_text(path.read_text().replace(f"  content_hash: {H1}\n", "", 1))
    load(session, case_root, actor="loader")
    version = documents.get_version(session, documents.get_document(session, "example"), 1)
    assert version.content_hash == H1
    export(session, tmp_path / "out")
    assert f"  content_hash: {H1}\n" in (tmp_path / "out" / DOC).read_text()


def test_a_wrong_content_hash_is_still_refused(fresh_database_url, case_root):
    path = case_root / DOC
    path.write_text(path.read_text().replace(H1, "a" * 64, 1))
    with pytest.raises(InvalidFile, match="content_hash does not match"):
        read_tree(case_root)


CATEGORIES_YAML = """categories:
- slug: profit-ban
  title: Profit-making bodies barred
- slug: scoped-pilot
  title: Delegation as a scoped pilot
- slug: inspection-duty
  title: ''
- slug: housing
  title: Allocation of social housing
"""


def test_a_documents_categories_are_loaded_exported_byte_for_byte_and_verified(session, case_root, tmp_path):
    path = case_root / DOC
    path.write_text(path.read_text().replace("stakeholders:\n", CATEGORIES_YAML + "stakeholders:\n", 1))
    load(session, case_root, actor="loader")
    document = documents.get_document(session, "example")
    assert [(c.slug, c.title) for c in documents.categories(session, document)][-1] == (
        "housing", "Allocation of social housing")
    export(session, tmp_path / "out")
    assert tree_bytes(tmp_path / "out") == tree_bytes(case_root)
    assert not load(session, tmp_path / "out", actor="loader").changed
    assert verify(session).ok
    # A category taken out of the file (none in use) is taken out of the document, as one event.
    path.write_text(path.read_text().replace("- slug: housing\n  title: Allocation of social housing\n", ""))
    assert load(session, case_root, actor="loader").documents.updated == 1
    assert "housing" not in [c.slug for c in documents.categories(session, document)]
    assert session.exec(select(func.count()).select_from(Event)
                        .where(Event.action == "document.categories_changed")).one() == 2


def test_an_amendment_filed_under_a_category_its_document_lacks_names_its_line(session, case_root):
    path = case_root / DOC
    path.write_text(path.read_text().replace("stakeholders:\n", CATEGORIES_YAML.replace(
        "- slug: scoped-pilot\n  title: Delegation as a scoped pilot\n", "") + "stakeholders:\n", 1))
    with pytest.raises(InvalidFile) as caught:
        load(session, case_root, actor="loader")
    text = (case_root / NFP_PATH).read_text()
    assert caught.value.message.startswith(f"{NFP_PATH}:{text.splitlines().index('- scoped-pilot') + 1}: ")
    assert "'scoped-pilot' is not a category of document 'example'" in caught.value.message
    assert session.exec(select(func.count()).select_from(Document)).one() == 0


def test_verify_reports_an_amendment_under_a_category_its_document_lacks(session, case_root):
    load(session, case_root, actor="loader")
    document = documents.get_document(session, "example")
    session.add(DocumentCategory(document_id=document.id, slug="housing"))
    session.flush()
    problems = verify(session).problems
    assert "example/profit-ban: filed under profit-ban, which the document does not declare" in problems
