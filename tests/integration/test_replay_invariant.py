"""Replay is an invariant (issue 18): after ANY sequence of API operations — versions,
proposals (new text or a patch, citing a response, with trailing blanks or decomposed
accents), acceptances, rejections with reasons, withdrawals, re-proposals, rebases and
their confirmations, bulk decisions — ``verify`` is clean, and exporting the store,
loading the files into a fresh database and exporting that gives the same files byte for
byte (and the reloaded database verifies too).

A Hypothesis state machine drives the real HTTP API (FastAPI's TestClient over
``create_app``) on each backend. Every example gets its own databases, copied from the
migrated template as ``fresh_database_url`` is. Refusals (409, 422) are part of the
workflow — accepting what no longer applies, a transition the status does not allow —
but a server error never is, and neither is a store that no longer replays.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import ExitStack
from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sqlmodel import Session

from regdraft.api.app import create_app
from regdraft.core.patching import make_patch
from regdraft.files import export, load
from regdraft.services import tokens
from regdraft.services.verify import verify
from regdraft.settings import Settings
from regdraft.store.engine import make_engine, session_scope

from api.support import ADCS_TEXT, DOC, NSPCC_TEXT, V1  # tests/ is on the path (tests/conftest.py)
from test_files import tree_bytes

# Each example starts the app on two new databases and ends with an export and a load,
# so examples are few and long: 24 runs of up to 16 steps keep SQLite under 60 s on the
# CI machine while still reaching stale bases, rebases and bulk decisions. The rules and
# the invariant do not depend on the backend; what PostgreSQL adds (its transactions,
# savepoints and types under the same operations) 8 runs reach, at a third of the time
# (its examples took 100 s of the suite's 11 minutes).
EXAMPLES = {"sqlite": 24, "postgres": 8}


def _machine_settings(backend: str):
    return settings(max_examples=EXAMPLES[backend], stateful_step_count=16, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

#: Words a drafter or stakeholder puts in: plain, precomposed and decomposed accents (the
#: stored text is NFC, so a decomposed one must be normalised before it is patched).
REPLACEMENTS = ("authority", "body", "not-for-profit", "café", unicodedata.normalize("NFD", "café"),
                unicodedata.normalize("NFD", "naïve délégation"), "inspected")
#: Quotes that are in the responses, as a stakeholder cites them.
QUOTES = {"adcs": ("adcs-response", ("a profit motive has no place", "limited to bodies that are not-for-profit")),
          "nspcc": ("nspcc-response", ("subject to inspection by Ofsted", "remain\naccountable"))}
# Lower-case words of the regulation's body (not headings) that an edit may replace.
_BODY_WORD = re.compile(r"\b[a-z]{4,}\b")
ALLOWED = {200, 201, 409, 422}


def _edit(text: str, data: st.DataObject) -> str:
    """``text`` with one body word replaced, the line perhaps left with blanks after it."""
    lines = text.split("\n")
    candidates = [(i, m) for i, line in enumerate(lines) if line and not line.startswith("#")
                  for m in _BODY_WORD.finditer(line)]
    index, match = data.draw(st.sampled_from(candidates), label="word")
    line = lines[index]
    replacement = data.draw(st.sampled_from(REPLACEMENTS), label="replacement")
    line = line[:match.start()] + replacement + line[match.end():]
    line += data.draw(st.sampled_from(("", "", " ", "  \t")), label="trailing")
    lines[index] = line
    return "\n".join(lines)


class ReplayMachine(RuleBasedStateMachine):
    # Set by the test for each backend before the machine runs.
    #: ``new_database(stack)`` → the URL of a fresh migrated database, dropped when ``stack`` closes.
    new_database = None
    folder: Path

    def __init__(self) -> None:
        super().__init__()
        self.stack = ExitStack()
        self.url = self.new_database(self.stack)
        self.engine = make_engine(self.url)
        self.stack.callback(self.engine.dispose)
        with session_scope(self.engine) as session:
            admin = tokens.create_token(session, role="admin", name="admin@example.gov.uk", actor="tests").secret
        self.client = self.stack.enter_context(TestClient(create_app(Settings(database_url=self.url)),
                                                          headers={"Authorization": f"Bearer {admin}"}))
        self.amendments: list[str] = []
        self.counter = 0
        self.revisions = 0
        self.call("post", "/api/documents", {"slug": DOC, "title": "Example delegation regulations"}, {201})
        self.call("post", self.doc("/versions"), {"text": V1, "parent": None, "message": "Consultation"}, {201})
        for slug, name in (("adcs", "ADCS"), ("nspcc", "NSPCC")):
            self.call("put", self.doc(f"/stakeholders/{slug}"), {"name": name, "kind": "charity"}, {201})
        for stakeholder, text in (("adcs", ADCS_TEXT), ("nspcc", NSPCC_TEXT)):
            self.call("put", self.doc(f"/responses/{stakeholder}-response"),
                      {"stakeholder": stakeholder, "title": "Response", "text": text, "date": "2014-06-05"}, {201})

    # --- helpers ------------------------------------------------------------------------

    def doc(self, path: str) -> str:
        return f"/api/documents/{DOC}{path}"

    def call(self, method: str, url: str, body=None, expected=frozenset(ALLOWED)):
        r = self.client.request(method, url, json=body)
        assert r.status_code in expected, f"{method.upper()} {url} {body!r} → {r.status_code} {r.text}"
        return r

    def versions(self) -> list[int]:
        return [v["number"] for v in self.call("get", self.doc("/versions"), expected={200}).json()["items"]]

    def text(self, number: int) -> str:
        return self.call("get", self.doc(f"/versions/{number}"), expected={200}).json()["text"]

    # --- rules --------------------------------------------------------------------------

    # A few drafter's versions an example are enough to make bases stale; left alone, new
    # versions (always possible) crowd out the decisions.
    @precondition(lambda self: self.revisions < 3)
    @rule(data=st.data())
    def create_version(self, data: st.DataObject) -> None:
        head = max(self.versions())
        self.revisions += 1
        self.call("post", self.doc("/versions"), {"text": _edit(self.text(head), data), "parent": head,
                                                  "message": "Drafter's revision"})

    @rule(data=st.data(), proposer=st.sampled_from(sorted(QUOTES)), as_patch=st.booleans(),
          status=st.sampled_from(("proposed", "proposed", "draft")), cite=st.booleans())
    def propose(self, data: st.DataObject, proposer: str, as_patch: bool, status: str, cite: bool) -> None:
        base = data.draw(st.sampled_from(self.versions()), label="base")
        base_text = self.text(base)
        new_text = _edit(base_text, data)
        self.counter += 1
        slug = f"amendment-{self.counter}"
        response, quotes = QUOTES[proposer]
        body = {"slug": slug, "title": f"Amendment {self.counter}", "proposer": proposer, "base": base,
                "categories": ["profit-ban"], "rationale": "Because.", "status": status,
                "citations": [{"response": response, "quote": data.draw(st.sampled_from(quotes), label="quote")}]
                if cite else []}
        if as_patch:
            body["patch_text"] = make_patch(base_text, new_text)
        else:
            body["new_text"] = new_text
        if self.call("post", self.doc("/amendments"), body).status_code == 201:
            self.amendments.append(slug)

    @precondition(lambda self: self.amendments)
    @rule(data=st.data())
    def accept(self, data: st.DataObject) -> None:
        slug = data.draw(st.sampled_from(self.amendments), label="amendment")
        self.call("post", self.doc(f"/amendments/{slug}/accept"), {"reason": "Agreed."})

    @precondition(lambda self: self.amendments)
    @rule(data=st.data(), status=st.sampled_from(("rejected", "withdrawn", "proposed", "draft")))
    def change_status(self, data: st.DataObject, status: str) -> None:
        slug = data.draw(st.sampled_from(self.amendments), label="amendment")
        reason = "The narrower wording was chosen." if status == "rejected" else ""
        self.call("post", self.doc(f"/amendments/{slug}/status"), {"status": status, "reason": reason})

    @precondition(lambda self: self.amendments)
    @rule(data=st.data())
    def rebase(self, data: st.DataObject) -> None:
        slug = data.draw(st.sampled_from(self.amendments), label="amendment")
        outcome = self.call("post", self.doc(f"/amendments/{slug}/rebase"))
        if outcome.status_code == 200 and outcome.json()["state"] == "needs-confirmation":
            self.call("post", self.doc(f"/amendments/{slug}/rebase/confirm"),
                      {"revision": outcome.json()["revision"]})

    @precondition(lambda self: self.amendments)
    @rule()
    def rebase_all_stale(self) -> None:
        self.call("post", self.doc("/rebase"))

    @precondition(lambda self: self.amendments)
    @rule(data=st.data())
    def decide_several(self, data: st.DataObject) -> None:
        slugs = data.draw(st.lists(st.sampled_from(self.amendments), min_size=1, max_size=3, unique=True),
                          label="amendments")
        decisions = []
        for slug in slugs:
            status = data.draw(st.sampled_from(("accepted", "rejected", "withdrawn", "proposed")), label="status")
            decisions.append({"amendment": slug, "status": status,
                              "reason": "Not taken forward." if status == "rejected" else ""})
        self.call("post", self.doc("/decisions"), {"decisions": decisions})

    # --- the invariant ------------------------------------------------------------------

    @invariant()
    def verifies(self) -> None:
        _assert_verifies(self.engine)

    def teardown(self) -> None:
        try:
            self.client.close()
            folder = self.folder / f"run-{id(self)}"
            with Session(self.engine) as session:
                export(session, folder / "exported")
            reloaded = make_engine(self.new_database(self.stack))
            self.stack.callback(reloaded.dispose)
            with session_scope(reloaded) as session:
                load(session, folder / "exported", actor="tests")
            _assert_verifies(reloaded)
            with Session(reloaded) as session:
                export(session, folder / "again")
            assert tree_bytes(folder / "again") == tree_bytes(folder / "exported")
        finally:
            self.stack.close()


def _assert_verifies(engine) -> None:
    with Session(engine) as session:
        report = verify(session)
    assert report.ok, report.problems
    assert report.checked.get("versions")


def test_replay_is_an_invariant_of_the_api(db_backend, _template_database, copy_database, tmp_path):
    counter = iter(range(10**6))

    def new_database(stack: ExitStack) -> str:
        folder = tmp_path / f"db-{next(counter)}"
        folder.mkdir()
        return stack.enter_context(copy_database(_template_database, folder))

    ReplayMachine.new_database = staticmethod(new_database)
    ReplayMachine.folder = tmp_path
    run_state_machine_as_test(ReplayMachine, settings=_machine_settings(db_backend))
