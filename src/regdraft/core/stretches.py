"""A version's stretches: where the alignment cuts its text, and a hash of each piece.

The alignment (:mod:`regdraft.core.alignment`) cuts both texts into stretches at the
provisions' starts (those at a line start) and diffs the two sequences of stretches.
Where each stretch starts, and what its text is, depend on one version alone, so a
stored version keeps them with its structure (``services.structures``): a diff of two
stored versions then diffs sequences of hashes, and cuts strings only for the runs that
differ, rather than looking every start up in the text and slicing and hashing the
whole of both texts again.

The same goes for the grouping of a diff by provision: where the table of who owns each
stretch of the text is the provisions' own columns, the few points where it is not
are kept too (:attr:`Stretches.owner_points`), so a diff of two stored versions does
not check every provision of both to know it.

A hash is the first 16 bytes of BLAKE2b of the stretch's text (UTF-8): two stretches
with one hash are taken to have one text, as versions are taken to be one text by
their content hash; the alignment diffs the first 8 bytes of each
(:func:`stretch_key`), and still compares each equal run's texts.
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from dataclasses import dataclass

HASH_SIZE = 16
_OFFSETS = "i"  # as the provision table's offsets: texts are far below 2 GB


def stretch_hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=HASH_SIZE).digest()


def stretch_key(text: str) -> int:
    """What the alignment diffs a stretch by: the first eight bytes of its hash, as a
    machine integer. Two stretches of one key are taken to have one text (about one
    chance in 10^11 of a wrong guess between two 10 000-stretch texts); the alignment
    compares each equal run's texts, so a wrong guess changes at most how the diff
    aligns, never what it says the texts are."""
    return int.from_bytes(stretch_hash(text)[:_KEY_SIZE], sys.byteorder)


_KEY_SIZE = 8  # a "Q" machine integer, as :meth:`Stretches.keys` reads them


@dataclass(frozen=True, slots=True)
class Stretches:
    """``bounds``: 0, every point inside the text where a stretch starts, and the text's
    length; ``hashes``: the :func:`stretch_hash` of each stretch between two bounds,
    joined (``HASH_SIZE`` bytes each)."""

    bounds: array
    hashes: bytes
    owner_points: tuple[int, ...] | None = None
    """What the diff's owners' table needs beyond the provisions' columns, where it is
    those columns (``core.diffing.owner_points``): the points inside the text, other
    than provisions' starts, where the provision that owns the text changes; ``None``
    where that is not known (a reading stored before it was kept) or the table is not
    the columns."""

    def keys(self, first: int, stop: int) -> list[int]:
        """The :func:`stretch_key` of stretches ``first`` up to ``stop``: read from the
        joined hashes as machine integers, with no object made a hash (a tenth of the
        cost of cutting each hash's bytes)."""
        return memoryview(self.hashes).cast("Q")[2 * first:2 * stop:2].tolist()


def cut_points(starts, text: str) -> list[int] | None:
    """The points inside ``text`` where a stretch starts: each provision start after the
    text's start at a line start, once (``None`` if the starts are not in order, which
    the alignment's cuts assume)."""
    points: list[int] = []
    last = 0
    for point in starts:
        if point < last:
            return None
        if point > last and point < len(text) and text[point - 1] == "\n":
            points.append(point)
        last = max(last, point)
    return points


def stretches_of(starts, text: str) -> Stretches | None:
    """The stretches of a text whose provisions start at ``starts`` (in order); ``None``
    if they are not in order."""
    points = cut_points(starts, text)
    if points is None:
        return None
    bounds = array(_OFFSETS, [0, *points, len(text)])
    hashes = b"".join(map(stretch_hash, map(text.__getitem__, map(slice, bounds, bounds[1:]))))
    return Stretches(bounds, hashes)
