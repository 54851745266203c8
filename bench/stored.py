"""The service's path on stored versions (issue 17): two versions of a document of each
kind in a SQLite file, compared as a request compares them.

- *cold, structures stored*: what another process (or this one after a restart) does on
  its first request: nothing in memory, each version's structure decoded from the store,
  the diff made, rendered as html and as json (and as each alone, as a first request
  for one form makes it);
- *cold, nothing kept*: the same with no stored structure, so both texts are parsed (the
  path before structures were kept, measured in the same run);
- *revalidation*: a request whose ``If-None-Match`` is current, after a write: the
  comparison planned from content hashes and its ETag compared, no diff;
- *warm*: html, json and the compare page's diff of a comparison already made (one
  kept diff, each form rendered from it).

Each case's diff is checked to be the one the whole computation gives (provisions
aligned, and where nothing moved the whole text's word diff), and the peer is git's
word diff of the same two texts.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlmodel import Session, delete

from bench.corpus import KIND_TEXTS, edit_lines, insert_regulation, move_block
from bench.measure import Row, git_word_diff, median_time
from regdraft.core.diffing import diff_texts
from regdraft.core.history import Step, diff_steps, version_source
from regdraft.services import comparisons, documents, rendering, renderings, structures
from regdraft.store.engine import make_engine, migrate
from regdraft.store.models import VersionStructure


def _cases(kind: str, text: str) -> list[tuple[str, str]]:
    cases = [("1% of lines", edit_lines(text, 0.01)[0]), ("10% of lines", edit_lines(text, 0.1)[0])]
    if kind == "uk-si":  # the moved block and the inserted regulation are cut at uk-si headings
        cases += [("moved block", move_block(text)), ("inserted regulation", insert_regulation(text))]
    return cases


def _forget() -> None:
    structures.MEMORY.clear()
    renderings.MEMORY.clear()
    comparisons.DIFFS.clear()


def _cold(session: Session, document, number: int, formats: tuple[str, ...] = ("html", "json")) -> None:
    _forget()
    comparison = comparisons.compare_versions(session, document, number, number + 1)
    for form in formats:
        rendering.render_utf8(comparison, form)


def run(sizes: list[int], repeats: int) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp, 'stored.db')}")
        migrate(engine)
        try:
            with Session(engine) as session:
                for size in sizes:
                    for kind, make in KIND_TEXTS.items():
                        rows += _kind_rows(session, tmp, kind, make(size, size), repeats)
        finally:
            engine.dispose()
    _forget()
    return rows


def _kind_rows(session: Session, tmp: str, kind: str, text: str, repeats: int) -> list[Row]:
    rows = []
    size = len(text.encode()) / 1e6
    document = documents.create_document(session, slug=f"{kind}-{int(size * 10)}", title=kind, kind=kind,
                                         actor="bench")
    documents.create_version(session, document, text=text, parent=None, author="bench", actor="bench")
    number = 1
    for case, new in _cases(kind, text):
        # Each case is version N → N+1: the old text is stored again as N after the one before.
        if number > 1:
            documents.create_version(session, document, text=text, parent=number, author="bench", actor="bench")
            number += 1
        documents.create_version(session, document, text=new, parent=number, author="bench", actor="bench")
        session.commit()
        _forget()
        made = comparisons.compare_versions(session, document, number, number + 1)
        source = version_source(number + 1)
        assert made.diff == diff_texts(text, new, kind, source=source), f"{kind} {case}"
        if case != "moved block":  # where nothing moved, the aligned diff is the whole text's
            assert made.diff == diff_steps(text, [Step(new, source)], kind), f"{kind} {case}"
        git = git_word_diff(text, new, tmp, repeats)
        label = f"{size:.1f} MB {kind}, {case}"
        stored = median_time(lambda: _cold(session, document, number), repeats)
        rows.append(Row("stored versions", f"{label}: cold, structures stored (html + json)", stored, git,
                        "git word-diff"))
        for form in ("html", "json"):  # a first request asks for one form
            alone = median_time(lambda: _cold(session, document, number, (form,)), repeats)
            rows.append(Row("stored versions", f"{label}: cold, structures stored ({form} alone)", alone, git,
                            "git word-diff"))
        kept = session.exec(VersionStructure.__table__.select()).all()
        session.execute(delete(VersionStructure))
        parsed = median_time(lambda: _cold(session, document, number), repeats)
        session.rollback()  # the stored structures back
        assert len(session.exec(VersionStructure.__table__.select()).all()) == len(kept)
        rows.append(Row("stored versions", f"{label}: cold, nothing kept (html + json)", parsed, git,
                        "git word-diff", note=f"{parsed / stored:.1f}× the stored path"))
        plan = comparisons.plan_versions(session, document, number, number + 1)
        tag = rendering.etag_of(plan, "html")
        documents.upsert_stakeholder(session, slug=f"unrelated-{number}", name="A write", actor="bench")
        session.commit()
        _forget()
        assert rendering.etag_of(comparisons.plan_versions(session, document, number, number + 1), "html") == tag
        revalidate = median_time(lambda: rendering.etag_of(
            comparisons.plan_versions(session, document, number, number + 1), "html"), repeats * 5)
        rows.append(Row("stored versions", f"{label}: revalidation after a write (304, no diff)", revalidate,
                        note="plan from content hashes; ETag equal"))
        _cold(session, document, number)

        def warm() -> None:
            comparison = comparisons.compare_versions(session, document, number, number + 1)
            rendering.render_utf8(comparison, "html")
            rendering.render_utf8(comparison, "json")

        rows.append(Row("stored versions", f"{label}: warm (html + json of one kept diff)",
                        median_time(warm, repeats), git, "git word-diff"))
        number += 1
    return rows
