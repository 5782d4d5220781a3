"""Bulk-load the N-Triples parts into Oxigraph and assemble ``graph.ttl`` from the Turtle parts.

With a store (``kg build``'s default) the parts become the next store generation through
:class:`kg.store.core.Publisher` (atomic, under the writer lock); ``graph.ttl`` is assembled
before the generation is published and moved into place with it, so both appear together.

``graph.ttl`` is one ``@prefix`` header followed by the Turtle of each part, which the workers
wrote in parallel (:func:`kg.rdf.ntriples.turtle_body`): the same triples as the store, in
input order (deterministic), grouped by subject. Dumping a large on-disk store as Turtle would
take several times longer, on one core.

The load overlaps the writing (:class:`PartsFeed`): Oxigraph's bulk loader runs in a thread of
the coordinating process (it releases the GIL while it parses and sorts) and reads each part as
soon as a worker has written it, while the workers write the next parts and the coordinator
writes the graph-wide part. Run one after the other, these stages left both cores idle half the
time (one loader thread, or one process writing the graph-wide part).
"""

from __future__ import annotations

import io
import os
import shutil
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from kg.rdf.files import GRAPH_FILE
from kg.rdf.ntriples import TURTLE_SUFFIX, turtle_header
from kg.store.lock import WriterLock

#: N-Triples per bulk load: ~400 k triples. One bulk load of the whole corpus made the loader the
#: biggest part of the build's memory peak (see :func:`kg.store.core.load_pieces`).
LOAD_PIECE_BYTES = 64 << 20


class PartsFeed:
    """Parts handed from the writers to the loader: :meth:`wait` blocks until a part is written.

    If writing fails, :meth:`fail` wakes the loader, whose read then raises (and its bulk load
    stops without publishing anything)."""

    def __init__(self) -> None:
        self._ready: dict[Path, None] = {}  # in the order they were written
        self._failed: str | None = None
        self._cond = threading.Condition()

    def ready(self, path: Path) -> None:
        with self._cond:
            self._ready[Path(path)] = None
            self._cond.notify_all()

    def fail(self, why: str) -> None:
        with self._cond:
            self._failed = why
            self._cond.notify_all()

    def check(self) -> None:
        """Raise if the run failed or was stopped (the loader calls this before every read,
        so Ctrl-C stops a bulk load within one buffer)."""
        if self._failed is not None:
            raise OSError(f"not loaded: {self._failed}")

    def take(self, paths: list[Path]) -> Path:
        """Remove from ``paths`` and return the part of them written first, once there is one:
        the loader reads the parts in the order they are finished, not in input order, so it
        never waits for a slow part while others are ready (the graph-wide part, written by
        the coordinator while the workers write theirs, is done somewhere in the middle)."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._failed is not None or any(p in self._ready for p in paths)
            )
            if self._failed is not None:
                raise OSError(f"not loaded: {self._failed}")
            path = next(p for p in self._ready if p in paths)
            paths.remove(path)
            return path


class ChainedFiles(io.RawIOBase):
    """The concatenation of several files as one binary stream (what bulk_load reads).

    With a ``feed`` (:class:`PartsFeed`), the files are read in the order the feed has them
    (:meth:`PartsFeed.take`), and every read fails once the feed has failed."""

    def __init__(self, paths: Sequence[Path], feed: PartsFeed | None = None) -> None:
        self._paths = [Path(p) for p in paths]
        self._feed = feed
        self._current = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while True:
            if self._feed is not None:
                self._feed.check()
            if self._current is None:
                if not self._paths:
                    return 0
                if self._feed is None:
                    path = self._paths.pop(0)
                else:
                    path = self._feed.take(self._paths)
                self._current = open(path, "rb")  # noqa: SIM115
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


def _stream(parts: Sequence[Path], feed: PartsFeed | None) -> io.BufferedReader:
    return io.BufferedReader(ChainedFiles(parts, feed), buffer_size=1 << 20)


def assemble_turtle(parts: Sequence[Path], dest: Path) -> None:
    """Write the prefixes and the Turtle sibling (``.ttl``) of every N-Triples part to ``dest``."""
    with dest.open("wb") as out:
        out.write(turtle_header())
        for part in parts:
            with part.with_suffix(TURTLE_SUFFIX).open("rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)


def publish_parts(
    out_dir: Path,
    parts: Sequence[Path],
    papers: int,
    extractions: Path | None,
    *,
    feed: PartsFeed | None = None,
    lock: WriterLock | None = None,
    written_by: str = "build",
    turtle_ready: Callable[[], object] | None = None,
) -> int:
    """Publish a store generation holding ``parts`` and write ``graph.ttl``; -> triples.

    ``graph.ttl`` lists the parts in the order of ``parts``; the store loads them as ``feed``
    says they are written (default: all are, in that order). The parts are our own output, so
    the loader skips IRI validation (``lenient``): a tenth of its time. ``turtle_ready`` waits
    until the parts' Turtle is written (the build writes it meanwhile, see
    :func:`kg.build.run._write_turtle`)."""
    import pyoxigraph as ox

    from kg.sparql.answers import compute_answers
    from kg.store.core import Publisher

    with Publisher(out_dir, lock=lock, what=f"kg {written_by}") as pub:
        with _stream(parts, feed) as stream:
            pub.stage_load(
                stream,
                ox.RdfFormat.N_TRIPLES,
                None,
                lenient=True,
                piece_bytes=LOAD_PIECE_BYTES,
                derive=compute_answers,  # the library's slow rankings, kept per generation
            )
        # publish() moves graph.ttl into place together with the new generation
        pub._graph_tmp = out_dir / f".{GRAPH_FILE}.tmp-{os.getpid()}"
        if turtle_ready is not None:
            turtle_ready()
        assemble_turtle(parts, pub._graph_tmp)
        pub.publish(papers, written_by, link_extractions_from=extractions)
        return pub.triples


def write_turtle_only(out_dir: Path, parts: Sequence[Path]) -> None:
    """``graph.ttl`` without a store (``kg build --no-store``)."""
    tmp = out_dir / f".{GRAPH_FILE}.tmp-{os.getpid()}"
    try:
        assemble_turtle(parts, tmp)
        os.replace(tmp, out_dir / GRAPH_FILE)
    finally:
        tmp.unlink(missing_ok=True)
