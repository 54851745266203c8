"""Golden renderings of the worked case (drafts/ and amendments/children-social-care-delegation),
loaded into a real SQLite database as `regdraft load` loads it: every format of

- each amendment against its own base (version 1, or 2 for the three made against it);
- version 1 against versions 2 and 3 (changes attributed along the chain);
- the Keeling schedule of version 1 with the accepted amendments, and with every
  amendment made against version 1 (rejected ones too, so its conflicts are stated).

The files under tests/golden/render/<case>/ were reviewed by eye. After a deliberate
change, `REGDRAFT_UPDATE_GOLDEN=1` rewrites them (and removes cases that are gone), for
the diff to be reviewed again. The renderings are the same on PostgreSQL (the API tests
run both); SQLite keeps this quick.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from regdraft.core.instructions import parse
from regdraft.files.loader import load
from regdraft.services import comparisons, documents, rendering
from regdraft.services.comparisons import Comparison
from regdraft.store.engine import make_engine, migrate, session_scope
from regdraft.store.models import Amendment, Version

ROOT = Path(__file__).resolve().parents[2]
DOC = "children-social-care-delegation"
GOLDEN = ROOT / "tests" / "golden" / "render"
UPDATE = os.environ.get("REGDRAFT_UPDATE_GOLDEN") == "1"
FILES = {"html": "page.html", "fragment": "fragment.html", "criticmarkup": "criticmarkup.md",
         "unified": "unified.diff", "json": "rendering.json", "instructions": "instructions.md"}
AMENDMENTS = sorted(p.stem for p in (ROOT / "amendments" / DOC).glob("*.md"))

pytestmark = pytest.mark.skipif(not AMENDMENTS, reason=f"the worked case amendments/{DOC} is not in the tree")

Case = Callable[[Session], tuple[rendering.Rendered, str]]
"""What to render, and the page title the API gives it."""


def _amendment(slug: str) -> Case:
    def make(session: Session) -> tuple[rendering.Rendered, str]:
        document = documents.get_document(session, DOC)
        return rendering.amendment_redline(session, document, slug), f"{document.title}: amendment {slug}"
    return make


def _versions(old: int, new: int) -> Case:
    def make(session: Session) -> tuple[rendering.Rendered, str]:
        document = documents.get_document(session, DOC)
        return comparisons.compare_versions(session, document, old, new), f"{document.title}: redline"
    return make


def _keeling(*statuses: str) -> Case:
    """Version 1 with its amendments of these statuses, in the order they were proposed."""
    def make(session: Session) -> tuple[rendering.Rendered, str]:
        document = documents.get_document(session, DOC)
        slugs = session.exec(select(Amendment.slug).join(Version, Amendment.base_version_id == Version.id).where(
            Amendment.document_id == document.id, Version.number == 1, Amendment.status.in_(statuses))
            .order_by(Amendment.created_at, Amendment.id)).all()
        return rendering.keeling_schedule(session, document, 1, list(slugs)), ""
    return make


CASES: dict[str, Case] = {
    **{f"amendment-{slug}": _amendment(slug) for slug in AMENDMENTS},
    "versions-1-2": _versions(1, 2),
    "versions-1-3": _versions(1, 3),
    "keeling-1-accepted": _keeling("accepted"),
    "keeling-1-all": _keeling("draft", "proposed", "accepted", "rejected", "withdrawn"),
}


@pytest.fixture(scope="module")
def worked_case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('golden') / 'worked.sqlite'}")
    migrate(engine)
    with session_scope(engine) as session:
        load(session, ROOT, actor="golden")
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.mark.parametrize("case", CASES)
def test_golden_rendering(worked_case: Session, case: str):
    subject, title = CASES[case](worked_case)
    folder = GOLDEN / case
    stale = []
    for format, name in FILES.items():
        got = rendering.render(subject, format, title=title)
        assert rendering.render_utf8(subject, format, title=title) == got.encode(), format  # what a response sends
        golden = folder / name
        if UPDATE:
            folder.mkdir(parents=True, exist_ok=True)
            golden.write_text(got, encoding="utf-8")
        assert golden.exists(), f"{golden} is missing: run with REGDRAFT_UPDATE_GOLDEN=1 and review it"
        if got != golden.read_text(encoding="utf-8"):
            stale.append(name)
    assert not stale, f"{case}: {', '.join(stale)} differ from the golden files (REGDRAFT_UPDATE_GOLDEN=1 rewrites)"
    # The golden instructions are a faithful description of the change: they parse back to it.
    comparison = subject.comparison if isinstance(subject, rendering.KeelingSchedule) else subject
    assert isinstance(comparison, Comparison)
    assert parse((folder / FILES["instructions"]).read_text(encoding="utf-8"), comparison.old_text) == \
        comparison.new_text


def test_no_golden_case_is_left_over():
    leftover = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir() and p.name not in CASES) \
        if GOLDEN.is_dir() else []
    if UPDATE:
        for name in leftover:
            shutil.rmtree(GOLDEN / name)
        leftover = []
    assert not leftover, f"golden cases no longer rendered: {leftover} (REGDRAFT_UPDATE_GOLDEN=1 removes them)"


def _selects(session: Session, case: str) -> tuple[rendering.KeelingSchedule, list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        schedule, _ = CASES[case](session)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return schedule, statements


def test_a_keeling_schedule_takes_as_many_queries_for_ten_amendments_as_for_one(worked_case: Session):
    """Amendments, hunks, citations and stakeholders are read for all the amendments at
    once: a consultation has hundreds, and a query per amendment (or per citation) made
    an uncached schedule of the worked case cost 97 queries."""
    one, one_statements = _selects(worked_case, "keeling-1-accepted")
    ten, ten_statements = _selects(worked_case, "keeling-1-all")
    assert len(one.notes) == 1 and len(ten.notes) == 10
    assert sum(len(note.citations) for note in ten.notes) > 30
    assert len(ten_statements) == len(one_statements) <= 15
