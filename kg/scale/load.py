"""Bulk-load the N-Triples parts into Oxigraph and assemble ``graph.ttl`` from the Turtle parts.

With a store (``kg build``'s default) the parts become the next store generation through
:class:`kg.store.core.Publisher` (atomic, under the writer lock); ``graph.ttl`` is assembled
before the generation is published and moved into place with it, so both appear together.

``graph.ttl`` is one ``@prefix`` header followed by the Turtle of each part, which the workers
wrote in parallel (:func:`kg.scale.ntriples.turtle_body`): the same triples as the store, in
input order (deterministic), grouped by subject. Dumping a large on-disk store as Turtle would
take several times longer, on one core.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from kg.scale.ntriples import TURTLE_SUFFIX, turtle_header

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


def assemble_turtle(parts: Sequence[Path], dest: Path) -> None:
    """Write the prefixes and the Turtle sibling (``.ttl``) of every N-Triples part to ``dest``."""
    with dest.open("wb") as out:
        out.write(turtle_header())
        for part in parts:
            with part.with_suffix(TURTLE_SUFFIX).open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)


def publish_parts(
    out_dir: Path, parts: Sequence[Path], papers: int, extractions: Path | None
) -> int:
    """Publish a store generation holding ``parts`` and write ``graph.ttl``; -> triples."""
    import pyoxigraph as ox

    from kg.store.core import Publisher

    with Publisher(out_dir, what="kg build") as pub:
        # assembled first: publish() moves it into place together with the new generation
        pub._graph_tmp = out_dir / f".{GRAPH_FILE}.tmp-{os.getpid()}"
        assemble_turtle(parts, pub._graph_tmp)
        with _stream(parts) as stream:
            pub.stage_load(stream, ox.RdfFormat.N_TRIPLES, None)
        pub.publish(papers, "build", link_extractions_from=extractions)
        return pub.triples


def write_turtle_only(out_dir: Path, parts: Sequence[Path]) -> None:
    """``graph.ttl`` without a store (``kg build --no-store``)."""
    tmp = out_dir / f".{GRAPH_FILE}.tmp-{os.getpid()}"
    try:
        assemble_turtle(parts, tmp)
        os.replace(tmp, out_dir / GRAPH_FILE)
    finally:
        tmp.unlink(missing_ok=True)
