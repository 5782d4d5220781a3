"""Read what the visualisation needs from a graph into plain Python dicts.

A handful of SPARQL SELECTs run by pyoxigraph (types, labels, paper-to-entity links,
``dcterms:subject``, entity relations), their results read as CSV text (plain strings: no term
objects are made per value), so indexing the corpus store takes seconds. Every input is first
made a pyoxigraph Store (:mod:`kg.viz.source`), so there is one indexing path. Counts (topic
links' shared papers, a relation's supporting papers) are computed from the base triples, not
read from the graph's precomputed statistics nodes. Evidence sentences are looked up lazily, only
for the nodes and edges that end up on the page.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from operator import methodcaller
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from kg.viz.source import Source, of_graph
from kg.vocab import (
    ENTITY_KINDS,
    ENTITY_RELATION_PROPERTY,
    KG,
    RELATION_PROPERTY,
    RELATIONS_BY_STRENGTH,
    SYMMETRIC_RELATIONS,
    sparql_prologue,
)


@dataclass
class Item:
    """A topic, paper or entity: what a node shows."""

    iri: str
    kind: str  # "Topic", "Paper" or one of ENTITY_KINDS
    label: str
    aliases: tuple[str, ...] = ()
    notation: str | None = None  # topics only
    extra: dict[str, str] = field(default_factory=dict)  # e.g. the arXiv id of a paper


@dataclass
class GraphIndex:
    #: the store evidence is looked up in (:func:`paper_evidence`)
    store: ox.Store
    items: dict[str, Item]
    #: paper -> topics it is about (dcterms:subject)
    paper_topics: dict[str, set[str]]
    #: paper -> entity -> relations (names from RELATIONS_BY_STRENGTH)
    links: dict[str, dict[str, set[str]]]
    #: entity -> papers linking to it
    entity_papers: dict[str, set[str]]
    #: (topic a, topic b) with a < b -> (shared papers, weight)
    topic_links: dict[tuple[str, str], tuple[int, float]]
    _cache: dict = field(default_factory=dict, repr=False, compare=False)
    #: entity relations (kg:usedFor, ...): (entity a, entity b) with a < b -> the strongest
    #: relation between them as (relation, supporting papers, subject, object)
    entity_relations: dict[tuple[str, str], tuple[str, int, str, str]] = field(default_factory=dict)
    #: entity -> the entities it has a relation with
    related_entities: dict[str, set[str]] = field(default_factory=dict)
    #: what must stay referenced while ``store`` is read (a store handle holding its generation)
    keep: Any = field(default=None, repr=False, compare=False)

    @property
    def topics(self) -> list[str]:
        return sorted(i for i, it in self.items.items() if it.kind == "Topic")

    def topic_papers(self) -> dict[str, set[str]]:
        """topic -> papers about it (computed once)."""
        if "topic_papers" not in self._cache:
            out: dict[str, set[str]] = defaultdict(set)
            for paper, topics in self.paper_topics.items():
                for t in topics:
                    out[t].add(paper)
            self._cache["topic_papers"] = dict(out)
        return self._cache["topic_papers"]

    def by_surface_form(self) -> dict[str, list[str]]:
        """Case-folded surface form -> IRIs of the items with that name (computed once)."""
        if "forms" not in self._cache:
            forms: dict[str, list[str]] = defaultdict(list)
            for iri in self.items:
                for form in dict.fromkeys(fold(f) for f in self.surface_forms(iri)):
                    forms[form].append(iri)
            self._cache["forms"] = dict(forms)
        return self._cache["forms"]

    def surface_forms(self, iri: str) -> list[str]:
        it = self.items[iri]
        forms = [it.label, *it.aliases]
        if it.notation:
            forms.append(it.notation)
        forms += list(it.extra.values())
        return forms

    def evidence(self, paper: str, entity: str) -> tuple[str, str] | None:
        """(relation, sentence) of the strongest evidence that ``paper`` links to ``entity``."""
        cache = self._cache.setdefault("evidence", {})
        if paper not in cache:
            cache[paper] = paper_evidence(self.store, paper)
        return cache[paper].get(entity)


def fold(text: str) -> str:
    """A name as compared: whitespace collapsed, case-folded."""
    return " ".join(text.split()).casefold()


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _sorted_literals(values) -> tuple[str, ...]:
    return tuple(sorted({" ".join(v.split()) for v in values}, key=lambda s: (s.lower(), s)))


def _strength(relation: str) -> int:
    if relation in RELATIONS_BY_STRENGTH:
        return RELATIONS_BY_STRENGTH.index(relation)
    return len(RELATIONS_BY_STRENGTH)


# --- reading the store ----------------------------------------------------------------------

_PROLOGUE = sparql_prologue()


def select_rows(store: ox.Store, sparql: str) -> Iterable[list[str]]:
    """The rows of a SELECT as lists of plain strings (IRIs and literals' lexical forms).

    Read from the CSV serialization of the results: one buffer split by ``str.split`` (or, when
    a value is quoted, by the csv module), rather than a pyoxigraph term and its ``.value`` per
    cell. CSV cannot tell an unbound variable from an empty literal, so the queries here bind
    every variable (no OPTIONAL)."""
    text = store.query(_PROLOGUE + sparql).serialize(format=ox.QueryResultsFormat.CSV)
    text = text.decode("utf-8")
    if '"' in text:  # a value with a comma, quote or line break in it
        rows = csv.reader(io.StringIO(text, newline=""))
        next(rows, None)  # the header
        return rows
    lines = text.split("\r\n")
    return map(methodcaller("split", ","), lines[1:-1])  # header, and "" after the last CRLF


def _pairs(store: ox.Store, sparql: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for s, o in select_rows(store, sparql):
        out[s].append(o)
    return out


#: One query per property or class: a VALUES join over them costs half as much again, and a
#: column naming the property makes the results a third longer.
Q_NOTATIONS = "SELECT ?s ?o WHERE { ?s skos:notation ?o }"
Q_PREF_LABELS = "SELECT ?s ?o WHERE { ?s skos:prefLabel ?o }"
Q_LABELS = "SELECT ?s ?o WHERE { ?s rdfs:label ?o }"
Q_ALT_LABELS = "SELECT ?s ?o WHERE { ?s skos:altLabel ?o }"
Q_OF_TYPE = "SELECT ?s WHERE { ?s a <%s> }"
Q_TITLES = "SELECT ?s ?o WHERE { ?s a kg:Paper ; dcterms:title ?o }"
Q_ARXIV = "SELECT ?s ?o WHERE { ?s a kg:Paper ; kg:arxivId ?o }"
Q_SUBJECTS = "SELECT ?s ?o WHERE { ?s dcterms:subject ?o }"
Q_STATEMENTS = "SELECT ?s ?o WHERE { ?s <%s> ?o }"


def read_index(graph: Graph | Source | ox.Store) -> GraphIndex:
    """Index a graph written by ``kg build`` for selection and rendering.

    ``graph``: an rdflib Graph (see :func:`kg.viz.source.of_graph`), what
    :func:`kg.viz.source.open_path` opened, or a pyoxigraph Store (its default graph is read).
    """
    if isinstance(graph, ox.Store):
        source = Source(graph)
    elif isinstance(graph, Source):
        source = graph
    else:
        source = of_graph(graph)
    store = source.store
    items = _read_items(store)
    paper_topics, topic_papers = _read_subjects(store, items)
    links, entity_papers = _read_links(store, items)
    entity_relations, related = _entity_relations(store, items)
    return GraphIndex(
        store,
        items,
        paper_topics,
        links,
        entity_papers,
        _topic_links(topic_papers),
        entity_relations=entity_relations,
        related_entities=related,
        keep=source.keep,
    )


def _read_items(store: ox.Store) -> dict[str, Item]:
    """Topics (whatever has a skos:notation), entities (most specific kind wins) and papers;
    a topic stays a topic whatever else it is typed, anything typed kg:Paper is a paper."""
    alt = _pairs(store, Q_ALT_LABELS)
    items: dict[str, Item] = {}
    pref = {s: min(o) for s, o in _pairs(store, Q_PREF_LABELS).items()}
    for iri, notations in sorted(_pairs(store, Q_NOTATIONS).items()):
        notation = min(notations)
        label = " ".join(pref.get(iri, notation).split())
        aliases = tuple(a for a in _sorted_literals(alt.get(iri, ())) if a != label)
        items[iri] = Item(iri, "Topic", label, aliases, notation=notation)

    kinds: dict[str, set[str]] = defaultdict(set)
    for kind in ("Paper", *ENTITY_KINDS):
        for (s,) in select_rows(store, Q_OF_TYPE % KG[kind]):
            kinds[s].add(kind)
    labels = _pairs(store, Q_LABELS)
    for iri in sorted(kinds):
        found = kinds[iri]
        if iri in items or found == {"Paper"}:
            continue
        kind = next(k for k in ENTITY_KINDS if k in found)
        names = _sorted_literals(labels.get(iri, ()))
        label = names[0] if names else _local(iri)
        aliases = tuple(a for a in _sorted_literals(alt.get(iri, ())) if a != label)
        items[iri] = Item(iri, kind, label, aliases)

    titles = {s: max(o) for s, o in _pairs(store, Q_TITLES).items()}
    arxiv = {s: max(o) for s, o in _pairs(store, Q_ARXIV).items()}
    for iri in sorted(k for k, found in kinds.items() if "Paper" in found):
        extra = {"arXiv": arxiv[iri]} if iri in arxiv else {}
        title = " ".join(titles.get(iri, _local(iri)).split())
        items[iri] = Item(iri, "Paper", title, (), None, extra)
    return items


def _read_subjects(
    store: ox.Store, items: dict[str, Item]
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """paper -> its topics (dcterms:subject) for indexed papers, and topic -> every subject of
    it (what the build's topic links count)."""
    paper_topics: dict[str, set[str]] = defaultdict(set)
    topic_papers: dict[str, set[str]] = defaultdict(set)
    for p, t in select_rows(store, Q_SUBJECTS):
        topic = items.get(t)
        if topic is None or topic.kind != "Topic":
            continue
        topic_papers[topic.iri].add(p)
        paper = items.get(p)
        if paper is not None:
            paper_topics[paper.iri].add(topic.iri)
    return dict(paper_topics), topic_papers


def _read_links(
    store: ox.Store, items: dict[str, Item]
) -> tuple[dict[str, dict[str, set[str]]], dict[str, set[str]]]:
    """paper -> entity -> relations, and entity -> papers (the index's own IRI strings are
    kept, so a million rows do not keep a million copies)."""
    links: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    entity_papers: dict[str, set[str]] = defaultdict(set)
    for rel in RELATIONS_BY_STRENGTH:
        for p, e in select_rows(store, Q_STATEMENTS % RELATION_PROPERTY[rel]):
            paper, entity = items.get(p), items.get(e)
            if paper is None or entity is None or entity.kind not in ENTITY_KINDS:
                continue
            links[paper.iri][entity.iri].add(rel)
            entity_papers[entity.iri].add(paper.iri)
    return {p: dict(es) for p, es in links.items()}, dict(entity_papers)


def _topic_links(topic_papers: dict[str, set[str]]) -> dict[tuple[str, str], tuple[int, float]]:
    """Topic pairs sharing papers -> (shared papers, overlap), as the build's kg:TopicLink
    nodes state them (:func:`kg.link.topics.topic_links`), computed from the subjects."""
    out: dict[tuple[str, str], tuple[int, float]] = {}
    for a, b in combinations(sorted(topic_papers), 2):
        shared = len(topic_papers[a] & topic_papers[b])
        if shared:
            out[(a, b)] = (shared, round(shared / len(topic_papers[a] | topic_papers[b]), 4))
    return out


def _entity_relations(
    store: ox.Store, items: dict[str, Item]
) -> tuple[dict[tuple[str, str], tuple[str, int, str, str]], dict[str, set[str]]]:
    """The entity relations (kg:usedFor ...) between indexed entities; of several relations
    between the same two entities the best supported one (then by name, then the one from the
    lower IRI) is kept, one edge per pair. A symmetric relation, stated both ways, is one edge
    with its ends in IRI order."""
    support = relation_support(store)
    found: dict[tuple[str, str], tuple[str, int, str, str]] = {}
    related: dict[str, set[str]] = defaultdict(set)
    for rel, pred in ENTITY_RELATION_PROPERTY.items():
        for a, b in select_rows(store, Q_STATEMENTS % pred):
            if rel in SYMMETRIC_RELATIONS and b < a:
                a, b = b, a  # (b, rel, a) is the same edge
            if a not in items or b not in items or a == b:
                continue
            papers = support.get((a, str(pred), b), 1)
            key = (min(a, b), max(a, b))
            value = (rel, papers, a, b)
            old = found.get(key)
            if old is None or (-papers, rel, a) < (-old[1], old[0], old[2]):
                found[key] = value
            related[a].add(b)
            related[b].add(a)
    return found, dict(related)


# --- evidence -------------------------------------------------------------------------------
# Every read of the provenance encoding (kg:Evidence, kg:RelationEvidence: sentences, offsets,
# the papers a statement was read from) is in this section, so a change of that encoding is
# adapted here and nowhere else in kg.viz.

Q_PAPER_EVIDENCE = """SELECT ?entity ?relation ?sentence WHERE {
  ?ev rdf:subject <%s> ; rdf:object ?entity ; kg:sentence ?sentence .
  OPTIONAL { ?ev rdf:predicate ?relation } }"""
Q_RELATION_SUPPORT = """SELECT ?head ?relation ?tail (COUNT(DISTINCT ?paper) AS ?papers) WHERE {
  ?ev a kg:RelationEvidence ; rdf:subject ?head ; rdf:predicate ?relation ; rdf:object ?tail ;
      prov:wasDerivedFrom ?paper }
GROUP BY ?head ?relation ?tail"""


def paper_evidence(store: ox.Store, paper: str) -> dict[str, tuple[str, str]]:
    """entity -> (relation, sentence): the strongest kg:Evidence of each of ``paper``'s links
    (strongest relation, then the alphabetically first sentence: deterministic).

    Written against today's encoding: one reified kg:Evidence per paper-entity statement,
    rdf:subject the paper, rdf:object the entity, rdf:predicate the relation and the sentence's
    text in kg:sentence."""
    found: dict[str, tuple[int, str, str]] = {}
    for row in store.query(_PROLOGUE + Q_PAPER_EVIDENCE % paper):
        entity, relation, sentence = row
        rel = _local(relation.value) if relation is not None else "mentions"
        text = " ".join(sentence.value.split())
        key = (_strength(rel), text, rel)
        if entity.value not in found or key < found[entity.value]:
            found[entity.value] = key
    return {e: (rel, text) for e, (_rank, text, rel) in found.items()}


def relation_support(store: ox.Store) -> dict[tuple[str, str, str], int]:
    """(head, relation property, tail) -> how many papers state the entity relation.

    Written against today's encoding: one kg:RelationEvidence per paper and relation it states,
    reifying the edge (rdf:subject, rdf:predicate, rdf:object) and prov:wasDerivedFrom the
    paper. Counted here rather than read from the edge's precomputed kg:paperCount."""
    return {
        (head, rel, tail): int(n) for head, rel, tail, n in select_rows(store, Q_RELATION_SUPPORT)
    }
