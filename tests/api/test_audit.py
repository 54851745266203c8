"""The event log over HTTP: it can be read, and no method on any path changes it."""

from __future__ import annotations

import pytest


def test_no_route_writes_to_the_event_log(client):
    paths = client.app.openapi()["paths"]
    event_paths = {path: set(operations) for path, operations in paths.items() if "event" in path}
    assert event_paths == {"/api/events": {"get"}}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/api/events", "/api/events/1"])
def test_writing_methods_on_the_event_log_are_refused(example, method, path):
    before = example.client.get("/api/events", params={"limit": 200}).json()
    r = example.client.request(method, path, json={"actor": "forged", "action": "document.created"})
    assert r.status_code in (404, 405), r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    if r.status_code == 405:
        assert r.headers["allow"] == "GET, HEAD"
    assert example.client.get("/api/events", params={"limit": 200}).json() == before


def test_every_change_is_in_the_log_with_hashes(example, profit_ban):
    accepted = example.client.post(example.url("/amendments/profit-ban/accept"))
    assert accepted.status_code == 201
    items = example.client.get("/api/events", params={"document": example.doc, "limit": 200}).json()["items"]
    actions = [e["action"] for e in items]
    assert actions.count("version.created") == 3 and actions.count("amendment.accepted") == 1
    accept = next(e for e in items if e["action"] == "amendment.accepted")
    assert accept["before_hash"] == example.client.get(example.url("/versions/2")).json()["content_hash"]
    assert accept["after_hash"] == accepted.json()["content_hash"]
    assert all(e["actor"] and e["at"] and e["target"] for e in items)


def test_a_status_change_is_logged_with_the_state_before_and_after(example, profit_ban):
    from regdraft.services.amendments import state_hash
    from regdraft.store.models import Amendment

    r = example.client.post(example.url("/amendments/profit-ban/status"), json={"status": "withdrawn"})
    assert r.status_code == 200
    event = example.client.get("/api/events", params={"limit": 200}).json()["items"][-1]
    assert event["action"] == "amendment.withdrawn" and event["detail"] == {"revision": 2}
    patch = r.json()["amendment"]["patch_text"]
    before = Amendment(status="proposed", revision=1, patch_text=patch)
    after = Amendment(status="withdrawn", revision=2, patch_text=patch)
    assert (event["before_hash"], event["after_hash"]) == (state_hash(before), state_hash(after))
