"""Invariants the schema enforces by itself (models.py), on both backends, plus the
engine settings they rely on (SQLite pragmas, BEGIN IMMEDIATE) and the ``session``
fixture's isolation."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from regdraft.settings import Settings, get_settings
from regdraft.store.engine import make_engine, migrate, session_scope
from regdraft.store.models import Amendment, Document, Stakeholder, Version


def add_document(session: Session, slug: str = "doc") -> Document:
    document = Document(slug=slug, title=f"Document {slug}")
    session.add(document)
    session.flush()
    return document


def add_stakeholder(session: Session, slug: str = "adcs") -> Stakeholder:
    stakeholder = Stakeholder(slug=slug, name=f"Stakeholder {slug}")
    session.add(stakeholder)
    session.flush()
    return stakeholder


def add_version(session: Session, document: Document, number: int, parent: Version | None = None,
                produced_by: Amendment | None = None) -> Version:
    version = Version(document_id=document.id, number=number, parent_id=parent.id if parent else None,
                      author="tester", content_hash=f"{number:064d}", text=f"Text {number}\n",
                      produced_by_id=produced_by.id if produced_by else None)
    session.add(version)
    session.flush()
    return version


def add_amendment(session: Session, document: Document, base: Version, proposer: Stakeholder,
                  slug: str = "change") -> Amendment:
    amendment = Amendment(document_id=document.id, slug=slug, title=f"Amendment {slug}", proposer_id=proposer.id,
                          status="proposed", patch_text="", base_version_id=base.id, base_hash=base.content_hash)
    session.add(amendment)
    session.flush()
    return amendment


@pytest.fixture
def history(session: Session) -> dict:
    """A document with version 1 and an amendment proposed against it."""
    document = add_document(session)
    proposer = add_stakeholder(session)
    v1 = add_version(session, document, 1)
    amendment = add_amendment(session, document, v1, proposer)
    return {"document": document, "proposer": proposer, "v1": v1, "amendment": amendment}


# --- the schema's invariants ------------------------------------------------------------


def test_version_numbers_are_unique_per_document(session: Session, history: dict):
    with pytest.raises(IntegrityError):
        add_version(session, history["document"], 1)


def test_the_same_number_in_another_document_is_fine(session: Session, history: dict):
    other = add_document(session, "other")
    add_version(session, other, 1)


def test_a_version_has_at_most_one_child(session: Session, history: dict):
    add_version(session, history["document"], 2, parent=history["v1"])
    with pytest.raises(IntegrityError):
        add_version(session, history["document"], 3, parent=history["v1"])


def test_a_version_is_produced_by_an_amendment_at_most_once(session: Session, history: dict):
    v2 = add_version(session, history["document"], 2, parent=history["v1"], produced_by=history["amendment"])
    with pytest.raises(IntegrityError):
        add_version(session, history["document"], 3, parent=v2, produced_by=history["amendment"])


def test_amendment_slugs_are_unique_per_document(session: Session, history: dict):
    with pytest.raises(IntegrityError):
        add_amendment(session, history["document"], history["v1"], history["proposer"], slug="change")


def test_the_same_amendment_slug_in_another_document_is_fine(session: Session, history: dict):
    other = add_document(session, "other")
    base = add_version(session, other, 1)
    add_amendment(session, other, base, history["proposer"], slug="change")


def test_document_slugs_are_unique(session: Session, history: dict):
    with pytest.raises(IntegrityError):
        add_document(session, "doc")


def test_foreign_keys_are_enforced(session: Session):
    document = add_document(session)
    with pytest.raises(IntegrityError):
        session.add(Version(document_id=document.id + 1000, number=1, author="x", content_hash="0" * 64, text=""))
        session.flush()


def test_produced_by_must_name_an_existing_amendment(session: Session, history: dict):
    with pytest.raises(IntegrityError):
        session.add(Version(document_id=history["document"].id, number=2, parent_id=history["v1"].id, author="x",
                            content_hash="0" * 64, text="", produced_by_id=history["amendment"].id + 1000))
        session.flush()


def test_datetimes_come_back_aware_utc(session: Session, history: dict):
    session.expire_all()
    version = session.get(Version, history["v1"].id)
    assert version.created_at.utcoffset() is not None and version.created_at.utcoffset().total_seconds() == 0


# --- the session fixture ----------------------------------------------------------------


def test_session_commits_stay_inside_the_test(session: Session, engine: Engine):
    session.add(Stakeholder(slug="committed-in-test", name="x"))
    session.commit()
    assert session.exec(select(Stakeholder).where(Stakeholder.slug == "committed-in-test")).one()
    # Another connection does not see it: the fixture's outer transaction never commits.
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as other:
        assert other.execute(text("SELECT count(*) FROM stakeholder WHERE slug = 'committed-in-test'")).scalar() == 0


def test_session_commit_of_the_previous_test_is_gone(session: Session):
    assert session.exec(select(Stakeholder).where(Stakeholder.slug == "committed-in-test")).first() is None


def test_savepoints_recover_from_integrity_errors(session: Session, history: dict):
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            add_document(session, "doc")
    add_document(session, "after-the-error")
    session.commit()
    assert session.exec(select(func.count()).select_from(Document)).one() == 2


# --- engine settings --------------------------------------------------------------------


@pytest.fixture
def sqlite_engine(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'folder' / 'regdraft.sqlite'}")
    migrate(engine)
    yield engine
    engine.dispose()


def test_sqlite_connections_have_foreign_keys_and_wal(sqlite_engine: Engine):
    connections = [sqlite_engine.connect() for _ in range(3)]  # several pooled connections, not just one
    try:
        for connection in connections:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            connection.rollback()
    finally:
        for connection in connections:
            connection.close()


def test_sqlite_session_fixture_engine_has_foreign_keys_and_wal(session: Session, db_backend: str):
    if db_backend != "sqlite":
        assert session.connection().exec_driver_sql("SHOW TimeZone").scalar() == "UTC"
        return
    connection = session.connection()
    assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_sqlite_concurrent_writers_serialise(sqlite_engine: Engine):
    """Read-then-write transactions from many threads: with BEGIN IMMEDIATE they queue on
    the write lock instead of failing to upgrade a read lock ("database is locked")."""
    errors: list[BaseException] = []
    threads, rounds = 8, 15

    def writer(n: int) -> None:
        try:
            for i in range(rounds):
                with session_scope(sqlite_engine) as session:
                    count = session.exec(select(func.count()).select_from(Stakeholder)).one()
                    session.add(Stakeholder(slug=f"w{n}-{i}", name=str(count)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=writer, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    with session_scope(sqlite_engine) as session:
        names = sorted(int(s.name) for s in session.exec(select(Stakeholder)))
    # Each transaction saw every earlier commit: the counts are exactly 0..N-1.
    assert names == list(range(threads * rounds))


def test_session_scope_rolls_back_on_error(sqlite_engine: Engine):
    with pytest.raises(RuntimeError):
        with session_scope(sqlite_engine) as session:
            session.add(Stakeholder(slug="rolled-back", name="x"))
            session.flush()
            raise RuntimeError("boom")
    with session_scope(sqlite_engine) as session:
        assert session.exec(select(Stakeholder)).first() is None


def test_postgres_urls_use_psycopg3():
    engine = make_engine("postgresql://user:secret@db.example:5432/regdraft")
    try:
        assert engine.url.drivername == "postgresql+psycopg"
        assert engine.url.password == "secret"
        assert engine.pool._pre_ping
    finally:
        engine.dispose()


def test_default_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    for name in ("DATABASE_URL", "HOST", "PORT", "MAX_BODY_BYTES", "ROOT"):
        monkeypatch.delenv(f"REGDRAFT_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    settings = get_settings()
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'var' / 'regdraft.sqlite'}"
    assert (settings.host, settings.port, settings.max_body_bytes) == ("127.0.0.1", 8000, 10 * 1024 * 1024)
    assert settings.root == tmp_path.resolve() or settings.root.resolve() == tmp_path.resolve()
    monkeypatch.setenv("REGDRAFT_PORT", "9001")
    monkeypatch.setenv("REGDRAFT_DATABASE_URL", "postgresql://localhost/regdraft")
    assert (Settings().port, Settings().database_url) == (9001, "postgresql://localhost/regdraft")


# --- the fresh_database_url fixture -----------------------------------------------------

_fresh_urls: dict[str, str] = {}


@pytest.mark.parametrize("round_", [1, 2])
def test_fresh_database_is_migrated_empty_and_new_each_time(fresh_database_url: str, db_backend: str, round_: int):
    assert _fresh_urls.setdefault(f"{db_backend}-{round_}", fresh_database_url) == fresh_database_url
    assert len({url for key, url in _fresh_urls.items() if key.startswith(db_backend)}) == round_
    writer, reader = make_engine(fresh_database_url), make_engine(fresh_database_url)
    try:
        with session_scope(writer) as session:
            assert session.exec(select(func.count()).select_from(Document)).one() == 0
            add_document(session, f"fresh-{round_}")
        # Really committed: a second engine (as another process would) sees it.
        with session_scope(reader) as session:
            assert [d.slug for d in session.exec(select(Document))] == [f"fresh-{round_}"]
    finally:
        writer.dispose()
        reader.dispose()
