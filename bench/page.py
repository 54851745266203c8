"""Target 4 of issue 17: the compare page (the reviewer's redline, with the page around
it) of two stored versions of a 1 MB and a 5 MB uk-si document, through the whole HTTP
stack (a test client over the app and a SQLite file).

- *cold*: the first request in a process (structures from the store, the diff made,
  the page rendered);
- *warm*: the same page asked again, inline and side by side; then again after a
  write that does not change what the page shows (a stakeholder added): the page is
  kept by its comparison's content key, not by the document's generation;
- the page is checked to be the same whether made cold or kept, apart from the
  reader's own CSRF token.
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from bench.corpus import edit_lines, regulation_text
from bench.measure import Row, git_word_diff
from regdraft.api.app import create_app
from regdraft.services import comparisons, documents, renderings, structures
from regdraft.settings import Settings
from regdraft.store.engine import make_engine, migrate

_TOKEN = re.compile(r'name="csrf_token" value="[^"]*"')


def _median_get(client: TestClient, url: str, repeats: int) -> tuple[float, str]:
    times, body = [], ""
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:300]
        body = response.text
    return statistics.median(times), body


def run(sizes: list[int], repeats: int) -> list[Row]:
    rows, gits = [], {}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'page.db'}"
        engine = make_engine(url)
        migrate(engine)
        with Session(engine) as session:
            for size in sizes:
                text = regulation_text(size, seed=3)
                edited = edit_lines(text, 0.01)[0]
                gits[size] = git_word_diff(text, edited, folder, repeats)
                document = documents.create_document(session, slug=f"page-{size}", title="A long regulation",
                                                     actor="bench")
                documents.create_version(session, document, text=text, parent=None, author="bench", actor="bench")
                documents.create_version(session, document, text=edited, parent=1, author="bench", actor="bench")
            session.commit()
        app = create_app(Settings(database_url=url))
        with TestClient(app) as client:
            for size in sizes:
                label = f"{size / 1e6:.1f} MB uk-si, 1% of lines"
                page = f"/documents/page-{size}/compare?from=1&to=2"
                structures.MEMORY.clear()
                renderings.MEMORY.clear()
                comparisons.DIFFS.clear()
                cold, made = _median_get(client, page, 1)
                rows.append(Row("compare page", f"{label}: cold (first request)", cold, gits[size], "git word-diff"))
                warm, kept = _median_get(client, page, repeats * 5)
                assert _TOKEN.sub("", kept) == _TOKEN.sub("", made)
                rows.append(Row("compare page", f"{label}: warm", warm, gits[size], "git word-diff",
                                note=f"{len(kept.encode()) / 1e6:.1f} MB page; target: under 20 ms at 5 MB"))
                _median_get(client, page + "&view=side", 1)
                side, _ = _median_get(client, page + "&view=side", repeats * 5)
                rows.append(Row("compare page", f"{label}: warm, side by side", side))
                with Session(engine) as session:
                    documents.upsert_stakeholder(session, slug=f"unrelated-{size}", name="A write", actor="bench")
                    session.commit()
                after, _ = _median_get(client, page, 1)
                rows.append(Row("compare page", f"{label}: after an unrelated write", after,
                                note="kept by the comparison's content key"))
        engine.dispose()
    return rows
