"""The discussion from the command line (``regdraft comment``, ``regdraft comments``),
and the edit window in the service, to the second, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from regdraft.core.errors import Forbidden, InvalidTransition
from regdraft.services import comments, documents, verify
from regdraft.store.models import CommentAnchor
from test_cli import DOC, V1, V2
from test_cli import cli, loaded, root  # noqa: F401 (fixtures)

HOSTILE = '<script>alert("x")</script>'


def test_comment_reply_edit_hide_and_list(loaded):
    made = loaded("comment", "add", "-d", DOC, "--on", "provision", "--version", "1", "--provision", "reg-3-2",
                  "--quote", "to any person", "--body", "Any person at all?", "--actor", "jane")
    first = made.stdout.splitlines()[0]
    assert first.startswith("#1 on provision reg-3-2 of version 1  ") and "  jane  " in first
    assert first.endswith("[exact at regulation 3(2) of version 2] “to any person”")
    loaded("comment", "add", "-d", DOC, "--reply-to", "1", "--body", "Yes: any.", "--actor", "sam")
    refused = loaded("comment", "edit", "-d", DOC, "1", "--body", "Mine.", "--actor", "sam", code=1)
    assert refused.stderr == "regdraft: comment 1 is 'jane''s: only its author may edit it\n"
    loaded("comment", "edit", "-d", DOC, "1", "--body", "Any person whatever?", "--actor", "jane")
    hostile = loaded("comment", "hide", "-d", DOC, "2", "--reason", HOSTILE, code=2)
    assert hostile.stderr.startswith("regdraft: reason contains HTML")
    loaded("comment", "hide", "-d", DOC, "2", "--reason", "Answered elsewhere.", "--actor", "chair")
    listed = loaded("comments", "-d", DOC).stdout.splitlines()
    assert listed[1] == "    Any person whatever?"
    assert listed[2].startswith("  #2 reply to #1  ") and listed[3] == "      hidden by chair: Answered elsewhere."
    assert loaded("comments", "-d", DOC, "--state", "orphaned").stdout == ""
    gone = loaded("comment", "add", "-d", DOC, "--on", "provision", "--provision", "reg-3-2", "--quote",
                  "to nobody", "--body", "x", code=2)
    assert gone.stderr.startswith("regdraft: the quote is not in regulation 3(2) of version 2")
    log = loaded("log", "-d", DOC).stdout.splitlines()[-4:]
    assert [line.split("  ")[2] for line in log] == ["comment.created", "comment.created", "comment.edited",
                                                    "comment.hidden"]
    assert loaded("verify").stdout.startswith("ok")


def test_the_edit_window_is_the_setting_to_the_second(session, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(comments.SETTINGS, "edit_minutes", 15)
    document = documents.create_document(session, slug="window", title="Window", actor="t")
    documents.create_version(session, document, text=V1, parent=None, author="t", actor="t")
    data = comments.CommentInput(body="First.", target="provision", provision="reg-3-2", quote="any person")
    made = comments.post(session, document, comments.resolve(session, document, data), data,
                         author=comments.Author("jane", "reader"))
    until = comments.editable_until(made)
    assert until - made.created_at.replace(tzinfo=until.tzinfo) == timedelta(minutes=15)
    comments.edit(session, document, made, "Second.", actor="jane", now=until)
    with pytest.raises(InvalidTransition, match="it is now final"):
        comments.edit(session, document, made, "Third.", actor="jane", now=until + timedelta(seconds=1))
    with pytest.raises(Forbidden):
        comments.edit(session, document, made, "Third.", actor="sam", now=until)
    # The next version re-anchors it; what it said stays "Second.".
    documents.create_version(session, document, text=V2, parent=1, author="t", actor="t")
    [view] = comments.list_comments(session, document)
    assert (view.comment.body, view.anchor.version, view.anchor.state) == ("Second.", 2, "exact")


def test_verify_finds_an_anchor_that_says_exact_where_its_quote_is_not(session):
    document = documents.create_document(session, slug="checked", title="Checked", actor="t")
    documents.create_version(session, document, text=V1, parent=None, author="t", actor="t")
    data = comments.CommentInput(body="On it.", target="provision", provision="reg-3-2", quote="any person")
    comments.post(session, document, comments.resolve(session, document, data), data,
                  author=comments.Author("jane", "reader"))
    documents.create_version(session, document, text=V2, parent=1, author="t", actor="t")
    report = verify.verify(session)
    assert report.ok and report.checked["comment anchors"] == 2
    anchor = session.exec(select(CommentAnchor).order_by(CommentAnchor.id.desc())).first()
    anchor.start += 1
    session.flush()
    assert verify.verify(session).problems == [
        f"comment {anchor.comment_id}'s anchor says exact but the text at {anchor.start}-{anchor.end} is not its quote"]


def test_the_database_refuses_to_delete_a_comment(session):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    document = documents.create_document(session, slug="kept", title="Kept", actor="t")
    documents.create_version(session, document, text=V1, parent=None, author="t", actor="t")
    data = comments.CommentInput(body="Kept.", target="provision", provision="reg-3-2", quote="any person")
    made = comments.post(session, document, comments.resolve(session, document, data), data,
                         author=comments.Author("jane", "reader"))
    with pytest.raises(DBAPIError, match="never deleted"):
        with session.begin_nested():
            session.execute(text("DELETE FROM comment WHERE id = :id"), {"id": made.id})
    assert session.execute(text("SELECT body FROM comment WHERE id = :id"), {"id": made.id}).scalar_one() == "Kept."


def test_rebuilding_the_search_index_gives_the_comments_rows_that_writing_gave(session):
    from regdraft.services import search
    from regdraft.store.models import SearchItem

    document = documents.create_document(session, slug="indexed", title="Indexed", actor="t")
    documents.create_version(session, document, text=V1, parent=None, author="t", actor="t")
    documents.create_version(session, document, text=V2, parent=1, author="t", actor="t")
    made = []
    for data in (comments.CommentInput(body="On the words.", target="provision", version=1, provision="reg-3-2",
                                       quote="any person"),
                 comments.CommentInput(body="Hidden later.", target="provision", provision="reg-3-2",
                                       quote="any person")):
        made.append(comments.post(session, document, comments.resolve(session, document, data), data,
                                  author=comments.Author("jane", "reader")))
    reply = comments.CommentInput(body="A reply.", reply_to=made[0].id)
    comments.post(session, document, comments.resolve(session, document, reply), reply,
                  author=comments.Author("sam", "reader"))
    comments.hide(session, document, made[1], "Spam.", actor="chair")

    def rows():
        return sorted((r.target, r.label, r.version_from, r.body) for r in session.exec(
            select(SearchItem).where(SearchItem.kind == "comment", SearchItem.document_id == document.id)))

    written = rows()
    assert [(target, version) for target, _, version, _ in written] == [(str(made[0].id), 1),
                                                                         (str(made[0].id + 2), 1)]
    search.rebuild(session.connection())
    session.expire_all()
    assert rows() == written
