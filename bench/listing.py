"""Target 5: listing and lookups with 1000 documents, 20 000 versions and 50 000
amendments, on SQLite (a file) and PostgreSQL (a throwaway server from tests/pg.py).

The rows are bulk-inserted with SQLAlchemy Core into a database migrated to head.
Requests go through the whole HTTP stack (FastAPI's TestClient, no network): a page
of amendments filtered by category and status, and a provision's cross-references.
The SQL those requests run is captured and shown with EXPLAIN, so the plans in the
report are the plans of the real queries.
"""

from __future__ import annotations

import hashlib
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import event, insert, text

from bench.measure import Row
from regdraft.api.app import create_app
from regdraft.services.amendments import STATUSES

# Categories the synthetic documents' amendments are filed under (they declare none, so any will do).
CATEGORIES = ("profit-ban", "scoped-pilot", "inspection-duty", "accountability", "standards", "contracts",
              "cross-boundary", "consultation", "review")
from regdraft.settings import Settings
from regdraft.store.engine import make_engine, migrate
from regdraft.store.models import (Amendment, AmendmentCategory, Citation, Document, Hunk, HunkProvision, Response,
                                   Stakeholder, Version)

DOCUMENTS, VERSIONS_PER_DOCUMENT, AMENDMENTS_PER_DOCUMENT = 1000, 20, 50
STAKEHOLDERS = 200
SAMPLES = 200


def _rows(documents: int) -> dict:
    """Every row to insert, with explicit ids, from a fixed seed."""
    rng = random.Random(9)
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    rows: dict = {table: [] for table in (Document, Stakeholder, Version, Response, Amendment, AmendmentCategory,
                                          Hunk, HunkProvision, Citation)}
    rows[Stakeholder] = [{"id": s, "slug": f"stakeholder-{s}", "name": f"Stakeholder {s}", "kind": "charity"}
                         for s in range(1, STAKEHOLDERS + 1)]
    version_id = amendment_id = hunk_id = citation_id = response_id = 0
    for d in range(1, documents + 1):
        rows[Document].append({"id": d, "slug": f"document-{d}", "title": f"Document {d}", "description": "",
                               "notice": "", "created_at": now})
        versions = []
        for n in range(1, VERSIONS_PER_DOCUMENT + 1):
            version_id += 1
            body = f"# Document {d}\n\n" + "\n".join(f"### {r}. Heading\n\n(1) Text of version {n}.\n"
                                                       for r in range(1, 31))
            rows[Version].append({"id": version_id, "document_id": d, "number": n,
                                  "parent_id": version_id - 1 if n > 1 else None, "author": "bench", "message": "",
                                  "created_at": now, "content_hash": hashlib.sha256(body.encode()).hexdigest(),
                                  "text": body, "produced_by_id": None})
            versions.append(version_id)
        responses = []
        for r in range(2):
            response_id += 1
            responses.append(response_id)
            rows[Response].append({"id": response_id, "document_id": d, "stakeholder_id": rng.randint(1, STAKEHOLDERS),
                                   "slug": f"response-{r}", "title": "A response", "source": "", "url": "",
                                   "date": "2026-01-01", "stance": "", "provenance": "",
                                   "text": "We support the change to regulation 3.", "content_hash": "0" * 64})
        for a in range(AMENDMENTS_PER_DOCUMENT):
            amendment_id += 1
            rows[Amendment].append({"id": amendment_id, "document_id": d, "slug": f"amendment-{a:03d}",
                                    "title": f"Amendment {a}", "proposer_id": rng.randint(1, STAKEHOLDERS),
                                    "status": rng.choice(STATUSES), "rationale": "",
                                    "patch_text": "@@ -1 +1 @@\n-a\n+b\n",
                                    "base_version_id": rng.choice(versions), "base_hash": "0" * 64,
                                    "created_at": now, "updated_at": now, "revision": 1})
            for position, category in enumerate(rng.sample(CATEGORIES, rng.randint(1, 2))):
                rows[AmendmentCategory].append({"amendment_id": amendment_id, "category": category,
                                                "position": position})
            for index in range(rng.randint(1, 2)):
                hunk_id += 1
                rows[Hunk].append({"id": hunk_id, "amendment_id": amendment_id, "index": index, "header": "@@ -1 +1 @@",
                                   "start": 0, "end": 1, "new_start": 0, "new_end": 1})
                regulation = rng.randint(1, 30)
                for position, provision in enumerate((f"reg-{regulation}", f"reg-{regulation}-{rng.randint(1, 4)}")):
                    rows[HunkProvision].append({"hunk_id": hunk_id, "provision_id": provision,
                                                "label": provision, "position": position})
            if rng.random() < 0.3:
                citation_id += 1
                rows[Citation].append({"id": citation_id, "amendment_id": amendment_id,
                                       "response_id": rng.choice(responses), "position": 0, "quote": "We support",
                                       "start": 0, "end": 10, "prefix": "", "suffix": ""})
    return rows


