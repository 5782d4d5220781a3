"""``kg add``: new abstracts into an existing store without re-reading the old ones.

Only papers the store does not have go through the spaCy pipeline. Their extraction records are
kept after the store's (``extractions.jsonl``), and the whole rest of a build - linking (entity
resolution, topics, topic links), writing, publishing - runs over all records through
:func:`kg.build.run.run`, the same path in the same paper order as a full build, so an
incremental build and a rebuild of the same inputs give the same graph, byte for byte:
resolution is global (a new paper can merge two old surface forms, or make an acronym's meaning
dominant), so re-linking is what makes that true. Linking is cheap next to extraction.
The new graph is published as a new store generation (atomic, crash-safe).

A paper the store already has (same normalized title) is not extracted again; its metadata is
merged as a build merges duplicates (sources, ids, dates), and if nothing changes nothing is
written: adding the same paper twice changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputProblem, KGError
from kg.store.core import (
    EXTRACTIONS,
    generation_dir,
    is_store,
    not_a_store_error,
    read_manifest,
    store_root,
)
from kg.store.lock import WriterLock
from kg.vocab import VOCABULARY_VERSION


@dataclass
class AddResult:
    store: Path
    records_read: int
    #: papers extracted and added
    added: int
    #: papers the store had, whose metadata (sources, ids, dates) changed
    merged: int
    #: papers the store had, unchanged
    unchanged: int
    papers: int
    triples: int
    generation: str
    changed: bool
    seconds: float
    skipped: list[InputProblem] = field(default_factory=list)


def pipeline_of(extractions: Sequence) -> Path | None:
    """The pipeline the store's papers were extracted with, so that added papers get the same
    recognizer: the accurate one if any mention came from it (``kg build --accurate``), else
    None (the default pipeline)."""
    from kg.extract import ACCURATE_PIPELINE_DIR
    from kg.extract.transformer_ner import check_installed

    for ext in extractions:
        if any(m.extractor == "kg_transformer_ner" for m in ext.mentions):
            check_installed()
            return ACCURATE_PIPELINE_DIR
    return None


def add(
    inputs: Sequence[str | Path],
    store_dir: str | Path,
    *,
    batch_size: int = 32,
    progress: bool = False,
    on_problem: Callable[[InputProblem], None] | None = None,
    discard_updates: bool = False,
) -> AddResult:
    """Add the papers in ``inputs`` to the store in ``store_dir`` (a ``kg build`` output)."""
    from kg.build.papers import read_papers
    from kg.build.run import BuildOptions, run
    from kg.ingest import deduplicate
    from kg.progress import status
    from kg.store.extractions import read_extractions

    started = time.perf_counter()
    store_dir = Path(store_dir)
    if not is_store(store_dir):
        raise not_a_store_error(store_dir)
    skipped: list[InputProblem] = []

    def report(problem: InputProblem) -> None:
        skipped.append(problem)
        if on_problem is not None:
            on_problem(problem)

    with WriterLock(store_root(store_dir), "kg add") as lock:
        manifest = read_manifest(store_dir)
        if manifest.sparql_updated and not discard_updates:
            raise KGError(
                f"{store_dir}: the store was changed by SPARQL updates (kg serve --allow-update); "
                "kg add re-links from the extraction records and would drop those changes "
                "(export them first, then pass --discard-updates)"
            )
        records = generation_dir(store_dir, manifest.generation) / EXTRACTIONS
        if not records.is_file():
            raise KGError(
                f"{store_dir}: the store keeps no extraction records; rebuild it with kg build"
            )
        with status(progress, "reading the store's extraction records"):
            old = list(read_extractions(records))
        papers, read = read_papers(list(inputs), report) if inputs else ([], 0)
        index = {ext.paper.key or ext.paper.title: i for i, ext in enumerate(old)}
        fresh = []
        merged = unchanged = 0
        for paper in papers:
            i = index.get(paper.key or paper.title)
            if i is None:
                fresh.append(paper)
                continue
            combined = deduplicate([old[i].paper, paper])[0]
            if combined == old[i].paper:
                unchanged += 1
            else:
                old[i].paper = combined
                merged += 1

        def result(changed: bool, triples: int, generation: str, total: int) -> AddResult:
            return AddResult(
                store_dir,
                read,
                len(fresh),
                merged,
                unchanged,
                total,
                triples,
                generation,
                changed,
                round(time.perf_counter() - started, 2),
                skipped,
            )

        outdated = manifest.vocabulary != VOCABULARY_VERSION  # rewritten in today's vocabulary
        if not fresh and not merged and not outdated:
            return result(False, manifest.triples, manifest.generation, manifest.papers)
        model = pipeline_of(old) if fresh else None
        options = BuildOptions(batch_size=batch_size, model=str(model) if model else None)
        built = run(
            fresh, store_dir, options, records_read=read, skipped=skipped, report=report,
            progress=progress, prior=old, lock=lock, written_by="add",
        )  # fmt: skip
        published = read_manifest(store_dir)
        return result(True, built.triples, published.generation, built.papers)


def migrate(store_dir: str | Path, *, progress: bool = False) -> AddResult:
    """Rewrite a store (and its graph.ttl) in today's vocabulary from its extraction records:
    linking and writing only, no NLP (``kg migrate``). A current store is left as it is."""
    return add([], store_dir, progress=progress)
