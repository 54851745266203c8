"""No lost updates: 16 clients on loopback against one uvicorn process, for a bounded
time, on SQLite and on PostgreSQL. Stakeholders propose and withdraw, reviewers accept
and reject (with If-Match), drafters add versions (with the parent they saw), all at
once and on the same few provisions. Afterwards the store must hold exactly what the
clients were told happened:

- the history is one linear chain (versions 1..N, each the child of the one before);
- every accepted amendment produced exactly one version, and no other amendment did;
- no amendment was accepted twice (one 2xx and one event at most per amendment);
- every version's hash verifies, and so does every replay and citation (``verify``);
- the event log accounts for every change: one event per row created and per status
  change, and one per successful write the clients saw.

Every answer must be a success or a 409 carrying the current state; any other status
(a 500 above all) fails the test. ``REGDRAFT_TEST_LOAD_SECONDS`` sets how long the
clients run (default 8).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session, select

from regdraft.services.verify import verify
from regdraft.store.engine import make_engine
from regdraft.store.models import Amendment, Event, Version

from server_process import ServerProcess
from workload import DOC, Outcomes, crowd, prepare, run

pytestmark = pytest.mark.e2e

SECONDS = float(os.environ.get("REGDRAFT_TEST_LOAD_SECONDS", "8"))


@pytest.fixture
def workload(fresh_database_url: str, tmp_path: Path):
    with ServerProcess(fresh_database_url, tmp_path / "server.log") as server:
        cast = prepare(fresh_database_url, server.base_url)
        outcomes = Outcomes()
        failures = run(crowd(server.base_url, cast, outcomes, time.monotonic() + SECONDS), SECONDS + 60)
    assert not failures, failures
    return fresh_database_url, outcomes


def test_sixteen_clients_lose_nothing(workload):
    database_url, outcomes = workload
    assert not outcomes.unexpected, "\n".join(outcomes.unexpected[:20])
    # The run did what it was meant to: every kind of write both succeeded and collided.
    for kind in ("propose", "accept", "version"):
        assert outcomes.count(kind) > 0, outcomes.answers
    assert sum(n for (kind, status), n in outcomes.answers.items() if status == 409) > 0, outcomes.answers

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            report = verify(session)
            assert report.ok, report.problems  # hashes, one linear chain, replays, citations
            versions = list(session.exec(select(Version).order_by(Version.number)).all())
            amendments = list(session.exec(select(Amendment)).all())
            events = list(session.exec(select(Event).where(Event.document_id.is_not(None))).all())
    finally:
        engine.dispose()

    # One linear chain, and every version a client was told about is in it, unchanged.
    assert [v.number for v in versions] == list(range(1, len(versions) + 1))
    assert all(v.parent_id == (versions[i - 1].id if i else None) for i, v in enumerate(versions))
    by_number = {v.number: v.content_hash for v in versions}
    assert all(by_number[n] == digest for n, digest in outcomes.created_versions.items())
    assert len(versions) == 1 + outcomes.count("accept", "version")

    # Accepted amendments: each produced exactly one version; nothing else produced one;
    # no amendment was accepted twice, by the answers or by the log.
    accepted = {a.id for a in amendments if a.status == "accepted"}
    producers = Counter(v.produced_by_id for v in versions if v.produced_by_id is not None)
    assert set(producers) == accepted and set(producers.values()) <= {1}
    assert max(outcomes.accepted.values(), default=0) <= 1
    assert len(accepted) == outcomes.count("accept")
    actions = Counter(e.action for e in events)
    accept_events = Counter(e.target for e in events if e.action == "amendment.accepted")
    assert set(accept_events.values()) <= {1}

    # The log accounts for every change, and for every success the clients saw.
    assert actions["version.created"] == len(versions)
    made = [e for e in events if e.action == "amendment.proposed" and e.target.startswith(f"{DOC}/")]
    assert len(made) == len(amendments) == outcomes.count("propose")
    assert actions["amendment.proposed"] - len(made) == outcomes.count("repropose")
    assert {a.slug for a in amendments} == outcomes.proposed
    status_events = Counter(e.target for e in events if e.action in (
        "amendment.accepted", "amendment.rejected", "amendment.withdrawn", "amendment.proposed"))
    for amendment in amendments:
        # one "proposed" event (made) plus one per status change, each bumping the revision
        changes = status_events[amendment.slug] + status_events[f"{DOC}/{amendment.slug}"]
        assert changes == amendment.revision, (amendment.slug, amendment.status, amendment.revision)
    assert actions["amendment.rejected"] == outcomes.count("reject")
    assert actions["amendment.withdrawn"] == outcomes.count("withdraw")
    assert actions["amendment.accepted"] == outcomes.count("accept")
    print(f"\nconcurrency: {sum(outcomes.answers.values())} writes "
          f"({dict(sorted((f'{k} {s}', n) for (k, s), n in outcomes.answers.items()))}); "
          f"{len(versions)} versions, {len(amendments)} amendments, {len(accepted)} accepted, "
          f"{len(events)} events; verify checked {report.checked}")
