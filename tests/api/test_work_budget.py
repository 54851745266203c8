"""Expensive inputs, endpoint by endpoint: each request's work is bounded by what it
asks, and a request asking for more than a request may is refused before the work is
done. The bounds are asserted by counting work (patches applied, texts folded,
responses read), never by timing."""

from __future__ import annotations

import pytest

from regdraft.api.app import create_app
from regdraft.services import amendments as amendment_service
from regdraft.services.amendments import applying, proposing
from regdraft.services.batches import MAX_DECISIONS

from .support import problem


@pytest.fixture
def patching_count(monkeypatch) -> list:
    """Every run of amendments applied in turn, by any endpoint."""
    runs: list = []
    real = applying.applied_in_turn

    def counted(patches, text, **kw):
        runs.append(len(patches))
        return real(patches, text, **kw)

    monkeypatch.setattr(applying, "applied_in_turn", counted)
    from regdraft.services import comparisons, rendering
    for module in (comparisons, rendering):
        if hasattr(module, "applied_in_turn"):
            monkeypatch.setattr(module, "applied_in_turn", counted)
    return runs


def test_applying_one_amendment_named_400_times_is_refused_before_applying_it(example, profit_ban, patching_count):
    r = example.client.post(example.url("/apply"), json={"version": 1, "amendments": ["profit-ban"] * 400})
    body = problem(r, 422, "invalid-input")
    assert (body["field"], body["limit"]) == ("amendments", amendment_service.MAX_NAMED)
    r = example.client.post(example.url("/apply"), json={"version": 1, "amendments": ["profit-ban"] * 2})
    assert problem(r, 422, "invalid-input")["amendment"] == "profit-ban"
    assert patching_count == []


def test_applying_more_amendments_than_a_request_may_name_is_refused(example, profit_ban, patching_count):
    names = [f"a-{i}" for i in range(amendment_service.MAX_NAMED + 1)]
    r = example.client.post(example.url("/apply"), json={"version": 1, "amendments": names})
    body = problem(r, 422, "invalid-input")
    assert body["limit"] == amendment_service.MAX_NAMED
    assert patching_count == []


@pytest.mark.parametrize("path", ["/versions/1/keeling", "/versions/1/redline", "/conflicts",
                                  "/versions/1/keeling.json", "/versions/1/diff"])
def test_a_query_naming_an_amendment_twice_is_refused_before_any_work(example, profit_ban, patching_count, path):
    r = example.client.get(example.url(path), params={"amendments": "profit-ban,profit-ban"})
    body = problem(r, 422, "invalid-input")
    assert body["amendment"] == "profit-ban"
    r = example.client.get(example.url(path), params={"amendments": ",".join(
        ["profit-ban"] + [f"a-{i}" for i in range(amendment_service.MAX_NAMED)])})
    assert problem(r, 422, "invalid-input")["limit"] == amendment_service.MAX_NAMED
    assert patching_count == []


def test_the_longest_list_a_query_may_hold_is_refused_past_it(example, profit_ban):
    slugs = ",".join("a" * 80 for _ in range(amendment_service.MAX_NAMED + 2))
    r = example.client.get(example.url("/versions/1/keeling"), params={"amendments": slugs})
    problem(r, 422, "validation-error")


def test_the_page_and_the_api_name_as_many_amendments(example, profit_ban):
    from regdraft.web import routes
    assert routes.MAX_NAMED == amendment_service.MAX_NAMED


def test_an_amendment_with_more_citations_than_allowed_is_refused_before_any_is_anchored(example, monkeypatch):
    anchored = []
    real = proposing.anchor_citations
    monkeypatch.setattr(proposing, "anchor_citations", lambda *args: anchored.append(args) or real(*args))
    quote = {"response": "adcs-response", "quote": "a profit motive"}
    from .support import PROFIT_BAN_TEXT
    r = example.propose("many-quotes", PROFIT_BAN_TEXT, citations=[quote] * (amendment_service.MAX_CITATIONS + 1))
    body = problem(r, 422, "invalid-input")
    assert body["field"] == "citations" and body["limit"] == amendment_service.MAX_CITATIONS
    assert anchored == []


