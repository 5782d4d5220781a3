"""Extraction records as JSON Lines: what a store keeps so ``kg add`` never re-reads old papers.

One :class:`~kg.records.PaperExtraction` per line, written with ``dataclasses.asdict``
and read back field by field (unknown keys are ignored and missing ones take their defaults, so
records written by an older version stay readable).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kg.errors import KGError
from kg.records import (
    AcronymDef,
    ClaimRecord,
    Mention,
    Paper,
    PaperExtraction,
    QuantityRecord,
    RelationRecord,
    TopicHit,
)


@functools.cache
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


def _make(cls: type, data: dict[str, Any]) -> Any:
    """``cls`` from its JSON; keys a newer version wrote and this one does not know are
    ignored. (Called for every mention of every paper when a corpus is linked: the field
    names are looked up once per class.)"""
    names = _field_names(cls)
    if names.issuperset(data):
        return cls(**data)
    return cls(**{k: v for k, v in data.items() if k in names})


@functools.cache
def _ordered_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


#: types ``_plain`` returns as they are (exact types: a subclass takes the general path)
_SCALARS = frozenset({str, int, float, bool, type(None)})
#: field names of each dataclass met, None for any other type (one lookup per value)
_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _fields_of(cls: type) -> tuple[str, ...] | None:
    names = _FIELDS.get(cls, ())
    if names == ():
        names = _FIELDS[cls] = _ordered_fields(cls) if dataclasses.is_dataclass(cls) else None
    return names


def _plain(value: Any) -> Any:
    """What ``dataclasses.asdict`` gives for our records, without its deep copies (it cost as
    much as a fifth of the NLP time of a batch): the records hold only dataclasses, lists,
    tuples and scalars, and the result is serialized at once, never mutated.

    Scalars (most values) are returned after one set lookup of their type, and a dataclass's
    fields come from a per-class cache: ``is_dataclass`` on every value was half the cost of
    :func:`to_json`, which runs inside every extraction worker (0.3 CPU-s per 1,000 papers)."""
    cls = type(value)
    if cls in _SCALARS:
        return value
    names = _fields_of(cls)
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, list | tuple):
        return [v if type(v) in _SCALARS else _plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


#: one encoder for every record (``json.dumps`` with options builds a new one per call); the
#: records are trees, so the circular-reference check only cost time
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def to_json(ext: PaperExtraction) -> str:
    return _ENCODER.encode(_plain(ext))


def from_json(line: str) -> PaperExtraction:
    data = json.loads(line)
    claims = []
    for c in data.get("claims", []):
        c = dict(c)
        c["quantities"] = [_make(QuantityRecord, q) for q in c.get("quantities", [])]
        claims.append(_make(ClaimRecord, c))
    return PaperExtraction(
        paper=_make(Paper, data["paper"]),
        mentions=[_make(Mention, m) for m in data.get("mentions", [])],
        acronyms=[_make(AcronymDef, a) for a in data.get("acronyms", [])],
        claims=claims,
        topic_hits=[_make(TopicHit, h) for h in data.get("topic_hits", [])],
        relations=[_make(RelationRecord, r) for r in data.get("relations", [])],
        rejected=[_make(Mention, m) for m in data.get("rejected", [])],
    )


def write_extractions(extractions: Iterable[PaperExtraction], path: Path) -> int:
    n = 0
    with Path(path).open("w", encoding="utf-8") as out:
        for ext in extractions:
            out.write(to_json(ext) + "\n")
            n += 1
    return n


def read_extractions(path: Path, containing: str | None = None) -> Iterator[PaperExtraction]:
    """The records of ``path``; with ``containing`` (lower-case), only those whose line holds
    it in any case: a look-up of one name (``kg explain``) then parses the few records that
    can hold it instead of all (records are written with ``ensure_ascii=False``, so a word of
    letters and digits is in the line as written)."""
    path = Path(path)
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip() or (containing and containing not in line.lower()):
                continue
            try:
                yield from_json(line)
            except (ValueError, KeyError, TypeError) as err:
                raise KGError(f"{path}:{number}: damaged extraction record ({err})") from err
