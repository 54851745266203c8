"""Dependencies shared by the routes: the database session (one request, one
transaction), the principal (who the bearer token says is acting), the document named
in the path, and pagination."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from threading import Lock
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from regdraft.api.schemas import MAX_NUMBER
from regdraft.core.errors import InvalidInput, MalformedRequest, Unauthenticated
from regdraft.services import documents, tokens
from regdraft.services.amendments import MAX_NAMED, check_named
from regdraft.services.auth import ANONYMOUS, Principal, require_token
from regdraft.services.structures import WRITE_ASIDE
from regdraft.store.models import Document

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from regdraft.settings import Settings

MAX_LIMIT = 200
DEFAULT_LIMIT = 50


class Database:
    """The app's engine, built on first use (by the lifespan at startup, or by the first
    request where the lifespan did not run), never at import."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._engine: Engine | None = None
        self._lock = Lock()
        #: SQLite has one writer at a time. Its busy handler makes waiting writers
        #: poll with growing sleeps, so under load one can starve past the busy timeout
        #: while others keep taking the lock; writers of this process queue here instead,
        #: and SQLite's own lock only arbitrates between processes (a CLI beside the server).
        self.sqlite_writers = Lock()
        #: Writing transactions open now: what a test watches to see which work is done
        #: while the write lock is held (the heavy work of a change is done before it).
        self.writing = 0

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    from regdraft.store.engine import make_engine

                    self._engine = make_engine(self.settings.database_url)
        return self._engine

    def migrate(self) -> None:
        from regdraft.store.engine import migrate

        migrate(self.engine)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


@contextmanager
def transaction(database: Database, *, writing: bool) -> Iterator[Session]:
    """A session in one transaction: committed when the block ends, rolled back when it
    raises. Services only flush. On SQLite a writing transaction queues on
    ``database.sqlite_writers`` and takes the write lock at its first statement; a
    reading one takes neither."""
    engine = database.engine
    sqlite = engine.dialect.name == "sqlite"
    with ExitStack() as stack:
        if sqlite and writing:
            stack.enter_context(database.sqlite_writers)
        # Reads need not take SQLite's write lock (the engine begins IMMEDIATE by
        # default), so they run alongside a writer: every transaction of a reading
        # session begins DEFERRED, a second one too (a route that ends its reading
        # transaction before it writes, then reads an expired attribute).
        session = stack.enter_context(Session(engine.execution_options(sqlite_begin="DEFERRED")
                                              if sqlite and not writing else engine))
        if writing:
            stack.enter_context(_counted(database))
        else:
            session.info[WRITE_ASIDE] = partial(_write_aside, database)
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        else:
            session.commit()


@contextmanager
def _counted(database: Database) -> Iterator[None]:
    with database._lock:
        database.writing += 1
    try:
        yield
    finally:
        with database._lock:
            database.writing -= 1


def _write_aside(database: Database, work: Callable[[Session], None]) -> None:
    """Run ``work`` in a short writing transaction beside a reading one (a reading
    session's :data:`~regdraft.services.structures.WRITE_ASIDE`), for what a read finds
    worth keeping and may as well not keep: skipped when this process's writers hold
    SQLite's lock, or the store refuses."""
    sqlite = database.engine.dialect.name == "sqlite"
    if sqlite and not database.sqlite_writers.acquire(blocking=False):
        return
    try:
        with Session(database.engine) as writer:
            work(writer)
            writer.commit()
    except OperationalError:
        pass  # locked by another process, or the like: a later read keeps it
    finally:
        if sqlite:
            database.sqlite_writers.release()


#: Endpoints whose session only reads: those that read and compute before they write
#: (:func:`writes_in_route`), and reads by POST (:func:`reads_by_post`).
_READING_SESSION: set = set()


def writes_in_route(endpoint):
    """Mark a changing endpoint whose work is heavy (proposing: applying the patch,
    reading provisions, anchoring citations in long responses): its ``SessionDep`` only
    reads, so that work is done without the write lock, and the route opens the
    writing transaction itself (:func:`write_transaction`) for the few statements that
    store the result. GET routes never write."""
    _READING_SESSION.add(endpoint)
    return endpoint


def reads_by_post(endpoint):
    """Mark a POST endpoint that only reads (a preview of a change): its ``SessionDep``
    reads, and never takes the write lock."""
    _READING_SESSION.add(endpoint)
    return endpoint


