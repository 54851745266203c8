"""A structure's provisions kept in columns: what a kept reading holds in memory.

A reading of a 5 MB text has about 47 000 provisions; as named tuples, with a string
object for every id, label, number and heading and an int object for every offset, they
took about five times the text, and a structure decoded from the store had to make them
all first (``services.structures``). A :class:`ProvisionTable` holds the same provisions
as one string per text column (ids, labels, numbers, parents' ids, headings), with the
offsets of its values, and one machine array per number column (the kind as an index
into the few kinds there are): about 80 bytes a provision, under the text's own size.
It is a sequence of :class:`~regdraft.core.structure.Provision` made as they are asked
for, so whatever reads ``structure.provisions`` reads it unchanged; iterating makes
each column at C speed, and the offsets a structure looks positions up by are its own
column.
"""

from __future__ import annotations

import bisect
import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from itertools import accumulate
from typing import overload

from regdraft.core.structure import Provision

_TEXT_COLUMNS = ("ids", "labels", "numbers", "parents", "headings")
_NUMBER_COLUMNS = ("kinds", "starts", "ends", "lines")
_OFFSETS = "i"  # 4 bytes: texts are far below 2 GB (``formats.read.MAX_BYTES``)
_provision = partial(tuple.__new__, Provision)
_SEARCHED_COLUMNS = 4
"""How many times its whole id column a table's searches by id may pass before it is
indexed (see :meth:`ProvisionTable.place_of`)."""


def stored_column(column: array) -> bytes:
    """A column of machine integers as the store keeps it: little-endian bytes, so a
    row reads the same on any machine."""
    if sys.byteorder == "big":
        column = array(column.typecode, column)
        column.byteswap()
    return column.tobytes()


def column_from_stored(typecode: str, data: bytes | memoryview) -> array:
    """The column :func:`stored_column` wrote (of ``typecode``)."""
    column = array(typecode)
    column.frombytes(data)
    if sys.byteorder == "big":
        column.byteswap()
    return column


def _offsets(values: Sequence[str]) -> array:
    """Where each value starts in the values joined, and where the last ends."""
    return array(_OFFSETS, accumulate(map(len, values), initial=0))


def _cut(column: str, offsets: array, first: int, stop: int) -> list[str]:
    """Values ``first`` up to ``stop`` of a joined column."""
    return list(map(column.__getitem__, map(slice, offsets[first:stop], offsets[first + 1:stop + 1])))


