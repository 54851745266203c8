"""``POST …/amendments/preview``: what proposing a body would store, nothing stored.

The preview answers with the hunk report on the base and, when the head has moved on,
on the head; each citation's check, as proposing makes it; and the diff of the base into
the amended text, the very body ``GET …/versions/{base}/diff?amendments={slug}`` gives
once the same body is proposed. Bad input is refused with the problem proposing gives.
"""

from __future__ import annotations

import pytest

from regdraft.api import schemas

from .support import PROFIT_BAN_TEXT, V1, V2, problem

HOSTILE = ['<script>alert("x")</script>', "<img src=x onerror=alert(1)>", "a \u202e reversed word",
           "a NUL \u0000 byte", "[click](javascript:alert(1))"]

PROFIT_BAN_ON_V2 = V2.replace("to any person.", "to a body that is not-for-profit.")
QUOTE = "a profit motive has no place in the delivery of children's social care"


def _body(slug: str = "profit-ban", *, base: int = 2, new_text: str = PROFIT_BAN_ON_V2, citations=(), **more):
    body = {"slug": slug, "title": "Bodies not for profit", "proposer": "adcs", "base": base,
            "categories": ["profit-ban"], "rationale": "As the consultation asked.", "new_text": new_text,
            "citations": list(citations), **more}
    if "patch_text" in more or "instructions" in more:
        body.pop("new_text")
    return body


def _state(example) -> tuple[int, int]:
    """How many amendments and events there are: a preview changes neither."""
    return (example.client.get(example.url("/amendments")).json()["total"],
            example.client.get("/api/events", params={"limit": 1}).json()["total"])


def _preview(example, body: dict):
    return example.client.post(example.url("/amendments/preview"), json=body)


def test_a_preview_on_the_head_reports_its_hunks_citations_and_diff_and_stores_nothing(example):
    before = _state(example)
    r = _preview(example, _body(citations=[{"response": "adcs-response", "quote": QUOTE}]))
    assert r.status_code == 200, r.text
    preview = r.json()
    schemas.AmendmentPreview.model_validate(preview)  # built without validating: the contract's shape still
    assert (preview["slug"], preview["base"], preview["head"], preview["proposable"]) == ("profit-ban", 2, 2, True)
    assert preview["on_head"] is None  # the base is the head
    assert preview["on_base"]["ok"] and [h["status"] for h in preview["on_base"]["hunks"]] == ["exact"]
    assert [p["label"] for h in preview["hunks"] for p in h["provisions"]] == ["regulation 3(2)"]
    [check] = preview["citations"]
    assert check["ok"] and check["stakeholder"] == "adcs" and check["problem"] is None
    assert check["start"] < check["end"]
    changed = [c for c in preview["diff"]["changes"] if c["status"] != "unchanged"]
    assert [c["provision"] for c in changed] == ["reg-3-2"]
    inserted = "".join(op["text"] for op in changed[0]["ops"] if op["op"] == "insert")
    assert "not-for-profit" in inserted and all(op.get("amendment") in (None, "profit-ban")
                                                for op in changed[0]["ops"])
    assert _state(example) == before
    assert example.client.get(example.url("/amendments/profit-ban")).status_code == 404


def test_the_preview_is_what_proposing_stores(example):
    """Its patch and hunks are the proposed amendment's, and its diff is the stored
    amendment's diff against its base, to the byte."""
    body = _body(citations=[{"response": "adcs-response", "quote": QUOTE}])
    preview = _preview(example, body).json()
    proposed = example.client.post(example.url("/amendments"), json=body)
    assert proposed.status_code == 201, proposed.text
    stored = proposed.json()
    assert preview["patch_text"] == stored["patch_text"] and preview["hunks"] == stored["hunks"]
    assert [(c["response"], c["start"], c["end"]) for c in preview["citations"]] == \
        [(c["response"], c["start"], c["end"]) for c in stored["citations"]]
    diff = example.client.get(example.url("/versions/2/diff"), params={"amendments": "profit-ban"}).json()
    assert preview["diff"] == diff


def test_a_preview_on_an_older_base_reports_the_hunks_on_the_head_too(example):
    r = _preview(example, _body(base=1, new_text=PROFIT_BAN_TEXT))
    assert r.status_code == 200, r.text
    preview = r.json()
    assert (preview["base"], preview["head"]) == (1, 2)
    assert [h["status"] for h in preview["on_base"]["hunks"]] == ["exact"]
    on_head = preview["on_head"]
    # Version 2 lengthened regulation 1: on the head the hunk is found further on.
    assert on_head["version"] == 2 and on_head["ok"]
    assert [h["status"] for h in on_head["hunks"]] == ["shifted"] and on_head["hunks"][0]["shift"] > 0
    assert preview["diff"]["old"]["name"] == "example-delegation@1"
    assert preview["diff"]["new"]["name"] == "example-delegation@1+profit-ban"


def test_a_preview_whose_hunk_fails_on_the_head_says_so(example):
    """Version 2 rewrote regulation 1; an edit of its old words fails there."""
    edited = V1.replace("the Example Regulations 2014.", "the Example Regulations 2015.")
    preview = _preview(example, _body(base=1, new_text=edited)).json()
    assert preview["on_base"]["ok"]
    assert not preview["on_head"]["ok"] and [h["status"] for h in preview["on_head"]["hunks"]] == ["failed"]


