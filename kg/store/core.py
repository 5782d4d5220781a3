"""The on-disk store: layout, opening for reading, and publishing a new version atomically.

A build directory ``DIR`` holds::

    DIR/graph.ttl                       the graph as Turtle (replaced atomically on every write)
    DIR/store/CURRENT.json              manifest: which generation is current, counts, history
    DIR/store/gen-000003/oxigraph/      the Oxigraph (RocksDB) store of that generation
    DIR/store/gen-000003/extractions.jsonl   the extraction records (for ``kg add``)
    DIR/store/write.lock                writer lock (see :mod:`kg.store.lock`)

A generation is never modified once published. A writer builds the next one in a temporary
directory, renames it into place and then replaces ``CURRENT.json`` (``os.replace`` is atomic),
so readers always see a complete store and a writer killed half-way leaves the previous store
as it was; the next writer removes the debris. Readers need no lock against writers; the
previous generation is kept (and any generation a reader still holds open) until it is unused.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from kg.errors import KGError
from kg.rdf.files import GRAPH_FILE, fsync_dir, write_atomic
from kg.rdf.version import outdated_message
from kg.store.lock import WriterLock, hold_generation, lock_for_removal, writer_active
from kg.vocab import VOCABULARY_VERSION

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Graph

    from kg.records import PaperExtraction

STORE = "store"
CURRENT = "CURRENT.json"
OXIGRAPH = "oxigraph"
EXTRACTIONS = "extractions.jsonl"
#: a generation's answers to the library's precomputed queries (kg.sparql.answers)
ANSWERS = "answers"
FORMAT = 1
_GEN = re.compile(r"^gen-(\d{6,})$")


@dataclass
class Manifest:
    """``store/CURRENT.json``."""

    generation: str
    papers: int
    triples: int
    written_by: str  # "build", "add" or "update" (SPARQL Update through kg serve)
    written_at: str
    #: True once SPARQL updates changed the store: the extraction records no longer describe it.
    sparql_updated: bool = False
    format: int = FORMAT
    history: list[dict] = field(default_factory=list)
    #: the vocabulary version of the graph (:data:`kg.vocab.VOCABULARY_VERSION`); stores
    #: written before versions were recorded are version "1"
    vocabulary: str = "1"


def store_root(path: str | Path) -> Path:
    return Path(path) / STORE


def is_store(path: str | Path) -> bool:
    """True if ``path`` is a build directory with a published store."""
    return (store_root(path) / CURRENT).is_file()


def not_a_store_error(path: str | Path) -> KGError:
    """The one line for a path that names no store: a file inside a build directory
    (``kg serve kg-out/graph.ttl``) points at that directory, anything else at ``kg build``."""
    path = Path(path)
    if path.is_file() and is_store(path.parent):
        build = path.parent
        return KGError(f"{path}: a file of the build {build}; pass the build directory {build}")
    if path.is_file():
        return KGError(f"{path}: a file, not a kg store (a build directory: kg build -o DIR)")
    return KGError(f"{path}: not a kg store; create it first with kg build -o {path}")


def build_dir_of(path: str | Path) -> Path:
    """The build directory ``path`` names: its parent when ``path`` is a build directory's
    published ``store/`` itself (``kg query kg-out/store``), else ``path``.

    Safe for readers and writers alike: the store belongs to exactly one build directory (the
    one whose ``graph.ttl`` it keeps in step), and only a published store is recognised."""
    path = Path(path)
    if path.name == STORE and (path / CURRENT).is_file() and is_store(path.parent):
        return path.parent
    return path


def read_manifest(path: str | Path) -> Manifest:
    file = store_root(path) / CURRENT
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KGError(
            f"{path}: not a kg store (no {STORE}/{CURRENT}; build one with kg build -o DIR)"
        ) from None
    except (OSError, ValueError) as err:
        raise KGError(f"{file}: cannot read the store manifest ({err})") from err
    if data.get("format") != FORMAT:
        raise KGError(
            f"{file}: store format {data.get('format')!r} is not supported "
            f"(expected {FORMAT}); rebuild it"
        )
    names = Manifest.__dataclass_fields__
    return Manifest(**{k: v for k, v in data.items() if k in names})


def generation_dir(path: str | Path, generation: str) -> Path:
    return store_root(path) / generation


# --- reading ---------------------------------------------------------------------------------


class StoreHandle:
    """One generation of a store, open read-only (queried by :func:`kg.sparql.query.run_query`)."""

    def __init__(
        self, path: Path, manifest: Manifest, store: pyoxigraph.Store, lock_fd: int | None
    ):
        self.path = path
        self.manifest = manifest
        self.store = store
        self._lock_fd = lock_fd

    @property
    def generation(self) -> str:
        return self.manifest.generation

    def close(self) -> None:
        self.store = None  # type: ignore[assignment]  # RocksDB closes when the object goes
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass

    def __enter__(self) -> StoreHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<kg store {self.path} {self.generation}>"


def open_store(path: str | Path) -> StoreHandle:
    """Open the current generation of the store in ``path`` for reading (many readers at once)."""
    import pyoxigraph as ox

    path = Path(path)
    last_error: Exception | None = None
    for _attempt in range(5):
        manifest = read_manifest(path)
        gen = generation_dir(path, manifest.generation)
        fd = hold_generation(gen)
        if not (gen / OXIGRAPH).is_dir():  # removed between reading CURRENT and locking: retry
            if fd is not None:
                os.close(fd)
            last_error = KGError(f"{gen}: generation missing")
            time.sleep(0.05)
            continue
        try:
            store = ox.Store.read_only(str(gen / OXIGRAPH))
        except OSError as err:
            if fd is not None:
                os.close(fd)
            last_error = err
            time.sleep(0.05)
            continue
        if manifest.vocabulary != VOCABULARY_VERSION:
            del store
            if fd is not None:
                os.close(fd)
            raise KGError(outdated_message(str(path), manifest.vocabulary, store=True))
        return StoreHandle(path, manifest, store, fd)
    raise KGError(f"{path}: cannot open the store ({' '.join(str(last_error).split())})")


def open_graph(path: str | Path) -> Graph:
    """The store as an rdflib Graph (oxrdflib), for code that wants rdflib's API."""
    from oxrdflib import OxigraphStore
    from rdflib import Graph
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    from kg.vocab import PREFIXES

    handle = open_store(path)
    # the store's default graph (where the data is), not a fresh empty named graph
    graph = Graph(store=OxigraphStore(store=handle.store), identifier=DATASET_DEFAULT_GRAPH_ID)
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True)
    graph._kg_store_handle = handle  # type: ignore[attr-defined]  # keeps the generation locked
    return graph


