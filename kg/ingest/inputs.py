"""Finding, checking and opening input files (plain or gzip-compressed UTF-8 text).

Everything that can make a whole input unusable is found by :func:`probe` before any record is
read: a missing path, a directory without inputs, an empty file, a ``.gz`` that is not gzip, a
file that is not text (NUL bytes, or mostly not UTF-8, in its first 64 KB), an unknown format, a
reader's own up-front ``check``. Corrupt gzip data further into a file is raised as
:class:`~kg.errors.KGError` by :func:`read_input` when reached.

A line with bytes that are not UTF-8 is a bad record, like a malformed JSON line: it is reported
as an :class:`~kg.errors.InputProblem` naming file, line and column, and reading goes on (readers
whose format cannot survive a lost line, such as XML, set ``Reader.skips_bad_lines = False`` and
the file fails there instead). A record longer than :data:`MAX_RECORD_CHARS` is skipped the same
way (see there). Files of an unknown type inside a directory are named, never silently ignored.
"""

from __future__ import annotations

import codecs
import gzip
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kg.errors import InputProblem, KGError
from kg.ingest.registry import HEAD_CHARS, Reader, reader_for, strip_compression, supported_suffixes
from kg.records import Paper

GZIP_MAGIC = b"\x1f\x8b"
#: Bytes read to decode and sniff the head (UTF-8 needs at most 4 bytes per character).
_HEAD_BYTES = 4 * HEAD_CHARS
_GZIP_ERRORS = (OSError, EOFError, zlib.error)
_BOM = codecs.BOM_UTF8
#: A bare CR line end (old Mac files) inside a b"\n"-split line: split there too, as text mode
#: with ``newline=""`` did, so that line numbers stay those of an editor.
_BARE_CR = re.compile(rb"(?<=\r)(?!\n)")

#: Longest record (title + abstract, in characters) that is read; longer ones are skipped.
#:
#: Why skip and not truncate: the longest of the 34,791 corpus abstracts is 16,296 characters
#: and 99.9 % are under 2,500, so a record past 20,000 is not an abstract but a whole paper, several
#: records glued together by broken quoting, or garbage. Truncating it would put a fragment of
#: that into the graph as if it were the paper's abstract; skipping it (named, counted) tells the
#: user to fix the input. It also keeps spaCy far from its 1,000,000-character limit (E088) and a
#: single record from taking minutes and gigabytes.
MAX_RECORD_CHARS = 20_000
#: A file whose first 64 KB has more than this share of non-UTF-8 lines is not UTF-8 text at all
#: (binary, or a legacy encoding throughout): one error for the file, not one per line.
_MAX_BAD_LINE_SHARE = 0.5


class BadLine(str):
    """The stand-in a reader sees for a line that was not UTF-8: an empty line (its line end
    kept, so later line numbers stay right). Its problem is already reported; a reader whose
    record spans several lines (a quoted CSV field) drops the record that contains one."""


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


def _is_gzip(name: str, path: Path) -> bool:
    try:
        with path.open("rb") as f:
            magic = f.read(2)
    except OSError as err:
        raise KGError(f"{name}: cannot read ({err.strerror or err})") from None
    gzipped = magic == GZIP_MAGIC
    if strip_compression(path)[1] and not gzipped:
        raise KGError(f"{name}: not a gzip file (the name ends in .gz but the content is not gzip)")
    return gzipped


def _raw_head(name: str, path: Path, gzipped: bool) -> tuple[bytes, bool]:
    """The first bytes of the (decompressed) content and whether that is all of it."""
    try:
        opener = gzip.open if gzipped else open
        with opener(path, "rb") as f:
            raw = f.read(_HEAD_BYTES)
            eof = len(raw) < _HEAD_BYTES or not f.read(1)
    except _GZIP_ERRORS as err:
        if gzipped:
            raise KGError(f"{name}: corrupt gzip data ({err})") from None
        raise KGError(f"{name}: cannot read ({getattr(err, 'strerror', None) or err})") from None
    return raw, eof


