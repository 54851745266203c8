"""A version's structure, read once and kept by what the reading depends on.

Reading the provisions of a 1 MB uk-si text takes about 230 ms, and every diff, redline,
schedule and provision lookup needs the structure of the versions it shows. A reading
depends only on the text, the kind it is read as and the parser, so it is kept under
the key (content hash, kind, :data:`~regdraft.core.structure.PARSER_VERSION`):

- in memory, in a bounded least-recently-used :data:`MEMORY` per process;
- in the store, in ``version_structure`` (``store.models.VersionStructure``), written
  when a version is stored (``documents.create_version`` reads it then anyway), so
  another process, or this one after a restart, decodes it (a tenth of a parse) rather
  than parsing. ``regdraft verify`` checks every stored reading against a fresh one.

A kept reading is the reading ``parse_structure(text, kind=kind, strict=False)`` gives
(the one diffs and lookups use), its provisions in columns
(``core.provision_table``: under the text's size, where named tuples took five times
it), with its text's stretches (``core.stretches``: a diff of two stored versions
diffs the hashes of their stretches, not their texts); a strict document's refusal is
decided from its warnings. Bumping
``PARSER_VERSION`` or :data:`ENCODING` leaves the old rows unread.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import sys
from collections.abc import Callable, Sequence

import zstandard

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from regdraft.core.diffing import owner_points, read_structure
from regdraft.core.provision_table import ProvisionTable, column_from_stored, stored_column
from regdraft.core.stretches import HASH_SIZE, Stretches, stretches_of
from regdraft.core.structure import PARSER_VERSION, Provision, Structure, StructureWarning
from regdraft.core.text import content_hash
from regdraft.services.kept import KeptInMemory
from regdraft.store.models import VersionStructure

ENCODING = "3"
"""How :func:`encode` writes a reading: 3, the provisions in columns
(:class:`~regdraft.core.provision_table.ProvisionTable`) and the text's stretches
(:class:`~regdraft.core.stretches.Stretches`: where the alignment cuts it, and a hash
of each piece), compressed with zstd; 2 was the columns alone, compressed with zlib, 1
compressed JSON of every provision. Part of
a stored reading's key (with the parser's version), so a row of another encoding is
never read as this one: it is not found, the text is read again and stored in this
encoding (migrations 0014 and 0015 dropped the rows of the older ones)."""

# What a kept reading's table makes once and keeps, besides its columns: its ids cut
# into strings (``ProvisionTable.id_list``: a diff's owners' table reads them) and
# the index by id (``ProvisionTable.id_index``, a dict over those strings), about
# this many bytes a provision each (traced on the real texts of each kind and a 1 MB
# bench text: 68-83 and 21-56, a dict's table doubling as it grows;
# ``tests/unit/test_kept_memory.py``), its front matter as measured, and the headers
# of the reading's few objects, counted from the start.
_ID_LIST_BYTES = 80
_INDEX_BYTES = 60
_HEADERS_BYTES = 4096
_BOUNDS = "i"  # the stretches' bounds: 4 bytes, as the provision table's offsets


# Stored readings are compressed with zstd at level 1: against zlib's level 1 (encoding
# 2's) a 5 MB text's reading is 22% larger (1.19 MB against 0.98) but decompresses in
# 2.8 ms, not 8.2 (both readings of every cold comparison are decompressed), and
# compresses in 6 ms, not 27.
_ZSTD_LEVEL = 1


def _decompressed(data: bytes) -> bytes:
    try:
        return zstandard.decompress(data)
    except zstandard.ZstdError as error:
        raise ValueError(f"a stored structure that does not decompress: {error}") from error


def encode(structure: Structure) -> bytes:
    """The reading as stored: a JSON header (the encoding, the warnings and front
    matter, the provisions' kinds and the length of each column) and the columns of
    its provisions, then its stretches' bounds and hashes (where its provisions start in
    order, as a parse gives them), compressed (the text is the version's own)."""
    table = compact(structure.provisions)
    kind_names, parts = table.to_parts()
    kept = stretches_of_reading(structure)
    if kept is not None:  # the bounds (little-endian machine integers, as the columns) and the hashes
        parts += [stored_column(kept.bounds), kept.hashes]
    header = {"encoding": ENCODING, "kinds": kind_names, "kinds_type": table.kinds.typecode,
              "lengths": [len(part) for part in parts], "warnings": [list(w) for w in structure.warnings],
              "metadata": structure.metadata, "stretches": kept is not None}
    if kept is not None and kept.owner_points is not None:
        # A few points (none in most texts): in the header, which a reader of rows
        # stored before it was kept passes over (such a row's points are found again).
        header["owner_points"] = list(kept.owner_points)
    head = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    return zstandard.compress(b"\0".join((head, b"".join(parts))), _ZSTD_LEVEL)


def decode(text: str, kind: str, data: bytes) -> Structure:
    """A stored reading; :class:`ValueError` for data of another encoding, or damaged."""
    head, _, body = _decompressed(data).partition(b"\0")
    header = json.loads(head)  # a JSONDecodeError is a ValueError
    if not isinstance(header, dict) or header.get("encoding") != ENCODING:
        raise ValueError(f"a stored structure not of encoding {ENCODING}")
    try:
        parts, at = [], 0
        for length in header["lengths"]:
            parts.append(body[at:at + length])
            at += length
        kept = None
        if header["stretches"]:
            bounds = column_from_stored(_BOUNDS, parts[-2])
            points = header.get("owner_points")
            kept = Stretches(bounds, parts[-1], None if points is None else tuple(points))
            if len(kept.hashes) != (len(bounds) - 1) * HASH_SIZE or not bounds or bounds[-1] != len(text):
                raise ValueError("a stored structure whose stretches do not fit its text")
            parts = parts[:-2]
        provisions = ProvisionTable.from_parts(header["kinds"], header["kinds_type"], parts)
        warnings = tuple(map(StructureWarning._make, header["warnings"]))
        return Structure(text, provisions, warnings, kind, header["metadata"], kept)
    except (KeyError, TypeError, IndexError) as error:
        raise ValueError(f"a stored structure whose header is damaged: {error!r}") from error


def stretches_of_reading(structure: Structure) -> Stretches | None:
    """A reading's stretches, with their owner points: those kept with it, else made
    from its text (and the points, where a reading stored before they were kept has
    none, found again)."""
    kept = structure.stretches
    if kept is not None and kept.owner_points is not None:
        return kept
    if kept is None:
        kept = stretches_of(structure.starts, structure.text)
        if kept is None:
            return None
    points = owner_points(structure)
    return kept if points is None else dataclasses.replace(kept, owner_points=points)


def compact(provisions: Sequence[Provision]) -> ProvisionTable:
    return provisions if isinstance(provisions, ProvisionTable) else ProvisionTable.of(provisions)


def kept_form(structure: Structure) -> Structure:
    """The reading as memory keeps it: its provisions in columns, with its stretches
    (as a stored reading has them, so that a diff does not depend on where a reading
    was found)."""
    if isinstance(structure.provisions, ProvisionTable) and structure.stretches is not None:
        return structure
    return Structure(structure.text, compact(structure.provisions), structure.warnings, structure.kind,
                     structure.metadata, stretches_of_reading(structure))


@dataclasses.dataclass(frozen=True)
class KeptReading:
    """A reading as :data:`MEMORY` keeps it: everything :func:`kept_form` gives but the
    text. The text is the version's, which every reader has in hand (it read the row):
    kept here too, it was twice the text's size a reading (a 1 MB text with an em dash
    in it is a 2 MB ``str``), held after every request that read it, and the old text
    of a redline was held while its page was made, which needs only the diff."""

    provisions: ProvisionTable
    warnings: tuple[StructureWarning, ...]
    kind: str
    metadata: dict
    stretches: Stretches | None

    @classmethod
    def of(cls, structure: Structure) -> KeptReading:
        structure = kept_form(structure)
        return cls(structure.provisions, structure.warnings, structure.kind, structure.metadata,
                   structure.stretches)

    def over(self, text: str) -> Structure:
        """The reading of ``text``, the text this reading was kept of (by its content
        hash). Its table, and what the table makes once (the ids as strings, the
        index by id), is this reading's, shared by every structure made over it."""
        return Structure(text, self.provisions, self.warnings, self.kind, self.metadata, self.stretches)


def weight(reading: KeptReading | Structure) -> int:
    """About what a kept reading holds in memory, in bytes, once diffed and looked up
    by id: its columns and stretches, its ids as strings and its index by id (not its
    text, which it does not keep)."""
    stretches = reading.stretches
    kept = 0 if stretches is None else len(stretches.hashes) + stretches.bounds.itemsize * len(stretches.bounds)
    metadata = sys.getsizeof(reading.metadata) + sum(map(sys.getsizeof, itertools.chain(*reading.metadata.items())))
    return (compact(reading.provisions).held_bytes() + kept + metadata
            + (_ID_LIST_BYTES + _INDEX_BYTES) * len(reading.provisions) + _HEADERS_BYTES)


MEMORY = KeptInMemory(256 * 1024 * 1024)
"""This process's kept readings (:class:`KeptReading`, without their texts): at most
about 256 MB (about fifty readings of 5 MB texts, with their ids and indexes)."""


def key_of(text_hash: str, kind: str) -> tuple[str, str, str]:
    return text_hash, kind, f"{PARSER_VERSION}.{ENCODING}"


WRITE_ASIDE = "regdraft.write_aside"
"""The key of ``session.info`` under which a reading session (a GET's) offers a way to
write beside it: a callable taking ``work(session)``, run in a short writing
transaction of its own if the store's write lock is free, and skipped otherwise."""


def read(text: str, kind: str, *, session: Session | None = None, text_hash: str | None = None) -> Structure:
    """The structure of ``text`` read as ``kind``: kept in memory, else stored (with a
    ``session``), else parsed (and kept in memory). ``text_hash`` is the text's content
    hash, if known. With a ``session`` the text is a version's: one stored before
    readings were kept (migration 0010) has its reading stored now, on its first read,
    so no later process parses it again."""
    key = key_of(text_hash or content_hash(text), kind)
    kept = MEMORY.get(key)
    if kept is not None:
        return kept.over(text)
    structure, damaged = None, False
    if session is not None:
        try:
            structure = stored(session, key[0], kind, text)
        except ValueError:
            damaged = True  # the row is left as it is, for ``regdraft verify`` to name; the text is read again
    if structure is None:
        structure = kept_form(read_structure(text, kind))
        if session is not None and not damaged:
            _store_once(session, structure, key)
    _keep_in_memory(key, structure)
    return structure


def _keep_in_memory(key: tuple[str, str, str], structure: Structure) -> None:
    reading = KeptReading.of(structure)
    MEMORY.put(key, reading, weight(reading))


def keep(session: Session, structure: Structure, text_hash: str, *, encoded: bytes | None = None) -> None:
    """Store the reading of a version's text (once per text, kind and parser version);
    ``encoded``: :func:`encode` of it, if already made."""
    key = key_of(text_hash, structure.kind)
    # Decoding the columns just encoded is cheaper than putting the provisions in columns again.
    structure = kept_form(structure) if encoded is None else decode(structure.text, structure.kind, encoded)
    _keep_in_memory(key, structure)
    if session.exec(select(VersionStructure.kind).where(*_row(key))).first() is not None:
        return
    _store_row(session, structure, key, encoded)


def _store_once(session: Session, structure: Structure, key: tuple[str, str, str]) -> None:
    """Store a reading found missing (see :func:`store_found_missing`)."""
    store_found_missing(session, lambda writer: _store_row(writer, structure, key))


def store_found_missing(session: Session, store: Callable[[Session], None]) -> None:
    """``store(session)``, the storing of a kept value found missing: in the session's
    own transaction, or, for a reading session, in a short one beside it (a GET never
    takes the write lock for its whole request; if a writer holds it, the next read
    stores the value)."""
    aside = session.info.get(WRITE_ASIDE)
    if aside is None:
        store(session)
    else:
        aside(store)


def insert_once(session: Session, row: SQLModel) -> None:
    """Add a row keyed by content, unless another writer stored the same one meanwhile
    (the same key is the same value)."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        pass


def _store_row(session: Session, structure: Structure, key: tuple[str, str, str],
               encoded: bytes | None = None) -> None:
    insert_once(session, VersionStructure(content_hash=key[0], kind=key[1], parser_version=key[2],
                                          data=encode(structure) if encoded is None else encoded))


def stored(session: Session, text_hash: str, kind: str, text: str) -> Structure | None:
    """The reading kept in the store for this text and kind by this parser, if any."""
    data = session.exec(select(VersionStructure.data).where(*_row(key_of(text_hash, kind)))).first()
    return decode(text, kind, data) if data is not None else None


def _row(key: tuple[str, str, str]) -> tuple:
    text_hash, kind, parser_version = key
    return (VersionStructure.content_hash == text_hash, VersionStructure.kind == kind,
            VersionStructure.parser_version == parser_version)


def same_reading(a: Structure, b: Structure) -> bool:
    """Whether two readings of one text agree in everything a reading gives."""
    return ((a.provisions, a.warnings, a.kind, a.metadata) == (b.provisions, b.warnings, b.kind, b.metadata)
            and stretches_of_reading(a) == stretches_of_reading(b))