def test_the_schema_states_the_list_limits_the_server_enforces(settings):
    schema = create_app(settings).openapi()
    parts = schema["components"]["schemas"]
    apply = parts["ApplyRequest"]["properties"]["amendments"]
    assert (apply["minItems"], apply["maxItems"], apply["uniqueItems"]) == (1, amendment_service.MAX_NAMED, True)
    create = parts["AmendmentCreate"]["properties"]
    assert create["citations"]["maxItems"] == amendment_service.MAX_CITATIONS
    assert create["categories"]["maxItems"] == amendment_service.MAX_CATEGORIES
    assert create["categories"]["uniqueItems"] is True
    keeling = schema["paths"]["/api/documents/{doc}/versions/{n}/keeling"]["get"]["parameters"]
    amendments = next(p for p in keeling if p["name"] == "amendments")
    assert any(s.get("maxLength") for s in amendments["schema"].get("anyOf", [amendments["schema"]]))


def test_the_schema_states_the_text_policy_and_each_resources_formats(settings):
    """What a client builds from the contract is not refused for what the contract
    could have said: the characters the text policy refuses, blank titles, empty
    lists, formats a resource does not offer."""
    import re

    from regdraft.api import schemas
    from regdraft.core import policy

    schema = create_app(settings).openapi()
    parts = schema["components"]["schemas"]
    bmp = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x10000)))
    refused = re.compile(f"[{schemas.REFUSED_CHARACTERS}]")
    assert set(refused.findall(bmp)) == set(policy._REFUSED.findall(bmp))
    create = parts["AmendmentCreate"]["properties"]
    assert create["rationale"]["pattern"] == schemas.TEXT_PATTERN
    assert create["title"]["pattern"] == schemas.SAID_PATTERN
    assert re.fullmatch(schemas.SAID_PATTERN, " \t ") is None and re.fullmatch(schemas.SAID_PATTERN, " a ")
    assert parts["VersionCreate"]["properties"]["text"]["pattern"] == schemas.VERSION_TEXT_PATTERN
    decisions = parts["DecisionsRequest"]["properties"]["decisions"]
    assert (decisions["minItems"], decisions["maxItems"]) == (1, MAX_DECISIONS)
    export = schema["paths"]["/api/documents/{doc}/versions/{n}/export.{suffix}"]["get"]["parameters"]
    assert next(p for p in export if p["name"] == "suffix")["schema"]["enum"] == ["akn", "docx", "pdf"]
    listing = schema["paths"]["/api/documents/{doc}/amendments"]["get"]["parameters"]
    assert next(p for p in listing if p["name"] == "status")["schema"]["enum"] == list(amendment_service.STATUSES)


def test_citations_of_one_response_fold_it_once_and_never_under_the_write_lock(example, monkeypatch):
    from regdraft.core import amendments as core_amendments
    from regdraft.core import anchors

    from .support import PROFIT_BAN_TEXT

    writers = example.client.app.state.database.sqlite_writers
    folds, analyses = [], []
    real_init, real_analyse = anchors.FoldedText.__init__, core_amendments.analyse

    def counted_init(self, text):
        folds.append((len(text), writers.locked()))
        real_init(self, text)

    def counted_analyse(base, patch_text, kind):
        analyses.append(writers.locked())
        return real_analyse(base, patch_text, kind)

    monkeypatch.setattr(anchors.FoldedText, "__init__", counted_init)
    monkeypatch.setattr(proposing, "analyse", counted_analyse)
    quotes = ["a profit motive has no place", "children's social care", "not-for-profit"]
    citations = [{"response": "adcs-response", "quote": quotes[i % 3]} for i in range(amendment_service.MAX_CITATIONS)]
    r = example.propose("cited-often", PROFIT_BAN_TEXT, citations=citations)
    assert r.status_code == 201, r.text
    assert [c["start"] for c in r.json()["citations"]] == [
        {q: r.json()["citations"][i]["start"] for i, q in enumerate(quotes)}[quotes[i % 3]]
        for i in range(amendment_service.MAX_CITATIONS)]
    assert len(folds) == 1  # one response, folded once for twenty citations
    assert analyses == [False] and [locked for _, locked in folds] == [False]


