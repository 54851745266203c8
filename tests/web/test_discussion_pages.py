"""The discussion through the pages: threads on an amendment page and on a version's
page, the comment, reply, hide and re-attach forms (the same text policy and the
same policy table as the API), orphaned comments listed, everything escaped."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import Session

from regdraft.services import comments, documents
from regdraft.store.engine import make_engine

from .conftest import DOC, HOSTILE
from .test_signin import as_, csrf_of

BASE = f"/documents/{DOC}"


def _post(web, path: str, **fields):
    return web.post(path, data={"csrf_token": csrf_of(web.get("/login").text), **fields})


def _comment(web, **fields):
    return _post(web, f"{BASE}/comments", **fields)


def test_commenting_and_replying_on_an_amendment_and_its_citation(web):
    page = web.get(f"{BASE}/amendments/profit-ban").text
    assert '<h2 id="discussion-heading">Discussion</h2>' in page and 'name="citation"' in page
    made = _comment(web, target="amendment", amendment="profit-ban", body="Is *this* enough?",
                    back=f"{BASE}/amendments/profit-ban")
    assert made.status_code == 303, made.text
    first = int(re.search(r"#comment-(\d+)$", made.headers["location"]).group(1))
    assert made.headers["location"] == f"{BASE}/amendments/profit-ban#comment-{first}"
    assert _comment(web, target="amendment", amendment="profit-ban", citation="1", body="A fair quote.",
                    back=f"{BASE}/amendments/profit-ban").status_code == 303
    assert _comment(web, reply_to=str(first), body="It is.", back=f"{BASE}/amendments/profit-ban").status_code == 303
    page = web.get(f"{BASE}/amendments/profit-ban").text
    assert f'id="comment-{first}"' in page and "<em>this</em>" in page and "It is." in page
    threads = web.get(f"/api/documents/{DOC}/comments", params={"amendment": "profit-ban"}).json()["items"]
    assert [(t["target"], t["citation"], len(t["replies"])) for t in threads] == [("amendment", None, 1),
                                                                                  ("citation", 1, 0)]


def test_a_provision_comment_on_the_version_page_follows_the_next_version(web):
    page = web.get(BASE).text
    assert '<h2 id="discussion-heading">Discussion of version 2</h2>' in page
    assert '<option value="reg-3-2">regulation 3(2)</option>' in page
    made = _comment(web, target="provision", version="2", provision="reg-3-2", quote="to any person",
                    body="Any person at all?", back=f"{BASE}?version=2")
    assert made.status_code == 303, made.text
    assert made.headers["location"].startswith(f"{BASE}?version=2#comment-")
    page = web.get(BASE, params={"version": 2}).text
    assert '<span class="anchor-state">exact</span> in <bdi>regulation 3(2)</bdi> of version 2' in page
    # Accepting the profit ban rewrites those words: the comment is orphaned and listed for re-attaching.
    as_(web, "reviewer")
    accepted = _post(web, f"{BASE}/amendments/profit-ban/status", status="accepted", revision="1", reason="Agreed.")
    assert accepted.status_code == 303, accepted.text
    page = web.get(BASE).text
    assert '<h3 id="orphaned-heading">Orphaned comments</h3>' in page and "Any person at all?" in page
    comment_id = re.search(r'action="/documents/example/comments/(\d+)/reattach"', page).group(1)
    refused = _post(web, f"{BASE}/comments/{comment_id}/reattach", provision="reg-3-2", quote="any person",
                    revision="1", back=BASE)
    assert refused.status_code == 422 and "not in regulation 3(2)" in refused.text
    done = _post(web, f"{BASE}/comments/{comment_id}/reattach", provision="reg-3-2",
                 quote="not carried on for profit", revision="1", back=BASE)
    assert done.status_code == 303, done.text
    page = web.get(BASE).text
    assert "Orphaned comments" not in page and "re-attached by" in page


def test_hostile_text_in_a_comment_or_a_reason_is_refused_and_stored_text_is_escaped(web):
    refused = _comment(web, target="amendment", amendment="profit-ban", body=f"Look {HOSTILE}", back=BASE)
    assert refused.status_code == 422 and "<script>" not in refused.text
    for bidi in ("a\u202eb", "a\u200bb"):
        assert _comment(web, target="amendment", amendment="profit-ban", body=bidi, back=BASE).status_code == 422
    # A database made before the text policy may hold such a comment: it is shown as text.
    engine = make_engine(web.database_url)
    with Session(engine) as session:
        document = documents.get_document(session, DOC)
        data = comments.CommentInput(body=f"Stored {HOSTILE} [x](javascript:alert(1))", target="amendment",
                                     amendment="profit-ban")
        stored = comments.post(session, document, comments.resolve(session, document, data), data,
                               author=comments.Author(f"name {HOSTILE}", "admin"))
        session.commit()
        stored_id = stored.id
    engine.dispose()
    page = web.get(f"{BASE}/amendments/profit-ban").text
    assert "<script>" not in page and "<img src=x" not in page and 'href="javascript:' not in page
    assert "&lt;script&gt;" in page
    hidden = _post(web, f"{BASE}/comments/{stored_id}/hide", reason=f"Spam {HOSTILE}", revision="1", back=BASE)
    assert hidden.status_code == 422
    assert _post(web, f"{BASE}/comments/{stored_id}/hide", reason="Spam < ham & eggs", revision="1",
                 back="https://evil.example/").headers["location"] == f"{BASE}#comment-{stored_id}"
    page = web.get(f"{BASE}/amendments/profit-ban").text
    assert "Spam &lt; ham &amp; eggs" in page and "Stored" not in page


def test_who_may_comment_hide_and_reattach_through_the_pages(web):
    as_(web, None)
    assert "Sign in to comment." in web.get(f"{BASE}/amendments/profit-ban").text
    assert _comment(web, target="amendment", amendment="profit-ban", body="Hi.", back=BASE).status_code == 401
    as_(web, "reader")
    made = _comment(web, target="amendment", amendment="profit-ban", body="A reader's view.", back=BASE)
    assert made.status_code == 303
    comment_id = made.headers["location"].rsplit("-", 1)[1]
    assert 'class="hide-comment"' not in web.get(f"{BASE}/amendments/profit-ban").text
    assert _post(web, f"{BASE}/comments/{comment_id}/hide", reason="No.", back=BASE).status_code == 403
    as_(web, "stakeholder", "nspcc")
    draft = web.get(f"/api/documents/{DOC}/amendments/profit-ban").json()
    assert draft["status"] == "proposed"  # another's, but public
    assert _comment(web, target="amendment", amendment="profit-ban", body="We agree.", back=BASE).status_code == 303
    as_(web, "reviewer")
    assert _post(web, f"{BASE}/comments/{comment_id}/hide", reason="Off topic.", revision="1",
                 back=BASE).status_code == 303
    log = web.get("/api/events", params={"document": DOC, "limit": 200}).json()["items"]
    assert [e["action"] for e in log if e["target"].endswith(f"/comments/{comment_id}")] == ["comment.created",
                                                                                           "comment.hidden"]


def test_a_comment_on_a_passage_of_a_response_page(web):
    back = f"{BASE}/responses/nspcc-response"
    assert "Nobody has commented on a passage of this response yet." in web.get(back).text
    refused = _comment(web, target="response", response="nspcc-response", quote="must be abolished", body="?",
                       back=back)
    assert refused.status_code == 422 and "not in response" in refused.text
    made = _comment(web, target="response", response="nspcc-response", quote="remain accountable",
                    body="Accountable to whom?", back=back)
    assert made.status_code == 303 and made.headers["location"].startswith(f"{back}#comment-")
    page = web.get(back).text
    assert '<span class="anchor-state">exact</span>' in page and "<q dir=\"auto\">remain accountable</q>" in page
    assert "Accountable to whom?" in page


def test_the_author_edits_a_comment_from_the_page_within_the_window_and_no_one_else_may(web):
    page_url = f"{BASE}/amendments/profit-ban"
    as_(web, "reader")
    made = _comment(web, target="amendment", amendment="profit-ban", body="First thoughts.", back=page_url)
    comment_id = made.headers["location"].rsplit("-", 1)[1]
    page = web.get(page_url).text
    assert f'action="/documents/example/comments/{comment_id}/edit"' in page and ">First thoughts.</textarea>" in page
    edited = _post(web, f"{BASE}/comments/{comment_id}/edit", body="Second *thoughts*.", revision="1", back=page_url)
    assert edited.status_code == 303 and edited.headers["location"] == f"{page_url}#comment-{comment_id}"
    page = web.get(page_url).text
    assert "Second <em>thoughts</em>." in page and ", edited <time" in page and "First thoughts." not in page
    stale = _post(web, f"{BASE}/comments/{comment_id}/edit", body="Third.", revision="1", back=page_url)
    assert stale.status_code == 409 and "revision 2" in stale.text
    assert "Status change" not in stale.text  # an edit is no status change: the page's title says what was refused
    assert _post(web, f"{BASE}/comments/{comment_id}/edit", body=f"Now {HOSTILE}", revision="2",
                 back=page_url).status_code == 422
    # Once the window has passed, the author sees no form and is told the comment is final.
    engine = make_engine(web.database_url)
    with Session(engine) as session:
        row = comments.get_comment(session, documents.get_document(session, DOC), int(comment_id))
        row.created_at = row.created_at - timedelta(minutes=comments.SETTINGS.edit_minutes + 1)
        session.add(row)
        session.commit()
    engine.dispose()
    assert f'comments/{comment_id}/edit"' not in web.get(page_url).text
    late = _post(web, f"{BASE}/comments/{comment_id}/edit", body="Too late.", revision="2", back=page_url)
    assert late.status_code == 409 and "it is now final" in late.text
    # Nor may anyone else.
    as_(web, "reviewer")
    assert f'comments/{comment_id}/edit"' not in web.get(page_url).text
    assert _post(web, f"{BASE}/comments/{comment_id}/edit", body="Mine now.", revision="2",
                 back=page_url).status_code == 403
    log = web.get("/api/events", params={"document": DOC, "limit": 200}).json()["items"]
    assert [e["action"] for e in log if e["target"].endswith(f"/comments/{comment_id}")] == ["comment.created",
                                                                                           "comment.edited"]
