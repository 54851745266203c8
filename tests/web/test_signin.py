"""The pages follow the API's rules (services.auth): anyone reads, a session signed in
with an API token acts as that token, forms need their CSRF token, and the session
cookie opens nothing in the API."""

from __future__ import annotations

import re

import pytest

from regdraft.web import guard

from .conftest import DOC, sign_in_token

BASE = f"/documents/{DOC}"


def csrf_of(body: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', body).group(1)


def as_(web, role: str | None, stakeholder: str | None = None) -> None:
    """Sign ``web`` in through the login form as a new token of ``role`` (None: out)."""
    web.cookies.delete(guard.SESSION_COOKIE)
    if role is None:
        return
    secret = sign_in_token(web.database_url, role, stakeholder)
    signed = web.post("/login", data={"token": secret, "csrf_token": csrf_of(web.get("/login").text)})
    assert signed.status_code == 303, signed.text


def propose(web, proposer: str, citation: str = ""):
    token = csrf_of(web.get("/login").text)  # every page has the browser's one token; the login form shows it
    text = web.get(f"/api/documents/{DOC}/versions/2").json()["text"]
    return web.post(f"{BASE}/propose", data={
        "csrf_token": token, "base": "2", "title": f"By {proposer}", "slug": f"by-{proposer}", "proposer": proposer,
        "categories": "standards", "rationale": "", "text": text.replace("any person", "a registered body"),
        "citation_response": citation, "citation_quote": "must remain accountable" if citation else ""})


def decide(web, status: str = "accepted"):
    token = csrf_of(web.get("/login").text)
    return web.post(f"{BASE}/amendments/profit-ban/status", data={"status": status, "revision": "1",
                                                                  "reason": "Decided.", "csrf_token": token})


def test_signing_in_and_out(web):
    as_(web, None)
    page = web.get("/").text
    assert "Sign in" in page and f"{BASE}/propose" not in web.get(BASE).text
    secret = sign_in_token(web.database_url, "reviewer")
    form = csrf_of(web.get("/login").text)
    refused = web.post("/login", data={"token": "rdt_wrong", "csrf_token": form})
    assert refused.status_code == 401 and "not valid" in refused.text
    signed = web.post("/login", data={"token": secret, "csrf_token": form})
    cookie = signed.headers["set-cookie"]
    assert signed.status_code == 303 and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Sign out <bdi>reviewer-" in web.get("/").text
    out = web.post("/logout", data={"csrf_token": form})
    assert out.status_code == 303 and web.cookies.get(guard.SESSION_COOKIE) is None
    assert "Sign in" in web.get("/").text


def test_signing_in_needs_the_form_token_so_another_site_cannot_sign_a_browser_in(web):
    as_(web, None)
    secret = sign_in_token(web.database_url, "admin")
    forged = web.post("/login", data={"token": secret})
    assert forged.status_code == 403 and web.cookies.get(guard.SESSION_COOKIE) is None


@pytest.mark.parametrize("role, proposed, decided", [
    (None, 401, 401), ("reader", 403, 403), ("stakeholder", 303, 403), ("drafter", 303, 403),
    ("reviewer", 403, 303), ("admin", 303, 303)])
def test_each_role_may_do_through_the_pages_what_it_may_through_the_api(web, role, proposed, decided):
    as_(web, role, "adcs" if role == "stakeholder" else None)
    assert propose(web, "adcs").status_code == proposed
    assert decide(web).status_code == decided


def test_a_stakeholder_proposes_only_for_itself_and_cites_only_its_own_responses(web):
    as_(web, "stakeholder", "adcs")
    for_another = propose(web, "nspcc")
    assert for_another.status_code == 403 and "nspcc" in for_another.text
    citing_another = propose(web, "adcs", citation="nspcc-response")
    assert citing_another.status_code == 403
    assert web.get(f"/api/documents/{DOC}/amendments/by-nspcc").status_code == 404
    assert web.get(f"/api/documents/{DOC}/amendments/by-adcs").status_code == 404


def test_the_event_log_names_the_signed_in_token(web):
    as_(web, "reviewer")
    assert decide(web, "rejected").status_code == 303
    last = web.get("/api/events", params={"limit": 200}).json()["items"][-1]
    assert last["action"] == "amendment.rejected" and last["actor"].startswith("reviewer-")


def test_a_revoked_token_signs_its_sessions_out(web):
    from regdraft.services import tokens
    from regdraft.store.engine import make_engine, session_scope

    as_(web, "admin")
    name = re.search(r"Sign out <bdi>([^<\s]+)<", web.get("/").text).group(1)
    engine = make_engine(web.database_url)
    with session_scope(engine) as session:
        tokens.revoke_token(session, name, actor="t")
    engine.dispose()
    page = web.get("/")
    assert "Sign in" in page.text and 'regdraft_session=""' in page.headers["set-cookie"]
    assert decide(web).status_code == 401


def test_the_session_cookie_opens_nothing_in_the_api(web):
    """The API takes tokens only from the Authorization header: a page on another site
    that makes the browser send the cookie to the API gets nowhere."""
    response = web.post("/api/documents", json={"slug": "by-cookie", "title": "By cookie"})
    assert web.cookies.get(guard.SESSION_COOKIE) and response.status_code == 401
