"""N-Triples parts: the triples of :mod:`kg.rdf.writer`, streamed as lines instead of a Graph.

At corpus scale an rdflib Graph is too slow and too big, so each batch of papers becomes one
N-Triples file (``part-<index>.nt``), written by a worker, and the graph-wide triples (entities,
topics, extractors, the topic scheme) one more (``global.nt``). The same generators as the
rdflib build produce the triples, so the graph is the same; only the serialization differs:
they make their data terms as N-Triples text here (:data:`NT_TERMS`), which costs a fraction of
making rdflib terms and printing them.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg.link.resolve import Resolution
from kg.link.topics import Assignment, TopicLinkRecord
from kg.rdf.writer import (
    Terms,
    _dec,
    agent_triples,
    entity_triples,
    extraction_triples,
    relation_triples,
    topic_entity_triples,
    topic_triples,
)
from kg.records import PaperExtraction

_XSD_STRING = XSD.string
_XSD_INTEGER = str(XSD.integer)
_LITERAL_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
TURTLE_SUFFIX = ".ttl"


def _iri(value: str) -> str:
    if _IRI_UNSAFE.search(value):
        value = _IRI_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04X}", value)
    return f"<{value}>"


def _literal(node: Literal) -> str:
    text = f'"{str(node).translate(_LITERAL_ESCAPES)}"'
    if node.language:
        return f"{text}@{node.language}"
    datatype = node.datatype
    if datatype is None or datatype == _XSD_STRING:
        return text
    return f"{text}^^{_iri(datatype)}"


def _plain(text: str) -> str:
    return f'"{text.translate(_LITERAL_ESCAPES)}"'


class NTriplesTerms(Terms):
    """Data terms as N-Triples text (``<iri>``, ``"literal"^^<datatype>``): what :func:`lines`
    writes as it is. Byte for byte what :func:`term` makes of the rdflib term (tested)."""

    iri = staticmethod(_iri)
    literal = staticmethod(_plain)

    @staticmethod
    def typed(text: str, datatype) -> str:
        return f"{_plain(text)}^^{_iri(datatype)}"

    @staticmethod
    @lru_cache(maxsize=1 << 16)
    def integer(n: int) -> str:
        return f'"{n}"^^<{_XSD_INTEGER}>'

    @staticmethod
    @lru_cache(maxsize=1 << 12)
    def decimal(x: float) -> str:
        return _literal(_dec(x))

    @staticmethod
    @lru_cache(maxsize=256)
    def word(text: str) -> str:
        return _plain(text)


NT_TERMS = NTriplesTerms()


def term(node) -> str:
    """One RDF term in N-Triples syntax."""
    if isinstance(node, URIRef):
        return _iri(node)
    if isinstance(node, Literal):
        return _literal(node)
    if isinstance(node, BNode):
        return f"_:{node}"
    raise TypeError(f"not an RDF term: {node!r}")


def lines(triples: Iterable[tuple]) -> Iterator[str]:
    """N-Triples lines of ``triples``: rdflib terms, or terms already in N-Triples syntax (plain
    ``str``, from :data:`NT_TERMS`)."""
    # IRIs repeat (predicates, classes, the paper, entities): serialize each once per call
    iris: dict[str, str] = {}
    for s, p, o in triples:
        if type(s) is not str:
            ss = iris.get(s)
            if ss is None:
                ss = iris[s] = term(s)
            s = ss
        sp = iris.get(p)
        if sp is None:
            sp = iris[p] = term(p)
        t = type(o)
        if t is URIRef:
            so = iris.get(o)
            if so is None:
                so = iris[o] = _iri(o)
            o = so
        elif t is not str:
            o = term(o)
        yield f"{s} {sp} {o} .\n"


def turtle_body(ntriples: bytes) -> bytes:
    """The same triples as Turtle with the project's prefixes, without the @prefix lines.

    Parts are concatenated under one header (:func:`turtle_header`) into ``graph.ttl``: their
    subjects are the part's own papers (plus ``dcterms:subject`` of a paper in the graph-wide
    part), so the file stays grouped by subject, and its order follows the input: deterministic.
    """
    import pyoxigraph as ox

    data = ox.serialize(
        ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES, lenient=True),
        format=ox.RdfFormat.TURTLE,
        prefixes=_prefixes(),
    )
    start = 0
    while data.startswith(b"@prefix ", start):
        start = data.index(b"\n", start) + 1
    return data[start:]


def turtle_header() -> bytes:
    return "".join(f"@prefix {k}: <{v}> .\n" for k, v in _prefixes().items()).encode()


def _prefixes() -> dict[str, str]:
    from kg.vocab import PREFIXES

    return {k: str(v) for k, v in PREFIXES.items()}


def write_lines(
    triples: Iterable[tuple], dest: Path | None, turtle: bool = True
) -> tuple[int, bytes | None, bytes | None]:
    """Serialize ``triples`` as N-Triples (and as Turtle); to ``dest`` (and ``dest`` with suffix
    .ttl), atomically, or returned. -> (number of lines, N-Triples bytes, Turtle bytes).

    To a file, both are streamed: the graph-wide part of a corpus holds millions of triples,
    and joining them in memory (text, bytes, Turtle) cost GBs at the run's memory peak."""
    if dest is None:
        text = "".join(lines(triples))
        data = text.encode("utf-8")
        return text.count("\n"), data, turtle_body(data) if turtle else None
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    count = 0
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as out:
            chunk: list[str] = []
            for line in lines(triples):
                chunk.append(line)
                if len(chunk) == 65536:
                    out.write("".join(chunk))
                    count += len(chunk)
                    chunk.clear()
            out.write("".join(chunk))
            count += len(chunk)
        if turtle:
            _turtle_file(tmp, dest.with_suffix(TURTLE_SUFFIX))
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return count, None, None


