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
from functools import lru_cache
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


@lru_cache(maxsize=1 << 16)
def _int(n: int) -> Literal:
    # offsets repeat across mentions and papers; an rdflib Literal costs ~10 us to make, and
    # literals are immutable, so sharing them is safe (the scaled build writes ~20 M triples)
    return Literal(n, datatype=XSD.integer)


@lru_cache(maxsize=256)
def _word(text: str) -> Literal:
    """A literal from a small closed set (field names, extractor names): made once."""
    return Literal(text)


@lru_cache(maxsize=1 << 12)
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


@lru_cache(maxsize=64)
def _classes(entity_type: str) -> tuple[URIRef, ...]:
    # superclasses are materialized so that "?e a kg:Entity" / "?m a kg:Method" need no
    # RDFS inference in users' queries
    names = dict.fromkeys((entity_type, *SUPERCLASSES.get(entity_type, ()), "Entity"))
    return tuple(KG[name] for name in names)


def entity_triples(resolution: Resolution) -> Iterator[Triple]:
    a, label, count, alt, has_alias, merge, form_p, rule, score, comment = (
        RDF.type, RDFS.label, KG.paperCount, SKOS.altLabel, KG.hasAlias, KG.AliasMerge,
        KG.form, KG.rule, KG.score, RDFS.comment,
    )  # fmt: skip
    for slug, entity in resolution.entities.items():
        e = ENTITY[slug]
        for cls in _classes(entity.type):
            yield e, a, cls
        yield e, label, Literal(entity.label)
        yield e, count, _int(len(entity.papers))
        for form, reason in entity.forms.items():
            form_literal = Literal(form)
            yield e, alt, form_literal
            alias = URIRef(f"{e}/form/{short_hash(form, 10)}")
            yield e, has_alias, alias
            yield alias, a, merge
            yield alias, form_p, form_literal
            yield alias, rule, _word(reason.rule)
            yield alias, score, _dec(reason.score)
            if reason.detail:
                yield alias, comment, Literal(reason.detail)


# Terms of the evidence triples, looked up once (DefinedNamespace attribute access is checked,
# hence slow, and _evidence runs for every mention of every paper).
_EV_TERMS = (
    RDF.type,
    KG.Evidence,
    RDF.subject,
    RDF.predicate,
    RDF.object,
    KG.surfaceForm,
    KG.sentence,
    KG.charStart,
    KG.charEnd,
    KG.sentenceStart,
    KG.sentenceEnd,
    KG.inField,
    KG.extractor,
    PROV.wasDerivedFrom,
    PROV.wasAttributedTo,
)


@lru_cache(maxsize=256)
def _agent(name: str) -> URIRef:
    return AGENT[name]


def _evidence(
    s: URIRef, pred: URIRef, obj: URIRef, m, extractor: str, sentence: Literal
) -> Iterator[Triple]:
    """``sentence``: the Literal of ``m.sentence`` (shared by the mentions of one sentence)."""
    (a, evidence, subj, predicate, objp, surface, sent, c0, c1, s0, s1, field, extr, derived,
     attributed) = _EV_TERMS  # fmt: skip
    ev = EVIDENCE[short_hash(f"{s}|{pred}|{obj}|{m.text}", 16)]
    yield ev, a, evidence
    yield ev, subj, s
    yield ev, predicate, pred
    yield ev, objp, obj
    yield ev, surface, Literal(m.text)
    yield ev, sent, sentence
    yield ev, c0, _int(m.start)
    yield ev, c1, _int(m.end)
    yield ev, s0, _int(m.sent_start)
    yield ev, s1, _int(m.sent_end)
    yield ev, field, _word(m.field)
    yield ev, extr, _word(extractor)
    yield ev, derived, s
    yield ev, attributed, _agent(extractor)


def extraction_triples(i: int, ext: PaperExtraction, resolution: Resolution) -> Iterator[Triple]:
    """Paper metadata, paper->entity statements with evidence, acronyms and claims."""
    s = paper_iri(ext.paper)
    yield from paper_triples(ext.paper)
    seen: set[tuple[URIRef, URIRef, str]] = set()
    sentences: dict[str, Literal] = {}  # mentions of one sentence share its literal
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
            sentence = sentences.get(m.sentence)
            if sentence is None:
                sentence = sentences[m.sentence] = Literal(m.sentence)
            yield from _evidence(s, pred, obj, m, m.extractor, sentence)
    defined: dict[str, int] = {}
    for j, a in enumerate(ext.acronyms):
        target = resolution.acronym_entity.get((i, j))
        base = f"{ACRONYM}{ext.paper.local_id}-{slugify(a.short, 30)}-{short_hash(a.long, 6)}"
        # a paper may define the same pair twice (title and abstract): one node per place
        defined[base] = defined.get(base, 0) + 1
        node = URIRef(base if defined[base] == 1 else f"{base}-{defined[base]}")
        yield s, KG.definesAcronym, node
        yield node, RDF.type, KG.AcronymDefinition
        yield node, KG.shortForm, Literal(a.short)
        yield node, KG.longForm, Literal(a.long)
        yield node, KG.sentence, Literal(a.sentence)
        yield node, KG.charStart, _int(a.start)
        yield node, KG.charEnd, _int(a.end)
        yield node, KG.inField, _word(a.field)
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
        yield claim, KG.inField, _word(c.field)
        yield claim, KG.extractor, _word(c.extractor)
        yield claim, KG.confidence, _dec(c.score)
        yield claim, PROV.wasDerivedFrom, s
        yield claim, PROV.wasAttributedTo, _agent(c.extractor)
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
