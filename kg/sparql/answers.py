"""Answers kept with a store generation, for the library's few queries too slow to run per call.

Why: the statistics the graph once carried (``kg:SharedEntityTier`` and friends) went stale as
soon as the store changed and bloated the graph, so the library counts at read time. One case
stays slow on the corpus store: ``shared-entities`` with both topics empty, a ranking over every
paper-topic-entity row (0.5-0.7 s). A store generation never changes once published
(:mod:`kg.store.core`), so an answer computed from the staged generation, and kept inside it,
is the answer of every later call on that generation - it cannot go stale: a ``kg add``, a
migration or a SPARQL update publishes a new generation, which either computes its own answers
or has none (then the query runs as usual). Nothing is added to the graph.

A library query opts in with ``# @precompute PARAMS`` lines (the parameter sets to keep);
:func:`compute_answers` runs them against the staged store and :func:`read_answer` serves a
query whose rendered text is exactly one of them. Stored as SPARQL 1.1 JSON results, read back
with rdflib's own parser, so the rows are the terms the live query would give.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import KGError
from kg.sparql.library import list_queries, parse_params
from kg.sparql.native import run_native
from kg.sparql.results import QueryResult, format_result
from kg.store.core import ANSWERS

if TYPE_CHECKING:
    import pyoxigraph


def answer_key(sparql: str) -> str:
    """The file name of the answer to exactly this query text."""
    return hashlib.sha256(sparql.encode("utf-8")).hexdigest()[:32] + ".json"


def precomputed_queries() -> list[tuple[str, str]]:
    """(label, rendered SPARQL) for every ``@precompute`` line of the library."""
    out = []
    for query in list_queries():
        for line in query.precompute:
            values = parse_params(line.split()) if line else {}
            out.append((f"{query.name} ({line or 'no params'})", query.render(values)))
    return out


def compute_answers(store: pyoxigraph.Store) -> dict[str, bytes]:
    """file name -> SPARQL JSON results, for every precomputed query, computed from ``store``."""
    answers = {}
    for label, sparql in precomputed_queries():
        try:
            result = run_native(store, sparql)
        except KGError as err:  # a broken library query is our bug: say which one
            raise KGError(f"precomputing library query {label}: {err}") from err
        if result.kind != "SELECT":
            raise KGError(f"library query {label}: only SELECT answers are kept")
        document = json.loads(format_result(result, "json"))
        document["kg:query"] = sparql  # checked on reading: a hash collision cannot answer
        answers[answer_key(sparql)] = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return answers


def read_answer(generation_dir: Path, sparql: str) -> QueryResult | None:
    """The kept answer to ``sparql`` in that generation, or None (then run the query)."""
    path = generation_dir / ANSWERS / answer_key(sparql)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if document.pop("kg:query", None) != sparql:
        return None
    from rdflib.query import Result

    parsed = Result.parse(io.StringIO(json.dumps(document)), format="json")
    variables = [str(v) for v in parsed.vars or []]
    rows = [[row[v] if v in row.labels else None for v in variables] for row in parsed]
    return QueryResult("SELECT", variables, rows)
