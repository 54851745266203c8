"""A redline's first request in a fresh process, to compare two commits back to back
under the same load (docs/performance.md):

    PYTHONPATH=<tree>/src python -m bench.first_request load /tmp/first.db 1000000
    PYTHONPATH=<tree>/src python -m bench.first_request time /tmp/first.db

``load`` stores the generated regulation and a version with 1% of its lines changed in
a new SQLite file (with that tree's code, so with or without kept structures); ``time``,
in a new process, times ``compare_versions`` with the html rendering, then the json
form of the same comparison, as a second request would ask for it.
"""

from __future__ import annotations

import sys
import time

from sqlmodel import Session

from bench.corpus import edit_lines, regulation_text
from regdraft.services import comparisons, documents, rendering
from regdraft.store.engine import make_engine, migrate


def load(database: str, size: int) -> None:
    engine = make_engine(f"sqlite:///{database}")
    migrate(engine)
    text = regulation_text(size)
    with Session(engine) as session:
        document = documents.create_document(session, slug="first", title="First request", actor="bench")
        documents.create_version(session, document, text=text, parent=None, author="bench", actor="bench")
        documents.create_version(session, document, text=edit_lines(text, 0.01)[0], parent=1, author="bench",
                                 actor="bench")
        session.commit()


def first_requests(database: str) -> str:
    with Session(make_engine(f"sqlite:///{database}")) as session:
        document = documents.get_document(session, "first")
        started = time.perf_counter()
        rendering.render_utf8(comparisons.compare_versions(session, document, 1, 2), "html")
        html = time.perf_counter()
        rendering.render_utf8(comparisons.compare_versions(session, document, 1, 2), "json")
        done = time.perf_counter()
    return f"first html {(html - started) * 1000:.0f} ms, then json {(done - html) * 1000:.0f} ms"


if __name__ == "__main__":
    if sys.argv[1] == "load":
        load(sys.argv[2], int(sys.argv[3]))
    else:
        print(first_requests(sys.argv[2]))
