"""Write the linked extraction as RDF against the project's ontology (``ontology/kg.ttl``).

Triples are produced by one generator (:func:`graph_triples`) so the same code feeds an rdflib
Graph (Turtle for the sample) and a bulk loader (Oxigraph, N-Triples per partition) at scale.
No blank nodes: every node has a deterministic IRI, so the same input gives byte-identical
Turtle and incremental builds can address what they add.

Provenance: each paper-to-entity statement is also written as a reified ``kg:Evidence``
(an ``rdf:Statement`` and ``prov:Entity``) carrying the sentence, character offsets, field and
the extractor; see ``ontology/kg.ttl`` and the README for the query that reads it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Iterator, Mapping, Sequence
from itertools import combinations
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.extract.reader import RELATION_OF_TYPE
from kg.extract.records import PaperExtraction
from kg.link.resolve import Resolution
from kg.link.topics import Assignment, TopicLinkRecord
from kg.records import Paper, short_hash, slugify
from kg.vocab import (
    AGENT,
    CLAIM,
    DATA_BASE,
    ENTITY,
    EVIDENCE,
    KG,
    PAPER,
    PREFIXES,
    TOPIC,
    TOPICLINK,
)

Triple = tuple[URIRef, URIRef, URIRef | Literal]

ACRONYM = DATA_BASE + "acronym/"
ASSIGNMENT = DATA_BASE + "assignment/"
#: kg:SharedEntityTier nodes: ``shared/<topic>-<topic>/<first rank>``.
SHARED = DATA_BASE + "shared/"
#: Size of the first tier of a topic pair's shared entities; each further tier is as large as
#: all the tiers before it together (ranks 1-32, 33-64, 65-128, ...).
TIER_FIRST = 32
RELATION_PROPERTY = {
    "proposes": KG.proposes,
    "mentions": KG.mentions,
    "usesDataset": KG.usesDataset,
    "addressesTask": KG.addressesTask,
    "usesMethod": KG.usesMethod,
    "usesMetric": KG.usesMetric,
}
SUPERCLASSES = {"Model": ("Method",)}
_DATE_TYPES = [
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), XSD.date),
    (re.compile(r"^\d{4}-\d{2}$"), XSD.gYearMonth),
    (re.compile(r"^\d{4}$"), XSD.gYear),
    (re.compile(r"^--\d{2}-\d{2}$"), XSD.gMonthDay),
]


def _int(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def _dec(x: float) -> Literal:
    return Literal(f"{x:.4f}".rstrip("0").rstrip(".") or "0", datatype=XSD.decimal)


def paper_iri(paper: Paper) -> URIRef:
    return PAPER[paper.local_id]


def paper_triples(paper: Paper) -> Iterator[Triple]:
    s = paper_iri(paper)
    yield s, RDF.type, KG.Paper
    yield s, DCTERMS.title, Literal(paper.title)
    yield s, DCTERMS.abstract, Literal(paper.abstract)
    for source in paper.sources:
        yield s, DCTERMS.source, Literal(source)
    if paper.date:
        dtype = next((t for rx, t in _DATE_TYPES if rx.match(paper.date)), None)
        if dtype is not None:
            yield s, DCTERMS.date, Literal(paper.date, datatype=dtype)
    if paper.date_text:
        yield s, KG.dateText, Literal(paper.date_text)
    if paper.id:
        yield s, DCTERMS.identifier, Literal(paper.id)
    if paper.arxiv_id:
        yield s, KG.arxivId, Literal(paper.arxiv_id)
    for author in paper.authors:
        yield s, DCTERMS.creator, Literal(author)
    if paper.author_count is not None:
        yield s, KG.authorCount, _int(paper.author_count)
    if paper.affiliation:
        yield s, KG.affiliation, Literal(paper.affiliation)
    if paper.venue:
        yield s, KG.venue, Literal(paper.venue)


def entity_triples(resolution: Resolution) -> Iterator[Triple]:
    for slug, entity in resolution.entities.items():
        e = ENTITY[slug]
        # superclasses are materialized so that "?e a kg:Entity" / "?m a kg:Method" need no
        # RDFS inference in users' queries
        for cls in dict.fromkeys((entity.type, *SUPERCLASSES.get(entity.type, ()), "Entity")):
            yield e, RDF.type, KG[cls]
        yield e, RDFS.label, Literal(entity.label)
        yield e, KG.paperCount, _int(len(entity.papers))
        for form, reason in entity.forms.items():
            yield e, SKOS.altLabel, Literal(form)
            alias = URIRef(f"{e}/form/{short_hash(form, 10)}")
            yield e, KG.hasAlias, alias
            yield alias, RDF.type, KG.AliasMerge
            yield alias, KG.form, Literal(form)
            yield alias, KG.rule, Literal(reason.rule)
            yield alias, KG.score, _dec(reason.score)
            if reason.detail:
                yield alias, RDFS.comment, Literal(reason.detail)


def _evidence(s: URIRef, pred: URIRef, obj: URIRef, m, extractor: str) -> Iterator[Triple]:
    ev = EVIDENCE[short_hash(f"{s}|{pred}|{obj}|{m.text}", 16)]
    yield ev, RDF.type, KG.Evidence
    yield ev, RDF.subject, s
    yield ev, RDF.predicate, pred
    yield ev, RDF.object, obj
    yield ev, KG.surfaceForm, Literal(m.text)
    yield ev, KG.sentence, Literal(m.sentence)
    yield ev, KG.charStart, _int(m.start)
    yield ev, KG.charEnd, _int(m.end)
    yield ev, KG.sentenceStart, _int(m.sent_start)
    yield ev, KG.sentenceEnd, _int(m.sent_end)
    yield ev, KG.inField, Literal(m.field)
    yield ev, KG.extractor, Literal(extractor)
    yield ev, PROV.wasDerivedFrom, s
    yield ev, PROV.wasAttributedTo, AGENT[extractor]


def extraction_triples(i: int, ext: PaperExtraction, resolution: Resolution) -> Iterator[Triple]:
    """Paper metadata, paper->entity statements with evidence, acronyms and claims."""
    s = paper_iri(ext.paper)
    yield from paper_triples(ext.paper)
    seen: set[tuple[URIRef, URIRef, str]] = set()
    for j, m in enumerate(ext.mentions):
        entity_id = resolution.mention_entity[(i, j)]
        obj = ENTITY[entity_id]
        # the specific relation follows the resolved entity's type, so that e.g. usesDataset
        # always points at a kg:Dataset even when one mention was typed otherwise
        relation = (
            "proposes"
            if m.relation == "proposes"
            else RELATION_OF_TYPE.get(resolution.entities[entity_id].type, "mentions")
        )
        preds = {KG.mentions, RELATION_PROPERTY[relation]}
        for pred in sorted(preds):
            key = (pred, obj, m.text)
            if key in seen:
                continue
            seen.add(key)
            yield s, pred, obj
            yield from _evidence(s, pred, obj, m, m.extractor)
    for j, a in enumerate(ext.acronyms):
        target = resolution.acronym_entity.get((i, j))
        node = URIRef(
            f"{ACRONYM}{ext.paper.local_id}-{slugify(a.short, 30)}-{short_hash(a.long, 6)}"
        )
        yield s, KG.definesAcronym, node
        yield node, RDF.type, KG.AcronymDefinition
        yield node, KG.shortForm, Literal(a.short)
        yield node, KG.longForm, Literal(a.long)
        yield node, KG.sentence, Literal(a.sentence)
        yield node, KG.charStart, _int(a.start)
        yield node, KG.charEnd, _int(a.end)
        yield node, KG.inField, Literal(a.field)
        yield node, PROV.wasDerivedFrom, s
        if target:
            yield node, KG.denotes, ENTITY[target]
    for n, c in enumerate(ext.claims, start=1):
        claim = CLAIM[f"{ext.paper.local_id}-{n}"]
        yield s, KG.hasClaim, claim
        yield claim, RDF.type, KG.Claim
        yield claim, KG.text, Literal(c.text)
        yield claim, KG.charStart, _int(c.start)
        yield claim, KG.charEnd, _int(c.end)
        yield claim, KG.inField, Literal(c.field)
        yield claim, KG.extractor, Literal(c.extractor)
        yield claim, KG.confidence, _dec(c.score)
        yield claim, PROV.wasDerivedFrom, s
        yield claim, PROV.wasAttributedTo, AGENT[c.extractor]
        for mid in c.mention_ids:
            yield claim, KG.aboutEntity, ENTITY[resolution.mention_entity[(i, mid)]]
        for k, q in enumerate(c.quantities, start=1):
            qn = URIRef(f"{claim}-q{k}")
            yield claim, KG.reports, qn
            yield qn, RDF.type, KG.Quantity
            yield qn, KG.value, _dec(q.value)
            if q.unit:
                yield qn, KG.unit, Literal(q.unit)
            yield qn, KG.direction, Literal(q.direction)
            yield qn, KG.quantityText, Literal(q.text)


def topic_triples(
    assignments: Sequence[Assignment], links: Sequence[TopicLinkRecord]
) -> Iterator[Triple]:
    for a in assignments:
        p, t = PAPER[a.paper], TOPIC[a.topic]
        node = URIRef(f"{ASSIGNMENT}{a.paper}-{a.topic}")
        yield node, RDF.type, KG.TopicAssignment
        yield node, KG.topicOf, p
        yield node, KG.topic, t
        yield node, KG.score, _dec(a.score)
        if a.is_subject:
            yield p, DCTERMS.subject, t
    for link in links:
        ta, tb = TOPIC[link.a], TOPIC[link.b]
        yield ta, KG.relatedTopic, tb
        yield tb, KG.relatedTopic, ta
        node = TOPICLINK[f"{link.a}-{link.b}"]
        yield node, RDF.type, KG.TopicLink
        yield node, KG.linkedTopic, ta
        yield node, KG.linkedTopic, tb
        yield node, KG.weight, _dec(link.weight)
        yield node, KG.sharedPapers, _int(link.shared)
        for paper in link.papers:
            yield node, KG.sharedPaper, PAPER[paper]


def topic_entity_counts(
    resolution: Resolution, assignments: Sequence[Assignment]
) -> dict[str, dict[str, int]]:
    """Entity id -> topic notation -> how many papers about the topic (dcterms:subject)
    mention the entity (kg:mentions); entities no paper with a topic mentions are left out."""
    topics_of: dict[str, set[str]] = defaultdict(set)
    for a in assignments:
        if a.is_subject:
            topics_of[a.paper].add(a.topic)
    counts: dict[str, dict[str, int]] = {}
    for slug, entity in resolution.entities.items():
        by_topic: dict[str, int] = defaultdict(int)
        for paper in entity.papers:
            for topic in topics_of.get(paper, ()):
                by_topic[topic] += 1
        if by_topic:
            counts[slug] = dict(sorted(by_topic.items()))
    return counts


def rank_tiers(n: int, first_size: int = TIER_FIRST) -> Iterator[tuple[int, int]]:
    """(first, last) 1-based ranks of the tiers of ``n`` ranked items: 1-32, 33-64, 65-128..."""
    first, last = 1, first_size
    while first <= n:
        yield first, min(last, n)
        first, last = last + 1, 2 * last


def shared_entity_tiers(
    counts: Mapping[Hashable, Mapping[str, int]], labels: Mapping[Hashable, str]
) -> Iterator[tuple[str, str, int, list]]:
    """For every pair of topics (notations ``a < b``) with entities in common: the entities
    both topics' papers mention, ranked as ``queries/shared-entities.rq`` orders them (most
    papers of the smaller side first, then most papers in all, then label; then the key), cut
    into tiers by :func:`rank_tiers`. -> (a, b, first rank, entities of the tier)

    ``counts``: entity key -> topic notation -> papers (:func:`topic_entity_counts`);
    ``labels``: entity key -> its rdfs:label.
    """
    members: dict[tuple[str, str], list] = defaultdict(list)
    for key, by_topic in counts.items():
        for pair in combinations(sorted(by_topic), 2):
            members[pair].append(key)
    for (a, b), keys in sorted(members.items()):

        def rank(key, a=a, b=b) -> tuple:
            na, nb = counts[key][a], counts[key][b]
            return (-min(na, nb), -(na + nb), labels[key], key)

        ranked = sorted(keys, key=rank)
        for first, last in rank_tiers(len(ranked)):
            yield a, b, first, ranked[first - 1 : last]


def tier_iri(a: str, b: str, first: int) -> URIRef:
    return URIRef(f"{SHARED}{a}-{b}/{first}")


def shared_entity_triples(
    counts: Mapping[URIRef, Mapping[str, int]], labels: Mapping[URIRef, str]
) -> Iterator[Triple]:
    """The kg:SharedEntityTier nodes of :func:`shared_entity_tiers` (entity IRIs as keys)."""
    for a, b, first, entities in shared_entity_tiers(counts, labels):
        node = tier_iri(a, b, first)
        yield node, RDF.type, KG.SharedEntityTier
        yield node, KG.betweenTopic, TOPIC[a]
        yield node, KG.betweenTopic, TOPIC[b]
        yield node, KG.firstRank, _int(first)
        yield node, KG.lastRank, _int(first + len(entities) - 1)
        for entity in entities:
            yield node, KG.sharedEntity, entity


def topic_entity_triples(
    resolution: Resolution, assignments: Sequence[Assignment]
) -> Iterator[Triple]:
    """Per-topic statistics, precomputed so that library queries look them up instead of
    aggregating every mention of a topic's papers: a kg:TopicEntityCount per topic and entity
    (``entity/<id>/topic/<notation>``) and the kg:SharedEntityTier nodes of every topic pair.
    Derived from the papers' dcterms:subject and kg:mentions; rewritten by every build."""
    counts = topic_entity_counts(resolution, assignments)
    for slug, by_topic in counts.items():
        e = ENTITY[slug]
        for topic, n in by_topic.items():
            node = URIRef(f"{e}/topic/{topic}")
            yield node, RDF.type, KG.TopicEntityCount
            yield node, KG.countedTopic, TOPIC[topic]
            yield node, KG.countedEntity, e
            yield node, KG.topicPaperCount, _int(n)
    yield from shared_entity_triples(
        {ENTITY[slug]: by_topic for slug, by_topic in counts.items()},
        {ENTITY[slug]: resolution.entities[slug].label for slug in counts},
    )


def agent_triples(names: set[str]) -> Iterator[Triple]:
    for name in sorted(names):
        yield AGENT[name], RDF.type, PROV.SoftwareAgent
        yield AGENT[name], RDFS.label, Literal(name)


def graph_triples(
    extractions: Sequence[PaperExtraction],
    resolution: Resolution,
    assignments: Sequence[Assignment],
    links: Sequence[TopicLinkRecord],
) -> Iterator[Triple]:
    from kg.ontology import load_topics_graph

    agents: set[str] = set()
    for i, ext in enumerate(extractions):
        agents.update(m.extractor for m in ext.mentions)
        agents.update(c.extractor for c in ext.claims)
        yield from extraction_triples(i, ext, resolution)
    yield from entity_triples(resolution)
    yield from topic_triples(assignments, links)
    yield from topic_entity_triples(resolution, assignments)
    yield from agent_triples(agents)
    yield from load_topics_graph()


def new_graph() -> Graph:
    g = Graph()
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri, override=True)
    return g


def write_turtle(graph: Graph, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    graph.serialize(destination=str(path), format="turtle", encoding="utf-8")
