"""``kg export``: a store (or any graph file) as Turtle, N-Triples, N-Quads, TriG or JSON-LD.

Serialization streams from Oxigraph (no rdflib graph in memory). With ``split_provenance`` the
provenance - how each statement was derived - goes to its own named graph
(:data:`PROVENANCE_GRAPH`) and the content stays in the default graph, so a consumer can load
one without the other. Provenance is:

* the ``kg:Evidence`` and ``kg:RelationEvidence`` records (IRIs under ``evidence/``: form,
  offsets, extractor, score) and the ``kg:Sentence`` nodes they were read from (``sentence/``),
  with every ``kg:inSentence`` link (an acronym definition's too);
* the ``kg:AliasMerge`` records of entity resolution (``entity/<id>/form/<hash>``) and the
  ``kg:hasAlias`` links to them;
* every ``prov:`` statement (``prov:wasDerivedFrom``, ``prov:wasAttributedTo``), ``kg:extractor``,
  and the extractors themselves (``extractor/``, ``prov:SoftwareAgent``).

With ``per_paper`` each paper's statements go to a named graph of their own, named by the
paper's IRI: the paper's own triples and those of every node minted for it (its sentences,
claims, topic assignments, acronym definitions and evidence, relation evidence too). What papers
share - entities, their aliases, entity-to-entity relations, the topic scheme, the extractors,
the graph's version - stays in the default graph. A consumer can then load, replace or drop one
paper (``GRAPH <paper> { ... }``) without touching the others.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kg.errors import KGError
from kg.vocab import AGENT, DATA_BASE, ENTITY, EVIDENCE, KG, PREFIXES, SENTENCE

FORMATS = ("turtle", "ntriples", "nquads", "trig", "jsonld")
QUAD_FORMATS = ("nquads", "trig", "jsonld")
SUFFIXES = {
    "turtle": ".ttl",
    "ntriples": ".nt",
    "nquads": ".nq",
    "trig": ".trig",
    "jsonld": ".jsonld",
}
PROVENANCE_GRAPH = DATA_BASE + "graph/provenance"
_PROV = PREFIXES["prov"]
_PROVENANCE_PREDICATES = {
    str(KG.extractor),
    str(KG.hasAlias),
    str(KG.inSentence),
    str(KG.hasEvidence),
}


#: Namespaces of the nodes minted for one paper (a node here belongs to the paper it links to).
_PER_PAPER = tuple(
    DATA_BASE + ns for ns in ("sentence/", "claim/", "assignment/", "acronym/", "evidence/")
)
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass
class ExportResult:
    quads: int
    provenance: int
    format: str
    output: str
    papers: int = 0  # named graphs written with ``per_paper``


def _ox_format(name: str):
    import pyoxigraph as ox

    return {
        "turtle": ox.RdfFormat.TURTLE,
        "ntriples": ox.RdfFormat.N_TRIPLES,
        "nquads": ox.RdfFormat.N_QUADS,
        "trig": ox.RdfFormat.TRIG,
        "jsonld": ox.RdfFormat.JSON_LD,
    }[name]


def is_provenance(subject: str, predicate: str) -> bool:
    """Whether the statement ``subject predicate ...`` (IRIs as strings) is provenance."""
    return (
        subject.startswith(str(EVIDENCE))
        or subject.startswith(str(SENTENCE))
        or subject.startswith(str(AGENT))
        or (subject.startswith(str(ENTITY)) and "/form/" in subject)
        or predicate.startswith(_PROV)
        or predicate in _PROVENANCE_PREDICATES
    )


def _open_source(source: Path):
    """(pyoxigraph store, keep-alive handle) for a store directory, build directory or file."""
    import pyoxigraph as ox

    from kg.store.core import GRAPH_FILE, is_store, open_store

    if source.is_dir():
        if is_store(source):
            handle = open_store(source)
            return handle.store, handle
        if (source / GRAPH_FILE).is_file():
            source = source / GRAPH_FILE
        else:
            raise KGError(f"{source}: is a directory but neither a kg store nor a build output")
    if not source.is_file():
        raise KGError(f"{source}: no such file or directory")
    suffix = source.suffix.lower().lstrip(".")
    fmt = ox.RdfFormat.from_extension(suffix) or ox.RdfFormat.from_extension(
        {"json": "jsonld", "owl": "rdf", "xml": "rdf", "ntriples": "nt", "turtle": "ttl"}.get(
            suffix, suffix
        )
    )
    if fmt is None:
        raise KGError(f"{source}: unknown RDF file type {source.suffix!r}")
    store = ox.Store()
    try:
        store.bulk_load(path=str(source), format=fmt)
    except (SyntaxError, ValueError, OSError) as err:
        raise KGError(
            f"{source}: cannot parse as {fmt.name}: {' '.join(str(err).split())[:300]}"
        ) from err
    return store, None


def export(
    source: str | Path,
    output: str | Path | BinaryIO | None = None,
    fmt: str = "turtle",
    *,
    split_provenance: bool = False,
    per_paper: bool = False,
) -> ExportResult:
    """Write the graph in ``source`` to ``output`` (a path, a binary stream; None: stdout)."""
    import pyoxigraph as ox

    if fmt not in FORMATS:
        raise KGError(f"unknown export format {fmt!r} (expected one of {', '.join(FORMATS)})")
    flags = ((split_provenance, "--split-provenance"), (per_paper, "--graph-per-paper"))
    for wanted, flag in flags:
        if wanted and fmt not in QUAD_FORMATS:
            raise KGError(
                f"{flag} needs a format with named graphs ({', '.join(QUAD_FORMATS)}), not {fmt}"
            )
    if split_provenance and per_paper:
        raise KGError("choose one of --split-provenance and --graph-per-paper")
    store, handle = _open_source(Path(source))
    counts = {"quads": 0, "provenance": 0}
    provenance_graph = ox.NamedNode(PROVENANCE_GRAPH)
    quad_format = fmt in QUAD_FORMATS
    paper_of = _paper_of_nodes(store) if per_paper else {}

    def classified(want_provenance: bool) -> Iterator:
        for quad in store.quads_for_pattern(None, None, None, None):
            provenance = isinstance(quad.subject, ox.NamedNode) and is_provenance(
                quad.subject.value, quad.predicate.value
            )
            if provenance == want_provenance:
                yield quad, provenance

    def plain() -> Iterator:
        """Every quad as the store holds it: nothing to classify or regraph."""
        for quad in store.quads_for_pattern(None, None, None, None):
            counts["quads"] += 1
            yield quad if quad_format else quad.triple

    def split() -> Iterator:
        """Content first, then provenance in its own graph, so TriG has one block per graph
        (a quad format: checked above)."""
        for want in (False, True):
            for quad, provenance in classified(want):
                counts["quads"] += 1
                graph = quad.graph_name
                if provenance:
                    counts["provenance"] += 1
                    graph = provenance_graph
                yield ox.Quad(quad.subject, quad.predicate, quad.object, graph)

    def by_paper() -> Iterator:
        """Each paper's graph in one run (TriG: one block per paper, N-Quads: its lines
        together), then the graph-wide statements; in store order they come scattered."""
        nodes_of: dict = {}
        for iri, graph in paper_of.items():
            nodes_of.setdefault(graph.value, []).append(iri)
        for paper in sorted(nodes_of):
            graph = paper_of[paper]
            for iri in sorted(nodes_of[paper]):
                for quad in store.quads_for_pattern(ox.NamedNode(iri), None, None, None):
                    counts["quads"] += 1
                    yield ox.Quad(quad.subject, quad.predicate, quad.object, graph)
        for quad in store.quads_for_pattern(None, None, None, None):
            if not (isinstance(quad.subject, ox.NamedNode) and quad.subject.value in paper_of):
                counts["quads"] += 1
                yield quad

    stream = split if split_provenance else by_paper if per_paper else plain

    target = output if output is not None else sys.stdout.buffer
    if isinstance(target, (str, Path)):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        target = str(target)
    prefixes = PREFIXES if fmt in ("turtle", "trig") else None
    try:
        if fmt == "jsonld":  # compact, with a @context (pyoxigraph writes it expanded)
            _write_jsonld(stream(), target)
        else:
            ox.serialize(stream(), target, _ox_format(fmt), prefixes=prefixes)
    except OSError as err:
        raise KGError(f"cannot write {output or 'stdout'}: {err}") from err
    finally:
        if handle is not None:
            handle.close()
    name = (
        str(output) if isinstance(output, (str, Path)) else "stdout" if output is None else "stream"
    )
    papers = len(set(paper_of.values()))
    return ExportResult(counts["quads"], counts["provenance"], fmt, name, papers)


def _write_jsonld(quads: Iterator, target: str | BinaryIO) -> None:
    from kg.rdf.jsonld import write_jsonld

    if isinstance(target, str):
        with open(target, "wb") as out:
            write_jsonld(quads, out, PREFIXES)
    else:
        write_jsonld(quads, target, PREFIXES)


def _paper_of_nodes(store) -> dict:
    """IRI -> the named graph (``NamedNode`` of its paper) of every paper and of every node
    minted for one paper. A minted node belongs to the paper it is linked to, in either
    direction (``dcterms:isPartOf``, ``rdf:subject``, ``prov:wasDerivedFrom``, ``kg:topicOf``,
    ``kg:definesAcronym`` ...): found by links, not by parsing IRIs, so a new per-paper record
    needs no change here as long as its IRI is in :data:`_PER_PAPER`."""
    import pyoxigraph as ox

    papers = {
        q.subject.value: q.subject
        for q in store.quads_for_pattern(None, ox.NamedNode(_RDF_TYPE), ox.NamedNode(KG.Paper))
    }
    graph_of = dict(papers)
    links: list[tuple[str, str]] = []  # (per-paper node, node it links to), both directions
    for quad in store.quads_for_pattern(None, None, None, None):
        s, o = quad.subject, quad.object
        if not (isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode)):
            continue
        minted_s, minted_o = s.value.startswith(_PER_PAPER), o.value.startswith(_PER_PAPER)
        if minted_s and (minted_o or o.value in papers):
            links.append((s.value, o.value))
        if minted_o and (minted_s or s.value in papers):
            links.append((o.value, s.value))
    changed = True
    while changed:  # a claim's quantities hang off the claim: follow links to a fixed point
        changed = False
        for node, other in links:
            if node not in graph_of and other in graph_of:
                graph_of[node] = graph_of[other]
                changed = True
    return graph_of