class ProvisionTable(Sequence[Provision]):
    """Provisions in columns (see the module's docstring); equal to the tuple of the
    same provisions."""

    __slots__ = ("kind_names", *_TEXT_COLUMNS, *(f"{c}_at" for c in _TEXT_COLUMNS), *_NUMBER_COLUMNS, "_id_list",
                 "_index", "_searched")

    kind_names: tuple[str, ...]
    ids: str
    labels: str
    numbers: str
    parents: str
    """Each parent's id; an empty value for none (no id is empty)."""
    headings: str
    ids_at: array
    labels_at: array
    numbers_at: array
    parents_at: array
    headings_at: array
    kinds: array
    starts: array
    ends: array
    lines: array

    @classmethod
    def of(cls, provisions: Iterable[Provision]) -> ProvisionTable:
        provisions = tuple(provisions)
        table = object.__new__(cls)
        columns = tuple(zip(*provisions)) or ((),) * len(Provision._fields)
        ids, labels, kinds, numbers, parents, starts, ends, lines, headings = columns
        if "" in parents:
            raise ValueError("a provision whose parent's id is empty")  # empty stands for no parent
        parents = tuple(parent or "" for parent in parents)
        for name, values in zip(_TEXT_COLUMNS, (ids, labels, numbers, parents, headings)):
            setattr(table, name, "".join(values))
            setattr(table, f"{name}_at", _offsets(values))
        table.kind_names = tuple(dict.fromkeys(kinds))
        kind_index = {kind: i for i, kind in enumerate(table.kind_names)}
        table.kinds = array("B" if len(kind_index) < 256 else "H", map(kind_index.__getitem__, kinds))
        table.starts, table.ends, table.lines = (array(_OFFSETS, c) for c in (starts, ends, lines))
        return table

    # -- as stored ------------------------------------------------------------------

    def to_parts(self) -> tuple[list[str], list[bytes]]:
        """The kinds' names and every column as bytes (UTF-8, and little-endian
        machine integers), in a fixed order: what :meth:`from_parts` reads."""
        parts = [getattr(self, name).encode() for name in _TEXT_COLUMNS]
        for name in (*(f"{c}_at" for c in _TEXT_COLUMNS), *_NUMBER_COLUMNS):
            parts.append(stored_column(getattr(self, name)))
        return list(self.kind_names), parts

    @classmethod
    def from_parts(cls, kind_names: Sequence[str], kinds_type: str, parts: Sequence[bytes]) -> ProvisionTable:
        table = object.__new__(cls)
        table.kind_names = tuple(kind_names)
        texts, numbers = parts[:len(_TEXT_COLUMNS)], parts[len(_TEXT_COLUMNS):]
        for name, data in zip(_TEXT_COLUMNS, texts):
            setattr(table, name, data.decode())
        names = (*(f"{c}_at" for c in _TEXT_COLUMNS), *_NUMBER_COLUMNS)
        for name, data in zip(names, numbers, strict=True):
            setattr(table, name, column_from_stored(kinds_type if name == "kinds" else _OFFSETS, data))
        if not all(len(getattr(table, f"{c}_at")) == len(table.starts) + 1 for c in _TEXT_COLUMNS) \
                or not all(len(getattr(table, c)) == len(table.starts) for c in _NUMBER_COLUMNS):
            raise ValueError("the columns of a stored provision table differ in length")
        return table

    def held_bytes(self) -> int:
        """About what the table holds in memory."""
        texts = sum(sys.getsizeof(getattr(self, name)) for name in _TEXT_COLUMNS)
        numbers = sum(getattr(self, name).buffer_info()[1] * getattr(self, name).itemsize
                      for name in (*(f"{c}_at" for c in _TEXT_COLUMNS), *_NUMBER_COLUMNS))
        return texts + numbers

    # -- as a sequence ----------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.starts)

    @overload
    def __getitem__(self, index: int) -> Provision: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Provision, ...]: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            first, stop, step = index.indices(len(self))
            if step != 1:
                return tuple(self[i] for i in range(first, stop, step))
            return tuple(self._rows(first, max(first, stop)))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("provision index out of range")
        ids_at, parents_at = self.ids_at, self.parents_at
        return _provision((
            self.ids[ids_at[index]:ids_at[index + 1]],
            self.labels[self.labels_at[index]:self.labels_at[index + 1]],
            self.kind_names[self.kinds[index]],
            self.numbers[self.numbers_at[index]:self.numbers_at[index + 1]],
            self.parents[parents_at[index]:parents_at[index + 1]] or None,
            self.starts[index], self.ends[index], self.lines[index],
            self.headings[self.headings_at[index]:self.headings_at[index + 1]]))

    def kind_at(self, index: int) -> str:
        """``self[index].kind``, read from its column alone."""
        return self.kind_names[self.kinds[index]]

    def __iter__(self) -> Iterator[Provision]:
        return self._rows(0, len(self))

    def _rows(self, first: int, stop: int) -> Iterator[Provision]:
        return map(_provision, zip(*self._columns(first, stop)))

    def _columns(self, first: int, stop: int) -> tuple[Sequence, ...]:
        # A few rows (a diff's window in a long text) cut their own ids; all of them
        # make the id list the index by id shares.
        whole = (first, stop) == (0, len(self))
        ids = self.id_list() if whole else (
            self._id_list[first:stop] if hasattr(self, "_id_list") else _cut(self.ids, self.ids_at, first, stop))
        return (ids,
                _cut(self.labels, self.labels_at, first, stop),
                list(map(self.kind_names.__getitem__, self.kinds[first:stop])),
                _cut(self.numbers, self.numbers_at, first, stop),
                [parent or None for parent in _cut(self.parents, self.parents_at, first, stop)],
                self.starts[first:stop], self.ends[first:stop], self.lines[first:stop],
                _cut(self.headings, self.headings_at, first, stop))

    def text_column(self, name: str) -> TextColumn:
        """One text column's values (``"labels"``, ``"headings"``, ...) as a sequence that
        cuts each value when it is asked for: a diff's owners' table reads the labels of
        the few provisions a change touches, not every label of a long text."""
        if name not in _TEXT_COLUMNS:
            raise KeyError(name)
        return TextColumn(getattr(self, name), getattr(self, f"{name}_at"))

    def id_list(self) -> list[str]:
        """Every provision's id, in order, without making the provisions: made once and
        kept, so that the index by id and the diff's owners' table share the strings."""
        try:
            return self._id_list
        except AttributeError:
            self._id_list: list[str] = _cut(self.ids, self.ids_at, 0, len(self))
            return self._id_list

    def place_of(self, provision_id: str) -> int | None:
        """The place of the last provision of that id, None if none has it.

        A diff's window in a long text looks up a few provisions, which an index of every
        id would cost as much as the rest of the diff (8 ms for a 5 MB text's): so the
        joined ids are searched (backwards, at memchr speed) until the searches have
        passed :data:`_SEARCHED_COLUMNS` times the column, and then the index is made.
        Lookups cost at most that much more than indexing at once."""
        index = getattr(self, "_index", None)
        if index is None:
            searched = getattr(self, "_searched", 0)
            budget = _SEARCHED_COLUMNS * len(self.ids) - searched
            if budget > 0:
                found, place, passed = self.search(provision_id, budget)
                self._searched = searched + passed
                if found:
                    return place
            index = self.id_index()
        return index.get(provision_id)

    def search(self, provision_id: str, budget: int) -> tuple[bool, int | None, int]:
        """Whether the search for the last whole ``provision_id`` in the joined ids ended
        within ``budget`` characters of their end, the place it found (None: no such id),
        and how many characters it passed. Occurrences inside other ids ("reg-1" in
        "reg-1-2", in "reg-10") are passed over."""
        ids, at, size = self.ids, self.ids_at, len(provision_id)
        if not size:
            return True, None, 0  # no id is empty
        low = max(0, len(ids) - budget)
        end = len(ids)
        while (found := ids.rfind(provision_id, low, end)) >= 0:
            k = bisect.bisect_left(at, found)
            if at[k] == found and at[k + 1] == found + size:
                return True, k, len(ids) - found
            end = found + size - 1  # look before this occurrence
        return low == 0, None, len(ids) - low

    def id_index(self) -> dict[str, int]:
        """Each id's place (the last, if two share an id), made once and kept."""
        index = getattr(self, "_index", None)
        if index is None:
            # Built whole, then set: another thread may look up meanwhile.
            index = {identifier: i for i, identifier in enumerate(self.id_list())}
            self._index = index
        return index

    def columns(self) -> tuple[Sequence, ...]:
        """Each field of every provision, a sequence a field (``Structure.columns``)."""
        return self._columns(0, len(self))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (ProvisionTable, tuple)):
            return len(self) == len(other) and tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"ProvisionTable({len(self)} provisions)"


class TextColumn(Sequence[str]):
    """The values of a joined text column, each cut from it when asked for."""

    __slots__ = ("_column", "_at")

    def __init__(self, column: str, offsets: array) -> None:
        self._column, self._at = column, offsets

    def __len__(self) -> int:
        return len(self._at) - 1

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index):
        if isinstance(index, slice):
            first, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(first, stop, step)]
            return _cut(self._column, self._at, first, max(first, stop))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("column index out of range")
        return self._column[self._at[index]:self._at[index + 1]]

    def __iter__(self) -> Iterator[str]:
        return iter(_cut(self._column, self._at, 0, len(self)))
