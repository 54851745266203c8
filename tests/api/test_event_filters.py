"""The event log's filters over HTTP: actor, action (one or a family), target (or its
last part) and the order."""

from .support import ADMIN


def test_the_log_filters_by_actor_action_and_target_newest_first(example, profit_ban):
    get = lambda **params: example.client.get("/api/events", params={"limit": 200, **params}).json()  # noqa: E731
    everything = get()
    newest = get(order="newest")
    assert [e["id"] for e in newest["items"]] == [e["id"] for e in reversed(everything["items"])]
    assert {e["actor"] for e in get(actor=ADMIN)["items"]} == {ADMIN} and get(actor="nobody")["total"] == 0
    family = get(action="amendment")["items"]
    assert family and {e["action"] for e in family} == {"amendment.proposed"}
    assert get(action="amend")["total"] == 0  # a family is a whole first part, not any prefix
    assert get(action="amendment.proposed")["total"] == 1
    targeted = get(target="profit-ban")["items"]
    assert [e["target"] for e in targeted] == [f"{example.doc}/profit-ban"]
    assert get(target="%")["total"] == 0 and get(action="%")["total"] == 0  # wildcards are plain characters
    assert example.client.get("/api/events", params={"order": "sideways"}).status_code == 422
