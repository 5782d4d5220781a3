"""RDF terms as N-Triples text: the one representation the writer makes its data terms in.

The graph is written as N-Triples lines (parts bulk-loaded into Oxigraph, and turned into
Turtle by pyoxigraph), so the generators of :mod:`kg.rdf.writer` make each data term directly
as its N-Triples text: ``<iri>``, ``"literal"``, ``"1"^^<...#integer>``. Making ~10 M rdflib terms
only to print them again was most of the cost of writing; this module is the small part of the
serialization that a library cannot do for us (pyoxigraph serializes the lines, but making its
term objects costs more than the text). Vocabulary terms (``KG.Paper``, ``RDF.type``) stay rdflib
``URIRef`` constants; :func:`term` prints them once per part (:func:`kg.rdf.ntriples.lines`).
"""

from __future__ import annotations

import re
from functools import lru_cache

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

_XSD_STRING = XSD.string
_XSD_INTEGER = str(XSD.integer)
_XSD_DECIMAL = str(XSD.decimal)
_LITERAL_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def iri(value: str) -> str:
    """``<value>``, with the characters N-Triples forbids in an IRI escaped."""
    if _IRI_UNSAFE.search(value):
        value = _IRI_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04X}", value)
    return f"<{value}>"


def literal(text: str) -> str:
    """A plain (xsd:string) literal."""
    return f'"{text.translate(_LITERAL_ESCAPES)}"'


def typed(text: str, datatype: str) -> str:
    return f"{literal(text)}^^{iri(datatype)}"


@lru_cache(maxsize=1 << 16)  # offsets repeat across mentions and papers
def integer(n: int) -> str:
    return f'"{n}"^^<{_XSD_INTEGER}>'


def decimal_text(x: float) -> str:
    """The lexical form of a score: at most four decimals, no trailing zeros ("1", "0.5")."""
    return f"{x:.4f}".rstrip("0").rstrip(".") or "0"


@lru_cache(maxsize=1 << 12)
def decimal(x: float) -> str:
    return f'"{decimal_text(x)}"^^<{_XSD_DECIMAL}>'


@lru_cache(maxsize=256)
def word(text: str) -> str:
    """A literal from a small closed set (field names, extractor names): made once."""
    return literal(text)


def term(node: URIRef | Literal | BNode | str) -> str:
    """One rdflib term (a vocabulary constant, or a triple of the topic scheme) in N-Triples."""
    if isinstance(node, URIRef):
        return iri(node)
    if isinstance(node, Literal):
        text = literal(str(node))
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is None or node.datatype == _XSD_STRING:
            return text
        return f"{text}^^{iri(node.datatype)}"
    if isinstance(node, BNode):
        return f"_:{node}"
    raise TypeError(f"not an RDF term: {node!r}")
