"""SPARQL over a built graph, with the project's prefixes predeclared.

``run_query`` returns plain rows; ``format_result`` renders them as an aligned table (IRIs
shortened with our prefixes) or as CSV / TSV / SPARQL 1.1 JSON results for scripts.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.query import Result

from kg.errors import KGError
from kg.vocab import PREFIXES, sparql_prologue

FORMATS = ("table", "csv", "tsv", "json")
_GMONTHDAY = XSD.gMonthDay


@dataclass
class QueryResult:
    kind: str  # "SELECT", "ASK", "CONSTRUCT" or "DESCRIBE"
    variables: list[str]
    rows: list[list[URIRef | Literal | BNode | None]]
    boolean: bool | None = None
    graph: Graph | None = None


def load_graph(path: str | Path) -> Graph:
    """A Turtle/N-Triples/JSON-LD file, or a build directory, as a Graph.

    A directory with a store opens as an rdflib Graph over the Oxigraph store (``run_query``
    then runs SPARQL in Oxigraph itself); one without a store reads its ``graph.ttl``.
    """
    if Path(path).is_dir():
        from kg.store import load_directory

        return load_directory(path)
    from kg.validate import load_graph_file

    return load_graph_file(path)


#: What queries run against: an rdflib Graph, or an open store (``kg.store.StoreHandle``).
QueryTarget = Graph  # | kg.store.StoreHandle | pyoxigraph.Store


def run_query(graph: QueryTarget, sparql: str, *, allow_service: bool = False) -> QueryResult:
    """Run ``sparql``; a SERVICE pattern (an outbound request) is refused unless allowed."""
    if not allow_service:
        from kg.sparql.outbound import outbound, refusal

        found = outbound(sparql)
        if found:
            raise KGError(refusal(found).replace("this endpoint", "kg query"))
    native = _native_store(graph)
    if native is not None:
        from kg.store.native import run_native

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


def shorten(term, style: str = "table") -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        if style != "table":
            return str(term)
        for prefix, iri in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if str(term).startswith(iri):
                return f"{prefix}:{str(term)[len(iri) :]}"
        return f"<{term}>"
    return str(term)


def _json_term(term) -> dict | None:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def format_result(result: QueryResult, fmt: str = "table", max_width: int = 80) -> str:
    if fmt not in FORMATS:
        raise KGError(f"unknown output format {fmt!r} (expected one of {', '.join(FORMATS)})")
    if result.kind == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.boolean})
        return "true" if result.boolean else "false"
    if result.graph is not None:
        return result.graph.serialize(format="json-ld" if fmt == "json" else "turtle")
    if fmt == "json":
        bindings = [
            {v: _json_term(t) for v, t in zip(result.variables, row, strict=False) if t is not None}
            for row in result.rows
        ]
        return json.dumps(
            {"head": {"vars": result.variables}, "results": {"bindings": bindings}},
            ensure_ascii=False,
            indent=1,
        )
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow([shorten(t, fmt) for t in row])
        return buf.getvalue().rstrip("\n")
    cells = [[_clip(_table_text(t), max_width) for t in row] for row in result.rows]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(result.variables)]
    line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths, strict=False)).rstrip()  # noqa: E731
    out = [line(result.variables), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    out.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(out)


_MONTHS = (
    "January February March April May June July August September October November December"
).split()


def _table_text(term) -> str:
    """A cell of the table format: what a reader reads. A date without a year, typed
    xsd:gMonthDay ("--05-20", from a Daily Papers page), reads "20 May, year unknown"; CSV,
    TSV and JSON keep the typed value for programs."""
    if isinstance(term, Literal) and term.datatype == _GMONTHDAY:
        match = re.fullmatch(r"--(\d\d)-(\d\d)(.*)", str(term))
        if match and 1 <= int(match.group(1)) <= 12:
            return f"{int(match.group(2))} {_MONTHS[int(match.group(1)) - 1]}, year unknown"
    return shorten(term)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
