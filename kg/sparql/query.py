"""SPARQL over a built graph, with the project's prefixes predeclared.

``run_query`` runs a query on a store (natively in Oxigraph, :mod:`kg.sparql.native`) or on an
rdflib Graph, and returns a :class:`kg.sparql.results.QueryResult`.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph
from rdflib.query import Result

from kg.errors import KGError
from kg.sparql.native import run_native
from kg.sparql.outbound import outbound, refusal
from kg.sparql.results import QueryResult
from kg.vocab import sparql_prologue


def load_graph(path: str | Path) -> Graph:
    """A Turtle/N-Triples/JSON-LD file, or a build directory, as a Graph.

    A directory with a store opens as an rdflib Graph over the Oxigraph store (``run_query``
    then runs SPARQL in Oxigraph itself); one without a store reads its ``graph.ttl``.
    """
    if Path(path).is_dir():
        from kg.store import load_directory

        return load_directory(path)
    from kg.rdf.validate import load_graph_file  # rdflib parsing: only for graph files
    from kg.rdf.version import check_graph

    graph = load_graph_file(path)
    check_graph(graph, str(path))
    return graph


#: What queries run against: an rdflib Graph, or an open store (``kg.store.StoreHandle``).
QueryTarget = Graph  # | kg.store.StoreHandle | pyoxigraph.Store


def run_query(graph: QueryTarget, sparql: str, *, allow_service: bool = False) -> QueryResult:
    """Run ``sparql``; a SERVICE pattern (an outbound request) is refused unless allowed."""
    if not allow_service:
        found = outbound(sparql)
        if found:
            raise KGError(refusal(found).replace("this endpoint", "kg query"))
    kept = _kept_answer(graph, sparql)
    if kept is not None:
        return in_query_order(kept, sparql)
    native = _native_store(graph)
    if native is not None:
        return in_query_order(run_native(native, sparql), sparql)
    try:
        result: Result = graph.query(sparql_prologue() + sparql)
    except Exception as err:  # pyparsing and rdflib raise several types
        message = " ".join(str(err).split())
        offset = sparql_prologue().count("\n")
        message = re.sub(r"\(at char \d+\), ", "", message)
        message = re.sub(r"\(line:(\d+)", lambda m: f"(line:{int(m.group(1)) - offset}", message)
        raise KGError(f"malformed SPARQL query: {message[:300]}") from err
    if result.type == "ASK":
        return QueryResult("ASK", [], [], boolean=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return QueryResult(result.type, [], [], graph=result.graph)
    variables = [str(v) for v in result.vars or []]
    rows = [[row[v] if v in row.labels else None for v in variables] for row in result]
    return in_query_order(QueryResult("SELECT", variables, rows), sparql)


# Comments, strings and IRIs (which may hold "?x" without it being a variable), then variables.
_QUERY_TOKENS = re.compile(
    r"""
    (?P<skip>\#[^\n]*
      | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\" | '\''\'(?:[^'\\]|\\.|'(?!''))*'\''\'
      | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'
      | <[^<>"{}|^`\\\x00-\x20]*>)
  | [?$](?P<var>[A-Za-z0-9_\u00b7-\uffff]+)
  | (?P<star>\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?\*)
    """,
    re.X | re.I | re.S,
)


def in_query_order(result: QueryResult, sparql: str) -> QueryResult:
    """The columns of a ``SELECT *`` in the order the query first names its variables.

    SPARQL leaves the order of ``*`` to the engine: Oxigraph sorts the names (``o p s`` for
    ``?s ?p ?o``), rdflib uses a set's order, which changes between runs. Explicit projections
    are left alone.
    """
    if result.kind != "SELECT" or len(result.variables) < 2:
        return result
    first: dict[str, int] = {}
    star = False
    for match in _QUERY_TOKENS.finditer(sparql):
        if match.group("star"):
            star = True
        elif match.group("var"):
            first.setdefault(match.group("var"), match.start())
    if not star:
        return result
    end = len(sparql)
    order = sorted(
        range(len(result.variables)), key=lambda i: (first.get(result.variables[i], end), i)
    )
    if order == list(range(len(order))):
        return result
    result.variables = [result.variables[i] for i in order]
    result.rows = [[row[i] for i in order] for row in result.rows]
    return result


def _native_store(target):
    """The Oxigraph store behind ``target``, if any (queried natively, not through rdflib)."""
    if isinstance(target, Graph):
        if getattr(target, "_kg_store_handle", None) is None:
            return None
        from kg.store import store_of

        return store_of(target)
    store = getattr(target, "store", target)  # a kg.store.StoreHandle, or a pyoxigraph.Store
    return store if type(store).__module__.startswith("pyoxigraph") else None


def _kept_answer(target, sparql: str) -> QueryResult | None:
    """The answer the open store generation keeps for ``sparql`` (:mod:`kg.sparql.answers`)."""
    handle = getattr(target, "_kg_store_handle", None) if isinstance(target, Graph) else target
    if not hasattr(handle, "manifest") or not hasattr(handle, "path"):
        return None  # a graph file or a bare pyoxigraph.Store: nothing kept
    from kg.sparql.answers import read_answer
    from kg.store.core import generation_dir

    return read_answer(generation_dir(handle.path, handle.generation), sparql)