def test_each_citation_is_checked_and_the_refused_say_why(example):
    citations = [{"response": "adcs-response", "quote": QUOTE},
                 {"response": "nspcc-response", "quote": "words nobody wrote in it"},
                 {"response": "no-such-response", "quote": "anything at all here"},
                 {"response": "adcs-response", "quote": "profit"}]
    before = _state(example)
    r = _preview(example, _body(citations=citations))
    assert r.status_code == 200, r.text
    preview = r.json()
    schemas.AmendmentPreview.model_validate(preview)  # the body is the contract's, refusals and all
    assert not preview["proposable"]
    checks = preview["citations"]
    assert [c["citation"] for c in checks] == [1, 2, 3, 4] and [c["ok"] for c in checks] == [True, False, False, False]
    assert checks[1]["problem"]["type"].endswith("/quote-not-found") and checks[1]["problem"]["citation"] == 2
    assert checks[1]["problem"]["status"] == 422 and checks[1]["start"] is None
    assert checks[2]["problem"]["type"].endswith("/not-found") and checks[2]["stakeholder"] is None
    assert checks[2]["problem"]["response"] == "no-such-response"
    # "profit" stands twice in the response: too short a quote to say which it means.
    assert checks[3]["problem"]["type"].endswith("/invalid-input") and checks[3]["problem"]["field"] == "citations"
    assert checks[3]["stakeholder"] == "adcs" and checks[3]["problem"]["min_words"] >= 1
    assert _state(example) == before
    # Proposing the same body refuses the first refused citation, with the problem the preview gave.
    refused = problem(example.client.post(example.url("/amendments"), json=_body(citations=citations)), 422,
                      "quote-not-found")
    assert {k: v for k, v in refused.items() if k != "instance"} == \
        {k: v for k, v in checks[1]["problem"].items() if k != "instance"}


def test_a_preview_takes_a_patch_or_instructions_too(example):
    from regdraft.core.patching import make_patch

    by_patch = _preview(example, _body(patch_text=make_patch(V2, PROFIT_BAN_ON_V2)))
    assert by_patch.status_code == 200, by_patch.text
    by_instructions = _preview(example, _body(instructions="1. In regulation 3(2), for “any person” substitute "
                                                           "“a body that is not-for-profit”.\n"))
    assert by_instructions.status_code == 200, by_instructions.text
    assert by_instructions.json()["diff"] == by_patch.json()["diff"] == _preview(example, _body()).json()["diff"]


@pytest.mark.parametrize("change, status, code, where", [
    ({"categories": ["no-such-category"]}, 422, "invalid-input", "categories"),
    ({"categories": []}, 422, "invalid-input", "categories"),
    ({"title": "  "}, 422, "invalid-input", "title"),
    ({"slug": "Not A Slug"}, 422, "invalid-input", "amendment slug"),
    ({"status": "accepted"}, 422, "invalid-input", "status"),
    ({"new_text": V2}, 422, "invalid-input", "new_text"),
    ({"patch_text": "not a patch"}, 422, "invalid-patch", None),
    ({"patch_text": "@@ -1,4 +1,4 @@\n-Gone\n+Here\n"}, 409, "patch-does-not-apply", None),
    ({"instructions": "1. In regulation 9, omit “nothing”.\n"}, 422, "invalid-instruction", None),
    ({"new_text": "a\x00b"}, 422, "invalid-text", None),
    ({"base": 9}, 404, "not-found", None),
    ({"proposer": "nobody"}, 404, "not-found", None),
    ({"citations": [{"response": "adcs-response", "quote": "x" * 2001}]}, 422, "invalid-input", "citations"),
    ({"categories": "profit-ban"}, 422, "validation-error", None),
    ({"base": "two"}, 422, "validation-error", None),
])
def test_bad_input_is_the_problem_proposing_answers(example, change, status, code, where):
    body = {**_body(), **change}
    if "patch_text" in change or "instructions" in change:
        body.pop("new_text")
    before = _state(example)
    previewed = problem(_preview(example, body), status, code)
    proposed = problem(example.client.post(example.url("/amendments"), json=body), status, code)
    assert {k: v for k, v in previewed.items() if k != "instance"} == \
        {k: v for k, v in proposed.items() if k != "instance"}
    if where is not None:
        assert previewed["field"] == where
    if code == "validation-error":
        assert previewed["errors"] and previewed["errors"][0]["loc"][0] == "body"
    assert _state(example) == before


def test_a_taken_slug_is_refused_as_proposing_refuses_it(example, profit_ban):
    body = problem(_preview(example, _body()), 409, "already-exists")
    assert body["amendment"] == "profit-ban"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_refused_or_previewed_never_stored(example, hostile):
    before = _state(example)
    r = _preview(example, _body(new_text=PROFIT_BAN_ON_V2.replace("not-for-profit", hostile),
                                citations=[{"response": "adcs-response", "quote": hostile}]))
    if r.status_code == 200:
        assert not r.json()["citations"][0]["ok"]
    else:
        body = problem(r, 422, r.json()["type"].rsplit("/", 1)[1])
        assert body.get("field") or body.get("errors") or body.get("offset") is not None
    assert _state(example) == before
