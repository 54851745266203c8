"""The render cache: repeated requests are answered from memory, any write to the
document (or to what every document shows) is seen at once, and the cache stays within
its bound."""

import asyncio
import threading

from regdraft.api.render_cache import Entry, RenderCache, RenderFlights, StoreGeneration

from .support import V1


def test_a_repeated_rendering_comes_from_the_cache_and_a_write_is_seen_at_once(example, profit_ban):
    cache: RenderCache = example.client.app.state.render_cache
    url = example.url("/versions/1/keeling.json")
    first = example.client.get(url)
    assert first.status_code == 200 and len(cache) == 1
    again = example.client.get(url)
    assert again.text == first.text and again.headers["ETag"] == first.headers["ETag"] and len(cache) == 1
    assert example.client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304

    # A second amendment against version 1 joins the default schedule as soon as it is proposed.
    r = example.propose("review-date", V1.replace("1st July 2019", "1st July 2017"), categories=["accountability"])
    assert r.status_code == 201, r.text
    after = example.client.get(url)
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]
    assert "review-date" in after.json()["applied"] and "review-date" not in first.json()["applied"]


def test_errors_are_not_cached(client):
    assert client.get("/api/documents/no-such-document/versions/1/keeling.json").status_code == 404
    assert len(client.app.state.render_cache) == 0


def test_the_least_recently_used_entries_go_first_and_the_bound_holds():
    cache = RenderCache(max_bytes=10)
    for key in "abc":
        cache.put((key,), Entry(key, key * 4, "text/plain"))
    assert cache.get(("a",)) is None and cache.size == 8  # "a" went to make room for "c"
    assert cache.get(("b",)).body == "bbbb"  # now "c" is the least recently used
    cache.put(("d",), Entry("d", "dddd", "text/plain"))
    assert cache.get(("c",)) is None and cache.get(("b",)) is not None and cache.size == 8
    cache.put(("huge",), Entry("h", "x" * 11, "text/plain"))  # larger than the whole cache: not kept
    assert cache.get(("huge",)) is None and cache.size == 8


