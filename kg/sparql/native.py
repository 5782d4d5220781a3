"""Run SPARQL directly in Oxigraph and hand back :class:`kg.sparql.results.QueryResult` rows.

The query never goes through rdflib's SPARQL engine (only the result terms are converted, for
``kg.sparql.results.format_result``), which is what makes queries on a store fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import Graph

from kg.errors import KGError
from kg.rdf.terms import to_rdflib
from kg.sparql.results import QueryResult
from kg.sparql.syntax import explain_syntax_error
from kg.vocab import PREFIXES

if TYPE_CHECKING:
    import pyoxigraph


def syntax_message(err: Exception, sparql: str = "") -> str:
    """Where the query went wrong, in words (:func:`kg.sparql.syntax.explain_syntax_error`)."""
    return explain_syntax_error(sparql, err, PREFIXES)


def run_native(store: pyoxigraph.Store, sparql: str) -> QueryResult:
    """Run ``sparql`` (the kg prefixes predeclared) in ``store``; KGError if it is malformed."""
    import pyoxigraph as ox

    try:
        result = store.query(sparql, prefixes=PREFIXES)
    except SyntaxError as err:
        raise KGError(syntax_message(err, sparql)) from err
    except (OSError, RuntimeError, ValueError) as err:
        raise KGError(f"query failed: {' '.join(str(err).split())[:300]}") from err
    try:
        if isinstance(result, ox.QueryBoolean):
            return QueryResult("ASK", [], [], boolean=bool(result))
        if isinstance(result, ox.QueryTriples):
            graph = Graph()
            for prefix, iri in PREFIXES.items():
                graph.bind(prefix, iri, override=True)
            for t in result:
                graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
            kind = "DESCRIBE" if sparql_kind(sparql) == "DESCRIBE" else "CONSTRUCT"
            return QueryResult(kind, [], [], graph=graph)
        variables = [v.value for v in result.variables]
        rows = [[to_rdflib(solution[v]) for v in variables] for solution in result]
    except (OSError, RuntimeError, ValueError) as err:  # evaluation errors surface while iterating
        raise KGError(f"query failed: {' '.join(str(err).split())[:300]}") from err
    return QueryResult("SELECT", variables, rows)


def sparql_kind(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT, DESCRIBE (or UPDATE) from the query text, comments and prologue
    skipped; only used for labels and routing, never for safety."""
    import re

    text = re.sub(r"#[^\n]*", " ", sparql)
    text = re.sub(r"(?is)\b(PREFIX\s+\S*\s*<[^>]*>|BASE\s*<[^>]*>)", " ", text)
    match = re.search(
        r"(?i)\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b",
        text,
    )
    if not match:
        return "SELECT"
    word = match.group(1).upper()
    return word if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") else "UPDATE"
