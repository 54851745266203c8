"""Each document's consultation declares its own amendment categories: a housing
consultation files amendments under `housing`, which the 2014 list never had; a
document that declares none takes any category; one in use cannot be taken away."""

from fastapi.testclient import TestClient

from .support import V1, problem

HOUSING = "housing-allocation"
TEXT = V1.replace("The Example (Relevant Care Functions)", "The Example (Housing Allocation)")


def _document(client: TestClient, slug: str, categories=None) -> str:
    body = {"slug": slug, "title": f"Regulations {slug}", **({"categories": categories} if categories else {})}
    r = client.post("/api/documents", json=body)
    assert r.status_code == 201, r.text
    assert client.post(f"/api/documents/{slug}/versions", json={"text": TEXT, "parent": None}).status_code == 201
    assert client.put(f"/api/documents/{slug}/stakeholders/shelter",
                      json={"name": "Shelter", "kind": "charity"}).status_code in (200, 201)
    return f"/api/documents/{slug}"


def _propose(client: TestClient, url: str, slug: str, categories: list[str]):
    return client.post(f"{url}/amendments", json={
        "slug": slug, "title": slug, "proposer": "shelter", "base": 1, "categories": categories,
        "new_text": TEXT.replace("to any person.", f"to any person ({slug}).")})


def test_a_consultation_files_amendments_under_its_own_categories(client):
    url = _document(client, HOUSING, [{"slug": "housing", "title": "Allocation of social housing"},
                                      {"slug": "homelessness", "title": ""}])
    document = client.get(url).json()
    assert document["categories"] == [{"slug": "housing", "title": "Allocation of social housing"},
                                      {"slug": "homelessness", "title": ""}]
    made = _propose(client, url, "priority-need", ["housing"])
    assert made.status_code == 201, made.text
    assert made.json()["categories"] == ["housing"]
    # The 2014 consultation's categories are not this one's.
    body = problem(_propose(client, url, "for-profit", ["profit-ban"]), 422, "invalid-input")
    assert body["field"] == "categories" and body["categories"] == ["housing", "homelessness"]
    assert "'profit-ban'" in body["detail"] and HOUSING in body["detail"]
    listed = client.get(f"{url}/amendments", params={"category": "housing"}).json()["items"]
    assert [a["slug"] for a in listed] == ["priority-need"]
    problem(client.get(f"{url}/amendments", params={"category": "profit-ban"}), 422, "invalid-input")


def test_a_document_that_declares_none_takes_any_category_slug(client):
    url = _document(client, "no-categories")
    assert client.get(url).json()["categories"] == []
    assert _propose(client, url, "anything", ["housing", "funding"]).status_code == 201
    body = problem(_propose(client, url, "not-a-slug", ["Housing Policy"]), 422, "invalid-input")
    assert body["field"] == "categories"
    problem(_propose(client, url, "none", []), 422, "invalid-input")


def test_categories_are_set_in_order_and_one_in_use_stays(client):
    url = _document(client, HOUSING, [{"slug": "housing"}])
    assert _propose(client, url, "priority-need", ["housing"]).status_code == 201
    r = client.put(f"{url}/categories", json={"categories": [{"slug": "funding", "title": "Funding"},
                                                             {"slug": "housing"}]})
    assert r.status_code == 200, r.text
    assert [c["slug"] for c in r.json()["categories"]] == ["funding", "housing"]
    body = problem(client.put(f"{url}/categories", json={"categories": [{"slug": "funding"}]}), 422,
                   "invalid-input")
    assert body["in_use"] == ["housing"] and "housing" in body["detail"]
    problem(client.put(f"{url}/categories", json={"categories": [{"slug": "a"}, {"slug": "a"}]}), 422,
            "invalid-input")
    problem(client.put(f"{url}/categories", json={"categories": [{"slug": "x", "title": "<script>"}]}), 422,
            "invalid-text")
    # Declaring none lifts the restriction, so nothing in use is lost by it.
    assert client.put(f"{url}/categories", json={"categories": []}).json()["categories"] == []
    events = client.get("/api/events", params={"document": HOUSING, "limit": 200}).json()["items"]
    changes = [e["detail"] for e in events if e["action"] == "document.categories_changed"]
    assert changes[1] == {"categories": ["funding", "housing"], "added": ["funding"], "removed": []}
    assert changes[-1] == {"categories": [], "added": [], "removed": ["funding", "housing"]}


def test_only_drafters_and_admins_set_categories(client, issue_token):
    url = _document(client, HOUSING)
    for role, status in (("reader", 403), ("stakeholder", 403), ("reviewer", 403), ("drafter", 200)):
        token = issue_token(role, stakeholder="shelter" if role == "stakeholder" else None, name=f"t-{role}")
        r = TestClient(client.app).put(f"{url}/categories", json={"categories": [{"slug": "housing"}]},
                                       headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == status, (role, r.text)
    assert TestClient(client.app).put(f"{url}/categories", json={"categories": []}).status_code == 401