def test_a_response_changed_between_preparing_and_storing_is_anchored_again(example, monkeypatch):
    """What was computed without the lock is stored only if its texts are still the
    stored ones."""
    from .support import PROFIT_BAN_TEXT
    real_prepare = amendment_service.prepare
    calls = []

    def prepare_then_change(session, document, data, **kw):
        prepared = real_prepare(session, document, data, **kw)
        if not calls:
            r = example.client.put(example.url("/responses/adcs-response"), json={
                "stakeholder": "adcs", "title": "adcs-response title", "date": "2014-06-05",
                "text": "Preface.\n\nThe Association believes that a profit motive has no place."})
            assert r.status_code in (200, 201), r.text
        calls.append(prepared)
        return prepared

    # The route prepares through the package; proposing prepares again, inside the transaction.
    for module in (amendment_service, proposing):
        monkeypatch.setattr(module, "prepare", prepare_then_change)
    r = example.propose("raced", PROFIT_BAN_TEXT, citations=[{"response": "adcs-response",
                                                              "quote": "a profit motive has no place"}])
    assert r.status_code == 201, r.text
    assert len(calls) == 2  # prepared again, inside the writing transaction
    text = example.client.get(example.url("/responses/adcs-response")).json()["text"]
    citation = r.json()["citations"][0]
    assert text[citation["start"]:citation["end"]] == "a profit motive has no place"


def test_instructions_past_a_requests_budget_are_a_422_naming_the_limit(example, profit_ban, monkeypatch):
    from regdraft.services import rendering

    monkeypatch.setattr(rendering, "INSTRUCTION_WORK", 100)
    r = example.client.get(example.url("/amendments/profit-ban/redline"), params={"format": "instructions"})
    body = problem(r, 422, "over-budget")
    assert body["limit"] == 100 and "redline" in body["detail"]
    monkeypatch.setattr(rendering, "INSTRUCTION_WORK", 10**9)
    r = example.client.get(example.url("/amendments/profit-ban/redline"), params={"format": "instructions"})
    assert r.status_code == 200 and "substitute" in r.text


def test_a_rendering_whose_client_has_gone_stops_at_its_next_checkpoint(monkeypatch):
    import asyncio
    import threading
    from types import SimpleNamespace

    from regdraft.api.routes import renderings
    from regdraft.core.errors import WorkStopped
    from regdraft.services.comparisons import compare_texts

    old = "# Regulations\n\n" + "".join(f"### {k}. Heading\n\n(1) A local authority may delegate function {k} "
                                        f"to any person.\n\n" for k in range(1, 201))
    new = old.replace("to any person.", "to a body that is not-for-profit.")
    seen_gone = threading.Event()

    async def is_disconnected() -> bool:
        seen_gone.set()
        return True

    def build():
        assert seen_gone.wait(5)
        return compare_texts("old", old, "new", new)

    request = SimpleNamespace(is_disconnected=is_disconnected, state=SimpleNamespace(render_format="instructions"))
    tries = []
    from regdraft.core import budget
    real_spend = budget.spend

    def counted(cost):
        tries.append(cost)
        real_spend(cost)

    import importlib

    # The module, not the package's function of the same name.
    monkeypatch.setattr(importlib.import_module("regdraft.core.instructions.generate"), "spend", counted)
    with pytest.raises(WorkStopped):
        asyncio.run(renderings._render_while_wanted(request, build, "t"))
    assert len(tries) < 200  # stopped long before the 200 instructions were tried
