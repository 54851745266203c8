"""A bounded, in-process cache of rendered redlines and Keeling schedules.

Building a rendering (applying amendments, diffing, finding conflicts, rendering) takes
tens of milliseconds even for a short regulation; answering from memory takes
microseconds. An entry is keyed by the request (path, query, negotiated format) and the
store's *generation*: the id of the last event in the append-only event log. Every
write appends an event in the same transaction (``services.events.record``), so any
change that could alter a rendering (a new version, an amendment revised, a proposer
renamed) moves the generation, and entries made before it are never looked up again;
the least recently used fall out as new ones come in. Each entry keeps the rendering's
content-derived ETag, so conditional requests are answered from the cache too.

Each worker process has its own cache; the generation is read from the database, so
a write made through one worker is seen by all.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    etag: str
    body: str
    media_type: str


class RenderCache:
    """Least recently used entries, bounded by the total size of their bodies."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # sync route handlers run on a thread pool

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """Characters held, summed over bodies."""
        return self._bytes

    def get(self, key: tuple) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        size = len(entry.body)
        if size > self.max_bytes:
            return  # larger than the whole cache: serve it, do not keep it
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)
