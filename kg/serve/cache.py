"""Answers of the current store generation, kept for repeated queries."""

from __future__ import annotations

import threading
from collections import OrderedDict

from kg.serve.replies import Reply


class ResultCache:
    """Answers of the current store generation, most recently used first, bounded in count and
    bytes.

    Why: a generation never changes once published, so the same query on it has the same
    answer; library queries and dashboards repeat. A hit skips the worker round trip, which is
    what keeps p99 low when many clients ask at once (BENCHMARKS.md). The key holds the stat
    of the store's manifest, so a new generation (``kg add``, an update) misses at once."""

    def __init__(self, max_entries: int = 512, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.entries: OrderedDict[tuple, Reply] = OrderedDict()
        self.size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Reply | None:
        with self._lock:
            reply = self.entries.get(key)
            if reply is not None:
                self.entries.move_to_end(key)
            return reply

    def put(self, key: tuple, reply: Reply) -> None:
        if reply.status != 200 or len(reply.body) > self.max_bytes // 8 or self.max_entries < 1:
            return
        with self._lock:
            if key in self.entries:
                return
            self.entries[key] = reply
            self.size += len(reply.body)
            while len(self.entries) > self.max_entries or self.size > self.max_bytes:
                _, old = self.entries.popitem(last=False)
                self.size -= len(old.body)
