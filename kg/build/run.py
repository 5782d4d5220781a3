"""``kg build``: extract in batches (here, N processes or Dask), link globally, load N-Triples.

The one path of every build, whatever its size. Stages, each timed in
:attr:`BuildResult.stages`:

1. ``extract`` - batches of papers -> checkpoints in ``OUT/work/batches`` (skipped when a
   complete checkpoint for the same papers and pipeline exists: resume after Ctrl-C or a crash;
   ``OUT/work`` is removed when the build succeeds);
2. ``link`` - entity resolution and topics over all checkpoints (one thread of the coordinator,
   streaming, started with the extraction: it reads each checkpoint once the batch is done, so
   the stage's time is what is left of it after the last batch);
3. ``write`` - one N-Triples part (and its Turtle) per batch, by the workers, and meanwhile
   the graph-wide part, by a thread of the coordinator;
4. ``load`` - bulk-load the N-Triples into the Oxigraph store; ``graph.ttl`` = the Turtle parts.
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from kg.build.batches import (
    BATCHES,
    WORK,
    BatchSummary,
    clean_stale,
    make_batches,
    pipeline_fingerprint,
    read_summary,
    write_prior_batches,
)
from kg.build.engines import InProcessEngine, PartJob, PartResult, PoolEngine
from kg.build.linking import GlobalLink, link_checkpoints, resolution_slices
from kg.build.papers import no_papers_error, read_papers
from kg.errors import InputProblem, KGError, check_output_dir
from kg.ingest import sample_inputs
from kg.progress import status
from kg.rdf.files import GRAPH_FILE
from kg.rdf.ntriples import global_triples, write_lines, write_turtle_sibling
from kg.records import Paper, PaperExtraction
from kg.store.lock import WriterLock

ENGINES = ("local", "dask")
DEFAULT_OUT = Path("kg-out")


@dataclass
class BuildResult:
    graph_path: Path
    papers: int
    records_read: int
    entities_by_type: dict[str, int]
    claims: int
    topics: int
    triples: int
    seconds: float
    skipped: list[InputProblem] = field(default_factory=list)
    #: seconds per stage (extract, link, write, load)
    stages: dict[str, float] = field(default_factory=dict)


@dataclass
class BuildOptions:
    workers: int = 1
    engine: str = "local"  # "local" or "dask"
    scheduler: str | None = None  # Dask scheduler address; None starts a LocalCluster
    chunk_size: int | None = None  # papers per batch (checkpoint, task); None: auto_chunk()
    batch_size: int = 32  # papers per nlp.pipe batch inside a task
    resume: bool = True  # reuse complete checkpoints of earlier runs
    keep_ntriples: bool = False  # keep OUT/work/ntriples/*.nt (for a server triple store)
    model: str | None = None  # pipeline directory (default: the shipped one)
    setup: Callable | None = None  # picklable hook run on each process's pipeline (tests)
    dask_processes: bool = True  # LocalCluster with worker processes (False: threads)
    dask_ship_bytes: bool | None = None  # checkpoints, parts via the client; None: not LocalCluster


def auto_chunk(papers: int) -> int:
    """Papers per batch: 256, fewer for small inputs so that workers share the work evenly
    (independent of the number of workers, so checkpoints survive a change of ``--workers``)."""
    return min(256, max(16, -(-papers // 32)))


def make_engine(options: BuildOptions):
    if options.engine == "dask":
        from kg.build.dask_engine import DaskEngine

        return DaskEngine(
            max(options.workers, 1),
            options.scheduler,
            options.batch_size,
            options.model,
            options.setup,
            processes=options.dask_processes,
            ship_bytes=options.dask_ship_bytes,
        )
    if options.engine != "local":
        raise KGError(f"unknown engine {options.engine!r} (expected one of {', '.join(ENGINES)})")
    if options.workers <= 1:
        return InProcessEngine(options.batch_size, options.model, options.setup)
    return PoolEngine(options.workers, options.batch_size, options.model, options.setup)


def _bar(progress: bool, total: int, initial: int, desc: str, unit: str):
    from kg.progress import bar

    return bar(progress, total, desc, unit, initial=initial)


def _release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the OS (glibc keeps them otherwise,
    and the bulk load that follows needs them)."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the pages are reused later anyway
        pass


def _summary(link) -> dict:
    types = Counter(e.type for e in link.resolution.entities.values())
    return {
        "entities_by_type": dict(sorted(types.items())),
        "topics": len({a.topic for a in link.assignments if a.is_subject}),
    }


def _write_turtle(parts: Sequence[Path], stop: threading.Event, done: Future) -> None:
    """The Turtle sibling of every N-Triples part, at a lower priority than the rest of the
    build: the bulk load (and its ``optimize``, on one core) comes first, and ``graph.ttl``
    needs the Turtle only once the store is done. In the workers, before the load could start,
    the Turtle was a third of the time a part took (8,000 abstracts: 0.05 of 0.16 s)."""
    try:  # Linux: the priority of this thread only
        native = threading.get_native_id()
        niceness = os.getpriority(os.PRIO_PROCESS, native)
        os.setpriority(os.PRIO_PROCESS, native, min(19, niceness + 5))
    except (AttributeError, OSError):
        pass
    try:
        for part in parts:
            if stop.is_set():
                raise KGError("stopped")
            write_turtle_sibling(part)
    except BaseException as err:  # noqa: BLE001 - raised where the Turtle is waited for
        done.set_exception(err)
    else:
        done.set_result(None)


class _Run:
    """One build's state, shared by its stages (each a method, in the order :meth:`go` calls
    them): the batches, their summaries as they finish, the engine and the helper threads."""

    def __init__(self, out_dir: Path, options: BuildOptions, report, progress: bool) -> None:
        self.out_dir = out_dir
        self.options = options
        self.report = report
        self.progress = progress
        self.work = out_dir / WORK
        self.batches_dir = self.work / BATCHES
        self.nt_dir = self.work / "ntriples"
        self.stages: dict[str, float] = {}
        self.specs: list = []
        self.prior_batches = 0
        self.summaries: dict[int, BatchSummary] = {}
        self.engine = None
        self.batch_done = threading.Condition()  # a batch is done (or the run stops)
        self.stopping = False

    # --- 1. plan: which batches, which of them are done already ----------------------------

    def plan(self, papers: Sequence[Paper], prior: Sequence[PaperExtraction]) -> None:
        """The prior records (``kg add``) as finished batches, then the papers in batches;
        with ``resume``, the batches whose complete checkpoint is still there are done too."""
        self.batches_dir.mkdir(parents=True, exist_ok=True)
        kept = {p.name for p in self.batches_dir.iterdir() if ".tmp-" not in p.name}
        clean_stale(self.batches_dir, kept)
        chunk_size = self.options.chunk_size or auto_chunk(len(prior) + len(papers))
        self.specs = write_prior_batches(prior, chunk_size, self.batches_dir)
        self.prior_batches = len(self.specs)
        for spec in self.specs:
            self.summaries[spec.index] = read_summary(self.batches_dir / spec.name)
        fingerprint = pipeline_fingerprint(self.options.model)
        first = len(self.specs)
        self.specs += make_batches(papers, chunk_size, fingerprint, first_index=first)
        if self.options.resume:
            for spec in self.specs[first:]:
                path = self.batches_dir / spec.name
                summary = read_summary(path) if path.is_file() else None
                if summary is not None and summary.key == spec.key and summary.index == spec.index:
                    self.summaries[spec.index] = summary
        for summary in sorted(self.summaries.values(), key=lambda s: s.index):
            for problem in summary.problems():  # reported again when resumed
                self.report(problem)

    # --- 2. extract, and link while extracting --------------------------------------------

    def _finished_checkpoints(self) -> Iterator[Path]:
        """The checkpoints of the batches that did not fail, in batch order, each as soon as
        its batch is done (what the link thread reads while the workers extract)."""
        for spec in self.specs:
            with self.batch_done:
                self.batch_done.wait_for(lambda s=spec: s.index in self.summaries or self.stopping)
                if self.stopping:
                    raise KGError("stopped")
                failed = self.summaries[spec.index].failed
            if not failed:
                yield self.batches_dir / spec.name

    def extract_and_link(self, store: bool, papers: int) -> GlobalLink:
        todo = [s for s in self.specs if s.index not in self.summaries]
        t = time.perf_counter()
        # the bar counts the papers to extract: prior records (kg add) are not extracted again
        done_papers = sum(
            s.papers for s in self.summaries.values() if s.index >= self.prior_batches
        )
        bar = _bar(self.progress, done_papers + sum(len(s.papers) for s in todo), done_papers,
                   "extract", "paper")  # fmt: skip
        linker = ThreadPoolExecutor(1, thread_name_prefix="kg-link")

        def done(summary: BatchSummary) -> None:
            with self.batch_done:
                self.summaries[summary.index] = summary
                self.batch_done.notify_all()
            for problem in summary.problems():
                self.report(problem)
            bar.update(summary.papers)

        try:
            extractions = self.work / "extractions.jsonl" if store else None
            linking = linker.submit(link_checkpoints, self._finished_checkpoints(), extractions)
            if todo:
                self.engine = make_engine(self.options)
                self.engine.extract(todo, self.batches_dir, done)
            bar.close()
            self.stages["extract"] = round(time.perf_counter() - t, 2)
            t = time.perf_counter()
            with status(self.progress, f"linking {papers} papers"):
                link = linking.result()
        finally:
            bar.close()
            with self.batch_done:  # a link thread still waiting for batches stops
                self.stopping = True
                self.batch_done.notify_all()
            linker.shutdown(wait=True)
        if not link.papers:
            raise KGError("the pipeline failed on every paper (see the messages above)")
        self.stages["link"] = round(time.perf_counter() - t, 2)
        return link

    # --- 3. write the parts (and meanwhile the graph-wide part), load them as they come -----

    def _write_graph_wide(
        self, link: GlobalLink, dest: Path, stop: threading.Event, feed, turtle: bool
    ) -> int:
        def triples():
            wide = global_triples(link.resolution, link.assignments, link.links, link.agents)
            for n, triple in enumerate(wide):
                if not n & 0xFFFF and stop.is_set():  # Ctrl-C, a failed part
                    raise KGError("stopped")
                yield triple

        count = write_lines(triples(), dest, turtle)[0]
        if feed is not None:
            feed.ready(dest)
        return count

    def write_and_load(self, link: GlobalLink, store: bool, lock, written_by: str) -> int:
        """-> the triples of the graph (the store's count; without a store, lines written)."""
        t = time.perf_counter()
        ok = [s for s in self.specs if not self.summaries[s.index].failed]
        slices = resolution_slices(link)
        if self.nt_dir.exists():
            shutil.rmtree(self.nt_dir)
        # local engines: the Turtle of the parts is written after all N-Triples (_write_turtle)
        later = self.options.engine == "local"
        jobs = [
            PartJob(s.index, self.batches_dir / s.name, offset, part,
                    self.nt_dir / f"part-{s.index:06d}.nt", turtle=not later)
            for s, offset, part in zip(ok, link.offsets, slices, strict=True)
        ]  # fmt: skip
        global_nt = self.nt_dir / "global.nt"
        parts = [global_nt, *(job.dest for job in jobs)]
        feed = loader = loaded = None
        turtler = ThreadPoolExecutor(1, thread_name_prefix="kg-turtle") if later else None
        # set by the Turtle thread; a Future made here, so the loader may wait for it at once
        turtle_done: Future | None = Future() if later else None
        if store:  # the store loads each part as soon as it is written (a thread of this process)
            from kg.build.load import PartsFeed, publish_parts

            feed = PartsFeed()
            loader = ThreadPoolExecutor(1, thread_name_prefix="kg-load")
            extractions = self.work / "extractions.jsonl"
            loaded = loader.submit(
                publish_parts, self.out_dir, parts, link.papers, extractions,
                feed=feed, lock=lock, written_by=written_by,
                turtle_ready=turtle_done.result if turtle_done is not None else None,
            )  # fmt: skip
        written = 0
        wbar = _bar(self.progress, len(jobs), 0, "write", "part")

        def part_written(result: PartResult) -> None:
            nonlocal written
            written += result.triples
            if feed is not None:
                feed.ready(self.nt_dir / f"part-{result.index:06d}.nt")
            wbar.update(1)

        # the graph-wide part is written while the workers write theirs: alone, after them, it
        # kept a core idle for a tenth of the run (the coordinator otherwise only waits)
        stop = threading.Event()
        wide_writer = ThreadPoolExecutor(1, thread_name_prefix="kg-global")
        try:
            wide = wide_writer.submit(
                self._write_graph_wide, link, global_nt, stop, feed, not later
            )
            if self.engine is None and jobs and self.options.workers > 1:
                self.engine = make_engine(self.options)
            if self.engine is None and jobs and self.options.engine != "local":
                self.engine = make_engine(self.options)
            (self.engine or InProcessEngine()).write_parts(jobs, part_written)
            wbar.close()
            # the pool's work is done: its idle processes are stopped, not asked to exit (a
            # normal exit frees each spaCy model object by object: 1.7 s on two cores while
            # the bulk load, the critical path, still runs)
            self.close_engine(graceful=not isinstance(self.engine, PoolEngine))
            written += wide.result()
            if turtler is not None:
                turtler.submit(_write_turtle, parts, stop, turtle_done)
            # the resolution (~1 GB for the corpus) is released while the bulk load finishes,
            # which needs memory of its own
            link.resolution = link.assignments = link.links = None
            del jobs, slices, wide
            _release_memory()
        except BaseException as err:
            stop.set()
            if turtler is not None:
                turtler.shutdown(wait=True)
            if feed is not None:
                feed.fail(f"writing the N-Triples parts failed ({type(err).__name__})")
                loader.shutdown(wait=True)  # its bulk load stops; nothing is published
            raise
        finally:
            wide_writer.shutdown(wait=True)
        self.stages["write"] = round(time.perf_counter() - t, 2)

        t = time.perf_counter()
        if loader is None:
            from kg.build.load import write_turtle_only

            if turtle_done is not None:
                try:
                    turtle_done.result()
                finally:
                    turtler.shutdown(wait=True)
            write_turtle_only(self.out_dir, parts)
            triples = written  # lines written; the store would drop duplicates
        else:
            try:
                with status(self.progress, "loading the store"):
                    triples = loaded.result()
            except BaseException:  # Ctrl-C: stop the bulk load; the previous store stays
                feed.fail("stopped")
                stop.set()
                raise
            finally:
                loader.shutdown(wait=True)
                if turtler is not None:
                    turtler.shutdown(wait=True)
        self.stages["load"] = round(time.perf_counter() - t, 2)  # what is left after writing
        return triples

    # --- the end: clean up ---------------------------------------------------------------

    def close_engine(self, graceful: bool = True) -> None:
        if self.engine is not None:
            self.engine.close(graceful=graceful)
            self.engine = None

    def interrupted(self) -> None:
        self.close_engine(graceful=False)
        finished = sum(1 for s in self.summaries.values() if not s.failed)
        print(
            f"kg: stopped; {finished} of {len(self.specs)} batches are extracted and kept in "
            f"{self.batches_dir}: run the same command again to resume",
            file=sys.stderr,
        )

    def remove_work(self) -> None:
        """The checkpoints only served resuming this run, and on the corpus they are megabytes
        (3.5 MB for 2,008 papers) that nobody would know to delete. The N-Triples stay if
        asked for."""
        (self.work / "extractions.jsonl").unlink(missing_ok=True)  # hard-linked into the store
        shutil.rmtree(self.batches_dir, ignore_errors=True)
        if not self.options.keep_ntriples:
            shutil.rmtree(self.work, ignore_errors=True)


def run(
    papers: list[Paper],
    out_dir: str | Path,
    options: BuildOptions,
    *,
    records_read: int,
    skipped: list[InputProblem],
    report: Callable[[InputProblem], None],
    progress: bool = False,
    store: bool = True,
    started: float | None = None,
    prior: Sequence[PaperExtraction] = (),
    lock: WriterLock | None = None,
    written_by: str = "build",
) -> BuildResult:
    """Extract ``papers``, link them (after the ``prior`` records, already extracted: what
    ``kg add`` keeps of a store), write the graph and publish it (``store``) under ``lock``
    (default: taken here). The stages are those of the module docstring."""
    started = time.perf_counter() if started is None else started
    if options.engine not in ENGINES:
        raise KGError(f"unknown engine {options.engine!r} (expected one of {', '.join(ENGINES)})")
    state = _Run(Path(out_dir), options, report, progress)
    try:
        state.plan(papers, prior)
        link = state.extract_and_link(store, len(prior) + len(papers))
        totals = _summary(link)  # before write_and_load releases the resolution
        papers_linked, claims = link.papers, link.claims
        triples = state.write_and_load(link, store, lock, written_by)
    except KeyboardInterrupt:
        state.interrupted()
        raise
    finally:
        state.close_engine(graceful=False)
    state.remove_work()
    return BuildResult(
        graph_path=state.out_dir / GRAPH_FILE,
        papers=papers_linked,
        records_read=records_read,
        entities_by_type=totals["entities_by_type"],
        claims=claims,
        topics=totals["topics"],
        triples=triples,
        seconds=round(time.perf_counter() - started, 2),
        skipped=skipped,
        stages=state.stages,
    )


def build(
    inputs: Sequence[str | Path] | None = None,
    out_dir: str | Path = DEFAULT_OUT,
    *,
    progress: bool = False,
    batch_size: int = 32,
    on_problem: Callable[[InputProblem], None] | None = None,
    store: bool = True,
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    resume: bool = True,
    options: BuildOptions | None = None,  # all engine options (overrides the five above)
    model: str | Path | None = None,
) -> BuildResult:
    """Build ``out_dir/graph.ttl`` from ``inputs`` (default: the bundled sample).

    One path for every input size (:func:`run`): batches of papers extracted in this process,
    in ``workers`` processes or on Dask (``engine="dask"``, on the cluster at ``scheduler``),
    checkpointed under ``out_dir/work`` (``resume`` reuses them), linked globally, written as
    N-Triples parts and bulk-loaded into Oxigraph. Every engine and worker count gives the same
    graph and the same bytes of ``graph.ttl``.

    With ``store`` (the default) the graph is also bulk-loaded into the Oxigraph store in
    ``out_dir/store`` (see :mod:`kg.store`), replacing the previous one atomically.

    ``model``: the spaCy pipeline directory to extract with (default: the shipped one;
    ``kg.extract.ACCURATE_PIPELINE_DIR`` for ``kg build --accurate``).
    """
    started = time.perf_counter()
    check_output_dir(Path(out_dir))  # fail now, not after the extraction
    if store:
        from kg.store import check_no_writer

        check_no_writer(out_dir)  # fail now, not after the extraction
    skipped: list[InputProblem] = []

    def report(problem: InputProblem) -> None:
        skipped.append(problem)
        if on_problem is not None:
            on_problem(problem)

    papers, read = read_papers(list(inputs) if inputs else sample_inputs(), report)
    if not papers:
        raise no_papers_error(skipped)
    options = options or BuildOptions(
        workers=workers, engine=engine, scheduler=scheduler, resume=resume,
        batch_size=batch_size, model=str(model) if model else None,
    )  # fmt: skip
    return run(
        papers, out_dir, options, records_read=read, skipped=skipped, report=report,
        progress=progress, store=store, started=started,
    )  # fmt: skip