def store_of(graph) -> pyoxigraph.Store | None:
    """The Oxigraph store under an rdflib Graph opened by :func:`open_graph`, else None."""
    handle = getattr(graph, "_kg_store_handle", None)
    return handle.store if handle is not None else None


# --- writing ---------------------------------------------------------------------------------


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def line_pieces(stream: BinaryIO, size: int) -> Iterator[bytes]:
    """``stream``'s bytes in pieces of ``size`` bytes or a little more: each ends at a line end
    (or the stream's end), so every piece of a line-based RDF file parses on its own."""
    while True:
        piece = stream.read(size)
        if not piece:
            return
        if not piece.endswith(b"\n"):
            piece += stream.readline()
        yield piece


#: Pieces bulk-loaded at once (:func:`load_pieces`).
LOAD_THREADS = 2


def load_pieces(
    store: pyoxigraph.Store,
    pieces: Iterator[bytes],
    format: pyoxigraph.RdfFormat,  # noqa: A002
    lenient: bool,
    threads: int = LOAD_THREADS,
) -> None:
    """Bulk-load each piece, ``threads`` pieces at a time.

    Why pieces: Oxigraph's bulk loader holds batches of a million quads as parsed strings, and
    pyoxigraph has no setting for it. 4.7 M triples in one call peaked at 1.77 GB; in 64 MB
    pieces, one at a time, at 0.42 GB, but slower (23.7 s against 15.7 s: a piece under a
    million quads is one batch, one thread). Two at a time: 0.79 GB and 13.9 s. Concurrent bulk
    loads into one store are what Oxigraph's own loader does with its threads (each batch is
    sorted into its own files and ingested by RocksDB); the store holds the same quads
    (checked on the 10k-abstract build). The store's final ``optimize`` merges the files.
    The GIL is released while Oxigraph parses and writes, so threads suffice."""
    lock = threading.Lock()
    failures: list[BaseException] = []

    def work() -> None:
        while not failures:
            try:
                with lock:
                    piece = next(pieces, None)
                if piece is None:
                    return
                store.bulk_load(input=piece, format=format, lenient=lenient)
            except BaseException as err:  # noqa: BLE001 - re-raised in the caller's thread
                failures.append(err)
                return

    workers = [threading.Thread(target=work, name=f"kg-load-{i}") for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        raise failures[0]


class Publisher:
    """Writes the next generation of the store in ``path`` under the writer lock.

    Use as a context manager (it takes the lock on entry, or reuses ``lock`` if given); stage the
    new content with :meth:`stage_load` (or :meth:`stage_turtle`), then :meth:`publish`.
    Leaving without publishing (an error, Ctrl-C) removes the staged files and leaves the store
    as it was.
    """

    def __init__(self, path: str | Path, lock: WriterLock | None = None, what: str = "") -> None:
        self.path = Path(path)
        self.root = store_root(self.path)
        self._own_lock = lock is None
        self.lock = lock or WriterLock(self.root, what)
        self.staging: Path | None = None
        self._graph_tmp: Path | None = None
        self.triples = 0
        #: names of entries of ``store/`` the clean-up must leave alone (a server's working copy)
        self.protect: set[str] = set()

    def __enter__(self) -> Publisher:
        if not self.lock.held:
            self.lock.acquire()
        self.collect_garbage()
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._discard()
        finally:
            if self._own_lock:
                self.lock.release()

    def _discard(self) -> None:
        if self.staging is not None and self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)
        if self._graph_tmp is not None and self._graph_tmp.exists():
            self._graph_tmp.unlink()
        self.staging = self._graph_tmp = None

    def _next_generation(self) -> str:
        numbers = [int(m.group(1)) for p in self.root.iterdir() if (m := _GEN.match(p.name))]
        return f"gen-{max(numbers, default=0) + 1:06d}"

    def stage_turtle(self, turtle: Path, extractions: Iterable[PaperExtraction] | None) -> None:
        import pyoxigraph as ox

        self.stage_load(turtle, ox.RdfFormat.TURTLE, extractions)

    def stage_load(
        self,
        source: Path | BinaryIO,
        format: pyoxigraph.RdfFormat,  # noqa: A002
        extractions: Iterable[PaperExtraction] | None,
        *,
        lenient: bool = False,
        piece_bytes: int | None = None,
        derive: Callable[[pyoxigraph.Store], Mapping[str, bytes]] | None = None,
    ) -> None:
        """Bulk-load ``source`` (a file, or a binary stream) into the next generation.

        ``lenient`` skips Oxigraph's IRI validation: only for data kg wrote itself.
        ``piece_bytes`` (line-based formats only: N-Triples, N-Quads): load a stream in pieces
        of about that many bytes, cut at line ends (:func:`load_pieces`).
        ``derive``: files computed from the loaded store (name -> bytes), kept in the
        generation's ``answers/`` (:mod:`kg.sparql.answers`: the layer above decides what)."""
        import pyoxigraph as ox

        from kg.store.extractions import write_extractions

        self.staging = self.root / f"tmp-{os.getpid()}-{int(time.time() * 1000)}"
        self.staging.mkdir(parents=True)
        store = ox.Store(str(self.staging / OXIGRAPH))
        try:
            if isinstance(source, Path):
                store.bulk_load(path=str(source), format=format, lenient=lenient)
            elif piece_bytes is None:
                store.bulk_load(input=source, format=format, lenient=lenient)
            else:
                load_pieces(store, line_pieces(source, piece_bytes), format, lenient)
            store.flush()
            # Compact the bulk-loaded files: point lookups (what queries do) get many times
            # faster; the store is never written again, so this is paid once.
            store.optimize()
            self.triples = len(store)
            if derive is not None:
                answers = self.staging / ANSWERS
                answers.mkdir()
                for name, data in derive(store).items():
                    (answers / name).write_bytes(data)
        except (OSError, SyntaxError, ValueError) as err:
            raise KGError(
                f"cannot load {source} into the store: {' '.join(str(err).split())}"
            ) from err
        finally:
            del store
        if extractions is not None:
            write_extractions(extractions, self.staging / EXTRACTIONS)
        (self.staging / "readers.lock").touch()

    def stage_store_copy(self, source: pyoxigraph.Store) -> None:
        """Stage a checkpoint of ``source`` (hard links: fast) as the next generation."""
        self.staging = self.root / f"tmp-{os.getpid()}-{int(time.time() * 1000)}"
        self.staging.mkdir(parents=True)
        source.backup(str(self.staging / OXIGRAPH))
        self.triples = len(source)
        (self.staging / "readers.lock").touch()

    def publish(
        self,
        papers: int,
        written_by: str,
        *,
        sparql_updated: bool = False,
        link_extractions_from: Path | None = None,
    ) -> Manifest:
        """Make the staged generation current (atomic) and remove what no reader needs.

        ``link_extractions_from``: reuse that (immutable) extraction file, hard-linked.
        """
        if self.staging is None:
            raise RuntimeError("nothing staged")
        if link_extractions_from is not None and link_extractions_from.is_file():
            try:
                os.link(link_extractions_from, self.staging / EXTRACTIONS)
            except OSError:
                shutil.copyfile(link_extractions_from, self.staging / EXTRACTIONS)
        previous = read_manifest(self.path) if (self.root / CURRENT).is_file() else None
        generation = self._next_generation()
        fsync_dir(self.staging)
        os.rename(self.staging, self.root / generation)
        self.staging = None
        history = list(previous.history) if previous else []
        history.append(
            {
                "generation": generation,
                "written_by": written_by,
                "at": _now(),
                "papers": papers,
                "triples": self.triples,
            }
        )
        manifest = Manifest(
            generation=generation,
            papers=papers,
            triples=self.triples,
            written_by=written_by,
            written_at=_now(),
            sparql_updated=sparql_updated,
            history=history[-50:],
            vocabulary=VOCABULARY_VERSION,
        )
        write_atomic(self.root / CURRENT, json.dumps(asdict(manifest), indent=1) + "\n")
        if self._graph_tmp is not None:
            os.replace(self._graph_tmp, self.path / GRAPH_FILE)
            self._graph_tmp = None
        self.collect_garbage(keep={generation, previous.generation if previous else ""})
        return manifest

    def collect_garbage(self, keep: set[str] | None = None) -> None:
        """Remove debris of killed writers and generations older than the previous one that no
        reader holds open. Called under the writer lock only."""
        if not self.root.is_dir():
            return
        if keep is None:
            if not (self.root / CURRENT).is_file():
                keep = set()
            else:
                current = read_manifest(self.path)
                gens = sorted(p.name for p in self.root.iterdir() if _GEN.match(p.name))
                older = [g for g in gens if g < current.generation]
                keep = {current.generation, *(older[-1:])}
        mine = (f"tmp-{os.getpid()}-", f"work-{os.getpid()}")
        for entry in self.root.iterdir():
            if entry.name.startswith(mine) or entry.name in self.protect:
                continue  # in use by this process (or the server it works for)
            if entry.name.startswith(("tmp-", "work-", "trash-")) and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)  # we hold the writer lock: all stale
            elif _GEN.match(entry.name) and entry.name not in keep:
                fd = lock_for_removal(entry)
                if fd is None:
                    continue  # a reader still has it open
                try:
                    trash = self.root / f"trash-{entry.name}-{os.getpid()}"
                    os.rename(entry, trash)
                finally:
                    if fd >= 0:
                        os.close(fd)
                shutil.rmtree(trash, ignore_errors=True)
        for stale in self.path.glob(f".{GRAPH_FILE}.tmp-*"):
            if stale != self._graph_tmp:
                stale.unlink(missing_ok=True)


def check_no_writer(path: str | Path) -> None:
    """Fail early (before hours of extraction) if another process is writing the store."""
    holder = writer_active(store_root(path))
    if holder:
        raise KGError(
            f"{path}: store is being written by another process ({holder}); "
            "try again when it has finished"
        )
