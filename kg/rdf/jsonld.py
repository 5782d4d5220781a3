"""Compact JSON-LD: a ``@context`` of the graph's prefixes and node objects with short keys.

Why our own writer: pyoxigraph writes JSON-LD expanded (every key and id a full IRI: the
sample's export is 8.4 MB and hard to read), and ignores prefixes for this format; rdflib's
compaction holds the whole graph in memory and is far slower. The output here is what a JSON-LD
processor reads back into exactly the same quads (the tests parse it with pyoxigraph and rdflib):

    {"@context": {"kg": "https://w3id.org/mlkg/ontology#", ...},
     "@graph": [{"@id": "paper:x", "@type": ["kg:Paper"], "dcterms:title": ["..."], ...}]}

It streams: quads are written as they come, one node object per run of quads with the same
graph and subject (a store yields them grouped so). A node or named graph that comes back later
gets a second object with the same ``@id``, which JSON-LD merges, so any quad order is right.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import IO

import pyoxigraph as ox

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class _Compactor:
    """IRI -> ``prefix:local`` with the longest namespace that fits, else the IRI."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.namespaces = sorted(prefixes.items(), key=lambda item: -len(item[1]))
        self.cache: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        short = self.cache.get(iri)
        if short is None:
            short = iri
            for prefix, namespace in self.namespaces:
                # "p://x" would read as an absolute IRI of scheme p: keep such IRIs whole
                if iri.startswith(namespace) and not iri[len(namespace) :].startswith("//"):
                    short = f"{prefix}:{iri[len(namespace) :]}"
                    break
            if len(self.cache) < 1 << 16:
                self.cache[iri] = short
        return short


def _node_id(term, compact: _Compactor) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return compact(term.value)


def _value(term, compact: _Compactor) -> object:
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@value": term.value, "@language": term.language}
        if term.datatype.value == XSD_STRING:
            return {"@value": term.value}
        return {"@value": term.value, "@type": compact(term.datatype.value)}
    return {"@id": _node_id(term, compact)}


def write_jsonld(quads: Iterable[ox.Quad], out: IO[bytes], prefixes: Mapping[str, str]) -> int:
    """Write ``quads`` to ``out`` as compact JSON-LD; -> quads written."""
    compact = _Compactor(prefixes)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    out.write(b'{"@context":' + dumps(dict(prefixes)).encode() + b',"@graph":[')
    written = 0
    first_item = True
    node: dict | None = None
    key: tuple | None = None  # (graph, subject) of ``node``

    def flush() -> None:
        nonlocal first_item
        if node is None:
            return
        graph = key[0]
        item = node if graph is None else {"@id": graph, "@graph": [node]}
        out.write((b"" if first_item else b",\n") + dumps(item).encode())
        first_item = False

    for quad in quads:
        graph = None if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name
        here = (None if graph is None else _node_id(graph, compact), quad.subject)
        if here != key:
            flush()
            key = here
            node = {"@id": _node_id(quad.subject, compact)}
        predicate = quad.predicate.value
        if predicate == RDF_TYPE and not isinstance(quad.object, ox.Literal):
            node.setdefault("@type", []).append(_node_id(quad.object, compact))
        else:
            node.setdefault(compact(predicate), []).append(_value(quad.object, compact))
        written += 1
    flush()
    out.write(b"]}\n")
    return written
