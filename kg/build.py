"""``kg.build``: the whole pipeline, ingest -> extract -> link -> RDF, as one library call.

The CLI (``kg build``) is a thin wrapper over :func:`build`. Stages are plain functions over
streams of records, so later engines (process pools, Dask) can run the same stages.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import InputProblem, KGError
from kg.extract import extract, load_pipeline
from kg.ingest import SAMPLE_DIR, deduplicate, read_inputs, sample_inputs
from kg.link.resolve import Resolution, resolve
from kg.link.topics import Assignment, TopicLinkRecord, score_paper, topic_links
from kg.progress import bar, status
from kg.rdf import graph_triples, new_graph, write_turtle
from kg.records import Paper, PaperExtraction

if TYPE_CHECKING:
    from kg.scale import ScaleOptions

DEFAULT_OUT = Path("kg-out")
#: Larger inputs take the scaled path (:mod:`kg.scale`) even with one worker.
SCALE_MIN_PAPERS = 1000


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
    #: seconds per stage (extract, link, write, load) of the scaled build (:mod:`kg.scale`)
    stages: dict[str, float] = field(default_factory=dict)


@dataclass
class LinkedGraph:
    """Everything the RDF writer needs, kept for callers (tests, notebooks, incremental adds)."""

    extractions: list[PaperExtraction]
    resolution: Resolution
    assignments: list[Assignment]
    links: list[TopicLinkRecord]


def _display_source(source: str) -> str:
    """Sources of the bundled sample are written machine-independently ("sample/<file>:<line>")."""
    prefix = str(SAMPLE_DIR) + "/"
    return "sample/" + source[len(prefix) :] if source.startswith(prefix) else source


def read_papers(
    inputs: Sequence[str | Path], on_problem: Callable[[InputProblem], None]
) -> tuple[list[Paper], int]:
    """Read and deduplicate; problems go to ``on_problem`` (reported, counted, never silent)."""
    papers: list[Paper] = []
    for record in read_inputs(inputs):
        if isinstance(record, InputProblem):
            on_problem(record)
        else:
            papers.append(record)
    read = len(papers)
    unique = deduplicate(papers)
    for paper in unique:
        paper.sources = [_display_source(s) for s in paper.sources]
    return unique, read


def link(extractions: list[PaperExtraction]) -> LinkedGraph:
    resolution = resolve(extractions)
    assignments = [
        a for ext in extractions for a in score_paper(ext.paper.local_id, ext.topic_hits)
    ]
    return LinkedGraph(extractions, resolution, assignments, topic_links(assignments))


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
    scale: ScaleOptions | None = None,  # all scaling options (overrides the four above)
    model: str | Path | None = None,
) -> BuildResult:
    """Build ``out_dir/graph.ttl`` from ``inputs`` (default: the bundled sample).

    More than ``SCALE_MIN_PAPERS`` papers, ``workers > 1`` or ``engine="dask"`` (optionally on
    the cluster at ``scheduler``) take the scaled path (:mod:`kg.scale`): batches extracted in
    parallel and checkpointed under ``out_dir/work`` (``resume`` reuses them), N-Triples parts
    bulk-loaded into Oxigraph. The graph is the same; only the Turtle layout differs.

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
        from kg.ingest.inputs import SkippedFiles

        records = sum(not isinstance(p, SkippedFiles) for p in skipped)
        raise KGError(
            "no usable papers in the inputs" + (f" ({records} records skipped)" if records else "")
        )
    if scale is not None or workers > 1 or engine != "local" or len(papers) > SCALE_MIN_PAPERS:
        from kg.scale import ScaleOptions, build_scaled

        options = scale or ScaleOptions(
            workers=workers, engine=engine, scheduler=scheduler, resume=resume,
            batch_size=batch_size, model=str(model) if model else None,
        )  # fmt: skip
        return build_scaled(
            papers, out_dir, options, records_read=read, skipped=skipped, report=report,
            progress=progress, store=store, started=started,
        )  # fmt: skip
    with status(progress, "loading the pipeline"):
        nlp = load_pipeline(model)
    with bar(progress, len(papers), "extract") as shown:
        extractions = []
        for ext in extract(papers, nlp, batch_size=batch_size, on_capped=report):
            extractions.append(ext)
            shown.update(1)
    with status(progress, f"linking {len(papers)} papers"):
        linked = link(extractions)

    out = Path(out_dir) / "graph.ttl"
    with status(progress, "writing " + ("graph.ttl and the store" if store else "graph.ttl")):
        graph = new_graph()
        for triple in graph_triples(
            linked.extractions, linked.resolution, linked.assignments, linked.links
        ):
            graph.add(triple)
        if store:
            from kg.store import write_build

            write_build(out_dir, graph, linked.extractions)  # also writes graph.ttl, atomically
        else:
            write_turtle(graph, out)
    types = Counter(e.type for e in linked.resolution.entities.values())
    return BuildResult(
        graph_path=out,
        papers=len(papers),
        records_read=read,
        entities_by_type=dict(sorted(types.items())),
        claims=sum(len(e.claims) for e in linked.extractions),
        topics=len({a.topic for a in linked.assignments if a.is_subject}),
        triples=len(graph),
        seconds=round(time.perf_counter() - started, 2),
        skipped=skipped,
    )
