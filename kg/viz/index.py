"""Read what the visualisation needs from an RDF graph into plain Python dicts, in one pass.

Only a handful of indexed triple patterns are read (types, labels, paper-to-entity links,
``dcterms:subject``, topic links), so this scales to the whole corpus; evidence sentences are
looked up lazily, only for the nodes and edges that end up on the page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, SKOS

from kg.vocab import ENTITY_KINDS, KG, RELATIONS_BY_STRENGTH

# DefinedNamespace attribute lookups are slow; these are used per evidence triple
_SUBJECT, _PREDICATE, _OBJECT, _SENTENCE = RDF.subject, RDF.predicate, RDF.object, KG.sentence


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
    graph: Graph
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
    #: entity relations (kg:EntityRelation): (entity a, entity b) with a < b -> the strongest
    #: relation between them as (relation, supporting papers, subject, object)
    entity_relations: dict[tuple[str, str], tuple[str, int, str, str]] = field(default_factory=dict)
    #: entity -> the entities it has a relation with
    related_entities: dict[str, set[str]] = field(default_factory=dict)

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
            cache[paper] = self._paper_evidence(paper)
        return cache[paper].get(entity)

    def _paper_evidence(self, paper: str) -> dict[str, tuple[str, str]]:
        """entity -> (relation, sentence): the strongest kg:Evidence of each of its links."""
        found: dict[str, tuple[int, str, str]] = {}
        for ev in self.graph.subjects(_SUBJECT, URIRef(paper)):
            obj = pred = sentence = None
            for p, o in self.graph.predicate_objects(ev):
                if p == _OBJECT:
                    obj = str(o)
                elif p == _PREDICATE:
                    pred = _local(o)
                elif p == _SENTENCE:
                    sentence = " ".join(str(o).split())
            if obj is None or sentence is None:
                continue
            rel = pred or "mentions"
            key = (
                RELATIONS_BY_STRENGTH.index(rel)
                if rel in RELATIONS_BY_STRENGTH
                else len(RELATIONS_BY_STRENGTH),
                sentence,
                rel,
            )
            if obj not in found or key < found[obj]:
                found[obj] = key
        return {obj: (rel, sentence) for obj, (_rank, sentence, rel) in found.items()}


def fold(text: str) -> str:
    """A name as compared: whitespace collapsed, case-folded."""
    return " ".join(text.split()).casefold()


def _local(iri) -> str:
    text = str(iri)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _sorted_literals(values) -> tuple[str, ...]:
    return tuple(sorted({" ".join(str(v).split()) for v in values}, key=lambda s: (s.lower(), s)))


def _readable(graph: Graph) -> Graph:
    """``graph``, or, when it is an empty view over an Oxigraph store (how
    ``kg.sparql.query.load_graph`` opens a build directory: the Graph has its own, empty, context
    while the data sits in the store's default graph), a Graph over that default graph."""
    if next(iter(graph.triples((None, None, None))), None) is not None:
        return graph
    try:
        from oxrdflib import OxigraphStore
    except ImportError:  # pragma: no cover - oxrdflib is a core dependency
        return graph
    if isinstance(graph.store, OxigraphStore):
        return Graph(store=graph.store, identifier=DATASET_DEFAULT_GRAPH_ID)
    return graph


def read_index(graph: Graph) -> GraphIndex:
    """Index ``graph`` (a graph written by ``kg build``) for selection and rendering."""
    graph = _readable(graph)
    items: dict[str, Item] = {}
    labels: dict[str, list[str]] = defaultdict(list)
    for s, o in graph.subject_objects(RDFS.label):
        labels[str(s)].append(str(o))
    alt: dict[str, list[str]] = defaultdict(list)
    for s, o in graph.subject_objects(SKOS.altLabel):
        alt[str(s)].append(str(o))

    for s, o in graph.subject_objects(SKOS.notation):
        iri = str(s)
        pref = graph.value(s, SKOS.prefLabel)
        label = str(pref) if pref is not None else str(o)
        aliases = tuple(a for a in _sorted_literals(alt.get(iri, ())) if a != label)
        items[iri] = Item(iri, "Topic", " ".join(label.split()), aliases, notation=str(o))

    for kind in reversed(ENTITY_KINDS):  # most specific last, so it wins
        for s in graph.subjects(RDF.type, KG[kind]):
            iri = str(s)
            if iri in items and items[iri].kind == "Topic":
                continue
            names = _sorted_literals(labels.get(iri, ()))
            label = names[0] if names else _local(iri)
            aliases = tuple(a for a in _sorted_literals(alt.get(iri, ())) if a != label)
            items[iri] = Item(iri, kind, label, aliases)

    papers = {str(s) for s in graph.subjects(RDF.type, KG.Paper)}
    titles = {str(s): str(o) for s, o in graph.subject_objects(DCTERMS.title) if str(s) in papers}
    arxiv = {str(s): str(o) for s, o in graph.subject_objects(KG.arxivId) if str(s) in papers}
    for iri in papers:
        extra = {"arXiv": arxiv[iri]} if iri in arxiv else {}
        items[iri] = Item(
            iri, "Paper", " ".join(titles.get(iri, _local(iri)).split()), (), None, extra
        )

    paper_topics: dict[str, set[str]] = defaultdict(set)
    for p, t in graph.subject_objects(DCTERMS.subject):
        p, t = str(p), str(t)
        if p in items and t in items and items[t].kind == "Topic":
            paper_topics[p].add(t)

    links: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    entity_papers: dict[str, set[str]] = defaultdict(set)
    for rel in RELATIONS_BY_STRENGTH:
        for p, e in graph.subject_objects(KG[rel]):
            p, e = str(p), str(e)
            if p in items and e in items and items[e].kind in ENTITY_KINDS:
                links[p][e].add(rel)
                entity_papers[e].add(p)

    topic_links: dict[tuple[str, str], tuple[int, float]] = {}
    for node in graph.subjects(RDF.type, KG.TopicLink):
        ends = sorted(str(t) for t in graph.objects(node, KG.linkedTopic))
        if len(ends) != 2 or not all(e in items for e in ends):
            continue
        shared = graph.value(node, KG.sharedPapers)
        weight = graph.value(node, KG.weight)
        topic_links[(ends[0], ends[1])] = (
            int(shared.toPython()) if shared is not None else 0,
            float(weight.toPython()) if weight is not None else 0.0,
        )
    entity_relations, related = _entity_relations(graph, items)
    return GraphIndex(
        graph,
        items,
        dict(paper_topics),
        {p: dict(es) for p, es in links.items()},
        dict(entity_papers),
        topic_links,
        entity_relations=entity_relations,
        related_entities=related,
    )


def _entity_relations(
    graph: Graph, items: dict[str, Item]
) -> tuple[dict[tuple[str, str], tuple[str, int, str, str]], dict[str, set[str]]]:
    """The kg:EntityRelation edges between indexed entities; of several relations between
    the same two entities the best supported one (then by name) is kept, one edge per pair."""
    found: dict[tuple[str, str], tuple[str, int, str, str]] = {}
    related: dict[str, set[str]] = defaultdict(set)
    for node in graph.subjects(RDF.type, KG.EntityRelation):
        subj, pred, obj = (graph.value(node, p) for p in (_SUBJECT, _PREDICATE, _OBJECT))
        count = graph.value(node, KG.paperCount)
        if subj is None or pred is None or obj is None:
            continue
        a, b = str(subj), str(obj)
        if a not in items or b not in items or a == b:
            continue
        papers = int(count.toPython()) if count is not None else 1
        value = (_local(pred), papers, a, b)
        key = (min(a, b), max(a, b))
        old = found.get(key)
        if old is None or (-papers, value[0]) < (-old[1], old[0]):
            found[key] = value
        related[a].add(b)
        related[b].add(a)
    return found, dict(related)
