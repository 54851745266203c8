"""A bounded, least-recently-used memory of values that are pure functions of their
key (a structure by its text's content hash, a diff by its texts' and amendments'
hashes): an entry can never be stale, only let go."""

from __future__ import annotations

import ctypes
import sys
import threading
from collections import OrderedDict
from typing import Any

_EMPTY_STR, _EMPTY_BYTES = sys.getsizeof(""), sys.getsizeof(b"")

LARGE_BLOCK = 1 << 20
"""Blocks of at least this many bytes (a long text, a page, a list of every
provision's label) are mapped apart by the C allocator: see :func:`unmap_large_blocks`."""

_M_MMAP_THRESHOLD = -3  # glibc's malloc.h


def unmap_large_blocks() -> None:
    """Have glibc's allocator give each block of :data:`LARGE_BLOCK` bytes or more a
    mapping of its own, returned to the system when the block is freed.

    By default glibc raises that threshold to the size of every mapped block freed (up
    to 32 MB), so once a worker has let go of one 5 MB text, later texts, pages and
    their copies are carved out of the heap instead; the heap shrinks only from its
    top, and the holes they leave, refilled by blocks of other sizes, kept a worker
    about 50 MB over what it holds (six 5 MB redlines with each cache at 32 MB: 138 to
    166 MB resident over start, 100 with this, at the same CPU). A fixed threshold
    turns that adjustment off. Other C libraries (musl, macOS) have no such
    adjustment, and no ``mallopt`` or one that ignores it."""
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK)


def held_bytes(value: str | bytes) -> int:
    """About what a string's characters take in memory: a text with one em dash in it
    is held at two bytes a character, so counting characters would let a memory bound
    in bytes hold twice what it says."""
    return sys.getsizeof(value) - (_EMPTY_BYTES if isinstance(value, bytes) else _EMPTY_STR)


class KeptInMemory:
    """Values by key, the least recently used let go once their stated sizes pass
    ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # route handlers run on a thread pool

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple) -> Any:
        with self._lock:
            held = self._entries.get(key)
            if held is None:
                return None
            self._entries.move_to_end(key)
            return held[0]

    def put(self, key: tuple, value: Any, size: int) -> None:
        if size > self.max_bytes:
            return  # larger than the whole memory: used once, not kept
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= evicted

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
