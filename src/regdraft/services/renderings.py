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

from sqlmodel import Session, select

from regdraft.core.redline import RENDERER_VERSION, RenderedPiece, TextRendering, render_text
from regdraft.core.structure import PARSER_VERSION, Structure
from regdraft.services import structures
from regdraft.services.kept import KeptInMemory
from regdraft.store.models import VersionRendering

ENCODING = "1"
"""How :func:`encode` writes a rendering: a JSON header and the pieces' HTML, not
compressed (about 1.7 times the text: decompressing it took a cold redline of 1 MB
5 ms, more than the splicing saves of a stretch that size)."""

MEMORY = KeptInMemory(128 * 1024 * 1024)
"""This process's kept renderings: at most about 128 MB (a rendering is about three
times its text: the HTML, and the lines and ids of its provisions)."""

_PIECE_BYTES = 120  # an allowance (not measured) for a piece object, or a line and id of a provision


def key_of(text_hash: str, kind: str) -> tuple[str, str, str]:
    return text_hash, kind, f"{PARSER_VERSION}.{RENDERER_VERSION}.{ENCODING}"


def encode(rendering: TextRendering) -> bytes:
    header = {"encoding": ENCODING, "length": rendering.length, "lines": rendering.group_lines,
              "ids": rendering.group_ids, "private_use": rendering.private_use,
              "pieces": [(p.start, p.end, p.line, p.end_line, p.first_group, p.last_group,
                          -1 if p.html is None else len(p.html)) for p in rendering.pieces]}
    head = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    return b"\0".join((head, *(p.html for p in rendering.pieces if p.html is not None)))


def decode(data: bytes) -> TextRendering:
    """A stored rendering; :class:`ValueError` for data of another encoding, or damaged."""
    head, _, body = data.partition(b"\0")
    header = json.loads(head)  # a JSONDecodeError (a UnicodeDecodeError) is a ValueError
    if not isinstance(header, dict) or header.get("encoding") != ENCODING:
        raise ValueError(f"a stored rendering not of encoding {ENCODING}")
    try:
        pieces, at = [], 0
        for start, end, line, end_line, first, last, size in header["pieces"]:
            html = None
            if size >= 0:
                html, at = body[at:at + size], at + size + 1  # each HTML ends at a separator
            pieces.append(RenderedPiece(start, end, line, end_line, first, last, html))
        if max(at - 1, 0) != len(body):  # each HTML but the last is followed by a separator
            raise ValueError("a stored rendering whose pieces are not its HTML's")
        return TextRendering(header["length"], tuple(header["lines"]), tuple(header["ids"]), tuple(pieces),
                             header["private_use"])
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"a stored rendering whose header is damaged: {error!r}") from error


def weight(rendering: TextRendering) -> int:
    return (sum(len(p.html) for p in rendering.pieces if p.html is not None)
            + _PIECE_BYTES * (len(rendering.pieces) + len(rendering.group_ids)))


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
