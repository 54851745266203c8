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
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from regdraft.services.verify import verify
from regdraft.store.engine import make_engine
from regdraft.store.models import Amendment, Event, Version

from server_process import ServerProcess, issue_tokens

pytestmark = pytest.mark.e2e

SECONDS = float(os.environ.get("REGDRAFT_TEST_LOAD_SECONDS", "8"))
DOC = "concurrency"
DOC_URL = f"/documents/{DOC}"
REGULATIONS = 8
STAKEHOLDERS = ("alpha", "beta", "gamma")
RESPONSE = "We ask that every topic be treated with care, and that nothing be done in haste."


def initial_text() -> str:
    parts = ["# The Concurrency (Test) Regulations 2026\n"]
    parts += [f"### {n}. Regulation {n}\n\nRegulation {n} concerns topic {n} and nothing more.\n"
              for n in range(1, REGULATIONS + 1)]
    return "\n".join(parts)


def edited(text: str, tag: str) -> str:
    """``text`` with one regulation (chosen at random) tagged: clients collide often."""
    n = random.randint(1, REGULATIONS)
    return text.replace(f"topic {n} ", f"topic {n} {tag} ", 1)


@dataclass
class Outcomes:
    """What the clients were told, by kind of write."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    answers: Counter = field(default_factory=Counter)  # (kind, status) -> count
    accepted: Counter = field(default_factory=Counter)  # slug -> 2xx accepts
    created_versions: dict[int, str] = field(default_factory=dict)  # number -> hash, as answered
    proposed: set[str] = field(default_factory=set)
    unexpected: list[str] = field(default_factory=list)

    def note(self, kind: str, response: httpx.Response, slug: str | None = None) -> bool:
        with self.lock:
            self.answers[kind, response.status_code] += 1
            ok = response.status_code in (200, 201)
            if response.status_code not in (200, 201, 409):
                self.unexpected.append(f"{kind} {slug}: {response.status_code} {response.text[:300]}")
            elif response.status_code == 409 and not response.headers["content-type"].startswith(
                    "application/problem+json"):
                self.unexpected.append(f"{kind} {slug}: a 409 that is not a problem document")
            if ok and kind == "accept":
                self.accepted[slug] += 1
            if ok and kind in ("accept", "version"):
                body = response.json()
                self.created_versions[body["number"]] = body["content_hash"]
            if ok and kind == "propose":
                self.proposed.add(slug)
            return ok

    def count(self, *kinds: str) -> int:
        return sum(n for (kind, status), n in self.answers.items() if kind in kinds and status in (200, 201))


class Client(threading.Thread):
    def __init__(self, number: int, base_url: str, token: str, outcomes: Outcomes, deadline: float,
                 stakeholder: str | None = None) -> None:
        super().__init__(name=f"client-{number}", daemon=True)
        self.number, self.outcomes, self.deadline, self.stakeholder = number, outcomes, deadline, stakeholder
        self.http = httpx.Client(base_url=base_url + "/api", timeout=30,
                                 headers={"Authorization": f"Bearer {token}"})
        self.made = 0
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            while time.monotonic() < self.deadline:
                self.step()
        except BaseException as exc:  # reported by the test, not lost in a thread
            self.failure = exc
        finally:
            self.http.close()

    def head(self) -> dict:
        number = self.http.get(DOC_URL).json()["head"]["number"]
        return self.http.get(f"{DOC_URL}/versions/{number}").json()

    def open_amendments(self, **filters: str) -> list[dict]:
        return self.http.get(f"{DOC_URL}/amendments", params={"limit": 200, **filters}).json()["items"]


class Proposer(Client):
    def step(self) -> None:
        head = self.head()
        self.made += 1
        slug = f"c{self.number}-{self.made}"
        body = {"slug": slug, "title": f"Change {slug}", "proposer": self.stakeholder, "base": head["number"],
                "categories": ["standards"], "new_text": edited(head["text"], slug)}
        if self.made % 3 == 0:
            body["citations"] = [{"response": f"{self.stakeholder}-response", "quote": "nothing be done in haste"}]
        self.outcomes.note("propose", self.http.post(f"{DOC_URL}/amendments", json=body), slug)


class Withdrawer(Client):
    """Withdraws its stakeholder's proposed amendments, and proposes withdrawn ones again."""

    def step(self) -> None:
        mine = self.open_amendments(stakeholder=self.stakeholder)
        candidates = [a for a in mine if a["status"] in ("proposed", "withdrawn")]
        if not candidates:
            time.sleep(0.02)
            return
        amendment = random.choice(candidates)
        wanted = "withdrawn" if amendment["status"] == "proposed" else "proposed"
        kind = "withdraw" if wanted == "withdrawn" else "repropose"
        r = self.http.post(f"{DOC_URL}/amendments/{amendment['slug']}/status", json={"status": wanted},
                           headers={"If-Match": f'"{amendment["revision"]}"'})
        self.outcomes.note(kind, r, amendment["slug"])


