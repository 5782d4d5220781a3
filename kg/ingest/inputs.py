"""Finding, checking and opening input files (plain or gzip-compressed UTF-8 text).

Everything that can make a whole input unusable is found by :func:`probe` before any record is
read: a missing path, a directory without inputs, an empty file, a ``.gz`` that is not gzip, bytes
that are not UTF-8 at the start, an unknown format, a reader's own up-front ``check``. Problems
that only show up further into a file (corrupt gzip data or bad bytes in the middle) are raised as
:class:`~kg.errors.KGError` by :func:`read_input` when reached.
"""

from __future__ import annotations

import codecs
import gzip
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


@dataclass(frozen=True)
class Input:
    """One checked input file."""

    #: The path as the user gave it (or directory-as-given / file name), used in messages.
    name: str
    path: Path
    reader: Reader
    gzipped: bool


def expand(paths: Iterable[str | Path]) -> list[tuple[str, Path]]:
    """(name to report, path) for every file: directories expand to their supported files."""
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
            files = sorted(
                f
                for f in path.iterdir()
                if f.is_file()
                and not f.name.startswith(".")
                and strip_compression(f)[0] in suffixes
            )
        except OSError as err:
            raise KGError(f"{name}: cannot list directory ({err.strerror})") from None
        if not files:
            wanted = ", ".join(f"*{s}" for s in sorted(suffixes))
            raise KGError(
                f"{name}: directory has no readable inputs (looked for {wanted}, .gz too)"
            )
        found.extend((str(Path(name) / f.name), f) for f in files)
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


def _decode_head(name: str, raw: bytes, eof: bool) -> str:
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    try:
        text = decoder.decode(raw, final=eof)
    except UnicodeDecodeError:
        raise (
            _bad_byte(name, raw.splitlines(keepends=True), eof)
            or KGError(f"{name}: not UTF-8 text")
        ) from None
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
    head = _decode_head(name, raw, eof)
    if eof and not head.strip():
        raise KGError(f"{name}: empty file" + (" (after decompression)" if gzipped else ""))
    reader = reader_for(name, head=head)
    if reader.check is not None:
        reader.check(name, head)
    return Input(name=name, path=path, reader=reader, gzipped=gzipped)


def open_text(path: Path, gzipped: bool) -> IO[str]:
    """UTF-8 text (a leading BOM dropped; newline="" so the csv module sees raw line ends)."""
    if gzipped:
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _first_bad_line(inp: Input) -> KGError:
    """Locate undecodable bytes (only called after decoding already failed)."""
    opener = gzip.open if inp.gzipped else open
    try:
        with opener(inp.path, "rb") as f:
            found = _bad_byte(inp.name, f)
    except _GZIP_ERRORS:
        found = None
    return found or KGError(f"{inp.name}: not UTF-8 text")


def read_input(inp: Input) -> Iterator[Paper | InputProblem]:
    """Stream one checked input through its reader.

    Decoding and decompression failures met on the way become a KGError naming the file.
    """
    try:
        with open_text(inp.path, inp.gzipped) as f:
            yield from inp.reader.read(inp.name, f)
    except UnicodeDecodeError:
        raise _first_bad_line(inp) from None
    except _GZIP_ERRORS as err:
        if isinstance(err, FileNotFoundError | PermissionError) or not inp.gzipped:
            raise KGError(
                f"{inp.name}: cannot read ({getattr(err, 'strerror', None) or err})"
            ) from None
        raise KGError(f"{inp.name}: corrupt gzip data ({err})") from None
