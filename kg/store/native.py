"""Run SPARQL directly in Oxigraph and hand back :class:`kg.query.QueryResult` rows.

The query never goes through rdflib's SPARQL engine (only the result terms are converted, for
``kg.query.format_result``), which is what makes queries on a store fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef

from kg.errors import KGError
from kg.vocab import PREFIXES

if TYPE_CHECKING:
    import pyoxigraph

    from kg.query import QueryResult

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_rdflib(term):
    """An Oxigraph term as the equal rdflib term (plain literals without ``xsd:string``)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _LANG_STRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    return Literal(str(term))  # an RDF-star quoted triple: shown as text


def syntax_message(err: Exception, sparql: str = "") -> str:
    """Where the query went wrong, in words (:func:`kg.sparql.syntax.explain_syntax_error`)."""
    from kg.sparql.syntax import explain_syntax_error

    return explain_syntax_error(sparql, err, PREFIXES)


def run_native(store: pyoxigraph.Store, sparql: str) -> QueryResult:
    """Run ``sparql`` (the kg prefixes predeclared) in ``store``; KGError if it is malformed."""
    import pyoxigraph as ox

    from kg.query import QueryResult

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
