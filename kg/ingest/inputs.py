"""Finding and checking input files, and streaming each through its reader.

Everything that can make a whole input unusable is found by :func:`probe` before any record is
read: a missing path, a directory without inputs, an empty file, a ``.gz`` that is not gzip, a
file that is not text (NUL bytes, or mostly not UTF-8, in its first 64 KB), an unknown format, a
reader's own up-front ``check``. Corrupt gzip data further into a file is raised as
:class:`~kg.errors.KGError` by :func:`read_input` when reached.

Decoding (gzip, UTF-8, the head readers sniff) is :mod:`kg.ingest.decoding`'s. A line with bytes
that are not UTF-8 is a bad record, like a malformed JSON line: it is reported as an
:class:`~kg.errors.InputProblem` naming file, line and column, and reading goes on (readers whose
format cannot survive a lost line, such as XML, set ``Reader.skips_bad_lines = False`` and the
file fails there instead). A record longer than :data:`MAX_RECORD_CHARS` is skipped the same
way (see there). Files of an unknown type inside a directory are named, never silently ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputProblem, KGError
from kg.ingest.decoding import (
    GZIP_ERRORS,
    decode_head,
    first_bad_line,
    is_gzip,
    open_text,
    raw_head,
    strip_compression,
    text_lines,
)
from kg.ingest.registry import Reader, reader_for, supported_suffixes
from kg.records import Paper

#: Longest record (title + abstract, in characters) that is read; longer ones are skipped.
#:
#: Why skip and not truncate: the longest of the 34,791 corpus abstracts is 16,296 characters
#: and 99.9 % are under 2,500, so a record past 20,000 is not an abstract but a whole paper, several
#: records glued together by broken quoting, or garbage. Truncating it would put a fragment of
#: that into the graph as if it were the paper's abstract; skipping it (named, counted) tells the
#: user to fix the input. It also keeps spaCy far from its 1,000,000-character limit (E088) and a
#: single record from taking minutes and gigabytes.
MAX_RECORD_CHARS = 20_000


class SkippedFiles(InputProblem):
    """Files in an input directory that no reader claims: named, skipped, not records."""


@dataclass(frozen=True)
class Input:
    """One checked input file."""

    #: The path as the user gave it (or directory-as-given / file name), used in messages.
    name: str
    path: Path
    reader: Reader
    gzipped: bool


def expand(
    paths: Iterable[str | Path], skipped: list[InputProblem] | None = None
) -> list[tuple[str, Path]]:
    """(name to report, path) for every file: directories expand to their supported files.

    What a directory holds besides (files of other types, subdirectories, which are not read) is
    appended to ``skipped`` as one :class:`SkippedFiles` per directory naming the first few, so
    that a ``paper.JSONL.txt`` or a ``more/`` folder is not ignored without a word. Hidden files
    (``.DS_Store``, editor backups) are left out of that.
    """
    found: list[tuple[str, Path]] = []
    for given in paths:
        name = str(given)
        path = Path(given)
        if not path.exists():
            raise KGError(f"{name}: no such file or directory")
        if not path.is_dir():
            found.append((name, path))
            continue
        suffixes = set(supported_suffixes())
        try:
            entries = sorted(f for f in path.iterdir() if not f.name.startswith("."))
            files = [f for f in entries if f.is_file() and strip_compression(f)[0] in suffixes]
            others = [f.name + ("/" if f.is_dir() else "") for f in entries if f not in files]
        except OSError as err:
            raise KGError(f"{name}: cannot list directory ({err.strerror})") from None
        if not files:
            wanted = ", ".join(f"*{s}" for s in sorted(suffixes))
            raise KGError(
                f"{name}: directory has no readable inputs (looked for {wanted}, .gz too)"
            )
        found.extend((str(Path(name) / f.name), f) for f in files)
        if others and skipped is not None:
            shown = ", ".join(others[:5]) + (
                f" and {len(others) - 5} more" if len(others) > 5 else ""
            )
            skipped.append(
                SkippedFiles(
                    name,
                    None,
                    f"{len(others)} {'entry' if len(others) == 1 else 'entries'} of no input type "
                    f"not read: {shown} (inputs are {', '.join(sorted(suffixes))}, .gz too; "
                    "subdirectories are not searched)",
                )
            )
    return found


def probe(name: str, path: Path) -> Input:
    """Check one file up front and pick its reader; KGError with one line naming it otherwise."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise KGError(f"{name}: cannot read ({err.strerror})") from None
    if size == 0:
        raise KGError(f"{name}: empty file")
    gzipped = is_gzip(name, path)
    raw, eof = raw_head(name, path, gzipped)
    head = decode_head(name, raw, eof, strict=False)
    if eof and not head.strip():
        raise KGError(f"{name}: empty file" + (" (after decompression)" if gzipped else ""))
    reader = reader_for(name, head=head)
    if not reader.skips_bad_lines:
        decode_head(name, raw, eof, strict=True)
    if reader.check is not None:
        reader.check(name, head)
    return Input(name=name, path=path, reader=reader, gzipped=gzipped)


def _too_long(name: str, paper: Paper) -> InputProblem | None:
    size = len(paper.title) + len(paper.abstract)
    if size <= MAX_RECORD_CHARS:
        return None
    source = paper.sources[0] if paper.sources else name
    path, _, line = source.rpartition(":")
    return InputProblem(
        path if line.isdigit() else source,
        int(line) if line.isdigit() else None,
        f"record too long ({size:,} characters of title and abstract; the limit is "
        f"{MAX_RECORD_CHARS:,}, real abstracts are under 10,000): skipped",
    )


def read_input(inp: Input) -> Iterator[Paper | InputProblem]:
    """Stream one checked input through its reader.

    Lines that are not UTF-8 and records longer than :data:`MAX_RECORD_CHARS` become
    InputProblems (for a reader that cannot skip lines, a KGError naming file and line);
    decompression failures met on the way become a KGError naming the file.
    """
    problems: list[InputProblem] = []
    try:
        if not inp.reader.skips_bad_lines:
            with open_text(inp.path, inp.gzipped) as f:
                records = inp.reader.read(inp.name, f)
                yield from _checked(inp, records, problems)
        else:
            lines = text_lines(inp.name, inp.path, inp.gzipped, problems)
            records = inp.reader.read(inp.name, lines)
            yield from _checked(inp, records, problems)
    except UnicodeDecodeError:
        raise first_bad_line(inp.name, inp.path, inp.gzipped) from None
    except GZIP_ERRORS as err:
        if isinstance(err, FileNotFoundError | PermissionError) or not inp.gzipped:
            raise KGError(
                f"{inp.name}: cannot read ({getattr(err, 'strerror', None) or err})"
            ) from None
        raise KGError(f"{inp.name}: corrupt gzip data ({err})") from None


def _checked(
    inp: Input, records: Iterable[Paper | InputProblem], problems: list[InputProblem]
) -> Iterator[Paper | InputProblem]:
    for record in records:
        if problems:
            yield from problems
            problems.clear()
        if isinstance(record, Paper):
            record = _too_long(inp.name, record) or record
        yield record
    yield from problems
    problems.clear()
