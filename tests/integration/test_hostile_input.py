"""Hostile input through every door, on both backends: the same text is refused the same
way by the HTTP API (a 422 ``invalid-text`` problem), by the pages' propose form (a 422
page saying what was wrong) and by the files loader (``InvalidFile`` naming the file
and line), and nothing is stored. Each door asks the one text policy and the one link
policy (``core.policy``); docs/security.md lists what they refuse."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlmodel import Session, select

from regdraft.api.app import create_app
from regdraft.core.errors import InvalidFile
from regdraft.core.patching import make_patch
from regdraft.files import load, read_tree
from regdraft.services import tokens
from regdraft.settings import Settings
from regdraft.store.engine import make_engine, session_scope
from regdraft.store.models import Amendment
from regdraft.web import guard

from test_files import DOC, NFP_PATH, V2, write_case

API = "/api/documents/example"
PAGES = "/documents/example"

# (case, field, hostile value, words the refusal must say). ``field`` is where it goes:
# an amendment's title or rationale, the regulation text, or a stakeholder's name.
MARKUP = [
    ("script in a title", "title", 'Ban <script>alert("x")</script>', "contains HTML ('<script"),
    ("img onerror in a rationale", "rationale", "Because <img src=x onerror=alert(1)>", "contains HTML ('<img"),
    ("iframe in the text", "text", "<iframe src=https://example.org/></iframe>", "contains HTML ('<iframe"),
    ("lists 400 deep", "text", "- " * 400 + "x", "nests lists or quotes 400 levels deep; the most is 16"),
    ("quotes 3000 deep", "text", "> " * 3000 + "x", "nests lists or quotes 3000 levels deep; the most is 16"),
    ("script in a name", "name", "ADCS <script>alert(1)</script>", "contains HTML ('<script"),
]
INVISIBLE = {"\u0085": "NEXT LINE (C1 control)", "\u009b": "CONTROL SEQUENCE INTRODUCER",
             "\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR", "\u202e": "RIGHT-TO-LEFT OVERRIDE",
             "\u200b": "ZERO WIDTH SPACE", "\uffff": "a noncharacter", "\U000e0041": "TAG LATIN CAPITAL LETTER A"}
CASES = MARKUP + [(f"U+{ord(char):04X} {what} in the {field}", field, f"one{char}two", f"U+{ord(char):04X}")
                  for char, what in INVISIBLE.items() for field in ("title", "rationale", "text", "name")]


def _ids(cases):
    return [case[0] for case in cases]


@pytest.fixture
def doors(fresh_database_url: str, tmp_path: Path):
    """The example case loaded from files, an API client with an admin token, a page
    client signed in as an admin, and the files the case was loaded from."""
    root = tmp_path / "case"
    write_case(root)
    engine = make_engine(fresh_database_url)
    try:
        with session_scope(engine) as session:
            load(session, root, actor="loader")
            secret = tokens.create_token(session, role="admin", actor="t").secret
    finally:
        engine.dispose()
    app = create_app(Settings(database_url=fresh_database_url))
    with TestClient(app, headers={"Authorization": f"Bearer {secret}"}) as api, \
            TestClient(app, follow_redirects=False) as pages:
        pages.cookies.set(guard.SESSION_COOKIE, secret)
        yield api, pages, root, fresh_database_url


def _amendments(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return sorted(session.exec(select(Amendment.slug)).all())
    finally:
        engine.dispose()


def _proposal(field: str, value: str) -> dict:
    return {"slug": "hostile", "title": value if field == "title" else "Hostile",
            "rationale": value if field == "rationale" else "Because.",
            "text": V2 + f"\n{value}\n" if field == "text" else V2.replace("may not be a party", "must not be one")}


def test_the_api_refuses_each_hostile_text(doors):
    api, _, _, database_url = doors
    before, wrong = _amendments(database_url), []
    for case, field, value, words in CASES:
        if field == "name":
            response = api.put(f"{API}/stakeholders/adcs", json={"name": value})
        else:
            proposal = _proposal(field, value)
            response = api.post(f"{API}/amendments", json={
                "slug": proposal["slug"], "title": proposal["title"], "rationale": proposal["rationale"],
                "proposer": "adcs", "base": 2, "categories": ["profit-ban"], "new_text": proposal["text"]})
        body = response.json()
        if response.status_code != 422 or body.get("type", "").rsplit("/", 1)[-1] != "invalid-text" \
                or words not in body["detail"]:
            wrong.append(f"{case}: {response.status_code} {response.text[:200]}")
    assert not wrong, "\n".join(wrong)
    assert _amendments(database_url) == before


def test_the_api_refuses_hostile_text_that_a_patch_carries_percent_encoded(doors):
    """A patch spells ``<`` as ``%3C`` and U+202E as ``%E2%80%AE``: the text it makes is checked."""
    api, _, _, database_url = doors
    for value, words in (("<script>alert(1)</script>", "contains HTML"), ("one\u202etwo", "U+202E")):
        patch = make_patch(V2, V2 + f"\n{value}\n")
        assert "<" not in patch and "\u202e" not in patch
        response = api.post(f"{API}/amendments", json={
            "slug": "hostile", "title": "Hostile", "proposer": "adcs", "base": 2, "categories": ["profit-ban"],
            "patch_text": patch})
        assert response.status_code == 422, response.text
        assert response.json()["field"] == "patch_text" and words in response.json()["detail"]
    assert "hostile" not in _amendments(database_url)


def test_the_propose_form_refuses_each_hostile_text_as_the_api_does(doors):
    _, pages, _, database_url = doors
    form = pages.get(f"{PAGES}/propose").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    wrong = []
    for case, field, value, words in CASES:
        if field == "name":
            continue  # the pages have no form for stakeholders
        response = pages.post(f"{PAGES}/propose", data={
            "csrf_token": csrf, "base": "2", "proposer": "adcs", "categories": ["profit-ban"],
            **_proposal(field, value)})
        if response.status_code != 422 or str(escape(words)) not in response.text:
            wrong.append(f"{case}: {response.status_code} "
                         f"{re.findall(r'<p class=.error.*?</p>', response.text, re.S)[:1]}")
    assert not wrong, "\n".join(wrong)
    assert "hostile" not in _amendments(database_url)


def _in_files(root: Path, field: str, value: str) -> str:
    """Put ``value`` where ``field`` lives in the files; returns the file changed."""
    def edit(rel: str, old: str, new: str) -> str:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return rel

    # YAML's double quotes carry any character as an escape, as an editor might write it.
    escaped = value.encode("unicode_escape").decode("ascii").replace('"', '\\"')
    if field == "title":
        return edit(NFP_PATH, "title: Amendment not-for-profit", f'title: "{escaped}"')
    if field == "rationale":
        return edit(NFP_PATH, "Pilot first.", f"Pilot first. {value}")
    if field == "text":
        return edit("drafts/example/versions/0002.md", "may not be a party.\n", f"may not be a party.\n\n{value}\n")
    return edit(DOC, "name: National Children's Bureau", f'name: "{escaped}"')


def test_the_loader_refuses_each_hostile_text_as_the_api_does(doors, tmp_path: Path):
    _, _, root, _ = doors
    wrong = []
    for number, (case, field, value, words) in enumerate(CASES):
        copy = tmp_path / f"copy-{number}"
        shutil.copytree(root, copy)
        rel = _in_files(copy, field, value)
        try:
            read_tree(copy)
        except InvalidFile as error:
            if not str(error).startswith(f"{rel}:") or words not in str(error):
                wrong.append(f"{case}: {error}")
        else:
            wrong.append(f"{case}: loaded")
    assert not wrong, "\n".join(wrong)


# Links -------------------------------------------------------------------------------

# Addresses a browser reads as javascript: (it drops ASCII tabs and newlines anywhere,
# and controls and spaces at either end, before it reads the scheme).
HIDDEN_SCRIPT = ["java\tscript:alert(1)", "java\nscript:alert(1)", "javascript\t:alert(1)",
                 "\x01 javascript:alert(1)", "JaVa\r\nScRiPt:alert(1)", "https:\t//example.org/ but not this"]


def test_an_address_a_browser_reads_as_script_is_refused_by_the_api_and_the_loader(doors, tmp_path: Path):
    api, _, root, _ = doors
    for number, url in enumerate(HIDDEN_SCRIPT):
        response = api.put(f"{API}/responses/ncb", json={"stakeholder": "ncb", "title": "T", "text": "Text.",
                                                         "url": url})
        assert response.status_code == 422 and response.json()["field"] == "url", (url, response.text)
        copy = tmp_path / f"copy-{number}"
        shutil.copytree(root, copy)
        path = copy / "drafts/example/responses/ncb.md"
        escaped = url.encode("unicode_escape").decode("ascii")
        path.write_text(path.read_text().replace("url: https://example.org/ncb", f'url: "{escaped}"'))
        with pytest.raises(InvalidFile) as error:
            read_tree(copy)
        assert str(error.value).startswith("drafts/example/responses/ncb.md:6: url "), (url, str(error.value))