def _turtle_file(ntriples: Path, dest: Path) -> None:
    """:func:`turtle_body` from file to file, streamed (Oxigraph parses and writes lazily)."""
    import pyoxigraph as ox

    full = dest.with_name(f".{dest.name}.full-{os.getpid()}")
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    try:
        ox.serialize(
            ox.parse(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES, lenient=True),
            output=str(full),
            format=ox.RdfFormat.TURTLE,
            prefixes=_prefixes(),
        )
        with full.open("rb") as src, tmp.open("wb") as out:
            line = src.readline()
            while line.startswith(b"@prefix "):  # one header for all parts (graph.ttl)
                line = src.readline()
            out.write(line)
            shutil.copyfileobj(src, out, 1 << 20)
        os.replace(tmp, dest)
    finally:
        full.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)


def part_triples(
    extractions: Iterable[PaperExtraction], offset: int, resolution: Resolution
) -> Iterator[tuple]:
    """The per-paper triples of extractions ``offset, offset + 1, ...`` (global indices)."""
    for i, ext in enumerate(extractions, start=offset):
        yield from extraction_triples(i, ext, resolution, NT_TERMS)


def write_part(
    source: Path | bytes, offset: int, resolution: Resolution, dest: Path | None = None
) -> tuple[int, bytes | None, bytes | None]:
    """One batch's checkpoint (file or bytes) -> N-Triples and Turtle.

    -> (lines, N-Triples bytes, Turtle bytes); the bytes are None when written to ``dest`` (and
    its .ttl sibling). The extractors (agents) are the graph-wide part's, from the link step."""
    from kg.scale.batches import read_records

    return write_lines(part_triples(read_records(source), offset, resolution), dest)


def global_triples(
    resolution: Resolution,
    assignments: Sequence[Assignment],
    links: Sequence[TopicLinkRecord],
    agents: set[str],
) -> Iterator[tuple]:
    """What :func:`kg.rdf.graph_triples` writes besides the papers' own triples."""
    from kg.ontology import load_topics_graph

    yield from entity_triples(resolution, NT_TERMS)
    yield from relation_triples(resolution, NT_TERMS)
    yield from topic_triples(assignments, links, NT_TERMS)
    yield from topic_entity_triples(resolution, assignments, NT_TERMS)
    yield from agent_triples(agents, NT_TERMS)
    yield from load_topics_graph()
