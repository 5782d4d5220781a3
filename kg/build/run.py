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
import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
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
from kg.build.linking import link_checkpoints, resolution_slices
from kg.build.papers import no_papers_error, read_papers
from kg.errors import InputProblem, KGError
from kg.ingest import sample_inputs
from kg.rdf.files import GRAPH_FILE
from kg.rdf.ntriples import global_triples, write_lines
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
    out_dir = Path(out_dir)
    work = out_dir / WORK
    batches_dir = work / BATCHES
    nt_dir = work / "ntriples"
    batches_dir.mkdir(parents=True, exist_ok=True)
    clean_stale(batches_dir, {p.name for p in batches_dir.iterdir() if ".tmp-" not in p.name})
    stages: dict[str, float] = {}

    chunk_size = options.chunk_size or auto_chunk(len(prior) + len(papers))
    summaries: dict[int, BatchSummary] = {}
    specs = write_prior_batches(prior, chunk_size, batches_dir)
    for spec in specs:
        summaries[spec.index] = read_summary(batches_dir / spec.name)
    specs += make_batches(
        papers, chunk_size, pipeline_fingerprint(options.model), first_index=len(specs)
    )
    if options.resume:
        for spec in specs[len(summaries) :]:
            path = batches_dir / spec.name
            summary = read_summary(path) if path.is_file() else None
            if summary is not None and summary.key == spec.key and summary.index == spec.index:
                summaries[spec.index] = summary
    todo = [s for s in specs if s.index not in summaries]

    t = time.perf_counter()
    engine = None
    bar = _bar(progress, len(papers), sum(s.papers for s in summaries.values()), "extract", "paper")
    batch_done = threading.Condition()  # a batch is done (or the run stops)
    stopping = False
    linker = ThreadPoolExecutor(1, thread_name_prefix="kg-link")

    def finished_checkpoints() -> Iterator[Path]:
        """The checkpoints of the batches that did not fail, in batch order, each as soon as
        its batch is done (what the link thread reads while the workers extract)."""
        for spec in specs:
            with batch_done:
                batch_done.wait_for(lambda spec=spec: spec.index in summaries or stopping)
                if stopping:
                    raise KGError("stopped")
                failed = summaries[spec.index].failed
            if not failed:
                yield batches_dir / spec.name

    try:
        if todo:
            engine = make_engine(options)

        def done(summary: BatchSummary) -> None:
            with batch_done:
                summaries[summary.index] = summary
                batch_done.notify_all()
            for problem in summary.problems():
                report(problem)
            bar.update(summary.papers)

        for summary in sorted(summaries.values(), key=lambda s: s.index):
            for problem in summary.problems():  # reported again when resumed
                report(problem)
        extractions = work / "extractions.jsonl"
        linking = linker.submit(
            link_checkpoints, finished_checkpoints(), extractions if store else None
        )
        if engine is not None:
            engine.extract(todo, batches_dir, done)
        bar.close()
        stages["extract"] = round(time.perf_counter() - t, 2)

        t = time.perf_counter()
        ok = [s for s in specs if not summaries[s.index].failed]
        paths = [batches_dir / s.name for s in ok]
        from kg.progress import status

        with status(progress, f"linking {len(papers)} papers"):
            link = linking.result()
        if not link.papers:
            raise KGError("the pipeline failed on every paper (see the messages above)")
        slices = resolution_slices(link)
        stages["link"] = round(time.perf_counter() - t, 2)

        t = time.perf_counter()
        if nt_dir.exists():
            shutil.rmtree(nt_dir)
        jobs = [
            PartJob(s.index, path, offset, part, nt_dir / f"part-{s.index:06d}.nt")
            for s, path, offset, part in zip(ok, paths, link.offsets, slices, strict=True)
        ]
        global_nt = nt_dir / "global.nt"
        parts = [global_nt, *(job.dest for job in jobs)]
        # the store loads each part as soon as it is written (a thread of this process)
        feed = loader = None
        if store:
            from kg.build.load import PartsFeed, publish_parts

            feed = PartsFeed()
            loader = ThreadPoolExecutor(1, thread_name_prefix="kg-load")
            loaded = loader.submit(
                publish_parts,
                out_dir,
                parts,
                link.papers,
                extractions,
                feed=feed,
                lock=lock,
                written_by=written_by,
            )
        triples_written = 0
        wbar = _bar(progress, len(jobs), 0, "write", "part")

        def written(result: PartResult) -> None:
            nonlocal triples_written
            triples_written += result.triples
            if feed is not None:
                feed.ready(nt_dir / f"part-{result.index:06d}.nt")
            wbar.update(1)

        stop_graph_wide = threading.Event()

        def write_graph_wide() -> int:
            def triples():
                for n, triple in enumerate(
                    global_triples(link.resolution, link.assignments, link.links, link.agents)
                ):
                    if not n & 0xFFFF and stop_graph_wide.is_set():  # Ctrl-C, a failed part
                        raise KGError("stopped")
                    yield triple

            count = write_lines(triples(), global_nt)[0]
            if feed is not None:
                feed.ready(global_nt)
            return count

        # the graph-wide part is written while the workers write theirs: alone, after them, it
        # kept a core idle for a tenth of the run (the coordinator otherwise only waits)
        graph_wide_writer = ThreadPoolExecutor(1, thread_name_prefix="kg-global")
        try:
            graph_wide = graph_wide_writer.submit(write_graph_wide)
            if engine is None and jobs and (options.engine != "local" or options.workers > 1):
                engine = make_engine(options)
            (engine or InProcessEngine()).write_parts(jobs, written)
            wbar.close()
            if engine is not None:
                engine.close()
                engine = None
            triples_written += graph_wide.result()
            # what the result reports; then the resolution (~1 GB for the corpus) is released
            # while the bulk load finishes, which needs memory of its own
            totals = _summary(link)
            link.resolution = link.assignments = link.links = None
            del jobs, slices, graph_wide
            _release_memory()
        except BaseException as err:
            stop_graph_wide.set()
            if feed is not None:
                feed.fail(f"writing the N-Triples parts failed ({type(err).__name__})")
                loader.shutdown(wait=True)  # its bulk load stops; nothing is published
            raise
        finally:
            graph_wide_writer.shutdown(wait=True)
        stages["write"] = round(time.perf_counter() - t, 2)

        t = time.perf_counter()
        if loader is not None:
            try:
                with status(progress, "loading the store"):
                    triples = loaded.result()
            except BaseException:  # Ctrl-C: stop the bulk load; the previous store stays
                feed.fail("stopped")
                raise
            finally:
                loader.shutdown(wait=True)
        else:
            from kg.build.load import write_turtle_only

            write_turtle_only(out_dir, parts)
            triples = triples_written  # lines written; the store would drop duplicates
        stages["load"] = round(time.perf_counter() - t, 2)  # what is left of it after writing
    except KeyboardInterrupt:
        if engine is not None:
            engine.close(graceful=False)
            engine = None
        finished = sum(1 for s in summaries.values() if not s.failed)
        print(
            f"kg: stopped; {finished} of {len(specs)} batches are extracted and kept in "
            f"{batches_dir}: run the same command again to resume",
            file=sys.stderr,
        )
        raise
    finally:
        bar.close()
        with batch_done:  # a link thread still waiting for batches stops
            stopping = True
            batch_done.notify_all()
        linker.shutdown(wait=True)
        if engine is not None:
            engine.close(graceful=False)

    # Done: the checkpoints only served resuming this run, and on the corpus they are megabytes
    # (3.5 MB for 2,008 papers) that nobody would know to delete. The N-Triples stay if asked for.
    (work / "extractions.jsonl").unlink(missing_ok=True)  # hard-linked into the store
    shutil.rmtree(batches_dir, ignore_errors=True)
    if not options.keep_ntriples:
        shutil.rmtree(work, ignore_errors=True)
    return BuildResult(
        graph_path=out_dir / GRAPH_FILE,
        papers=link.papers,
        records_read=records_read,
        entities_by_type=totals["entities_by_type"],
        claims=link.claims,
        topics=totals["topics"],
        triples=triples,
        seconds=round(time.perf_counter() - started, 2),
        skipped=skipped,
        stages=stages,
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