def load(url: str, documents: int) -> float:
    """Migrate and bulk-load; the seconds the load took."""
    engine = make_engine(url)
    migrate(engine)
    start = time.perf_counter()
    with engine.begin() as connection:
        for table, rows in _rows(documents).items():
            for chunk in range(0, len(rows), 5000):
                connection.execute(insert(table.__table__), rows[chunk:chunk + 5000])
        if engine.dialect.name == "postgresql":
            # Ids were given explicitly: move the sequences past them.
            for table in (Document, Stakeholder, Version, Response, Amendment, Hunk, Citation):
                name = table.__tablename__
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                        f"(SELECT max(id) FROM {name}))"))
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    engine.dispose()
    return time.perf_counter() - start


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def measure(url: str, documents: int) -> tuple[float, float, list[str]]:
    """(p95 of a filtered amendment page, p95 of a provision's cross-references, EXPLAIN lines)."""
    settings = Settings(database_url=url)
    app = create_app(settings)
    rng = random.Random(10)
    captured: list[tuple[str, object]] = []
    with TestClient(app) as client:
        engine = app.state.database.engine

        def page() -> str:
            return (f"/api/documents/document-{rng.randint(1, documents)}/amendments"
                    f"?category={rng.choice(CATEGORIES)}&status={rng.choice(STATUSES)}&limit=20")

        def xref() -> str:
            return f"/api/documents/document-{rng.randint(1, documents)}/provisions/reg-{rng.randint(1, 30)}"

        timings = {}
        for name, url_of in (("page", page), ("xref", xref)):
            for _ in range(20):  # warm up connections and caches
                client.get(url_of())
            samples = []
            for _ in range(SAMPLES):
                target = url_of()
                start = time.perf_counter()
                response = client.get(target)
                samples.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {target}: {response.status_code} {response.text[:200]}")
            timings[name] = _p95(samples)

        def capture(conn, cursor, statement, parameters, context, executemany) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                captured.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", capture)
        client.get(f"/api/documents/document-7/amendments?category={CATEGORIES[0]}&status=proposed&limit=20")
        client.get("/api/documents/document-7/provisions/reg-3")
        event.remove(engine, "before_cursor_execute", capture)
        plans = _explain(engine, captured)
    return timings["page"], timings["xref"], plans


def _explain(engine, statements: list[tuple[str, object]]) -> list[str]:
    """The plan of every distinct statement that touches amendments or cross-references."""
    lines = []
    seen = set()
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as connection:
        for statement, parameters in statements:
            if statement in seen or not any(t in statement for t in ("amendment", "hunk_provision", "citation")):
                continue
            seen.add(statement)
            result = connection.exec_driver_sql(prefix + statement, parameters)
            plan = [" | ".join(str(c) for c in row[-1:]) for row in result]
            lines.append("  " + " ".join(statement.split())[:160])
            lines.extend(f"      {step}" for step in plan)
    return lines


def _postgres():
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from pg import PostgresServer, find_bindir  # the test suite's throwaway-server helper

    bindir = find_bindir()
    if bindir is None:
        return None
    server = PostgresServer(bindir).start()
    return server


def run(documents: int = DOCUMENTS) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    report: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        backends = [("SQLite", f"sqlite:///{tmp}/bench.sqlite", None)]
        server = _postgres()
        if server is not None:
            server.create_database("bench")
            backends.append(("PostgreSQL", server.url("bench"), server))
        try:
            for name, url, _ in backends:
                seconds = load(url, documents)
                page, xref, plans = measure(url, documents)
                scale = (f"{documents} docs, {documents * VERSIONS_PER_DOCUMENT} versions, "
                         f"{documents * AMENDMENTS_PER_DOCUMENT} amendments")
                rows.append(Row("listing", f"{name}: filtered amendment page, p95 ({scale})", page,
                                note=f"bulk load {seconds:.1f} s"))
                rows.append(Row("listing", f"{name}: provision cross-references, p95", xref))
                report.append(f"EXPLAIN on {name}:")
                report.extend(plans)
        finally:
            if server is not None:
                server.stop()
    return rows, report
