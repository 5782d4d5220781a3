"""The graph's files: the triples of :mod:`kg.rdf.writer` as N-Triples parts and their Turtle.

Every build writes the graph this way, whatever its size: each batch of papers becomes one
N-Triples file (``part-<index>.nt``), written by a worker, and the graph-wide triples (entities,
relations, topics, extractors, the topic scheme) one more (``global.nt``). The store bulk-loads
the parts; pyoxigraph turns each into Turtle, and ``graph.ttl`` is their concatenation under one
prefix header. One writer, one serialization: the graph is the same for every engine and size.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from rdflib import URIRef

from kg.link.resolve import Resolution
from kg.link.topics import Assignment, TopicLinkRecord
from kg.rdf.term_text import iri, term
from kg.rdf.writer import (
    agent_triples,
    entity_triples,
    extraction_triples,
    relation_triples,
    topic_triples,
    vocabulary_triples,
)
from kg.records import PaperExtraction

TURTLE_SUFFIX = ".ttl"


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
                so = iris[o] = iri(o)
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


def write_turtle_sibling(part: Path) -> None:
    """Write the Turtle (``.ttl``) of an N-Triples part written with ``turtle=False``.

    The build writes the parts' Turtle after their N-Triples (:mod:`kg.build.run`): the store
    loads the N-Triples as soon as they exist, and ``graph.ttl`` is assembled only at the end,
    so the Turtle can wait for a core the bulk load and ``optimize`` leave idle."""
    _turtle_file(part, part.with_suffix(TURTLE_SUFFIX))


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
        yield from extraction_triples(i, ext, resolution)


def global_triples(
    resolution: Resolution,
    assignments: Sequence[Assignment],
    links: Sequence[TopicLinkRecord],
    agents: set[str],
) -> Iterator[tuple]:
    """The graph-wide part: the vocabulary version, entities, entity relations, topics,
    extractors and the topic scheme (what is not the papers' own)."""
    from kg.ontology import load_topics_graph

    yield from vocabulary_triples()
    yield from entity_triples(resolution)
    yield from relation_triples(resolution)
    yield from topic_triples(assignments, links)
    yield from agent_triples(agents)
    # sorted: an rdflib Graph iterates in an order that changes from process to process (a build
    # and a later kg add or kg migrate must write the same bytes)
    yield from sorted(load_topics_graph(), key=lambda triple: tuple(map(term, triple)))
