"""SPARQL SELECT results as rows of plain strings, read from their CSV serialization.

Why CSV: pyoxigraph makes a term object per cell, and reading ``.value`` of each costs more
than Oxigraph's own decoding; one CSV buffer split by ``str.split`` costs a fraction of that.
CSV cannot tell an unbound variable from an empty literal, so queries read this way bind every
variable (no OPTIONAL).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from operator import methodcaller

import pyoxigraph as ox

from kg.vocab import sparql_prologue

PROLOGUE = sparql_prologue()


def select_rows(store: ox.Store, sparql: str) -> Iterable[list[str]]:
    """The rows of a SELECT (the project's prefixes predeclared) as lists of plain strings:
    IRIs, and literals' lexical forms. Split by ``str.split``, or by the csv module when a
    value is quoted (it holds a comma, a quote or a line break)."""
    text = store.query(PROLOGUE + sparql).serialize(format=ox.QueryResultsFormat.CSV)
    text = text.decode("utf-8")
    if '"' in text:
        rows = csv.reader(io.StringIO(text, newline=""))
        next(rows, None)  # the header
        return rows
    lines = text.split("\r\n")
    return map(methodcaller("split", ","), lines[1:-1])  # header, and "" after the last CRLF


def pairs(store: ox.Store, sparql: str) -> dict[str, list[str]]:
    """subject -> its values, of a two-column SELECT."""
    out: dict[str, list[str]] = defaultdict(list)
    for s, o in select_rows(store, sparql):
        out[s].append(o)
    return out


def values(store: ox.Store, sparql: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """(subject -> its value, subject -> all its values for the subjects with several) of a
    two-column SELECT. Most subjects have one label, one title: ``dict(rows)`` builds those in
    C, and the Python loop runs only when some subject has several."""
    rows = list(select_rows(store, sparql))
    single = dict(rows)
    several: dict[str, list[str]] = {}
    if len(single) < len(rows):
        first: dict[str, str] = {}
        for s, o in rows:
            if s in first:
                several.setdefault(s, [first[s]]).append(o)
            else:
                first[s] = o
    return single, several
