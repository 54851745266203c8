"""Search at the listing benchmark's scale (bench/listing.py: 1000 documents, 20 000
versions, 50 000 amendments, 2 000 responses), on SQLite (FTS5) and PostgreSQL
(tsvector/GIN, a throwaway server from tests/pg.py).

The rows are bulk-loaded as the listing benchmark loads them, then indexed by
``services.search.rebuild`` (what migration 0008 runs on a database that already has
data). Requests go through the whole HTTP stack (``GET /api/search``, TestClient); each
case is the p95 of 200 requests after 20 to warm up, one random document or word each
time. The cases:

- a document's text, head only: ``q=heading&document=document-N&version=head``
  (30 hits a document);
- a document, every version and kind, two words: ``q=version N&document=...``
  (the provision texts of version N, 30 a document);
- across every document, one kind and a stakeholder: ``q=support&kind=response&stakeholder=...``;
- across every document, a word in every amendment, first page: ``q=amendment&kind=amendment``
  (50 000 hits ranked: the worst case, a word that says nothing).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time

from fastapi.testclient import TestClient
from sqlalchemy import text

from bench import listing
from bench.measure import Row
from regdraft.api.app import create_app
from regdraft.services.search import rebuild
from regdraft.settings import Settings
from regdraft.store.engine import make_engine

SAMPLES = 200


def index(url: str) -> tuple[float, int]:
    """Build the index from the loaded rows; (seconds, rows indexed)."""
    engine = make_engine(url)
    start = time.perf_counter()
    with engine.begin() as connection:
        rows = rebuild(connection)
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    engine.dispose()
    return time.perf_counter() - start, rows


def measure(url: str, documents: int) -> dict[str, float]:
    rng = random.Random(11)
    cases = {
        "a document's head text": lambda: {"q": "heading", "document": f"document-{rng.randint(1, documents)}",
                                           "version": "head"},
        "a document, every version, two words": lambda: {
            "q": f"version {rng.randint(1, listing.VERSIONS_PER_DOCUMENT)}",
            "document": f"document-{rng.randint(1, documents)}"},
        "every document: responses of a stakeholder": lambda: {
            "q": "support", "kind": "response", "stakeholder": f"stakeholder-{rng.randint(1, listing.STAKEHOLDERS)}"},
        "every document: a word in every amendment, page 1": lambda: {"q": "amendment", "kind": "amendment"},
    }
    timings = {}
    with TestClient(create_app(Settings(database_url=url))) as client:
        for name, params_of in cases.items():
            for _ in range(20):
                client.get("/api/search", params=params_of())
            samples = []
            for _ in range(SAMPLES):
                params = params_of()
                start = time.perf_counter()
                response = client.get("/api/search", params=params)
                samples.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise RuntimeError(f"GET /api/search {params}: {response.status_code} {response.text[:200]}")
            timings[name] = statistics.quantiles(samples, n=20)[-1]
    return timings


def run(documents: int = listing.DOCUMENTS) -> list[Row]:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        backends = [("SQLite", f"sqlite:///{tmp}/bench.sqlite", None)]
        server = listing._postgres()
        if server is not None:
            server.create_database("bench")
            backends.append(("PostgreSQL", server.url("bench"), server))
        try:
            for name, url, _ in backends:
                listing.load(url, documents)
                seconds, indexed = index(url)
                scale = (f"{documents} docs, {documents * listing.VERSIONS_PER_DOCUMENT} versions, "
                         f"{documents * listing.AMENDMENTS_PER_DOCUMENT} amendments")
                for number, (case, p95) in enumerate(measure(url, documents).items()):
                    note = f"index of {indexed} rows built in {seconds:.1f} s" if number == 0 else ""
                    rows.append(Row("search", f"{name}: {case}, p95" + (f" ({scale})" if number == 0 else ""),
                                    p95, note=note))
        finally:
            if server is not None:
                server.stop()
    return rows


if __name__ == "__main__":
    import sys

    from bench.__main__ import table

    print(table(run(int(sys.argv[1]) if len(sys.argv) > 1 else listing.DOCUMENTS)))
