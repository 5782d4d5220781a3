"""N-Triples parts: the triples of :mod:`kg.rdf.writer`, streamed as lines instead of a Graph.

At corpus scale an rdflib Graph is too slow and too big, so each batch of papers becomes one
N-Triples file (``part-<index>.nt``), written by a worker, and the graph-wide triples (entities,
topics, extractors, the topic scheme) one more (``global.nt``). The same generators as the
rdflib build produce the triples, so the graph is the same; only the serialization differs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg.extract.records import PaperExtraction
from kg.link.resolve import Resolution
from kg.link.topics import Assignment, TopicLinkRecord
from kg.rdf.writer import agent_triples, entity_triples, extraction_triples, topic_triples

_XSD_STRING = str(XSD.string)
_LITERAL_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _iri(value: str) -> str:
    if _IRI_UNSAFE.search(value):
        value = _IRI_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04X}", value)
    return f"<{value}>"


def term(node) -> str:
    """One RDF term in N-Triples syntax."""
    if isinstance(node, Literal):
        text = f'"{str(node).translate(_LITERAL_ESCAPES)}"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is not None:
            datatype = str(node.datatype)
            if datatype == _XSD_STRING:
                return text
            return f"{text}^^{_iri(datatype)}"
        return text
    if isinstance(node, URIRef):
        return _iri(str(node))
    if isinstance(node, BNode):
        return f"_:{node}"
    raise TypeError(f"not an RDF term: {node!r}")


def lines(triples: Iterable[tuple]) -> Iterator[str]:
    for s, p, o in triples:
        yield f"{term(s)} {term(p)} {term(o)} .\n"


def write_lines(triples: Iterable[tuple], dest: Path | None) -> tuple[int, bytes | None]:
    """Serialize ``triples``; to ``dest`` (atomically) or returned as bytes. -> (lines, bytes)."""
    text = "".join(lines(triples))
    data = text.encode("utf-8")
    count = text.count("\n")
    if dest is None:
        return count, data
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, dest)
    return count, None


def part_triples(
    extractions: Iterable[PaperExtraction], offset: int, resolution: Resolution, agents: set[str]
) -> Iterator[tuple]:
    """The per-paper triples of extractions ``offset, offset + 1, ...`` (global indices)."""
    for i, ext in enumerate(extractions, start=offset):
        agents.update(m.extractor for m in ext.mentions)
        agents.update(c.extractor for c in ext.claims)
        yield from extraction_triples(i, ext, resolution)


def write_part(
    source: Path | bytes, offset: int, resolution: Resolution, dest: Path | None = None
) -> tuple[int, list[str], bytes | None]:
    """One batch's checkpoint (file or bytes) -> N-Triples: (lines, extractor names, bytes)."""
    from kg.scale.batches import read_records

    agents: set[str] = set()
    count, data = write_lines(part_triples(read_records(source), offset, resolution, agents), dest)
    return count, sorted(agents), data


def global_triples(
    resolution: Resolution,
    assignments: Sequence[Assignment],
    links: Sequence[TopicLinkRecord],
    agents: set[str],
) -> Iterator[tuple]:
    """What :func:`kg.rdf.graph_triples` writes besides the papers' own triples."""
    from kg.ontology import load_topics_graph

    yield from entity_triples(resolution)
    yield from topic_triples(assignments, links)
    yield from agent_triples(agents)
    yield from load_topics_graph()
