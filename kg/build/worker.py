"""What runs on a worker (a pool process or a Dask worker): extract one batch, write one part.

Both functions are plain and picklable, so every engine runs exactly the same code. The spaCy
pipeline is loaded once per process (:func:`pipeline`) and reused for every batch.

Crash isolation: if the pipeline raises on a batch, the batch is run again paper by paper; the
papers that still fail are skipped and reported ("batch N, paper '<title>' (<source>): <error>")
and the rest of the batch is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from spacy.language import Language

from kg.build.batches import BatchSpec, BatchSummary, encode_checkpoint
from kg.rdf.files import write_atomic

_PIPELINES: dict[tuple, Language] = {}


def pipeline(model: str | None = None, setup: Callable[[Language], None] | None = None) -> Language:
    """The pipeline of this process, loaded on first use.

    ``setup`` (a picklable function, e.g. a test adding a component) runs once on a private copy
    of the pipeline, never on the one :func:`kg.extract.load_pipeline` caches for everyone.
    """
    nlp = _PIPELINES.get((model, setup))
    if nlp is None:
        from kg.extract import load_pipeline

        if setup is None:
            nlp = load_pipeline(model) if model else load_pipeline()
        else:
            nlp = load_pipeline.__wrapped__(model)
            setup(nlp)
        _PIPELINES[(model, setup)] = nlp
    return nlp


def _describe(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def extract_batch(
    spec: BatchSpec,
    batch_size: int = 32,
    model: str | None = None,
    setup: Callable[[Language], None] | None = None,
) -> tuple[BatchSummary, bytes]:
    """Extract one batch: (its summary, the gzip bytes of its checkpoint)."""
    from kg.extract import extract
    from kg.store.extractions import to_json

    started = time.perf_counter()
    nlp = pipeline(model, setup)
    errors: list[dict] = []
    notes: list[dict] = []

    def capped(problem) -> None:  # a paper cut to MAX_ENTITIES_PER_PAPER: the client reports it
        notes.append({"path": problem.path, "line": problem.line, "message": problem.message})

    try:
        lines = [
            to_json(e) for e in extract(spec.papers, nlp, batch_size=batch_size, on_capped=capped)
        ]
    except Exception:  # noqa: BLE001 - isolate the paper that fails, keep the others
        lines = []
        notes.clear()
        for paper in spec.papers:
            try:
                lines.extend(
                    to_json(e) for e in extract([paper], nlp, batch_size=1, on_capped=capped)
                )
            except Exception as err:  # noqa: BLE001
                errors.append(
                    {
                        "title": paper.title,
                        "source": paper.sources[0] if paper.sources else paper.id,
                        "error": _describe(err),
                    }
                )
    summary = BatchSummary(
        index=spec.index,
        key=spec.key,
        papers=len(spec.papers),
        records=len(lines),
        errors=errors,
        notes=notes,
        seconds=round(time.perf_counter() - started, 3),
    )
    return summary, encode_checkpoint(summary, lines)


def extract_batch_to(
    spec: BatchSpec,
    directory: Path,
    batch_size: int = 32,
    model: str | None = None,
    setup: Callable[[Language], None] | None = None,
) -> BatchSummary:
    """Extract one batch and write its checkpoint into ``directory`` (shared file system)."""
    summary, data = extract_batch(spec, batch_size, model, setup)
    write_atomic(Path(directory) / spec.name, data)
    return summary
