"""Rebasing amendments onto the head through the HTTP API, on SQLite and PostgreSQL:
the hunk-by-hunk report, rebased / needs-confirmation / needs-rebase, citations kept,
numbering collisions renumbered for a drafter to confirm, and who may do it."""

from __future__ import annotations

from .support import ADCS_TEXT, PROFIT_BAN_TEXT, V1, V2, problem

QUOTE = "a profit motive has no place in the delivery of children's social care"
assert QUOTE in ADCS_TEXT.replace("\n", " ")


def propose_ban(example, base=1, slug="profit-ban", text=PROFIT_BAN_TEXT):
    r = example.propose(slug, text, base=base, citations=[{"response": "adcs-response", "quote": QUOTE}])
    assert r.status_code == 201, r.text
    return r.json()


def new_version(example, text, message="edit"):
    client = example.client
    head = client.get(example.url("/versions")).json()["total"]
    r = client.post(example.url("/versions"), json={"text": text, "parent": head, "message": message})
    assert r.status_code == 201, r.text
    return head + 1


def rebase(example, slug):
    r = example.client.post(example.url(f"/amendments/{slug}/rebase"))
    assert r.status_code == 200, r.text
    return r.json()


def test_an_amendment_pushed_along_is_rebased_with_its_report_and_citations(example):
    before = propose_ban(example)
    stale = example.client.get(example.url("/stale")).json()
    assert [(s["amendment"], s["base"], s["head"], s["rebase"]) for s in stale["items"]] == [("profit-ban", 1, 2, None)]
    outcome = rebase(example, "profit-ban")
    shift = len(V2) - len(V1)  # version 2 lengthened regulation 1, before the change
    assert outcome["state"] == "rebased" and (outcome["from_version"], outcome["to_version"]) == (1, 2)
    assert [(h["status"], h["shift"]) for h in outcome["hunks"]] == [("shifted", shift)]
    assert outcome["revision"] == before["revision"] + 1
    after = example.client.get(example.url("/amendments/profit-ban")).json()
    assert after["base"] == 2 and after["revision"] == outcome["revision"]
    assert [c["quote"] for c in after["citations"]] == [QUOTE]
    assert after["categories"] == before["categories"] and after["title"] == before["title"]
    # The rebased amendment applies exactly to the head and gives the same change.
    applied = example.client.get(example.url("/amendments/profit-ban/apply")).json()
    assert [h["status"] for h in applied["hunks"]] == ["exact"]
    assert applied["text"] == V2.replace("to any person.", "to a body that is not-for-profit.")
    assert example.client.get(example.url("/stale")).json()["items"] == []
    kept = example.client.get(example.url("/amendments/profit-ban/rebase")).json()
    assert kept["state"] == "rebased" and kept["hunks"] == outcome["hunks"]
    events = example.client.get("/api/events", params={"document": example.doc, "limit": 200}).json()["items"]
    assert "amendment.rebased" in [e["action"] for e in events]
    # Once on the head, a second rebase changes nothing.
    assert rebase(example, "profit-ban")["state"] == "up-to-date"


