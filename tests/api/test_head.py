"""HEAD is answered on every path that answers GET: the same status and headers, no body."""

import pytest

from .conftest import Example


@pytest.mark.parametrize("path", ["/health", "/api/documents", "{doc}", "{doc}/versions/1",
                                  "{doc}/redline.html?from=1&to=2", "{doc}/versions/1/keeling.json",
                                  "/documents/{doc}", "/api/nothing-here", "{doc}/versions/9"])
def test_head_gives_the_status_and_headers_of_get_without_the_body(example: Example, path):
    url = path.replace("{doc}", example.url()) if path.startswith("{doc}") else path.replace("{doc}", example.doc)
    got, head = example.client.get(url), example.client.head(url)
    assert head.status_code == got.status_code
    assert head.content == b""
    for name in ("content-type", "content-length", "etag", "vary", "cache-control"):
        assert head.headers.get(name) == got.headers.get(name), name
    assert int(head.headers["content-length"]) == len(got.content) > 0


def test_a_conditional_head_is_answered_304(example: Example):
    url = example.url("/redline.html?from=1&to=2")
    tag = example.client.head(url).headers["etag"]
    again = example.client.head(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""


def test_head_where_get_is_not_served_is_405_naming_what_is(example: Example):
    r = example.client.head(example.url("/amendments/no-such/status"))
    assert r.status_code == 405 and r.content == b""
    assert "HEAD" not in r.headers["allow"].split(", ")
    assert example.client.head("/api/documents").headers.get("allow") is None
    assert example.client.post("/api/events").headers["allow"] == "GET, HEAD"
