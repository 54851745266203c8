"""Rebasing the worked case's open amendments through the CLI onto a new version, then
`regdraft verify` and export → load: the rebased amendments are stored consistently and
survive the round trip; `regdraft search` and `regdraft stale` read the same store."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from regdraft.cli import app
from regdraft.core.patching import parse_patch
from regdraft.files import export, load
from regdraft.services import amendments as A
from regdraft.services import documents, rebasing
from regdraft.services.verify import verify
from regdraft.store.engine import make_engine, session_scope

CASE = "children-social-care-delegation"


@pytest.fixture
def run(fresh_database_url, monkeypatch):
    for name in ("REGDRAFT_DOCUMENT", "REGDRAFT_ROOT", "REGDRAFT_ACTOR"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner(env={"REGDRAFT_DATABASE_URL": fresh_database_url, "REGDRAFT_ACTOR": "drafter"})

    def invoke(*args, code=0):
        result = runner.invoke(app, [str(a) for a in args])
        assert "Traceback" not in result.output, result.output
        assert result.exit_code == code, (args, result.exit_code, result.output)
        return result.stdout

    return invoke


def _described(url: str) -> dict:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            document = documents.get_document(session, CASE)
            rows, _ = A.list_amendments(session, document, limit=1000)
            return {a.slug: A.describe(session, a) for a in rows}
    finally:
        engine.dispose()


def test_rebased_amendments_verify_and_round_trip(run, fresh_database_url, repo_root, tmp_path, copy_database,
                                                  _template_database):
    run("load", "--root", repo_root)
    engine = make_engine(fresh_database_url)
    with session_scope(engine) as session:
        document = documents.get_document(session, CASE)
        head = documents.head(session, document)
        open_before = {a.slug for a in A.open_amendments(session, document)}
        # A new version that moves the text along: a longer title line at the top.
        documents.create_version(session, document, text=head.text.replace(
            "(England) Regulations 2014", "(England) Regulations 2014 (as amended)", 1), parent=head.number,
            author="Department for Education", message="title", actor="drafter")
    engine.dispose()
    assert open_before
    listed = run("stale", "--document", CASE)
    assert all(slug in listed for slug in open_before) and "not rebased yet" in listed
    out = run("rebase", "--all", "--document", CASE)
    assert all(f"{slug}  rebased  version" in out for slug in open_before), out
    assert "shifted by" in out
    assert run("stale", "--document", CASE).strip() == ""
    run("verify")
    engine = make_engine(fresh_database_url)
    with session_scope(engine) as session:
        document = documents.get_document(session, CASE)
        head = documents.head(session, document)
        assert {a.slug for a in A.open_amendments(session, document) if a.base_version_id == head.id} == open_before
        assert all(o.state == rebasing.UP_TO_DATE for o in rebasing.rebase(session, document, None, actor="t"))
        export(session, tmp_path, [CASE])
    engine.dispose()
    before = _described(fresh_database_url)
    (tmp_path / "copy").mkdir()
    with copy_database(_template_database, tmp_path / "copy") as url:
        engine = make_engine(url)
        with session_scope(engine) as session:
            load(session, tmp_path, actor="loader")
        with session_scope(engine) as session:
            assert verify(session).ok
        engine.dispose()
        assert _described(url) == before
    assert "profit-ban" in run("search", "for profit", "--document", CASE, "--kind", "amendment")


def test_a_failed_rebase_exits_1_and_says_why(run, fresh_database_url, repo_root):
    run("load", "--root", repo_root)
    engine = make_engine(fresh_database_url)
    with session_scope(engine) as session:
        document = documents.get_document(session, CASE)
        head = documents.head(session, document)
        [target] = [a for a in A.open_amendments(session, document) if a.slug == "ofsted-inspection"]
        # The next version rewrites every line the amendment's hunks look for.
        text = head.text
        for hunk in parse_patch(target.patch_text).hunks:
            text = text.replace(hunk.before, hunk.before.upper())
        documents.create_version(session, document, text=text, parent=head.number, author="DfE", actor="t")
    engine.dispose()
    out = run("rebase", "ofsted-inspection", "--document", CASE, code=1)
    assert "ofsted-inspection  needs-rebase" in out and "failed" in out
    assert "needs-rebase" in run("stale", "--document", CASE)
