"""Opening and decoding input files: plain or gzip-compressed UTF-8 text, its head and its lines.

Below both the reader registry (which sniffs a file's head to pick its reader) and
:mod:`kg.ingest.inputs` (which checks and streams whole inputs), so that neither imports the
other. Everything here is about bytes becoming text: whether a file is gzip, the decoded first
:data:`HEAD_CHARS` characters that sniffers and checks see, and the decoded lines a reader gets,
where a line that is not UTF-8 becomes a :class:`BadLine` and an
:class:`~kg.errors.InputProblem` instead of an exception.
"""

from __future__ import annotations

import codecs
import gzip
import re
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from kg.errors import InputProblem, KGError
from kg.ingest.problems import LocatedProblem, location

#: How much decoded text from the start of a file sniffers and checks see.
HEAD_CHARS = 16 * 1024

GZIP_MAGIC = b"\x1f\x8b"
#: Bytes read to decode and sniff the head (UTF-8 needs at most 4 bytes per character).
_HEAD_BYTES = 4 * HEAD_CHARS
GZIP_ERRORS = (OSError, EOFError, zlib.error)
_BOM = codecs.BOM_UTF8
#: A bare CR line end (old Mac files) inside a b"\n"-split line: split there too, as text mode
#: with ``newline=""`` did, so that line numbers stay those of an editor.
_BARE_CR = re.compile(rb"(?<=\r)(?!\n)")

#: A file whose first 64 KB has more than this share of non-UTF-8 lines is not UTF-8 text at all
#: (binary, or a legacy encoding throughout): one error for the file, not one per line.
_MAX_BAD_LINE_SHARE = 0.5


class BadLine(str):
    """The stand-in a reader sees for a line that was not UTF-8: an empty line (its line end
    kept, so later line numbers stay right). Its problem is already reported; a reader whose
    record spans several lines (a quoted CSV field) drops the record that contains one."""


def strip_compression(path: str | Path) -> tuple[str, bool]:
    """(the format suffix, whether the name ends in .gz): "x.jsonl.gz" -> (".jsonl", True)."""
    name = Path(path).name.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    return Path(name).suffix, gz


def is_gzip(name: str, path: Path) -> bool:
    """Whether the content is gzip (by its magic bytes, not its name); a ``.gz`` name on other
    content is a KGError, so a mislabelled file fails up front instead of as corrupt data."""
    try:
        with path.open("rb") as f:
            magic = f.read(2)
    except OSError as err:
        raise KGError(f"{name}: cannot read ({err.strerror or err})") from None
    gzipped = magic == GZIP_MAGIC
    if strip_compression(path)[1] and not gzipped:
        raise KGError(f"{name}: not a gzip file (the name ends in .gz but the content is not gzip)")
    return gzipped


def raw_head(name: str, path: Path, gzipped: bool) -> tuple[bytes, bool]:
    """The first bytes of the (decompressed) content and whether that is all of it."""
    try:
        opener = gzip.open if gzipped else open
        with opener(path, "rb") as f:
            raw = f.read(_HEAD_BYTES)
            eof = len(raw) < _HEAD_BYTES or not f.read(1)
    except GZIP_ERRORS as err:
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
                f"{location(name, n, _column(raw, err))}: not UTF-8 text (byte 0x{bad}); "
                "convert it with e.g. iconv -t utf-8"
            )
    return None


def decode_head(name: str, raw: bytes, eof: bool, strict: bool = True) -> str:
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
        gzipped = is_gzip(name, path)
    raw, eof = raw_head(name, path, gzipped)
    return decode_head(name, raw, eof)


def open_text(path: Path, gzipped: bool) -> IO[str]:
    """UTF-8 text (a leading BOM dropped; newline="" so the csv module sees raw line ends)."""
    if gzipped:
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _column(raw: bytes, err: UnicodeDecodeError) -> int:
    """The 1-based character column of the first undecodable byte (what an editor shows)."""
    return len(raw[: err.start].decode("utf-8", errors="replace")) + 1


def _bad_line_problem(name: str, number: int, raw: bytes, err: UnicodeDecodeError) -> InputProblem:
    bad = raw[err.start : err.start + 1].hex()
    return LocatedProblem(
        name,
        number,
        f"not UTF-8 text (byte 0x{bad}): the record on this line is skipped (convert the file "
        "with e.g. iconv -t utf-8)",
        column=_column(raw, err),
    )


def text_lines(name: str, path: Path, gzipped: bool, problems: list[InputProblem]) -> Iterator[str]:
    """The decoded lines of an input (line ends kept). A line that is not UTF-8 becomes a
    :class:`BadLine` and its problem is appended to ``problems`` (the caller reports it)."""
    opener = gzip.open if gzipped else open
    with opener(path, "rb") as f:
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
                    problems.append(_bad_line_problem(name, number, raw, err))
                    yield BadLine(raw[len(raw.rstrip(b"\r\n")) :].decode("ascii") or "\n")


def first_bad_line(name: str, path: Path, gzipped: bool) -> KGError:
    """Locate undecodable bytes (only called after decoding already failed)."""
    opener = gzip.open if gzipped else open
    try:
        with opener(path, "rb") as f:
            found = _bad_byte(name, f)
    except GZIP_ERRORS:
        found = None
    return found or KGError(f"{name}: not UTF-8 text")
