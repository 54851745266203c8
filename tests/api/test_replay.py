"""Replay is an invariant: whatever is proposed and accepted through the API, replaying
each accepted amendment on its version's parent gives that version, ``verify`` is clean,
and export followed by load into an empty database reproduces the store."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from regdraft.core.patching import apply_patch, make_patch, parse_patch
from regdraft.files import export, load
from regdraft.services.verify import verify
from regdraft.store.engine import make_engine, migrate, session_scope
from regdraft.store.models import Amendment

from .support import V1, V2, problem

# A stakeholder pastes a line with blanks after it: the patch's result has trailing
# spaces, which no stored version can have.
WITH_TRAILING_BLANKS = V1.replace("to any person.", "to a body that is not-for-profit.   ")


def _check_replays(url: str) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            report = verify(session)
            assert report.ok, report.problems
            assert report.checked.get("replays")
    finally:
        engine.dispose()


def test_a_patch_leaving_trailing_blanks_is_stored_as_the_patch_to_the_normalised_text(example, settings, tmp_path):
    patch = make_patch(V1, WITH_TRAILING_BLANKS)
    r = example.propose("blanks", "", patch_text=patch)
    assert r.status_code == 201, r.text
    stored = r.json()["patch_text"]
    replayed = apply_patch(parse_patch(stored), V1).text
    assert replayed == V1.replace("to any person.", "to a body that is not-for-profit.")
    assert r.json()["hunks"][0]["provisions"]
    r = example.client.post(example.url("/amendments/blanks/accept"))
    assert r.status_code == 201, r.text
    accepted = example.client.get(example.url(f"/versions/{r.json()['number']}")).json()["text"]
    assert accepted == apply_patch(parse_patch(stored), V2).text  # on the head, version 2
    _check_replays(settings.database_url)

    # The files it exports load into an empty database, which verifies too.
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        export(session, tmp_path / "files")
    engine.dispose()
    url = f"sqlite:///{tmp_path / 'reloaded.sqlite'}"
    again = make_engine(url)
    migrate(again)
    with session_scope(again) as session:
        load(session, tmp_path / "files", actor="tests")
    again.dispose()
    _check_replays(url)


def test_a_patch_that_only_adds_trailing_blanks_is_refused(example):
    r = example.propose("only-blanks", "", patch_text=make_patch(V1, V1.replace("to any person.", "to any person. ")))
    assert problem(r, 422, "invalid-input")["field"] == "patch_text"


def test_a_patch_whose_result_holds_a_control_character_is_refused(example):
    r = example.propose("bell", "", patch_text=make_patch(V1, V1.replace("any person", "any\x07person")))
    problem(r, 422, "invalid-text")


def test_a_stored_patch_that_does_not_replay_is_refused_at_acceptance_and_found_by_verify(example, settings):
    """A database written before results were normalised can hold such a patch."""
    r = example.propose("legacy", V1.replace("to any person.", "to a body that is not-for-profit."))
    assert r.status_code == 201, r.text
    engine = make_engine(settings.database_url)
    with session_scope(engine) as session:
        amendment = session.exec(select(Amendment).where(Amendment.slug == "legacy")).one()
        amendment.patch_text = make_patch(V1, WITH_TRAILING_BLANKS)
    with Session(engine) as session:
        assert any("not normalised" in p for p in verify(session).problems)
    engine.dispose()
    r = example.client.post(example.url("/amendments/legacy/accept"))
    problem(r, 409, "patch-does-not-apply")
    assert [v["number"] for v in example.client.get(example.url("/versions")).json()["items"]] == [1, 2]
