"""Read what the visualisation needs from a graph into plain Python dicts.

A handful of SPARQL SELECTs run by pyoxigraph (types, labels, paper-to-entity links,
``dcterms:subject``, entity relations), their results read as plain strings
(:mod:`kg.viz.rows`), so indexing the corpus store takes seconds. Every input is first
made a pyoxigraph Store (:mod:`kg.viz.source`), so there is one indexing path. Counts (topic
links' shared papers, a relation's supporting papers) are computed from the base triples (the
graph has no precomputed statistics since vocabulary 2). Evidence sentences are looked up
lazily, only for the nodes and edges that end up on the page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from kg.viz.rows import PROLOGUE, pairs, select_rows, values
from kg.viz.source import Source, of_graph
from kg.vocab import (
    ENTITY_KINDS,
    ENTITY_RELATION_PROPERTY,
    KG,
    RELATION_PROPERTY,
    RELATIONS_BY_STRENGTH,
    SYMMETRIC_RELATIONS,
)


@dataclass(slots=True)
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
    #: what must stay referenced while ``store`` is read (a store handle holding its generation)
    keep: Any = field(default=None, repr=False, compare=False)
    #: the items whose aliases have been read; None: all of them (:meth:`load_aliases`)
    aliases_read: set[str] | None = field(default=None, repr=False, compare=False)
    #: the entities whose labels have been read; None: all of them (:meth:`load_labels`)
    labels_read: set[str] | None = field(default=None, repr=False, compare=False)
    #: None: every link has been read. Else ``links[p]`` is complete for the papers with a
    #: subject, and ``entity_papers[e]`` (and ``links[p][e]``) for the entities in the set
    #: (:meth:`load_links`)
    links_read: set[str] | None = field(default=None, repr=False, compare=False)

    def load_aliases(self, iris: Iterable[str] | None = None) -> None:
        """Read the aliases (skos:altLabel) of ``iris`` (default: of every item) into their
        items, unless already read. An index read with ``lazy=True`` has only its
        topics' aliases: the topic map needs those of the ~300 nodes it draws, and reading
        all 100k of the corpus's took a fifth of the index's time."""
        if self.aliases_read is None:
            return
        if iris is None:
            self.load_labels()  # whoever wants every alias compares names: every label too
            wanted = [i for i in self.items if i not in self.aliases_read]
        else:
            wanted = [i for i in iris if i in self.items and i not in self.aliases_read]
            if not wanted:
                return
        alt = _read_aliases(self.store, None if iris is None else wanted)
        for iri in wanted:
            item = self.items[iri]
            if item.kind != "Paper":
                names = _sorted_literals(alt.get(iri, ()))
                item.aliases = tuple(a for a in names if a != item.label)
        if iris is None:
            self.aliases_read = None
        else:
            self.aliases_read.update(wanted)

    def load_labels(self, iris: Iterable[str] | None = None) -> None:
        """Read the rdfs:label of the entities among ``iris`` (default: of every entity), unless
        already read. An index read with ``lazy=True`` has no entity labels yet (each entity's
        label is its IRI's last segment until read): the topic map needs those of the few
        thousand entities it weighs and draws, and decoding all 73k of the corpus's took a
        fifth of ``kg viz``'s time. Papers' titles and topics' labels are always read."""
        if self.labels_read is None:
            return
        done = self.labels_read
        if iris is None:
            wanted = [i for i, it in self.items.items() if it.kind in ENTITY_KINDS]
            wanted = [i for i in wanted if i not in done]
        else:
            wanted = []
            for i in iris:
                item = self.items.get(i)
                if item is not None and item.kind in ENTITY_KINDS and i not in done:
                    wanted.append(i)
                    done.add(i)
        if wanted:
            label, labels = _read_labels(self.store, None if iris is None else wanted)
            for iri in wanted:
                self.items[iri].label = _entity_label(iri, label, labels)
        if iris is None:
            self.labels_read = None
        else:
            done.update(wanted)

    def load_links(self, entities: Iterable[str] | None = None) -> None:
        """Read the links not read yet: those of ``entities`` (all their papers, whatever
        their topics), or all. An index read with ``lazy=True`` has the links of the papers
        with a subject only: the topic map draws no other paper, and an entity it draws needs
        its own links; on the corpus that is 82k of the 224k paper-entity pairs, and reading
        them all took a third of the index's time."""
        if self.links_read is None:
            return
        if entities is None:
            links, entity_papers = _read_links(self.store, self.items, Q_LINKS)
            self.links.clear()
            self.links.update(links)
            self.entity_papers.clear()
            self.entity_papers.update(entity_papers)
            self.links_read = None
            return
        for e in entities:
            item = self.items.get(e)
            if e in self.links_read or item is None or item.kind not in ENTITY_KINDS:
                continue
            papers = _entity_links(self.store, self.items, item.iri, self.links)
            if papers:
                self.entity_papers[item.iri] = papers
            self.links_read.add(item.iri)

    @property
    def entity_relations(self) -> dict[tuple[str, str], tuple[str, int, str, str]]:
        """Entity relations (kg:usedFor, ...): (entity a, entity b) with a < b -> the strongest
        relation between them as (relation, supporting papers, subject, object). Read on first
        use: only a neighbourhood draws them, and counting their papers is the index's
        costliest query (3.7 of 15 s on the corpus store)."""
        return self._relations()[0]

    @property
    def related_entities(self) -> dict[str, set[str]]:
        """entity -> the entities it has a relation with (read with :attr:`entity_relations`)."""
        return self._relations()[1]

    def _relations(self):
        if "relations" not in self._cache:
            self._cache["relations"] = _entity_relations(self.store, self.items)
        return self._cache["relations"]

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
            self.load_aliases()
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
            self.load_evidence([paper])
        return cache[paper].get(entity)

    def load_evidence(self, papers: Iterable[str]) -> None:
        """Read the evidence of ``papers`` not read yet, in one query (a page asks for its
        papers' at once: one query per paper cost 0.7 ms each)."""
        cache = self._cache.setdefault("evidence", {})
        wanted = [p for p in dict.fromkeys(papers) if p not in cache]
        if wanted:
            cache.update(paper_evidence(self.store, wanted))


def fold(text: str) -> str:
    """A name as compared: whitespace collapsed, case-folded."""
    return " ".join(text.split()).casefold()


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _sorted_literals(names: list[str]) -> tuple[str, ...]:
    if len(names) == 1:  # most: no set, no sort
        return (" ".join(names[0].split()),)
    return tuple(sorted({" ".join(v.split()) for v in names}, key=lambda s: (s.lower(), s)))


def _strength(relation: str) -> int:
    if relation in RELATIONS_BY_STRENGTH:
        return RELATIONS_BY_STRENGTH.index(relation)
    return len(RELATIONS_BY_STRENGTH)


# --- reading the store ----------------------------------------------------------------------

#: One query per property or class: a VALUES join over them costs half as much again, and a
#: column naming the property makes the results a third longer.
Q_NOTATIONS = "SELECT ?s ?o WHERE { ?s skos:notation ?o }"
Q_PREF_LABELS = "SELECT ?s ?o WHERE { ?s skos:prefLabel ?o }"
Q_LABELS = "SELECT ?s ?o WHERE { ?s rdfs:label ?o }"
Q_LABELS_OF = "SELECT ?s ?o WHERE { VALUES ?s { %s } ?s rdfs:label ?o }"
Q_ALT_LABELS = "SELECT ?s ?o WHERE { ?s skos:altLabel ?o }"
Q_ALT_LABELS_OF = "SELECT ?s ?o WHERE { VALUES ?s { %s } ?s skos:altLabel ?o }"
Q_OF_TYPE = "SELECT ?s WHERE { ?s a <%s> }"
Q_TITLES = "SELECT ?s ?o WHERE { ?s dcterms:title ?o }"  # papers' picked in Python: cheaper
Q_ARXIV = "SELECT ?s ?o WHERE { ?s kg:arxivId ?o }"
Q_SUBJECTS = "SELECT ?s ?o WHERE { ?s dcterms:subject ?o }"
Q_STATEMENTS = "SELECT ?s ?o WHERE { ?s <%s> ?o }"
#: The one-character code a link carries in :data:`Q_LINKS` -> its relation.
_LINK_CODES = {str(i): rel for i, rel in enumerate(RELATIONS_BY_STRENGTH)}
#: Each paper's links, in one string: code + entity IRI, space-separated (an IRI has no
#: spaces). One query grouped by paper decodes each paper's IRI once, not once per link and
#: relation; the codes are short literals, which Oxigraph does not look up. On the corpus
#: store (300k links) 1.4 s of CPU against 1.9 s for one plain SELECT per relation. COALESCE:
#: an object without a string form (a blank node) would otherwise void the paper's group.
_LINK_VALUES = " ".join(f'(<{RELATION_PROPERTY[r]}> "{c}")' for c, r in _LINK_CODES.items())
Q_LINKS = (
    'SELECT ?s (GROUP_CONCAT(CONCAT(?c, COALESCE(STR(?o), "")); separator=" ") AS ?os) '
    f"WHERE {{ VALUES (?p ?c) {{ {_LINK_VALUES} }} ?s ?p ?o }} GROUP BY ?s"
)
#: The same for the papers with a subject (0.6 s of CPU on the corpus, against 1.3 s for all).
Q_SUBJECT_LINKS = (
    'SELECT ?s (GROUP_CONCAT(CONCAT(?c, COALESCE(STR(?o), "")); separator=" ") AS ?os) '
    "WHERE { { SELECT DISTINCT ?s WHERE { ?s dcterms:subject ?t } } "
    f"VALUES (?p ?c) {{ {_LINK_VALUES} }} ?s ?p ?o }} GROUP BY ?s"
)
#: The papers linking to one entity, coded the same way. One query per entity: a VALUES
#: block of entities made Oxigraph scan every link (139 entities: 1.8 s, against 0.1 s).
Q_ENTITY_LINKS = (
    'SELECT (GROUP_CONCAT(CONCAT(?c, COALESCE(STR(?s), "")); separator=" ") AS ?ss) '
    f"WHERE {{ VALUES (?p ?c) {{ {_LINK_VALUES} }} ?s ?p <%s> }}"
)


def read_index(graph: Graph | Source | ox.Store, *, lazy: bool = False) -> GraphIndex:
    """Index a graph written by ``kg build`` for selection and rendering.

    ``graph``: an rdflib Graph (see :func:`kg.viz.source.of_graph`), what
    :func:`kg.viz.source.open_path` opened, or a pyoxigraph Store (its default graph is read).
    ``lazy=True``: only what the topic map needs now (the topics' aliases, the links of the
    papers with a subject), the rest when asked for (:meth:`GraphIndex.load_aliases`,
    :meth:`GraphIndex.load_links`; drawing, name lookup and a neighbourhood ask).
    """
    if isinstance(graph, ox.Store):
        source = Source(graph)
    elif isinstance(graph, Source):
        source = graph
    else:
        source = of_graph(graph)
    store = source.store
    items = _read_items(store, labels=not lazy)
    paper_topics, topic_papers = _read_subjects(store, items)
    links, entity_papers = _read_links(store, items, Q_SUBJECT_LINKS if lazy else Q_LINKS)
    index = GraphIndex(
        store,
        items,
        paper_topics,
        links,
        entity_papers,
        _topic_links(topic_papers),
        keep=source.keep,
        aliases_read=set(),
        links_read=set() if lazy else None,
        labels_read=set() if lazy else None,
    )
    index.load_aliases(index.topics if lazy else None)
    return index


def _read_items(store: ox.Store, labels: bool = True) -> dict[str, Item]:
    """Topics (whatever has a skos:notation), entities (most specific kind wins) and papers;
    a topic stays a topic whatever else it is typed, anything typed kg:Paper is a paper.
    Without aliases (:meth:`GraphIndex.load_aliases`), and without the entities' labels
    unless ``labels`` (:meth:`GraphIndex.load_labels`)."""
    items: dict[str, Item] = {}
    pref = {s: min(o) for s, o in pairs(store, Q_PREF_LABELS).items()}
    for iri, notations in sorted(pairs(store, Q_NOTATIONS).items()):
        notation = min(notations)
        label = " ".join(pref.get(iri, notation).split())
        items[iri] = Item(iri, "Topic", label, notation=notation)

    papers = {s for (s,) in select_rows(store, Q_OF_TYPE % KG.Paper)}
    kind_of: dict[str, str] = {}
    for kind in reversed(ENTITY_KINDS):  # most specific last, so it wins
        for (s,) in select_rows(store, Q_OF_TYPE % KG[kind]):
            kind_of[s] = kind
    label, several = values(store, Q_LABELS) if labels else ({}, {})
    for iri in sorted(kind_of):
        if iri in items or iri in papers:
            continue
        items[iri] = Item(iri, kind_of[iri], _entity_label(iri, label, several))

    titles, several = values(store, Q_TITLES)
    titles.update((s, max(o)) for s, o in several.items())
    arxiv, several = values(store, Q_ARXIV)
    arxiv.update((s, max(o)) for s, o in several.items())
    for iri in sorted(papers):
        extra = {"arXiv": arxiv[iri]} if iri in arxiv else {}
        title = " ".join(titles.get(iri, _local(iri)).split())
        items[iri] = Item(iri, "Paper", title, (), None, extra)
    return items


def _entity_label(iri: str, label: dict[str, str], several: dict[str, list[str]]) -> str:
    """An entity's label: of several the first in :func:`_sorted_literals` order; none: the
    IRI's last segment."""
    if iri in several:
        return _sorted_literals(several[iri])[0]
    return " ".join(label[iri].split()) if iri in label else _local(iri)


def _read_labels(
    store: ox.Store, iris: list[str] | None
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """(iri -> its label, iri -> all its labels for those with several), like :func:`values`,
    of ``iris`` (None: of everything) in VALUES blocks of 500."""
    if iris is None:
        return values(store, Q_LABELS)
    label: dict[str, str] = {}
    several: dict[str, list[str]] = {}
    for start in range(0, len(iris), 500):
        block = " ".join(f"<{iri}>" for iri in iris[start : start + 500])
        one, more = values(store, Q_LABELS_OF % block)
        label.update(one)
        several.update(more)
    return label, several


def _read_aliases(store: ox.Store, iris: list[str] | None) -> dict[str, list[str]]:
    """iri -> its skos:altLabel values, of ``iris`` (None: of everything)."""
    if iris is None:
        return pairs(store, Q_ALT_LABELS)
    out: dict[str, list[str]] = {}
    for start in range(0, len(iris), 500):
        block = " ".join(f"<{iri}>" for iri in iris[start : start + 500])
        out.update(pairs(store, Q_ALT_LABELS_OF % block))
    return out


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
    store: ox.Store, items: dict[str, Item], sparql: str
) -> tuple[dict[str, dict[str, set[str]]], dict[str, set[str]]]:
    """paper -> entity -> relations, and entity -> papers, from :data:`Q_LINKS` (or
    :data:`Q_SUBJECT_LINKS`); the index's own IRI strings are kept, so 300k links do not keep
    300k copies of them."""
    entities = {iri: iri for iri, it in items.items() if it.kind in ENTITY_KINDS}
    links: dict[str, dict[str, set[str]]] = {}
    entity_papers: dict[str, set[str]] = {}
    for p, coded in select_rows(store, sparql):
        paper = items.get(p)
        if paper is None:
            continue
        p = paper.iri
        mine: dict[str, set[str]] = {}
        for link in coded.split(" "):
            e = entities.get(link[1:])
            if e is None:
                continue
            rels = mine.get(e)
            if rels is None:
                rels = mine[e] = set()
                papers = entity_papers.get(e)
                if papers is None:
                    papers = entity_papers[e] = set()
                papers.add(p)
            rels.add(_LINK_CODES[link[0]])
        if mine:
            links[p] = mine
    return links, entity_papers


def _entity_links(
    store: ox.Store, items: dict[str, Item], entity: str, links: dict[str, dict[str, set[str]]]
) -> set[str]:
    """Add the links to ``entity`` to ``links``; return the papers linking to it."""
    papers: set[str] = set()
    for (coded,) in select_rows(store, Q_ENTITY_LINKS % entity):
        for link in coded.split(" "):
            paper = items.get(link[1:])
            if paper is None:
                continue
            links.setdefault(paper.iri, {}).setdefault(entity, set()).add(_LINK_CODES[link[0]])
            papers.add(paper.iri)
    return papers


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

Q_PAPER_EVIDENCE = """SELECT ?paper ?entity ?relation ?sentence WHERE { VALUES ?paper { %s }
  ?ev rdf:subject ?paper ; rdf:object ?entity ; kg:inSentence/kg:text ?sentence .
  OPTIONAL { ?ev rdf:predicate ?relation } }"""
Q_RELATION_SUPPORT = """SELECT ?head ?relation ?tail (COUNT(DISTINCT ?paper) AS ?papers) WHERE {
  ?edge a kg:EntityRelation ; rdf:subject ?head ; rdf:predicate ?relation ; rdf:object ?tail ;
      kg:hasEvidence/prov:wasDerivedFrom ?paper }
GROUP BY ?head ?relation ?tail"""


def paper_evidence(store: ox.Store, papers: list[str]) -> dict[str, dict[str, tuple[str, str]]]:
    """paper -> entity -> (relation, sentence): the strongest kg:Evidence of each of the
    paper's links (strongest relation, then the alphabetically first sentence: deterministic).

    Vocabulary 2: one kg:Evidence per paper, entity and form, rdf:subject the paper, rdf:object
    the entity, rdf:predicate its most specific relation, kg:inSentence the kg:Sentence whose
    kg:text is the sentence."""
    found: dict[str, dict[str, tuple[int, str, str]]] = {p: {} for p in papers}
    for start in range(0, len(papers), 500):
        block = " ".join(f"<{p}>" for p in papers[start : start + 500])
        for paper, entity, relation, sentence in store.query(PROLOGUE + Q_PAPER_EVIDENCE % block):
            rel = _local(relation.value) if relation is not None else "mentions"
            text = " ".join(sentence.value.split())
            key = (_strength(rel), text, rel)
            best = found[paper.value]
            if entity.value not in best or key < best[entity.value]:
                best[entity.value] = key
    return {
        p: {e: (rel, text) for e, (_rank, text, rel) in best.items()} for p, best in found.items()
    }


def relation_support(store: ox.Store) -> dict[tuple[str, str, str], int]:
    """(head, relation property, tail) -> how many papers state the entity relation.

    Vocabulary 2: the edge (kg:EntityRelation: rdf:subject, rdf:predicate, rdf:object) has a
    kg:RelationEvidence per occurrence (kg:hasEvidence), prov:wasDerivedFrom its paper."""
    return {
        (head, rel, tail): int(n) for head, rel, tail, n in select_rows(store, Q_RELATION_SUPPORT)
    }
