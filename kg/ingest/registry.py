"""The reader plugin registry: which function reads which input format.

Modelled on rdflib's plugin registry (``rdflib/plugin.py``): a module-level table of named
entries, :func:`register` to add one, :func:`get` / :func:`readers` to look them up, and
third-party plugins discovered through an entry-point group (here ``kg.readers``; an entry point
may load a :class:`Reader` or a module that calls :func:`register` on import). Unlike rdflib,
the format of a file is chosen for the caller: :func:`reader_for` picks a reader by file suffix
(after stripping ``.gz``) and otherwise by letting each reader sniff the first few KB.

Built-in readers (``dailypapers``, ``jsonl``, ``csv``, ``atom``, one module each in
:mod:`kg.ingest.readers`, like rdflib's ``plugins/parsers/``) register themselves when
:mod:`kg.ingest` imports them. A reader is::

    Reader(name="jsonl", suffixes=(".jsonl", ".ndjson"), sniff=sniff, read=read)

where ``sniff(head: str) -> bool`` says whether decoded text from the start of a file looks like
this format, ``read(path: str, lines: Iterable[str]) -> Iterator[Paper | InputProblem]`` streams
records (``path`` is the name to report, ``lines`` the decoded text lines, newlines kept), and the
optional ``check(path: str, head: str) -> None`` raises :class:`~kg.errors.KGError` when the head
already shows the whole input is unusable (a CSV without an abstract column), so that
:func:`kg.ingest.read_inputs` can fail before reading anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from kg.errors import InputProblem, KGError
from kg.ingest.decoding import read_head, strip_compression
from kg.records import Paper

__all__ = [
    "ENTRY_POINT_GROUP",
    "Reader",
    "get",
    "reader_for",
    "readers",
    "register",
    "supported_suffixes",
]

#: Entry-point group through which installed packages add readers.
ENTRY_POINT_GROUP = "kg.readers"
ReadFn = Callable[[str, Iterable[str]], Iterator["Paper | InputProblem"]]


@dataclass(frozen=True)
class Reader:
    """One input format."""

    name: str
    #: Lower-case file suffixes, with the dot (".jsonl"). ".gz" is handled for every reader.
    suffixes: tuple[str, ...]
    sniff: Callable[[str], bool]
    read: ReadFn
    check: Callable[[str, str], None] | None = None
    description: str = ""
    #: Whether a line that is not UTF-8 may be skipped as a bad record (it reaches ``read`` as
    #: an empty :class:`kg.ingest.decoding.BadLine`). False for formats a lost line breaks as a
    #: whole (XML): there the file fails with a KGError naming the line.
    skips_bad_lines: bool = True


_readers: dict[str, Reader] = {}
_entry_points_loaded = False


def register(reader: Reader) -> Reader:
    """Add (or replace, by name) a reader; returns it so modules can keep a handle."""
    _readers[reader.name] = reader
    return reader


def _load_entry_points() -> None:
    global _entry_points_loaded
    if _entry_points_loaded:
        return
    _entry_points_loaded = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        loaded = ep.load()
        if isinstance(loaded, Reader):
            register(loaded)


def readers() -> list[Reader]:
    """All registered readers, in registration order (the order sniffing tries them)."""
    _load_entry_points()
    return list(_readers.values())


def get(name: str) -> Reader:
    """The reader registered under ``name``; KGError if there is none."""
    _load_entry_points()
    try:
        return _readers[name]
    except KeyError:
        known = ", ".join(sorted(_readers)) or "none"
        raise KGError(f"no input reader named {name!r} (known: {known})") from None


def supported_suffixes() -> list[str]:
    """Every suffix some reader claims, e.g. [".atom", ".csv", ...] (".gz" forms implied)."""
    return sorted({s for r in readers() for s in r.suffixes})


def reader_for(path: str | Path, head: str | None = None) -> Reader:
    """The reader for a file: by suffix (ignoring ``.gz``), else by sniffing its first few KB.

    ``head`` is the decoded start of the file when the caller has already read it; otherwise it
    is read here if sniffing is needed. Raises KGError naming the file when no reader fits.
    """
    suffix, _ = strip_compression(path)
    all_readers = readers()
    if suffix:
        for reader in all_readers:
            if suffix in reader.suffixes:
                return reader
    if head is None:
        head = read_head(str(path), Path(path))
    for reader in all_readers:
        if reader.sniff(head):
            return reader
    shown = f"suffix {suffix!r}" if suffix else "no suffix"
    raise KGError(
        f"{path}: unknown input format ({shown}, and the content is not recognised; "
        f"supported: {', '.join(supported_suffixes())}, optionally .gz)"
    )
