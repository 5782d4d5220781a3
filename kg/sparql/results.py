"""What a query returns, and how ``kg query`` prints it.

:class:`QueryResult` holds plain rows whichever engine ran the query (Oxigraph for a store,
rdflib for a graph file); ``format_result`` renders them as an aligned table (IRIs shortened
with our prefixes) or as CSV / TSV / SPARQL 1.1 JSON results for scripts. Kept apart from the
runners so that both depend on it and not on each other.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass

from rdflib import XSD, BNode, Graph, Literal, URIRef

from kg.errors import KGError
from kg.vocab import PREFIXES

FORMATS = ("table", "csv", "tsv", "json")
_GMONTHDAY = XSD.gMonthDay


@dataclass
class QueryResult:
    kind: str  # "SELECT", "ASK", "CONSTRUCT" or "DESCRIBE"
    variables: list[str]
    rows: list[list[URIRef | Literal | BNode | None]]
    boolean: bool | None = None
    graph: Graph | None = None


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
    texts = [[" ".join(_table_text(t).split()) for t in row] for row in result.rows]
    clipped = any(len(v) > max_width for row in texts for v in row)
    cells = [[_clip(v, max_width) for v in row] for row in texts]
    widths = [max([len(v)] + [len(r[i]) for r in cells]) for i, v in enumerate(result.variables)]
    line = lambda vals: "  ".join(v.ljust(w) for v, w in zip(vals, widths, strict=False)).rstrip()  # noqa: E731
    out = [line(result.variables), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    count = f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}"
    if clipped:  # a sentence cut before the words that matter reads as a wrong row
        count += f"; long cells cut at {max_width} characters: --format tsv prints them whole"
    out.append(f"({count})")
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
    """``text`` (one line already) cut to ``width`` characters with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"