def _bad_byte(name: str, lines: Iterable[bytes], at_eof: bool = True) -> KGError | None:
    """A KGError locating the first undecodable byte (UTF-8 sequences never span lines)."""
    for n, raw in enumerate(lines, 1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as err:
            if not at_eof and err.end == len(raw) and not raw.endswith(b"\n"):
                return None  # a character cut off at the end of the head, not an error
            bad = raw[err.start : err.start + 1].hex()
            return KGError(
                f"{name}:{n}: not UTF-8 text (byte 0x{bad} in column {err.start + 1}); "
                "convert it with e.g. iconv -t utf-8"
            )
    return None


def _decode_head(name: str, raw: bytes, eof: bool, strict: bool = True) -> str:
    """The decoded head. Binary content (NUL bytes), or mostly non-UTF-8 lines, is a KGError for
    the whole file; with ``strict`` so is any bad byte, otherwise such lines read as empty (the
    records on them are reported when the file is read)."""
    if b"\x00" in raw:
        raise KGError(
            f"{name}: not UTF-8 text (NUL bytes in its first {len(raw):,} bytes: binary data, "
            "or UTF-16/32 text, which iconv -t utf-8 converts)"
        )
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    try:
        text = decoder.decode(raw, final=eof)
    except UnicodeDecodeError:
        lines = raw.splitlines(keepends=True)
        error = _bad_byte(name, lines, eof) or KGError(f"{name}: not UTF-8 text")
        if not eof and lines and not lines[-1].endswith((b"\n", b"\r")):
            lines = lines[:-1]  # a line cut off at the end of the head
        good: list[str] = []
        bad = 0
        for line in lines:
            try:
                good.append(line.decode("utf-8"))
            except UnicodeDecodeError:
                bad += 1
                good.append("\n")
        texts = sum(1 for line in lines if line.strip())
        if strict or not texts or bad > _MAX_BAD_LINE_SHARE * texts:
            if not strict and bad > 1:
                error = KGError(
                    f"{str(error).split(';')[0]}; so are {bad - 1} more of its first "
                    f"{texts} lines: convert it with e.g. iconv -t utf-8"
                )
            raise error from None
        text = "".join(good).removeprefix("\ufeff")
    return text[:HEAD_CHARS]


def read_head(name: str, path: Path, gzipped: bool | None = None) -> str:
    """The decoded start of a file (what sniffers and checks see). KGError if unreadable."""
    if gzipped is None:
        gzipped = _is_gzip(name, path)
    raw, eof = _raw_head(name, path, gzipped)
    return _decode_head(name, raw, eof)


def probe(name: str, path: Path) -> Input:
    """Check one file up front and pick its reader; KGError with one line naming it otherwise."""
    try:
        size = path.stat().st_size
    except OSError as err:
        raise KGError(f"{name}: cannot read ({err.strerror})") from None
    if size == 0:
        raise KGError(f"{name}: empty file")
    gzipped = _is_gzip(name, path)
    raw, eof = _raw_head(name, path, gzipped)
    head = _decode_head(name, raw, eof, strict=False)
    if eof and not head.strip():
        raise KGError(f"{name}: empty file" + (" (after decompression)" if gzipped else ""))
    reader = reader_for(name, head=head)
    if not reader.skips_bad_lines:
        _decode_head(name, raw, eof, strict=True)
    if reader.check is not None:
        reader.check(name, head)
    return Input(name=name, path=path, reader=reader, gzipped=gzipped)


def open_text(path: Path, gzipped: bool) -> IO[str]:
    """UTF-8 text (a leading BOM dropped; newline="" so the csv module sees raw line ends)."""
    if gzipped:
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _bad_line_problem(name: str, number: int, raw: bytes, err: UnicodeDecodeError) -> InputProblem:
    bad = raw[err.start : err.start + 1].hex()
    return InputProblem(
        name,
        number,
        f"not UTF-8 text (byte 0x{bad} in column {err.start + 1}): the record on this line is "
        "skipped (convert the file with e.g. iconv -t utf-8)",
    )


def _text_lines(inp: Input, problems: list[InputProblem]) -> Iterator[str]:
    """The decoded lines of an input (line ends kept). A line that is not UTF-8 becomes a
    :class:`BadLine` and its problem is appended to ``problems`` (the caller reports it)."""
    opener = gzip.open if inp.gzipped else open
    with opener(inp.path, "rb") as f:
        number = 0
        for chunk in f:
            if number == 0 and chunk.startswith(_BOM):
                chunk = chunk[len(_BOM) :]
            pieces = _BARE_CR.split(chunk) if b"\r" in chunk[:-2] else (chunk,)
            for raw in pieces:
                if not raw:
                    continue
                number += 1
                try:
                    yield raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    problems.append(_bad_line_problem(inp.name, number, raw, err))
                    yield BadLine(raw[len(raw.rstrip(b"\r\n")) :].decode("ascii") or "\n")


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
            records = inp.reader.read(inp.name, _text_lines(inp, problems))
            yield from _checked(inp, records, problems)
    except UnicodeDecodeError:
        raise _first_bad_line(inp) from None
    except _GZIP_ERRORS as err:
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


def _first_bad_line(inp: Input) -> KGError:
    """Locate undecodable bytes (only called after decoding already failed)."""
    opener = gzip.open if inp.gzipped else open
    try:
        with opener(inp.path, "rb") as f:
            found = _bad_byte(inp.name, f)
    except _GZIP_ERRORS:
        found = None
    return found or KGError(f"{inp.name}: not UTF-8 text")
