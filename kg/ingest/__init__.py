"""Ingest: read paper records (title + abstract + metadata) from input files.

    from kg.ingest import read_inputs, deduplicate, sample_inputs
    from kg.records import Paper
    from kg.errors import InputProblem

    records = list(read_inputs(sample_inputs()))       # KGError here if an input is unusable
    problems = [r for r in records if isinstance(r, InputProblem)]
    papers = deduplicate(r for r in records if isinstance(r, Paper))

Formats are plugins (:mod:`kg.ingest.registry`, one module each in :mod:`kg.ingest.readers`):
Daily Papers page dumps (``.txt``), JSON Lines and JSON (``.jsonl``/``.ndjson``/``.json``),
CSV/TSV, arXiv Atom XML, each optionally gzip-compressed; docs/input-formats.md describes them,
the field names read and what is reported for bad input.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from kg.errors import InputProblem, KGError
from kg.ingest.inputs import Input, expand, probe, read_input

# Importing the reader modules registers them (in this order, which is the sniffing order).
from kg.ingest.readers import atom, csv, dailypapers, jsonl  # noqa: F401
from kg.ingest.registry import Reader, reader_for, readers, register
from kg.records import Paper

__all__ = [
    "SAMPLE_DIR",
    "Reader",
    "deduplicate",
    "read_inputs",
    "reader_for",
    "readers",
    "register",
    "sample_inputs",
]

#: The bundled sample: three Hugging Face Daily Papers page dumps (249 distinct papers).
SAMPLE_DIR: Path = Path(__file__).resolve().parent.parent / "data" / "sample"


def sample_inputs() -> list[Path]:
    """The bundled sample files, sorted."""
    return sorted(p for p in SAMPLE_DIR.glob("*.txt") if p.is_file())


def _stream(inputs: list[Input], skipped: list[InputProblem]) -> Iterator[Paper | InputProblem]:
    yield from skipped
    for inp in inputs:
        yield from read_input(inp)


def read_inputs(paths: Sequence[str | Path]) -> Iterator[Paper | InputProblem]:
    """Stream records from every input, in input order.

    All paths are checked when this is called, before anything is read: a missing path, a
    directory without inputs, an empty file, a .gz that is not gzip, a file that is not text
    (NUL bytes, or mostly not UTF-8, at the start), an unknown format or a reader's up-front
    check (a CSV without an abstract column) raise :class:`KGError` naming the file.
    Directories expand to their supported files, sorted; what else they hold is yielded first,
    as one :class:`~kg.ingest.inputs.SkippedFiles` per directory. Records that cannot be used
    (malformed JSON, a line that is not UTF-8, a record too long to be an abstract) are yielded
    as :class:`InputProblem` and reading goes on; damage found later in a file (malformed XML,
    corrupt gzip data) raises KGError when reached.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if not paths:
        raise KGError("no input files given")
    skipped: list[InputProblem] = []
    inputs = [probe(name, path) for name, path in expand(paths, skipped)]
    return _stream(inputs, skipped)


_FILLED = ("id", "arxiv_id", "authors", "author_count", "affiliation", "venue")


def _merge(into: Paper, other: Paper) -> None:
    for source in other.sources:
        if source not in into.sources:
            into.sources.append(source)
    for name in _FILLED:
        if not getattr(into, name) and getattr(other, name):
            value = getattr(other, name)
            setattr(into, name, list(value) if isinstance(value, list) else value)
    # A date travels with its text. A month-day without year ("--05-20") is upgraded by a full
    # date on the same day ("2024-05-20").
    if other.date and (
        not into.date
        or (
            into.date.startswith("--")
            and not other.date.startswith("--")
            and other.date.endswith(into.date[1:])
        )
    ):
        into.date, into.date_text = other.date, other.date_text
    elif not into.date and not into.date_text and other.date_text:
        into.date_text = other.date_text


def deduplicate(papers: Iterable[Paper]) -> list[Paper]:
    """One paper per :attr:`Paper.key` (normalized title), in first-seen order.

    The first record's title and abstract are kept; ``sources`` become the union (order kept)
    and missing fields (id, arxiv_id, date, authors, author_count, affiliation, venue) are filled
    from later duplicates. The input objects are not modified.
    """
    seen: dict[str, Paper] = {}
    for paper in papers:
        key = paper.key or paper.title
        kept = seen.get(key)
        if kept is None:
            seen[key] = replace(paper, sources=list(paper.sources), authors=list(paper.authors))
        else:
            _merge(kept, paper)
    return list(seen.values())
