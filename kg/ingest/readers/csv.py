"""Reader for CSV and TSV files with a header row (``.csv``, ``.tsv``, ``.tab``).

The header must name a title and an abstract column (case-insensitive; the names, aliases such
as ``summary`` included, are :data:`kg.ingest.fields.FIELD_NAMES`, as for JSON Lines); ``authors``
may be "A; B" or "A, B and C". The delimiter is whichever of comma, tab, semicolon or pipe splits
the header into a title and an abstract column. Quoted
fields may span lines; a record's source line is the line it starts on. A row with the wrong
number of fields or without a title/abstract is an InputProblem; so is a line that is not UTF-8
(reported by :mod:`kg.ingest.decoding`; a row spanning such a line is dropped with it).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator

from kg.errors import InputProblem, KGError
from kg.ingest.decoding import BadLine
from kg.ingest.fields import FIELD_NAMES, REQUIRED_FIELDS, paper_from_record, read_from
from kg.ingest.registry import Reader, register
from kg.records import Paper

_DELIMITERS = ",\t;|"

# Abstracts are far below this, but the default (128 KiB) is easy to hit with broken quoting,
# and then the error would end the file instead of one row.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _columns(header_line: str, delimiter: str) -> list[str]:
    row = next(csv.reader([header_line], delimiter=delimiter), [])
    return [col.strip().lstrip("\ufeff").lower() for col in row]


def _delimiter(header_line: str) -> str | None:
    """The delimiter that yields both required columns, else None."""
    for delimiter in _DELIMITERS:
        if delimiter in header_line and not _missing(_columns(header_line, delimiter)):
            return delimiter
    return None


def _missing(columns: list[str]) -> list[str]:
    """The required fields none of whose names is a column."""
    return [f for f in REQUIRED_FIELDS if not any(name in columns for name in FIELD_NAMES[f])]


def _first_line(head: str) -> str:
    return next((line for line in head.splitlines() if line.strip()), "")


def check(path: str, head: str) -> None:
    header = _first_line(head)
    if _delimiter(header) is not None:
        return
    best = max(_DELIMITERS, key=header.count)
    columns = [c for c in _columns(header, best) if c]
    missing = _missing(columns)
    looked = "; ".join(f"{name} from: {read_from(name)}" for name in missing)
    shown = ", ".join(columns) if columns else "none"
    raise KGError(
        f"{path}: CSV header has no {' and no '.join(missing)} column ({looked}; columns: {shown})"
    )


def sniff(head: str) -> bool:
    return _delimiter(_first_line(head)) is not None


def read(path: str, lines: Iterable[str]) -> Iterator[Paper | InputProblem]:
    it = iter(lines)
    skipped = 0
    header_line = ""
    for header_line in it:
        if header_line.strip():
            break
        skipped += 1
    delimiter = _delimiter(header_line)
    if delimiter is None:  # normally caught up front by check()
        check(path, header_line)
        return
    columns = _columns(header_line, delimiter)
    tainted = False  # the row being read contains a line that was not UTF-8

    def watched() -> Iterator[str]:
        nonlocal tainted
        for line in it:
            if isinstance(line, BadLine):
                tainted = True
            yield line

    reader = csv.reader(watched(), delimiter=delimiter)
    offset = skipped + 1  # physical lines before the csv reader's first line
    end = 0  # reader.line_num after the previous row
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            start, end = end + 1, reader.line_num
            yield InputProblem(path, offset + start, f"bad CSV row: {err}")
            continue
        start, end = end + 1, reader.line_num
        line = offset + start
        if tainted:  # a quoted field spanned a line that was not UTF-8 (reported already)
            tainted = False
            if start != end:
                continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            yield InputProblem(
                path, line, f"bad CSV row: {len(row)} fields, the header has {len(columns)}"
            )
            continue
        yield paper_from_record(dict(zip(columns, row, strict=True)), path, line)


READER = register(
    Reader(
        name="csv",
        suffixes=(".csv", ".tsv", ".tab"),
        sniff=sniff,
        read=read,
        check=check,
        description="CSV/TSV with a header row naming title and abstract columns",
    )
)
