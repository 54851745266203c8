"""Cache-Control fits what can change: what a version's number names is kept a year
(``immutable``), public when anyone asked and private when a token did; everything
else is ``no-cache`` with an ETag, and a matching ``If-None-Match`` is a 304."""

import pytest
from fastapi.testclient import TestClient

from regdraft.api.caching import is_immutable

from .support import V1

YEAR = "max-age=31536000, immutable"


@pytest.fixture
def anonymous(client: TestClient) -> TestClient:
    return TestClient(client.app)


@pytest.mark.parametrize("path", ["/versions/1", "/versions/2/text", "/versions/1/structure",
                                  "/diff?from=1&to=2", "/diff?from=1&to=2&format=unified"])
def test_what_a_version_number_names_is_immutable_public_to_anyone_private_to_a_token(example, anonymous, path):
    public = anonymous.get(example.url(path))
    assert public.status_code == 200, public.text
    assert public.headers["Cache-Control"] == f"public, {YEAR}" and public.headers["ETag"]
    private = example.client.get(example.url(path))
    assert private.headers["Cache-Control"] == f"private, {YEAR}"
    # The same bytes whoever asks, and asked again with the tag, a 304 that keeps the policy.
    assert private.content == public.content
    again = anonymous.get(example.url(path), headers={"If-None-Match": public.headers["ETag"]})
    assert (again.status_code, again.content) == (304, b"")
    assert again.headers["Cache-Control"] == f"public, {YEAR}" and again.headers["ETag"] == public.headers["ETag"]


@pytest.mark.parametrize("path", ["", "/versions", "/amendments", "/amendments/profit-ban", "/responses",
                                  "/stakeholders", "/redline.html?from=1&to=2", "/conflicts",
                                  "/versions/1/diff?amendments=profit-ban"])
def test_heads_listings_and_what_names_amendments_revalidate(example, profit_ban, anonymous, path):
    answer = anonymous.get(example.url(path))
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-cache" and answer.headers["ETag"].startswith('"')


def test_a_listing_changes_its_etag_when_what_it_lists_changes(example, anonymous):
    url = example.url("/amendments")
    first = anonymous.get(url)
    assert anonymous.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    r = example.propose("review-date", V1.replace("1st July 2019", "1st July 2017"), categories=["accountability"])
    assert r.status_code == 201, r.text
    fresh = anonymous.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != first.headers["ETag"]
    assert [a["slug"] for a in fresh.json()["items"]] == ["review-date"]
    # HEAD answers the same headers as GET, the tag included.
    head = anonymous.head(url)
    assert head.headers["ETag"] == fresh.headers["ETag"] and head.headers["Cache-Control"] == "no-cache"


def test_errors_and_writes_are_not_made_cacheable(example, anonymous):
    missing = anonymous.get(example.url("/versions/9"))
    assert missing.status_code == 404 and "cache-control" not in missing.headers
    made = example.client.post(example.url("/versions"), json={"text": V1 + "\n", "parent": 2, "message": "m"})
    assert "cache-control" not in made.headers


def test_only_numbered_versions_are_immutable():
    assert is_immutable("/api/documents/d/versions/3/text", b"")
    assert is_immutable("/api/documents/d/diff", b"from=1&to=3&format=json")
    assert not is_immutable("/api/documents/d/diff", b"from=1")
    assert not is_immutable("/api/documents/d/diff", b"from=1&to=3&to=4")
    assert not is_immutable("/api/documents/d/versions/3/diff", b"amendments=a")
    assert not is_immutable("/api/documents/d/versions", b"")
    assert not is_immutable("/api/documents/d/versions/3/keeling", b"")
