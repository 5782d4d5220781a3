"""Bulk-load the N-Triples parts into Oxigraph and write ``graph.ttl`` from the store.

With a store (``kg build``'s default) the parts become the next store generation through
:class:`kg.store.core.Publisher` (atomic, under the writer lock) and ``graph.ttl`` is dumped from
that generation before it is published, so both appear together. Without a store the parts go
through a temporary on-disk Oxigraph store, only to write ``graph.ttl``.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from kg.errors import KGError

GRAPH_FILE = "graph.ttl"


class ChainedFiles(io.RawIOBase):
    """The concatenation of several files as one binary stream (what bulk_load reads)."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self._paths = list(paths)
        self._current = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while True:
            if self._current is None:
                if not self._paths:
                    return 0
                self._current = open(self._paths.pop(0), "rb")  # noqa: SIM115
            n = self._current.readinto(buffer)
            if n:
                return n
            self._current.close()
            self._current = None

    def close(self) -> None:
        if self._current is not None:
            self._current.close()
            self._current = None
        super().close()


def _stream(parts: Sequence[Path]) -> io.BufferedReader:
    return io.BufferedReader(ChainedFiles(parts), buffer_size=1 << 20)


def dump_turtle(store_path: Path, dest: Path) -> None:
    """Write the default graph of the Oxigraph store at ``store_path`` as Turtle to ``dest``."""
    import pyoxigraph as ox

    from kg.vocab import PREFIXES

    store = ox.Store.read_only(str(store_path))
    try:
        with dest.open("wb") as out:
            store.dump(
                out,
                ox.RdfFormat.TURTLE,
                from_graph=ox.DefaultGraph(),
                prefixes={k: str(v) for k, v in PREFIXES.items()},
            )
    finally:
        del store


def publish_parts(
    out_dir: Path, parts: Sequence[Path], papers: int, extractions: Path | None
) -> int:
    """Publish a store generation holding ``parts`` and write ``graph.ttl``; -> triples."""
    import pyoxigraph as ox

    from kg.store.core import OXIGRAPH, Publisher

    with Publisher(out_dir, what="kg build") as pub:
        with _stream(parts) as stream:
            pub.stage_load(stream, ox.RdfFormat.N_TRIPLES, None)
        # dumped before publishing: publish() moves it into place with the new generation
        pub._graph_tmp = out_dir / f".{GRAPH_FILE}.tmp-{os.getpid()}"
        dump_turtle(pub.staging / OXIGRAPH, pub._graph_tmp)
        pub.publish(papers, "build", link_extractions_from=extractions)
        return pub.triples


def turtle_from_parts(out_dir: Path, parts: Sequence[Path], scratch: Path) -> int:
    """Write ``out_dir/graph.ttl`` from ``parts`` through a temporary store; -> triples."""
    import pyoxigraph as ox

    if scratch.exists():
        shutil.rmtree(scratch)
    try:
        store = ox.Store(str(scratch))
        with _stream(parts) as stream:
            try:
                store.bulk_load(input=stream, format=ox.RdfFormat.N_TRIPLES)
            except (OSError, SyntaxError, ValueError) as err:
                raise KGError(f"cannot load the N-Triples parts: {err}") from err
        store.flush()
        triples = len(store)
        del store
        tmp = out_dir / f".{GRAPH_FILE}.tmp-{os.getpid()}"
        dump_turtle(scratch, tmp)
        os.replace(tmp, out_dir / GRAPH_FILE)
        return triples
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
