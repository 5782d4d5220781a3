"""Reader for JSON Lines (``.jsonl``, ``.ndjson``) and JSON (``.json``) files of paper records.

One object per line with a title and an abstract and optionally an id, arXiv id, date, authors (a
list, or a "A, B and C" string), venue, affiliation, url; the key names and their aliases
(``summary`` for the abstract, ...) are :data:`kg.ingest.fields.FIELD_NAMES`, matched
case-insensitively. Blank lines are skipped; a line that is not valid JSON or not an object is an
InputProblem with its line and column (``FILE:LINE:COLUMN: malformed JSON: <json's reason>``)
and the rest is still read.

Files are streamed line by line (the 34,791-record corpus takes under 2 s of CPU). Three whole-file
JSON shapes are also read (whole, in memory): an array of such objects (``[{...}, {...}]``), one
pretty-printed record, and an object with one list-valued key holding the records
(``{"papers": [{...}, ...]}``, as APIs wrap them); the same wrapper on one line of a JSON Lines file
yields its records too. Which key is the list is never guessed: with two lists of objects and no
title or abstract, the record is reported as having none, naming its fields.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any

from kg.errors import InputProblem, KGError
from kg.ingest.fields import FIELD_KEYS, has_required_field, paper_from_record
from kg.ingest.problems import LocatedProblem, location
from kg.ingest.registry import Reader, register
from kg.records import Paper

_decoder = json.JSONDecoder()
_decode = _decoder.decode
_raw_decode = _decoder.raw_decode
_SPACE = " \t\r\n"


def _reason(err: json.JSONDecodeError, column: int) -> str:
    """json's reason without its "line 1 column 12 (char 11)" tail, which the message's
    ``FILE:LINE:COLUMN`` replaces. The reasons that end in "at" ("Unterminated string starting
    at") get their column back, so that they stay a sentence."""
    return f"{err.msg} column {column}" if err.msg.endswith(" at") else err.msg


def _lowered(obj: dict[str, Any]) -> dict[str, Any]:
    if not "".join(obj).islower():  # some key is not lower-case (one C call for the check)
        return {k.lower(): v for k, v in obj.items()}
    return obj


def _record(obj: Any, path: str, line: int) -> Paper | InputProblem:
    if not isinstance(obj, dict):
        kind = {list: "an array", str: "a string", type(None): "null", bool: "a boolean"}.get(
            type(obj), "a number"
        )
        return InputProblem(path, line, f"expected a JSON object, got {kind}")
    return paper_from_record(_lowered(obj), path, line)


def _lists(obj: dict[str, Any]) -> list[str]:
    """The list-valued keys that are not a record field (``authors`` holds {"name": ...}s)."""
    return [k for k, v in obj.items() if isinstance(v, list) and k.lower() not in FIELD_KEYS]


def _lists_of_objects(obj: dict[str, Any]) -> list[str]:
    """Those of :func:`_lists` that hold objects only, at least one: an empty list is no
    wrapper (unwrapped, a record with ``"refs": []`` would vanish without a word)."""
    return [k for k in _lists(obj) if obj[k] and all(isinstance(v, dict) for v in obj[k])]


def _records_key(obj: dict[str, Any]) -> str | None:
    """The key of a wrapper's record list: ``{"papers": [...]}`` -> "papers". None when ``obj``
    is itself a record (it has a title or abstract key) or the choice is ambiguous."""
    if has_required_field(_lowered(obj)):
        return None
    keys = _lists(obj)
    return keys[0] if len(keys) == 1 and keys == _lists_of_objects(obj) else None


def _records(obj: Any, path: str, line: int) -> Iterator[Paper | InputProblem]:
    """One JSON Lines value: a record, or the records of a one-line wrapper object."""
    record = _record(obj, path, line)
    if isinstance(record, Paper) or not isinstance(obj, dict):
        yield record
        return
    key = _records_key(obj)
    if key is not None:
        inner = [_record(element, path, line) for element in obj[key]]
        if any(isinstance(r, Paper) for r in inner):
            yield from inner
            return
        # no element is a paper either: the line is one bad record, said once, with its fields
        yield InputProblem(
            path, line, f"{record.message}; nor are the objects of its field {key!r} records"
        )
        return
    lists = _lists_of_objects(obj)
    if len(lists) > 1 and not has_required_field(_lowered(obj)):
        record = InputProblem(
            path,
            line,
            f"{record.message}; {len(lists)} of its fields hold lists of objects "
            f"({', '.join(lists)}): give one list, or the records one per line",
        )
    yield record


def _skip(text: str, pos: int) -> int:
    size = len(text)
    while pos < size and text[pos] in _SPACE:
        pos += 1
    return pos


def _where(text: str, pos: int) -> tuple[int, int]:
    """(line, column), 1-based, of offset ``pos`` in ``text``."""
    return text.count("\n", 0, pos) + 1, pos - text.rfind("\n", 0, pos)


def _read_array(
    path: str, text: str, pos: int, whole: bool = True
) -> Iterator[Paper | InputProblem]:
    """The JSON array starting at ``text[pos]`` ("["), element by element, each with the line it
    starts on; with ``whole``, nothing may follow it. Damage inside it is a KGError at its line
    and column: where the next element starts is then unknown."""
    size = len(text)

    def fail(reason: str, at: int) -> KGError:
        return KGError(f"{location(path, *_where(text, at))}: malformed JSON array: {reason}")

    pos = _skip(text, pos + 1)
    line = _where(text, pos)[0]
    if pos < size and text[pos] == "]":
        return
    while True:
        try:
            obj, end = _raw_decode(text, pos)
        except json.JSONDecodeError as err:
            raise fail(_reason(err, err.colno), err.pos) from None
        yield _record(obj, path, line)
        line += text.count("\n", pos, end)
        start = end
        pos = _skip(text, end)
        line += text.count("\n", start, pos)
        if pos >= size:
            raise fail("missing ']' at the end", pos)
        if text[pos] == "]":
            rest = _skip(text, pos + 1)
            if whole and rest < size:
                raise fail("Extra data after the array", rest)
            return
        if text[pos] != ",":
            raise fail("expected ',' or ']' between elements", pos)
        start = pos + 1
        pos = _skip(text, start)
        line += text.count("\n", start, pos)


def _value_start(text: str, pos: int, key: str) -> int:
    """Where the value of ``key`` starts in the object at ``text[pos]`` ("{"), which is known
    to be valid JSON (it was decoded whole already)."""
    pos = _skip(text, pos + 1)
    while True:
        name, pos = _raw_decode(text, pos)
        pos = _skip(text, _skip(text, pos) + 1)  # past ":"
        if name == key:
            return pos
        _, pos = _raw_decode(text, pos)
        pos = _skip(text, _skip(text, pos) + 1)  # past ","


def _next_line_is_an_object(text: str, after: int) -> bool:
    """Whether the first non-blank line after offset ``after`` is a JSON object on its own (then
    the file is JSON Lines with a cut-off first line, not one multi-line document)."""
    for line in text[text.find("\n", after) + 1 :].splitlines():
        if line.strip():
            try:
                return isinstance(_decode(line), dict)
            except json.JSONDecodeError:
                return False
    return False


def _read_document(path: str, text: str) -> Iterator[Paper | InputProblem] | None:
    """A file holding one multi-line JSON object: a pretty-printed record or a wrapper of
    records. None when it is JSON Lines after all (a first line cut off)."""
    pos = _skip(text, 0)
    try:
        obj, end = _raw_decode(text, pos)
    except json.JSONDecodeError as err:
        if _next_line_is_an_object(text, pos):
            return None
        where = location(path, err.lineno, err.colno)
        raise KGError(
            f"{where}: malformed JSON: {_reason(err, err.colno)} (read as one JSON document: "
            "the first line is not a whole object)"
        ) from None
    rest = _skip(text, end)
    if rest < len(text):
        raise KGError(f"{location(path, *_where(text, rest))}: malformed JSON: Extra data")
    line = _where(text, pos)[0]
    if not isinstance(obj, dict) or has_required_field(_lowered(obj)):
        return iter([_record(obj, path, line)])
    key = _records_key(obj)
    if key is None:
        return iter(_records(obj, path, line))
    return _read_array(path, text, _value_start(text, pos, key), whole=False)


def _cut_at_line_end(stripped: str) -> bool:
    """Whether a line is the start of a JSON value that goes on past it (``{``, ``{"a": 1,``),
    rather than a whole value or one broken inside the line."""
    try:
        _decode(stripped)
    except json.JSONDecodeError as err:
        return err.pos == len(stripped)
    return False


def _read_lines(path: str, numbered: Iterable[tuple[int, str]]) -> Iterator[Paper | InputProblem]:
    for n, line in numbered:
        stripped = line.strip()
        if not stripped:
            continue
        try:
            obj, end = _raw_decode(stripped)
            if end != len(stripped):
                raise json.JSONDecodeError("Extra data", stripped, _skip(stripped, end))
        except json.JSONDecodeError as err:
            column = len(line) - len(line.lstrip()) + err.pos + 1
            yield LocatedProblem(path, n, f"malformed JSON: {_reason(err, column)}", column=column)
            continue
        yield from _records(obj, path, n)


def read(path: str, lines: Iterable[str]) -> Iterator[Paper | InputProblem]:
    it = iter(lines)
    n = 0
    for line in it:
        n += 1
        if line.strip():
            break
    else:
        return
    first = line.strip()
    if first[0] == "[" or (first[0] == "{" and _cut_at_line_end(first)):
        # One document spanning the file: an array, a pretty-printed object.
        text = "\n" * (n - 1) + line + "".join(it)
        if first[0] == "[":
            yield from _read_array(path, text, text.index("["))
            return
        document = _read_document(path, text)
        if document is not None:
            yield from document
            return
        # JSON Lines whose first line is cut off.
        yield from _read_lines(path, enumerate(text.split("\n")[n - 1 :], n))
        return
    yield from _read_lines(path, itertools.chain([(n, line)], enumerate(it, n + 1)))


def sniff(head: str) -> bool:
    for line in head.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("["):
            return stripped[1:].lstrip()[:1] in ("{", "") and ("title" in head)
        if not stripped.startswith("{"):
            return False
        if len(line) < len(head) - 1 or head.endswith("\n"):  # the line is complete
            try:
                return isinstance(_decode(stripped), dict)
            except json.JSONDecodeError:
                return False
        return True
    return False


READER = register(
    Reader(
        name="jsonl",
        suffixes=(".jsonl", ".ndjson", ".json"),
        sniff=sniff,
        read=read,
        description="JSON Lines: one {title, abstract, ...} object per line",
    )
)
