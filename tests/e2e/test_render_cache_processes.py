"""The render cache across processes: two ``regdraft serve`` processes over one database
(one SQLite file, or one PostgreSQL database), each with its own render cache. A write
answered by one must be seen by the other's next answer, cached rendering or not; the
scale-out path (several stateless API processes, or several workers) depends on it."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from server_process import ServerProcess
from workload import DOC_URL, initial_text, prepare

pytestmark = pytest.mark.e2e

KEELING = f"/api{DOC_URL}/versions/1/keeling.json"


def _propose(base_url: str, token: str, stakeholder: str, slug: str, regulation: int) -> None:
    """An amendment to one regulation of version 1 (one each, so that they do not conflict)."""
    new_text = initial_text().replace(f"topic {regulation} ", f"topic {regulation} {slug} ", 1)
    body = {"slug": slug, "title": f"Change {slug}", "proposer": stakeholder, "base": 1,
            "categories": ["standards"], "new_text": new_text}
    r = httpx.post(f"{base_url}/api{DOC_URL}/amendments", json=body, headers={"Authorization": f"Bearer {token}"},
                   timeout=30)
    assert r.status_code == 201, r.text


def _cached_schedule(base_url: str) -> httpx.Response:
    """The Keeling schedule of version 1, asked for twice without a token (as browsers and
    load generators ask), so that the second answer comes from the process's cache."""
    first = httpx.get(base_url + KEELING, timeout=30)
    again = httpx.get(base_url + KEELING, timeout=30)
    assert first.status_code == again.status_code == 200, first.text
    assert (again.text, again.headers["ETag"]) == (first.text, first.headers["ETag"])
    return again


def test_a_write_through_one_process_is_seen_by_the_other_process_cache(fresh_database_url: str, tmp_path: Path):
    with ServerProcess(fresh_database_url, tmp_path / "one.log") as one, \
            ServerProcess(fresh_database_url, tmp_path / "two.log") as two:
        cast = prepare(fresh_database_url, one.base_url)
        before = _cached_schedule(two.base_url)
        assert _cached_schedule(one.base_url).headers["ETag"] == before.headers["ETag"]
        assert httpx.get(two.base_url + KEELING, headers={"If-None-Match": before.headers["ETag"]},
                         timeout=30).status_code == 304

        _propose(one.base_url, cast.speakers[0], "alpha", "seen-by-two", regulation=1)
        after = httpx.get(two.base_url + KEELING, timeout=30)
        assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
        assert "seen-by-two" in after.json()["applied"] and "seen-by-two" not in before.json()["applied"]
        # The old ETag no longer matches: the client gets the new schedule, not a 304.
        assert httpx.get(two.base_url + KEELING, headers={"If-None-Match": before.headers["ETag"]},
                         timeout=30).status_code == 200

        # And the other way round, with both caches full of the schedule as it now is.
        _cached_schedule(one.base_url)
        _cached_schedule(two.base_url)
        _propose(two.base_url, cast.speakers[1], "beta", "seen-by-one", regulation=2)
        applied = httpx.get(one.base_url + KEELING, timeout=30).json()["applied"]
        assert {"seen-by-two", "seen-by-one"} <= set(applied)


def test_the_workers_of_one_server_each_see_a_write_made_through_another(fresh_database_url: str, tmp_path: Path):
    """``regdraft serve --workers 2``: two processes behind one port, each with its own
    cache; every answer after a write, from whichever worker, has it."""
    with ServerProcess(fresh_database_url, tmp_path / "workers.log", workers=2) as server:
        assert len(server.workers()) == 2
        cast = prepare(fresh_database_url, server.base_url)
        # New connections each time: the kernel hands them to either worker.
        before = {httpx.get(server.base_url + KEELING, timeout=30).headers["ETag"] for _ in range(8)}
        assert len(before) == 1
        _propose(server.base_url, cast.speakers[0], "alpha", "seen-by-both", regulation=1)
        after = [httpx.get(server.base_url + KEELING, timeout=30) for _ in range(8)]
        assert all(r.status_code == 200 and "seen-by-both" in r.json()["applied"] for r in after)
        workers = server.workers()
    for pid in workers:  # stopping the server stops its workers
        assert not Path(f"/proc/{pid}").exists()
