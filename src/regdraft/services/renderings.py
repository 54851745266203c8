"""A version's text rendered once, kept by what the rendering depends on.

A redline renders the merged text (the new text with what was deleted put back), and
most of it is the new text unchanged: rendering that again on every cold redline was
its largest cost. A version's rendering (``core.redline.render_text``: each piece of
the text between headings with its HTML, anchored) depends only on the text, the kind
it is read as (its provisions' ids), the parser and the renderer, so it is kept under
the key (content hash, kind, ``PARSER_VERSION``.``RENDERER_VERSION``.:data:`ENCODING`):

- in memory, in a bounded least-recently-used :data:`MEMORY` per process;
- in the store, in ``version_rendering`` (``store.models.VersionRendering``), written
  when a version is stored (``documents.create_version``), so another process, or this
  one after a restart, splices it without rendering it. ``regdraft verify`` checks
  every stored rendering against a fresh one.

Bumping any of the three versions leaves the old rows unread. A redline spliced from a
rendering gives the bytes it gives rendered whole (``render_html_utf8``).
"""

from __future__ import annotations

import json
from array import array

from sqlmodel import Session, select

from regdraft.core.provision_table import column_from_stored, stored_column
from regdraft.core.redline import RENDERER_VERSION, JoinedIds, RenderedPieces, TextRendering, render_text
from regdraft.core.structure import PARSER_VERSION, Structure
from regdraft.services import structures
from regdraft.services.kept import KeptInMemory, held_bytes
from regdraft.store.models import VersionRendering

ENCODING = "2"
"""How :func:`encode` writes a rendering: a short JSON header of counts, then machine
columns (little-endian 4-byte integers: each group's line, the offsets of the ids,
each of the seven columns of the pieces), the ids joined, and the pieces' HTML back to back, not
compressed (about 1.7 times the text: decompressing it took a cold redline of 1 MB
5 ms, more than the splicing saves of a stretch that size). Encoding 1 wrote the
columns as JSON lists, which took 3–5 ms at 1 MB to read and a Python object for each
line and id (1 MB held at 1 MB); its rows are left unread, and made again when read."""

MEMORY = KeptInMemory(128 * 1024 * 1024)
"""This process's kept renderings: at most about 128 MB (a rendering is about twice
its text: the HTML, and the lines and ids of its provisions)."""

_RENDERING_BYTES = 2048  # an allowance (not measured) for the objects around the columns
_INTEGER = "i"
_PIECE_COLUMNS = len(RenderedPieces.COLUMNS)  # start, end, line, end line, first group, last group, HTML size


def key_of(text_hash: str, kind: str) -> tuple[str, str, str]:
    return text_hash, kind, f"{PARSER_VERSION}.{RENDERER_VERSION}.{ENCODING}"


def _column(values) -> bytes:
    return stored_column(array(_INTEGER, values))


def encode(rendering: TextRendering) -> bytes:
    ids = rendering.group_ids if isinstance(rendering.group_ids, JoinedIds) else JoinedIds(rendering.group_ids)
    joined = ids.joined.encode("utf-8", "surrogatepass")
    pieces = rendering.pieces
    header = {"encoding": ENCODING, "length": rendering.length, "private_use": rendering.private_use,
              "groups": len(ids), "pieces": len(pieces), "ids": len(joined)}
    return b"".join((json.dumps(header, separators=(",", ":")).encode(), b"\0", _column(rendering.group_lines),
                     _column(ids.offsets), *map(_column, pieces.columns()), joined, pieces.html))


