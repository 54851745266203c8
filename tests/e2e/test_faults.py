"""Crash safety: the server is killed with SIGKILL at random moments while sixteen
clients write, again and again on the same database (SQLite in WAL mode, and
PostgreSQL). After every kill, before the next start:

- ``verify`` finds nothing wrong (hashes, one linear chain, replays, citations);
- nothing is half-written: every amendment has its hunks, categories and its
  ``amendment.proposed`` event; every version its ``version.created`` event; every
  accepted amendment exactly one version and one ``amendment.accepted`` event;
- every write a client was told had succeeded is there (a kill loses only requests
  whose answer never came).

At the end ``regdraft verify`` (the command) says the store is sound.

SQLite is killed 10 times (``REGDRAFT_TEST_KILLS``): there the server process is the
database engine, so a kill can interrupt a write to the file itself. PostgreSQL is
killed 4 times: its server survives ours, and what is tested there is only that a
dropped connection leaves no half-finished transaction behind.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session, select

from regdraft.services.verify import verify
from regdraft.store.engine import make_engine
from regdraft.store.models import Amendment, AmendmentCategory, Event, Hunk, Version

from server_process import ServerProcess
from workload import DOC, Outcomes, crowd, prepare, wait

pytestmark = pytest.mark.e2e

KILLS = {"sqlite": int(os.environ.get("REGDRAFT_TEST_KILLS", "10")), "postgres": 4}
REGDRAFT = str(Path(sys.executable).with_name("regdraft"))


def half_written(session: Session) -> list[str]:
    """Rows that exist without the rows and events written in the same transaction."""
    events = list(session.exec(select(Event)).all())
    made = Counter(e.target for e in events if e.action in ("amendment.proposed", "version.created"))
    accepted_events = Counter(e.target for e in events if e.action == "amendment.accepted")
    hunks = Counter(session.exec(select(Hunk.amendment_id)).all())
    categories = Counter(session.exec(select(AmendmentCategory.amendment_id)).all())
    versions = list(session.exec(select(Version)).all())
    produced = Counter(v.produced_by_id for v in versions if v.produced_by_id is not None)
    problems = []
    for amendment in session.exec(select(Amendment)).all():
        name = f"{DOC}/{amendment.slug}"
        if not hunks[amendment.id] or not categories[amendment.id] or made[name] != 1:
            problems.append(f"{name}: hunks {hunks[amendment.id]}, categories {categories[amendment.id]}, "
                            f"proposed events {made[name]}")
        accepted = amendment.status == "accepted"
        if (produced[amendment.id], accepted_events[amendment.slug]) != ((1, 1) if accepted else (0, 0)):
            problems.append(f"{name} is {amendment.status}: {produced[amendment.id]} versions produced, "
                            f"{accepted_events[amendment.slug]} accepted events")
    problems += [f"{DOC}@{v.number}: {made[f'{DOC}@{v.number}']} created events" for v in versions
                 if made[f"{DOC}@{v.number}"] != 1]
    return problems


def test_sigkill_during_writes_leaves_a_sound_store(db_backend: str, fresh_database_url: str, tmp_path: Path):
    kills = KILLS[db_backend]
    server = ServerProcess(fresh_database_url, tmp_path / "server.log")
    server.start()
    cast = prepare(fresh_database_url, server.base_url)
    engine = make_engine(fresh_database_url)
    outcomes = Outcomes(server_may_die=True)
    kills_during_writes = 0
    try:
        for kill in range(kills):
            if kill:
                server.start()
            clients = crowd(server.base_url, cast, outcomes, time.monotonic() + 30, first=100 * kill)
            before = outcomes.total()
            for client in clients:
                client.start()
            # A loaded machine can take seconds over the first answers after a start; the kill
            # is meant to land among writes, so its random moment is counted from the first.
            answering_by = time.monotonic() + 20
            while outcomes.total() == before and time.monotonic() < answering_by:
                time.sleep(0.05)
            answered = outcomes.total()
            time.sleep(random.uniform(0.5, 1.5))
            kills_during_writes += outcomes.total() > answered
            server.kill()
            failures = wait(clients, 30)
            assert not failures, failures

            with Session(engine) as session:
                report = verify(session)
                assert report.ok, (kill, report.problems)
                assert half_written(session) == [], kill
                slugs = set(session.exec(select(Amendment.slug)).all())
                hashes = {v.number: v.content_hash for v in session.exec(select(Version)).all()}
            assert outcomes.proposed <= slugs, (kill, outcomes.proposed - slugs)
            assert all(hashes.get(n) == digest for n, digest in outcomes.created_versions.items()), kill
            assert not outcomes.unexpected, outcomes.unexpected[:10]
    finally:
        server.kill()
        engine.dispose()

    # Most kills landed while writes were being answered (one may still land in a lull between answers).
    assert kills_during_writes >= kills // 2 and outcomes.count("propose") > 0
    checked = subprocess.run([REGDRAFT, "verify"], env={**os.environ, "REGDRAFT_DATABASE_URL": fresh_database_url},
                             capture_output=True, text=True)
    assert checked.returncode == 0 and checked.stdout.startswith("ok: checked"), checked
    print(f"\nfaults: {kills} SIGKILLs survived ({kills_during_writes} while writes were answered); "
          f"{outcomes.total()} writes answered "
          f"({dict(sorted((f'{k} {s}', n) for (k, s), n in outcomes.answers.items()))}); {checked.stdout.strip()}")
