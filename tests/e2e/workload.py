"""A drafting workload for the trust tests: a small document with a few stakeholders,
and clients (threads, one HTTP connection each) that propose, withdraw, accept, reject
and add versions against a live server, noting every answer they get."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from server_process import issue_tokens

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

    #: The fault test kills the server under the clients: a dropped connection then
    #: ends a client quietly (its last write's fate is unknown to it, as to a user).
    server_may_die: bool = False
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

    def total(self) -> int:
        """Answers of every kind and status so far."""
        with self.lock:
            return sum(self.answers.values())

    def count(self, *kinds: str) -> int:
        return sum(n for (kind, status), n in self.answers.items() if kind in kinds and status in (200, 201))


class Client(threading.Thread):
    def __init__(self, number: int, base_url: str, *, token: str, outcomes: Outcomes, deadline: float,
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
        except httpx.TransportError as exc:
            if not self.outcomes.server_may_die:
                self.failure = exc
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
            r = self.http.post(f"{DOC_URL}/amendments/{slug}/accept", headers={"If-Match": etag})
            self.outcomes.note("accept", r, slug)
        else:
            r = self.http.post(f"{DOC_URL}/amendments/{slug}/status", json={"status": "rejected",
                                                                          "reason": "Not this time."},
                               headers={"If-Match": etag})
            self.outcomes.note("reject", r, slug)


class Drafter(Client):
    def step(self) -> None:
        head = self.head()
        self.made += 1
        body = {"text": edited(head["text"], f"d{self.number}-{self.made}"), "parent": head["number"],
                "message": f"drafter {self.number}"}
        self.outcomes.note("version", self.http.post(f"{DOC_URL}/versions", json=body))


@dataclass(frozen=True)
class Cast:
    """Bearer tokens: an admin, a reviewer, a drafter, one per stakeholder (in STAKEHOLDERS order)."""

    admin: str
    reviewer: str
    drafter: str
    speakers: tuple[str, ...]


def prepare(database_url: str, base_url: str) -> Cast:
    """Tokens, and the document (version 1), stakeholders and responses, made over HTTP."""
    admin, drafter, reviewer = issue_tokens(database_url, ("admin", None), ("drafter", None), ("reviewer", None))
    with httpx.Client(base_url=base_url + "/api", timeout=30, headers={"Authorization": f"Bearer {admin}"}) as setup:
        assert setup.post("/documents", json={"slug": DOC, "title": "Concurrency"}).status_code == 201
        assert setup.post(f"{DOC_URL}/versions", json={"text": initial_text(), "parent": None}).status_code == 201
        for slug in STAKEHOLDERS:
            assert setup.put(f"{DOC_URL}/stakeholders/{slug}", json={"name": slug.title()}).status_code == 201
            assert setup.put(f"{DOC_URL}/responses/{slug}-response",
                             json={"stakeholder": slug, "title": "Response", "text": RESPONSE}).status_code == 201
    speakers = issue_tokens(database_url, *[("stakeholder", slug) for slug in STAKEHOLDERS])
    return Cast(admin, reviewer, drafter, tuple(speakers))


def crowd(base_url: str, cast: Cast, outcomes: Outcomes, deadline: float, *, first: int = 0) -> list[Client]:
    """Sixteen clients: six proposers and three withdrawers (stakeholders), four
    reviewers and three drafters. ``first`` numbers them, so that slugs stay unique
    across several crowds on one database."""
    def speaker(n: int) -> dict:
        return {"token": cast.speakers[n % 3], "stakeholder": STAKEHOLDERS[n % 3]}

    kinds = [Proposer] * 6 + [Withdrawer] * 3 + [Reviewer] * 4 + [Drafter] * 3
    clients = []
    for n, kind in enumerate(kinds, start=first):
        who = speaker(n) if kind in (Proposer, Withdrawer) else {
            "token": cast.reviewer if kind is Reviewer else cast.drafter}
        clients.append(kind(n, base_url, outcomes=outcomes, deadline=deadline, **who))
    return clients


def run(clients: list[Client], timeout: float) -> list[str]:
    """Start the clients, wait for them; what went wrong in any of them."""
    for client in clients:
        client.start()
    return wait(clients, timeout)


def wait(clients: list[Client], timeout: float) -> list[str]:
    """Wait for started clients; what went wrong in any of them."""
    for client in clients:
        client.join(timeout)
    return [f"{c.name}: {c.failure!r}" for c in clients if c.failure is not None or c.is_alive()]