def decode(data: bytes) -> TextRendering:
    """A stored rendering; :class:`ValueError` for data of another encoding, or damaged.
    Its pieces' HTML is a view of ``data``, not a copy."""
    head, separator, _ = data[:256].partition(b"\0")
    if not separator:
        raise ValueError(f"a stored rendering not of encoding {ENCODING}")
    header = json.loads(head)  # a JSONDecodeError (a UnicodeDecodeError) is a ValueError
    if not isinstance(header, dict) or header.get("encoding") != ENCODING:
        raise ValueError(f"a stored rendering not of encoding {ENCODING}")
    try:
        groups, count, ids_size = int(header["groups"]), int(header["pieces"]), int(header["ids"])
        view = memoryview(data)
        at = len(head) + 1
        columns = []
        for size in (groups, groups + 1, *[count] * _PIECE_COLUMNS):
            if size < 0 or at + 4 * size > len(data):
                raise ValueError("a stored rendering cut short")
            columns.append(column_from_stored(_INTEGER, view[at:at + 4 * size]))
            at += 4 * size
        lines, offsets, *piece_columns = columns
        if at + ids_size > len(data):
            raise ValueError("a stored rendering cut short")
        ids = JoinedIds.from_columns(bytes(view[at:at + ids_size]).decode("utf-8", "surrogatepass"), offsets)
        pieces = RenderedPieces(piece_columns, view[at + ids_size:])
        if len(ids) != len(lines):
            raise ValueError("a stored rendering whose ids are not its lines'")
        return TextRendering(header["length"], lines, ids, pieces, header["private_use"])
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"a stored rendering whose header is damaged: {error!r}") from error


def weight(rendering: TextRendering) -> int:
    """About what a kept rendering holds in memory, in bytes: a stored one's whole row
    (its pieces' HTML is a view of it, which keeps the row), its ids and its columns (a line and an id's offset a group)."""
    pieces = rendering.pieces
    html = pieces.html
    buffer = html.obj if isinstance(html, memoryview) and html.obj is not None else html
    return (len(buffer) + held_bytes(rendering.group_ids.joined) + 8 * len(rendering.group_lines)
            + (4 * _PIECE_COLUMNS + 8) * len(pieces) + _RENDERING_BYTES)


def keep(session: Session, text: str, kind: str, text_hash: str, structure: Structure) -> None:
    """Render a version's text and store the rendering (once per text, kind and versions)."""
    key = key_of(text_hash, kind)
    if session.exec(select(VersionRendering.kind).where(*_row(key))).first() is not None:
        return
    rendering = render_text(text, structure)
    MEMORY.put(key, rendering, weight(rendering))
    _store_row(session, rendering, key)


def read(session: Session, text: str, kind: str, text_hash: str) -> TextRendering:
    """The rendering of a version's text: kept in memory, else stored, else rendered
    (and stored: a version stored before renderings were kept has its rendering
    stored on its first redline, as its structure is)."""
    key = key_of(text_hash, kind)
    rendering = MEMORY.get(key)
    if rendering is not None:
        return rendering
    damaged = False
    try:
        rendering = stored(session, text_hash, kind)
    except ValueError:
        damaged = True  # left for ``regdraft verify`` to name; rendered again
    if rendering is None:
        rendering = render_text(text, structures.read(text, kind, session=session, text_hash=text_hash))
        if not damaged:
            structures.store_found_missing(session, lambda writer: _store_row(writer, rendering, key))
    MEMORY.put(key, rendering, weight(rendering))
    return rendering


def _store_row(session: Session, rendering: TextRendering, key: tuple[str, str, str]) -> None:
    structures.insert_once(session, VersionRendering(content_hash=key[0], kind=key[1], renderer_version=key[2],
                                                     data=encode(rendering)))


def stored(session: Session, text_hash: str, kind: str) -> TextRendering | None:
    """The rendering kept in the store for this text and kind by these versions, if any."""
    data = session.exec(select(VersionRendering.data).where(*_row(key_of(text_hash, kind)))).first()
    return decode(data) if data is not None else None


def _row(key: tuple[str, str, str]) -> tuple:
    text_hash, kind, version = key
    return (VersionRendering.content_hash == text_hash, VersionRendering.kind == kind,
            VersionRendering.renderer_version == version)
