"""What a SPARQL request would reach outside the store: ``SERVICE`` patterns and ``LOAD``.

A read-only endpoint must not become a proxy: a query naming ``SERVICE <http://host:port/>``
makes Oxigraph send an HTTP request there, so any page open in the user's browser could use the
endpoint to reach hosts and ports the page itself cannot. ``kg serve`` and ``kg query`` refuse
such requests unless the user opts in (``--allow-service``). Detection is by the grammar's
tokens (:mod:`kg.sparql.lexer`), so a ``SERVICE`` inside a string, an IRI, a comment or a
prefixed name is not one.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.sparql.lexer import Token, line_col, tokens


@dataclass(frozen=True)
class Outbound:
    """One place where the request would leave the store."""

    keyword: str  # SERVICE or LOAD
    target: str  # the IRI (or variable) it names, as written
    line: int
    column: int

    def describe(self) -> str:
        return f"{self.keyword} {self.target} (line {self.line}, column {self.column})"


def _target(toks: list[Token], i: int) -> str:
    j = i + 1
    if j < len(toks) and toks[j].keyword == "SILENT":
        j += 1
    return toks[j].text if j < len(toks) else "(nothing)"


def outbound(text: str) -> list[Outbound]:
    """Every ``SERVICE`` pattern and ``LOAD`` operation in a query or update."""
    toks = list(tokens(text))
    found = []
    for i, tok in enumerate(toks):
        if tok.keyword in ("SERVICE", "LOAD"):
            line, col = line_col(text, tok.offset)
            found.append(Outbound(tok.keyword, _target(toks, i), line, col))
    return found


def refusal(found: list[Outbound], flag: str = "--allow-service") -> str:
    """The one-line message for a refused request."""
    first = found[0]
    what = "federated queries (SERVICE)" if first.keyword == "SERVICE" else "LOAD"
    more = f" and {len(found) - 1} more" if len(found) > 1 else ""
    return (
        f"{what} would make this endpoint send requests to other hosts: "
        f"{first.describe()}{more}; refused (start with {flag} to allow)"
    )