class Reviewer(Client):
    def step(self) -> None:
        proposed = self.open_amendments(status="proposed")
        if not proposed:
            time.sleep(0.02)
            return
        slug = random.choice(proposed)["slug"]
        seen = self.http.get(f"{DOC_URL}/amendments/{slug}")
        etag = seen.headers["ETag"]
        if random.random() < 0.7:
            self.outcomes.note("accept", self.http.post(f"{DOC_URL}/amendments/{slug}/accept", headers={"If-Match": etag}),
                               slug)
        else:
            r = self.http.post(f"{DOC_URL}/amendments/{slug}/status", json={"status": "rejected"}, headers={"If-Match": etag})
            self.outcomes.note("reject", r, slug)


class Drafter(Client):
    def step(self) -> None:
        head = self.head()
        self.made += 1
        body = {"text": edited(head["text"], f"d{self.number}-{self.made}"), "parent": head["number"],
                "message": f"drafter {self.number}"}
        self.outcomes.note("version", self.http.post(f"{DOC_URL}/versions", json=body))


@pytest.fixture
def workload(fresh_database_url: str, tmp_path: Path):
    admin, drafter, reviewer = issue_tokens(fresh_database_url, ("admin", None), ("drafter", None),
                                            ("reviewer", None))
    with ServerProcess(fresh_database_url, tmp_path / "server.log") as server:
        setup = httpx.Client(base_url=server.base_url + "/api", timeout=30, headers={"Authorization": f"Bearer {admin}"})
        assert setup.post("/documents", json={"slug": DOC, "title": "Concurrency"}).status_code == 201
        assert setup.post(f"/documents/{DOC}/versions", json={"text": initial_text(), "parent": None}).status_code == 201
        for slug in STAKEHOLDERS:
            assert setup.put(f"/documents/{DOC}/stakeholders/{slug}", json={"name": slug.title()}).status_code == 201
            assert setup.put(f"/documents/{DOC}/responses/{slug}-response",
                             json={"stakeholder": slug, "title": "Response", "text": RESPONSE}).status_code == 201
        setup.close()
        speakers = issue_tokens(fresh_database_url, *[("stakeholder", slug) for slug in STAKEHOLDERS])  # they exist now
        outcomes = Outcomes()
        deadline = time.monotonic() + SECONDS
        clients: list[Client] = []
        for n in range(6):
            clients.append(Proposer(n, server.base_url, speakers[n % 3], outcomes, deadline, STAKEHOLDERS[n % 3]))
        for n in range(6, 9):
            clients.append(Withdrawer(n, server.base_url, speakers[n % 3], outcomes, deadline, STAKEHOLDERS[n % 3]))
        clients += [Reviewer(n, server.base_url, reviewer, outcomes, deadline) for n in range(9, 13)]
        clients += [Drafter(n, server.base_url, drafter, outcomes, deadline) for n in range(13, 16)]
        assert len(clients) == 16
        for client in clients:
            client.start()
        for client in clients:
            client.join(SECONDS + 60)
        failures = [f"{c.name}: {c.failure!r}" for c in clients if c.failure is not None or c.is_alive()]
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
