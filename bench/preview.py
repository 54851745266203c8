"""``POST …/amendments/preview`` through the whole HTTP stack (a test client over the app
and a SQLite file), beside proposing the same body:

- the worked case (``drafts/`` and ``amendments/`` loaded), the example request of
  ``api/examples/bodies/propose-amendment.json``: a new regulation on version 1, so the
  preview applies it to the head too;
- a 1 MB uk-si text: one word changed in regulation 40 of version 1, with a version 2
  that changed 1% of the lines (so the head trial is fuzzy-free but shifted), previewed
  on version 1 and on the head.

    python -m bench.preview
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from bench.corpus import edit_lines, regulation_text
from bench.measure import Row
from bench.serving import ROOT, load_worked_case
from regdraft.api.app import create_app
from regdraft.services import documents, tokens
from regdraft.settings import Settings
from regdraft.store.engine import make_engine, migrate

EXAMPLE = ROOT / "api" / "examples" / "bodies" / "propose-amendment.json"


def _median_post(client: TestClient, url: str, bodies, status: int) -> tuple[float, dict]:
    times, answer = [], {}
    for body in bodies:
        started = time.perf_counter()
        response = client.post(url, json=body)
        times.append(time.perf_counter() - started)
        assert response.status_code == status, response.text[:300]
        answer = response.json()
    return statistics.median(times), answer


def _rows(client: TestClient, doc: str, body: dict, label: str, repeats: int) -> list[Row]:
    url = f"/api/documents/{doc}/amendments"
    preview, answer = _median_post(client, url + "/preview", [body] * repeats, 200)
    proposed, _ = _median_post(client, url, [{**body, "slug": f"{body['slug']}-{n}"} for n in range(repeats)], 201)
    on_head = answer["on_head"]
    note = (f"{len(json.dumps(answer)) / 1e3:.0f} kB answer; on the head: "
            f"{', '.join(h['status'] for h in on_head['hunks']) if on_head else 'the base is the head'}")
    return [Row("preview", f"{label}: preview", preview, proposed, "proposing", note=note)]


def run(repeats: int = 5) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        url = load_worked_case(folder)
        engine = make_engine(url)
        with Session(engine) as session:
            secret = tokens.create_token(session, role="admin", name="bench", actor="bench").secret
            session.commit()
        with TestClient(create_app(Settings(database_url=url)), headers={"Authorization": f"Bearer {secret}"}) as c:
            rows += _rows(c, "children-social-care-delegation", json.loads(EXAMPLE.read_text()),
                          "worked case, a new regulation on version 1", repeats)
        engine.dispose()

        url = f"sqlite:///{Path(folder) / 'long.db'}"
        engine = make_engine(url)
        migrate(engine)
        text = regulation_text(1_000_000, seed=3)
        with Session(engine) as session:
            document = documents.create_document(session, slug="long", title="A long regulation", actor="bench")
            documents.create_version(session, document, text=text, parent=None, author="bench", actor="bench")
            documents.create_version(session, document, text=edit_lines(text, 0.01)[0], parent=1, author="bench",
                                     actor="bench")
            documents.upsert_stakeholder(session, slug="adcs", name="ADCS", actor="bench")
            secret = tokens.create_token(session, role="admin", name="bench", actor="bench").secret
            session.commit()
        start = text.index("### 40.")
        word = text.index(" the ", start)
        edited = text[:word] + " every " + text[word + len(" the "):]
        head_text = edit_lines(text, 0.01)[0]
        head_word = head_text.index(" the ", head_text.index("### 40."))
        on_head = head_text[:head_word] + " every " + head_text[head_word + len(" the "):]
        with TestClient(create_app(Settings(database_url=url)), headers={"Authorization": f"Bearer {secret}"}) as c:
            body = {"slug": "one-word", "title": "One word", "proposer": "adcs", "categories": ["housing"]}
            rows += _rows(c, "long", {**body, "base": 1, "new_text": edited},
                          f"{len(text.encode()) / 1e6:.1f} MB uk-si, one word, on version 1", repeats)
            rows += _rows(c, "long", {**body, "slug": "on-head", "base": 2, "new_text": on_head},
                          f"{len(text.encode()) / 1e6:.1f} MB uk-si, one word, on the head", repeats)
        engine.dispose()
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row.case}: preview {row.ours * 1000:.0f} ms, proposing {row.peer * 1000:.0f} ms ({row.note})")