def test_a_repeated_anonymous_request_is_answered_before_routing(example, profit_ban, monkeypatch):
    from fastapi.testclient import TestClient

    from regdraft.services import documents, rendering

    anonymous = TestClient(example.client.app)  # no token: what browsers and load generators send
    url = example.url("/versions/1/keeling.html")
    first = anonymous.get(url)
    assert first.status_code == 200 and first.headers["Content-Security-Policy"]

    def not_again(*args, **kwargs):
        raise AssertionError("the request was routed again")

    monkeypatch.setattr(rendering, "keeling_schedule", not_again)
    monkeypatch.setattr(documents, "get_document", not_again)  # the routes' first dependency
    again = anonymous.get(url)
    assert (again.status_code, again.text, again.headers["ETag"]) == (200, first.text, first.headers["ETag"])
    assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert anonymous.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    # A token is always checked by the routes, cached answer or not.
    assert anonymous.get(url, headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_a_write_to_another_document_leaves_a_rendering_cached_but_a_proposer_renamed_does_not(
        example, profit_ban, monkeypatch):
    """Renderings are kept until their own document changes, or what every document
    shows (a stakeholder's name)."""
    from fastapi.testclient import TestClient

    from regdraft.services import documents

    anonymous = TestClient(example.client.app)
    url = example.url("/versions/1/keeling.html")
    first = anonymous.get(url)
    assert first.status_code == 200 and "Association of Directors of Children" in first.text
    other = example.client.post("/api/documents", json={"slug": "other", "title": "Another regulation"})
    assert other.status_code == 201, other.text
    assert example.client.post("/api/documents/other/versions", json={"text": V1, "parent": None}).status_code == 201

    def not_again(*args, **kwargs):
        raise AssertionError("the request was routed again")

    with monkeypatch.context() as patched:
        patched.setattr(documents, "get_document", not_again)  # the routes' first dependency
        again = anonymous.get(url)
    assert (again.status_code, again.text) == (200, first.text)
    renamed = example.client.put(example.url("/stakeholders/adcs"), json={"name": "ADCS", "kind": "charity"})
    assert renamed.status_code == 200, renamed.text
    after = anonymous.get(url)
    assert after.status_code == 200 and "Association of Directors of Children" not in after.text
    assert "ADCS" in after.text


def test_concurrent_hits_share_a_generation_read_that_started_after_they_arrived():
    """PostgreSQL's path: one read at a time; hits on a document that arrive while one
    is in flight wait for the next read of that document, which started after them, so
    it sees every write committed before. Another document has a read of its own."""
    generation = StoreGeneration("postgresql://nobody@127.0.0.1/unused")  # never connects
    started: list[str] = []
    release = [threading.Event() for _ in range(3)]

    def query(document: str) -> str:
        n = len(started)
        started.append(document)
        release[n].wait(30)
        return f"{document}{n}"

    generation._query = query

    async def until(condition) -> None:
        while not condition():
            await asyncio.sleep(0.001)

    async def scenario() -> tuple[str, list[str], str]:
        first = asyncio.ensure_future(generation.read("a"))
        await until(lambda: started)  # the first read is in flight
        later = [asyncio.ensure_future(generation.read("a")) for _ in range(3)]
        other = asyncio.ensure_future(generation.read("b"))
        await asyncio.sleep(0)
        for n in range(3):
            release[n].set()
            await until(lambda: len(started) > n + 1 or n == 2)
        return await first, await asyncio.gather(*later), await other

    assert asyncio.run(asyncio.wait_for(scenario(), 30)) == ("a0", ["a1", "a1", "a1"], "b2")
    assert started == ["a", "a", "b"]  # one read for the three that waited on "a"


def _flights_scenario(build_outcome, *, cancel_builder: bool = False):
    """Five overlapping requests for one key: how many builds ran, and what each got."""
    flights = RenderFlights()
    builds: list[int] = []
    release = asyncio.Event()

    async def build() -> Entry:
        builds.append(len(builds))
        await release.wait()
        return build_outcome(len(builds))

    async def scenario():
        requests = [asyncio.ensure_future(flights.run(("g", "/keeling"), build)) for _ in range(5)]
        while not builds:
            await asyncio.sleep(0.001)
        await asyncio.sleep(0.01)  # the other four are waiting on the first
        if cancel_builder:
            requests[0].cancel()
            await asyncio.sleep(0.01)
        release.set()
        return await asyncio.gather(*requests, return_exceptions=True)

    return builds, asyncio.run(asyncio.wait_for(scenario(), 30)), flights


def test_overlapping_misses_of_one_rendering_build_it_once():
    builds, results, flights = _flights_scenario(lambda n: Entry(f"tag{n}", "body", "text/html"))
    assert builds == [0] and [r.etag for r in results] == ["tag1"] * 5
    assert flights._flights == {}  # nothing left behind: the next miss builds afresh


def test_a_failed_build_fails_every_waiter_and_a_cancelled_one_leaves_them_to_build():
    def fail(n):
        raise LookupError(f"no such amendment ({n})")

    builds, results, _ = _flights_scenario(fail)
    assert builds == [0] and all(isinstance(r, LookupError) for r in results)
    builds, results, _ = _flights_scenario(lambda n: Entry(f"tag{n}", "body", "text/html"), cancel_builder=True)
    assert isinstance(results[0], asyncio.CancelledError)
    assert builds == [0, 1] and [r.etag for r in results[1:]] == ["tag2"] * 4  # one waiter took over


def test_a_burst_of_requests_after_a_write_renders_the_schedule_once(example, profit_ban, monkeypatch):
    import httpx

    from regdraft.api.routes import renderings

    rendered: list[str] = []
    render = renderings._render

    def slow_render(*args):
        rendered.append(args[1])
        import time
        time.sleep(0.3)  # long enough for every request of the burst to arrive meanwhile
        return render(*args)

    monkeypatch.setattr(renderings, "_render", slow_render)
    url = example.url("/versions/1/keeling.html")

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=example.client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test",
                                     headers=dict(example.client.headers)) as client:
            return await asyncio.gather(*(client.get(url) for _ in range(8)))

    responses = asyncio.run(burst())
    assert [r.status_code for r in responses] == [200] * 8 and len({r.text for r in responses}) == 1
    assert rendered == ["html"]


def test_the_bound_is_in_bytes_held_not_characters():
    """A page with one em dash in it is held at two bytes a character (four past the
    Basic Multilingual Plane): the bound counts what memory it takes."""
    cache = RenderCache(max_bytes=100)
    cache.put(("ascii",), Entry("a", "x" * 60, "text/plain"))
    assert cache.size == 60
    cache.put(("dash",), Entry("d", "—" + "x" * 59, "text/plain"))  # 60 characters, 120 bytes: not kept
    assert cache.get(("dash",)) is None and cache.size == 60
    cache.put(("bytes",), Entry("b", ("—" * 10).encode(), "text/plain"))
    assert cache.size == 90


def test_a_kept_markup_is_counted_as_the_string_it_is():
    from markupsafe import Markup

    from regdraft.services.kept import held_bytes

    assert held_bytes(Markup("<p>—</p>")) >= 2 * len("<p>—</p>") > held_bytes("<p>x</p>")
