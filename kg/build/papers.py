"""The build's input: read every input, report its problems, deduplicate the papers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from kg.errors import InputProblem, KGError
from kg.ingest import SAMPLE_DIR, deduplicate, read_inputs
from kg.records import Paper


def _display_source(source: str) -> str:
    """Sources of the bundled sample are written machine-independently ("sample/<file>:<line>")."""
    prefix = str(SAMPLE_DIR) + "/"
    return "sample/" + source[len(prefix) :] if source.startswith(prefix) else source


def read_papers(
    inputs: Sequence[str | Path], on_problem: Callable[[InputProblem], None]
) -> tuple[list[Paper], int]:
    """Read and deduplicate; problems go to ``on_problem`` (reported, counted, never silent).

    -> (the unique papers in input order, the number of paper records read)."""
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


def no_papers_error(skipped: Sequence[InputProblem]) -> KGError:
    """What a build or an add says when nothing in the inputs is a usable paper."""
    from kg.ingest.inputs import SkippedFiles

    records = sum(not isinstance(p, SkippedFiles) for p in skipped)
    return KGError(
        "no usable papers in the inputs" + (f" ({records} records skipped)" if records else "")
    )