def test_a_fuzzy_hunk_waits_for_a_drafter_then_is_confirmed(example):
    propose_ban(example)
    head = new_version(example, V2.replace("care function to any person.", "care funktion to any person."))
    outcome = rebase(example, "profit-ban")
    assert outcome["state"] == "needs-confirmation"
    [hunk] = outcome["hunks"]
    assert hunk["status"] == "fuzzy" and 0.9 < hunk["score"] < 1
    assert "fuzzy" in outcome["reason"] and "confirm" in outcome["reason"]
    # Nothing changed yet: the amendment is still on version 1.
    assert example.client.get(example.url("/amendments/profit-ban")).json()["base"] == 1
    stale = example.client.get(example.url("/stale")).json()["items"]
    assert stale[0]["rebase"]["state"] == "needs-confirmation"
    r = example.client.post(example.url("/amendments/profit-ban/rebase/confirm"), json={"revision": 99})
    problem(r, 409, "invalid-transition")
    r = example.client.post(example.url("/amendments/profit-ban/rebase/confirm"), headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "rebased" and r.json()["reason"].startswith("confirmed by")
    after = example.client.get(example.url("/amendments/profit-ban")).json()
    assert after["base"] == head
    text = example.client.get(example.url("/amendments/profit-ban/apply")).json()["text"]
    assert "care funktion to a body that is not-for-profit." in text
    problem(example.client.post(example.url("/amendments/profit-ban/rebase/confirm")), 409, "invalid-transition")


def test_a_confirmation_for_an_older_head_is_refused(example):
    propose_ban(example)
    fuzzy = V2.replace("care function to any person.", "care funktion to any person.")
    new_version(example, fuzzy)
    assert rebase(example, "profit-ban")["state"] == "needs-confirmation"
    new_version(example, fuzzy.replace("1st July 2019", "1st July 2020"))
    body = problem(example.client.post(example.url("/amendments/profit-ban/rebase/confirm")), 409,
                   "invalid-transition")
    assert "rebase it again" in body["detail"]


def test_a_failed_hunk_leaves_the_amendment_on_its_base_flagged_with_the_report(example):
    propose_ban(example)
    new_version(example, V2.replace("function to any person.", "function to any person whatever."))
    outcome = rebase(example, "profit-ban")
    assert outcome["state"] == "needs-rebase"
    assert [h["status"] for h in outcome["hunks"]] == ["failed"]
    assert "hunk 1 of 1 found no place in version 3" in outcome["reason"]
    assert example.client.get(example.url("/amendments/profit-ban")).json()["base"] == 1
    [stale] = example.client.get(example.url("/stale")).json()["items"]
    assert stale["rebase"]["state"] == "needs-rebase" and stale["rebase"]["reason"] == outcome["reason"]


SIX = V2 + "\n### 5. Inspection\n\n(1) A body to which a function is delegated is inspected by Ofsted.\n"
OTHER_FIVE = (V2 + "\n### 5. Accountability\n\n(1) The local authority remains accountable.\n\n"
              "(2) Regulation 5(1) applies to every delegation.\n")


def test_two_amendments_inserting_the_same_regulation_do_not_dead_end(example):
    assert example.propose("inspection", SIX, base=2).status_code == 201
    assert example.propose("accountability", OTHER_FIVE, base=2).status_code == 201
    r = example.client.post(example.url("/amendments/inspection/accept"))
    assert r.status_code == 201, r.text
    # Accepting the second as it stands would give two regulation 5s: the problem says what to do.
    body = problem(example.client.post(example.url("/amendments/accountability/accept")), 422, "invalid-structure")
    assert "regulation 5" in body["detail"] and "rebase" in body["detail"]
    outcome = rebase(example, "accountability")
    assert outcome["state"] == "needs-confirmation"
    assert outcome["renumbering"] == {"provision": "regulation 5", "to": "regulation 6",
                                      "references": ["Regulation 5(1) → Regulation 6(1)"]}
    r = example.client.post(example.url("/amendments/accountability/rebase/confirm"))
    assert r.status_code == 200, r.text
    r = example.client.post(example.url("/amendments/accountability/accept"))
    assert r.status_code == 201, r.text
    head = example.client.get(example.url(f"/versions/{r.json()['number']}")).json()
    assert "### 5. Inspection" in head["text"] and "### 6. Accountability" in head["text"]
    assert "(2) Regulation 6(1) applies to every delegation." in head["text"]
    assert head["text"].index("### 5. Inspection") < head["text"].index("### 6. Accountability")


def test_rebase_all_takes_every_stale_amendment_and_only_those(example):
    propose_ban(example)
    assert example.propose("on-head", V2.replace("before 1st July 2019", "before 1st July 2018"),
                           base=2).status_code == 201
    r = example.client.post(example.url("/rebase"))
    assert r.status_code == 200, r.text
    assert [(o["amendment"], o["state"]) for o in r.json()["outcomes"]] == [("profit-ban", "rebased")]
    r = example.client.post(example.url("/rebase"), json={"amendments": ["profit-ban", "on-head"]})
    assert [o["state"] for o in r.json()["outcomes"]] == ["up-to-date", "up-to-date"]
    problem(example.client.post(example.url("/rebase"), json={"amendments": ["nope"]}), 404, "not-found")


def test_only_open_amendments_are_rebased(example):
    propose_ban(example)
    assert example.client.post(example.url("/amendments/profit-ban/status"),
                               json={"status": "withdrawn"}).status_code == 200
    problem(example.client.post(example.url("/amendments/profit-ban/rebase")), 409, "invalid-transition")


def test_a_stakeholder_rebases_its_own_amendments_only(example, issue_token):
    propose_ban(example)
    nspcc = {"Authorization": f"Bearer {issue_token('stakeholder', stakeholder='nspcc')}"}
    problem(example.client.post(example.url("/amendments/profit-ban/rebase"), headers=nspcc), 403, "forbidden")
    r = example.client.post(example.url("/rebase"), headers=nspcc)
    assert r.status_code == 200 and r.json()["outcomes"] == []  # "all" is all of its own: none
    adcs = {"Authorization": f"Bearer {issue_token('stakeholder', stakeholder='adcs')}"}
    assert example.client.post(example.url("/amendments/profit-ban/rebase"), headers=adcs).status_code == 200
    anonymous = {"Authorization": ""}
    assert example.client.post(example.url("/rebase"), headers=anonymous).status_code in (401, 403)


def test_the_worked_cases_second_regulation_5_is_renumbered_after_the_first(client, settings, repo_root):
    """SI 2014/2407's consultation: the accepted profit ban inserted regulation 5; the
    rejected not-for-profit amendment inserts a regulation 5 too. Proposed again, it
    is rebased as regulation 6, after the profit ban's."""
    from regdraft.files import load
    from regdraft.store.engine import make_engine, session_scope

    engine = make_engine(settings.database_url)
    with session_scope(engine) as session:
        load(session, repo_root, actor="loader")
    engine.dispose()
    url = "/api/documents/children-social-care-delegation"
    slug = "not-for-profit-or-local-authority"
    assert client.post(f"{url}/amendments/{slug}/status", json={"status": "proposed"}).status_code == 200
    problem(client.post(f"{url}/amendments/{slug}/accept"), 422, "invalid-structure")
    outcome = client.post(f"{url}/amendments/{slug}/rebase").json()
    assert outcome["state"] == "needs-confirmation"
    assert (outcome["renumbering"]["provision"], outcome["renumbering"]["to"]) == ("regulation 5", "regulation 6")
    assert client.post(f"{url}/amendments/{slug}/rebase/confirm").status_code == 200
    r = client.post(f"{url}/amendments/{slug}/accept")
    assert r.status_code == 201, r.text
    text = client.get(f"{url}/versions/{r.json()['number']}").json()["text"]
    five, six = text.index("### 5. Provision as to bodies corporate"), text.index("### 6. Bodies with which")
    assert five < six < text.index("## Signed")
