"""The propose form does its heavy work (making the patch, reading provisions, anchoring
quotes) without holding the write lock, as the API does."""

from __future__ import annotations

from regdraft.core import amendments as core_amendments
from regdraft.services.amendments import proposing

from .conftest import DOC, V2
from .test_pages import csrf_of, html_of

BASE = f"/documents/{DOC}"


def test_proposing_through_the_form_analyses_without_the_write_lock(web, monkeypatch):
    writers = web.app.state.database.sqlite_writers
    analysed = []
    real = core_amendments.analyse
    monkeypatch.setattr(proposing, "analyse",
                        lambda base, patch, kind: analysed.append(writers.locked()) or real(base, patch, kind))
    token = csrf_of(html_of(web.get(f"{BASE}/propose")))
    response = web.post(f"{BASE}/propose", data={
        "csrf_token": token, "base": "2", "title": "Later commencement", "slug": "", "proposer": "nspcc",
        "categories": ["consultation"], "rationale": "Time to prepare.",
        "text": V2.replace("1st July.", "1st September."),
        "citation_response": ["nspcc-response"], "citation_quote": ["remain accountable"]})
    assert response.status_code == 303, response.text
    assert analysed == [False]
    assert "September" in html_of(web.get(response.headers["location"]))