def write_transaction(request: Request):
    """The writing transaction of a :func:`writes_in_route` endpoint."""
    return transaction(request.app.state.database, writing=True)


def get_session(request: Request) -> Iterator[Session]:
    """A session for the request (:func:`transaction`): writing unless the request is a
    GET or HEAD, or its endpoint writes in the route or reads by POST. ``scope="function"`` (below) makes
    the commit happen before the response is sent, so a failed commit is an error
    response, not a success that did not happen."""
    route = request.scope.get("route")
    writing = (request.method not in ("GET", "HEAD")
               and getattr(route, "endpoint", None) not in _READING_SESSION)
    with transaction(request.app.state.database, writing=writing) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


# Declared on the routes that change something (get_writer), so the OpenAPI document
# says those need a token and reads do not; get_principal reads the header itself, to
# tell a missing token from a malformed one.
_bearer = HTTPBearer(auto_error=False, scheme_name="bearer",
                     description="An API token from `regdraft token create` (see docs/security.md)")
#: Query parameters that would carry a token in a URL, where logs and browser history
#: keep it: refused outright rather than ignored, so the mistake is seen.
QUERY_TOKEN_NAMES = frozenset({"access_token", "token", "api_key", "apikey", "bearer", "authorization"})


def get_principal(request: Request, session: SessionDep) -> Principal:
    """Who is acting: the holder of the bearer token, or anonymous when none is sent.
    A token that is unknown, revoked, malformed or sent in the query string is a 401,
    on every route; two ``Authorization`` headers are a 400."""
    if any(name.lower() in QUERY_TOKEN_NAMES for name in request.query_params):
        raise Unauthenticated("tokens are accepted only in the Authorization header, never in the query string")
    sent = request.headers.getlist("authorization")
    if len(sent) > 1:
        raise MalformedRequest(f"the Authorization header is sent {len(sent)} times: send one token, once")
    if not sent:
        return ANONYMOUS
    header = sent[0]
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    return tokens.authenticate(session, secret.strip())


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_writer(principal: PrincipalDep,
               _declared: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    """The principal of a change: anonymous requests stop here, before their body is
    read. What the token may change is for the route to ask ``services.auth``."""
    require_token(principal)
    return principal


WriterDep = Annotated[Principal, Depends(get_writer)]


def get_document(doc: Annotated[str, Path(description="The document's slug",
                                           examples=["children-social-care-delegation"])],
                 session: SessionDep) -> Document:
    return documents.get_document(session, doc)


DocumentDep = Annotated[Document, Depends(get_document)]

VersionNumber = Annotated[int, Path(ge=1, le=MAX_NUMBER, description="Version number (from 1)")]
AmendmentSlug = Annotated[str, Path(description="The amendment's slug", examples=["profit-ban"])]
Offset = Annotated[int, Query(ge=0, le=MAX_NUMBER, description="How many items to skip")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size (at most {MAX_LIMIT})")]


def page(items: list, offset: int, limit: int) -> list:
    """A page of a list the service returned whole."""
    return items[offset:offset + limit]


#: The longest comma-separated list of amendment slugs a query may hold: as many slugs
#: as a request may name (``MAX_NAMED``), each of the longest length, with ", " between.
MAX_SLUG_LIST_CHARS = MAX_NAMED * (80 + 2)
#: A list naming at least one amendment has something other than commas and blanks
#: (stated in the contract; the route says what is wrong, as ``invalid-input``).
SLUG_LIST = {"pattern": r"[^\s,]"}


def slug_list(value: str | None) -> list[str]:
    """``"a, b,c"`` → ``["a", "b", "c"]`` (a query parameter naming amendments): at most
    ``MAX_NAMED`` slugs, none twice (422 otherwise)."""
    if value is None:
        return []
    return check_named([part.strip() for part in value.split(",") if part.strip()])


def parse_if_match(value: str | None) -> int | None:
    """The revision in an ``If-Match: "3"`` header (weak or strong), or ``None``."""
    if value is None or value.strip() == "*":
        return None
    tag = value.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    tag = tag.strip('"')
    if not tag.isdigit():
        raise InvalidInput(f"If-Match {value!r} is not an amendment revision such as \"3\"", field="If-Match")
    return int(tag)
