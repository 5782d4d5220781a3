"""Write the linked extraction as RDF against the project's ontology (``ontology/kg.ttl``).

Entity relations (``kg:usedFor`` ...) are graph-wide edges (:func:`relation_triples`, one per
head, relation and tail with its ``kg:paperCount``) and per-paper ``kg:RelationEvidence``
(:func:`relation_evidence_triples`), so the papers' own triples stay independent of each other.

Triples are produced by one generator (:func:`graph_triples`) so the same code feeds an rdflib
Graph (Turtle for the sample) and a bulk loader (Oxigraph, N-Triples per partition) at scale.
No blank nodes: every node has a deterministic IRI, so the same input gives byte-identical
Turtle and incremental builds can address what they add.

Terms: the generators make data terms through a :class:`Terms` object - rdflib objects for a
Graph (the default, :data:`RDFLIB_TERMS`), or N-Triples text (:data:`kg.scale.ntriples.NT_TERMS`)
for the scaled build, where making ~16 M rdflib terms only to print them was most of the cost
of writing. Vocabulary terms (``KG.Paper``, ``RDF.type``) are rdflib ``URIRef`` in both.

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

from kg.link.relations import EdgeKey, edge_key
from kg.link.resolve import Resolution
from kg.link.topics import Assignment, TopicLinkRecord
from kg.records import Paper, PaperExtraction, short_hash, slugify
from kg.vocab import (
    AGENT,
    CLAIM,
    DATA_BASE,
    ENTITY,
    ENTITY_RELATION_PROPERTY,
    EVIDENCE,
    KG,
    PAPER,
    PREFIXES,
    RELATION,
    RELATION_OF_TYPE,
    RELATION_PROPERTY,
    SUPERCLASSES,
    SYMMETRIC_RELATIONS,
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


class Terms:
    """Makes the data terms of the triples: rdflib ``URIRef``/``Literal`` objects.

    Subclasses make other representations of the same terms (N-Triples text); every method
    takes plain Python values, so the generators below never depend on the representation."""

    iri = staticmethod(URIRef)

    @staticmethod
    def literal(text: str) -> Literal:
        return Literal(text)

    @staticmethod
    def typed(text: str, datatype: URIRef) -> Literal:
        return Literal(text, datatype=datatype)

    integer = staticmethod(_int)
    decimal = staticmethod(_dec)
    word = staticmethod(_word)


RDFLIB_TERMS = Terms()

_KG_MENTIONS = KG.mentions


def paper_iri(paper: Paper) -> URIRef:
    return PAPER[paper.local_id]


def paper_triples(paper: Paper, t: Terms = RDFLIB_TERMS) -> Iterator[Triple]:
    s = t.iri(paper_iri(paper))
    lit = t.literal
    yield s, RDF.type, KG.Paper
    yield s, DCTERMS.title, lit(paper.title)
    yield s, DCTERMS.abstract, lit(paper.abstract)
    for source in paper.sources:
        yield s, DCTERMS.source, lit(source)
    if paper.date:
        dtype = next((dt for rx, dt in _DATE_TYPES if rx.match(paper.date)), None)
        if dtype is not None:
            yield s, DCTERMS.date, t.typed(paper.date, dtype)
    if paper.date_text:
        yield s, KG.dateText, lit(paper.date_text)
    if paper.id:
        yield s, DCTERMS.identifier, lit(paper.id)
    if paper.arxiv_id:
        yield s, KG.arxivId, lit(paper.arxiv_id)
    for author in paper.authors:
        yield s, DCTERMS.creator, lit(author)
    if paper.author_count is not None:
        yield s, KG.authorCount, t.integer(paper.author_count)
    if paper.affiliation:
        yield s, KG.affiliation, lit(paper.affiliation)
    if paper.venue:
        yield s, KG.venue, lit(paper.venue)


@lru_cache(maxsize=64)
def _classes(entity_type: str) -> tuple[URIRef, ...]:
    # superclasses are materialized so that "?e a kg:Entity" / "?m a kg:Method" need no
    # RDFS inference in users' queries
    names = dict.fromkeys((entity_type, *SUPERCLASSES.get(entity_type, ()), "Entity"))
    return tuple(KG[name] for name in names)


def entity_triples(resolution: Resolution, t: Terms = RDFLIB_TERMS) -> Iterator[Triple]:
    a, label, count, alt, has_alias, merge, form_p, rule, score, comment = (
        RDF.type, RDFS.label, KG.paperCount, SKOS.altLabel, KG.hasAlias, KG.AliasMerge,
        KG.form, KG.rule, KG.score, RDFS.comment,
    )  # fmt: skip
    for slug, entity in resolution.entities.items():
        e_iri = f"{ENTITY}{slug}"
        e = t.iri(e_iri)
        for cls in _classes(entity.type):
            yield e, a, cls
        yield e, label, t.literal(entity.label)
        yield e, count, t.integer(len(entity.papers))
        for form, reason in entity.forms.items():
            form_literal = t.literal(form)
            yield e, alt, form_literal
            alias = t.iri(f"{e_iri}/form/{short_hash(form, 10)}")
            yield e, has_alias, alias
            yield alias, a, merge
            yield alias, form_p, form_literal
            yield alias, rule, t.word(reason.rule)
            yield alias, score, t.decimal(reason.score)
            if reason.detail:
                yield alias, comment, t.literal(reason.detail)


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


def _evidence(
    s: tuple[str, URIRef | str],
    pred: URIRef,
    obj: tuple[str, URIRef | str],
    m,
    sentence: Literal | str,
    t: Terms,
) -> Iterator[Triple]:
    """``s``, ``obj``: (IRI, term) of the paper and the entity (the evidence IRI hashes the IRIs,
    whatever the terms' representation); ``sentence``: the term of ``m.sentence`` (shared by the
    mentions of one sentence)."""
    (a, evidence, subj, predicate, objp, surface, sent, c0, c1, s0, s1, field, extr, derived,
     attributed) = _EV_TERMS  # fmt: skip
    s_iri, s_term = s
    ev = t.iri(f"{EVIDENCE}{short_hash(f'{s_iri}|{pred}|{obj[0]}|{m.text}', 16)}")
    integer = t.integer
    yield ev, a, evidence
    yield ev, subj, s_term
    yield ev, predicate, pred
    yield ev, objp, obj[1]
    yield ev, surface, t.literal(m.text)
    yield ev, sent, sentence
    yield ev, c0, integer(m.start)
    yield ev, c1, integer(m.end)
    yield ev, s0, integer(m.sent_start)
    yield ev, s1, integer(m.sent_end)
    yield ev, field, t.word(m.field)
    yield ev, extr, t.word(m.extractor)
    yield ev, derived, s_term
    yield ev, attributed, t.iri(f"{AGENT}{m.extractor}")


def relation_iri(key: EdgeKey) -> str:
    """``relation/<relation>-<hash of both ends>``: the same edge in every build."""
    head, relation, tail = key
    return f"{RELATION}{relation}-{short_hash(f'{head}|{relation}|{tail}', 16)}"


def relation_evidence_triples(
    i: int, ext: PaperExtraction, resolution: Resolution, paper: tuple[str, URIRef | str], t: Terms
) -> Iterator[Triple]:
    """One kg:RelationEvidence per relation the paper states, hung on its edge
    (kg:hasEvidence); the edge itself and its paper count are graph-wide
    (:func:`relation_triples`). The head/tail offsets are those of the mentions that are the
    edge's rdf:subject and rdf:object (for a symmetric relation, in the edge's order)."""
    s_iri, s_term = paper
    for r in ext.relations:
        head = resolution.mention_entity.get((i, r.head))
        tail = resolution.mention_entity.get((i, r.tail))
        if head is None or tail is None or r.relation not in ENTITY_RELATION_PROPERTY:
            continue
        key = edge_key(head, r.relation, tail)
        if key is None:
            continue
        hm, tm = ext.mentions[r.head], ext.mentions[r.tail]
        if key[0] != head:  # a symmetric edge stored the other way round
            hm, tm = tm, hm
        edge_iri = relation_iri(key)
        ev = t.iri(
            f"{EVIDENCE}{short_hash(f'{s_iri}|{edge_iri}|{hm.field}|{hm.start}|{tm.start}', 16)}"
        )
        yield t.iri(edge_iri), KG.hasEvidence, ev
        yield ev, RDF.type, KG.RelationEvidence
        yield ev, RDF.subject, t.iri(f"{ENTITY}{key[0]}")
        yield ev, RDF.predicate, ENTITY_RELATION_PROPERTY[r.relation]
        yield ev, RDF.object, t.iri(f"{ENTITY}{key[2]}")
        yield ev, KG.headForm, t.literal(hm.text)
        yield ev, KG.headStart, t.integer(hm.start)
        yield ev, KG.headEnd, t.integer(hm.end)
        yield ev, KG.tailForm, t.literal(tm.text)
        yield ev, KG.tailStart, t.integer(tm.start)
        yield ev, KG.tailEnd, t.integer(tm.end)
        yield ev, KG.sentence, t.literal(hm.sentence)
        yield ev, KG.sentenceStart, t.integer(hm.sent_start)
        yield ev, KG.sentenceEnd, t.integer(hm.sent_end)
        yield ev, KG.inField, t.word(hm.field)
        yield ev, KG.extractor, t.word(r.extractor)
        yield ev, KG.score, t.decimal(r.score)
        yield ev, PROV.wasDerivedFrom, s_term
        yield ev, PROV.wasAttributedTo, t.iri(f"{AGENT}{r.extractor}")


def relation_triples(resolution: Resolution, t: Terms = RDFLIB_TERMS) -> Iterator[Triple]:
    """The entity -> entity edges: the plain triple (both directions for a symmetric
    relation) and a kg:EntityRelation node repeating it with its kg:paperCount."""
    for key, papers in sorted(resolution.relations.items()):
        head, relation, tail = key
        pred = ENTITY_RELATION_PROPERTY[relation]
        h, o = t.iri(f"{ENTITY}{head}"), t.iri(f"{ENTITY}{tail}")
        yield h, pred, o
        if relation in SYMMETRIC_RELATIONS:
            yield o, pred, h
        edge = t.iri(relation_iri(key))
        yield edge, RDF.type, KG.EntityRelation
        yield edge, RDF.subject, h
        yield edge, RDF.predicate, pred
        yield edge, RDF.object, o
        yield edge, KG.paperCount, t.integer(len(papers))


def extraction_triples(
    i: int, ext: PaperExtraction, resolution: Resolution, t: Terms = RDFLIB_TERMS
) -> Iterator[Triple]:
    """Paper metadata, paper->entity statements with evidence, acronyms and claims."""
    s_iri = paper_iri(ext.paper)
    s = t.iri(s_iri)
    paper = (s_iri, s)
    lit, integer, word = t.literal, t.integer, t.word
    yield from paper_triples(ext.paper, t)
    seen: set[tuple[URIRef, str, str]] = set()
    sentences: dict[str, Literal | str] = {}  # mentions of one sentence share its literal
    entities: dict[str, tuple[str, URIRef | str]] = {}  # entity id -> (IRI, term)
    for j, m in enumerate(ext.mentions):
        entity_id = resolution.mention_entity[(i, j)]
        entity = entities.get(entity_id)
        if entity is None:
            o_iri = f"{ENTITY}{entity_id}"
            entity = entities[entity_id] = (o_iri, t.iri(o_iri))
        # the specific relation follows the resolved entity's type, so that e.g. usesDataset
        # always points at a kg:Dataset even when one mention was typed otherwise
        relation = (
            "proposes"
            if m.relation == "proposes"
            else RELATION_OF_TYPE.get(resolution.entities[entity_id].type, "mentions")
        )
        specific = RELATION_PROPERTY[relation]
        preds = (_KG_MENTIONS,) if specific == _KG_MENTIONS else sorted((_KG_MENTIONS, specific))
        for pred in preds:
            key = (pred, entity_id, m.text)
            if key in seen:
                continue
            seen.add(key)
            yield s, pred, entity[1]
            sentence = sentences.get(m.sentence)
            if sentence is None:
                sentence = sentences[m.sentence] = lit(m.sentence)
            yield from _evidence(paper, pred, entity, m, sentence, t)
    defined: dict[str, int] = {}
    for j, a in enumerate(ext.acronyms):
        target = resolution.acronym_entity.get((i, j))
        base = f"{ACRONYM}{ext.paper.local_id}-{slugify(a.short, 30)}-{short_hash(a.long, 6)}"
        # a paper may define the same pair twice (title and abstract): one node per place
        defined[base] = defined.get(base, 0) + 1
        node = t.iri(base if defined[base] == 1 else f"{base}-{defined[base]}")
        yield s, KG.definesAcronym, node
        yield node, RDF.type, KG.AcronymDefinition
        yield node, KG.shortForm, lit(a.short)
        yield node, KG.longForm, lit(a.long)
        yield node, KG.sentence, lit(a.sentence)
        yield node, KG.charStart, integer(a.start)
        yield node, KG.charEnd, integer(a.end)
        yield node, KG.inField, word(a.field)
        yield node, PROV.wasDerivedFrom, s
        if target:
            yield node, KG.denotes, t.iri(f"{ENTITY}{target}")
    for n, c in enumerate(ext.claims, start=1):
        claim_iri = f"{CLAIM}{ext.paper.local_id}-{n}"
        claim = t.iri(claim_iri)
        yield s, KG.hasClaim, claim
        yield claim, RDF.type, KG.Claim
        yield claim, KG.text, lit(c.text)
        yield claim, KG.charStart, integer(c.start)
        yield claim, KG.charEnd, integer(c.end)
        yield claim, KG.inField, word(c.field)
        yield claim, KG.extractor, word(c.extractor)
        yield claim, KG.confidence, t.decimal(c.score)
        yield claim, PROV.wasDerivedFrom, s
        yield claim, PROV.wasAttributedTo, t.iri(f"{AGENT}{c.extractor}")
        for mid in c.mention_ids:
            yield claim, KG.aboutEntity, t.iri(f"{ENTITY}{resolution.mention_entity[(i, mid)]}")
        for k, q in enumerate(c.quantities, start=1):
            qn = t.iri(f"{claim_iri}-q{k}")
            yield claim, KG.reports, qn
            yield qn, RDF.type, KG.Quantity
            yield qn, KG.value, t.decimal(q.value)
            if q.unit:
                yield qn, KG.unit, lit(q.unit)
            yield qn, KG.direction, word(q.direction)
            yield qn, KG.quantityText, lit(q.text)
    yield from relation_evidence_triples(i, ext, resolution, paper, t)


def topic_triples(
    assignments: Sequence[Assignment],
    links: Sequence[TopicLinkRecord],
    t: Terms = RDFLIB_TERMS,
) -> Iterator[Triple]:
    topics: dict[str, URIRef | str] = {}

    def topic(notation: str) -> URIRef | str:
        term = topics.get(notation)
        if term is None:
            term = topics[notation] = t.iri(f"{TOPIC}{notation}")
        return term

    for a in assignments:
        p, tp = t.iri(f"{PAPER}{a.paper}"), topic(a.topic)
        node = t.iri(f"{ASSIGNMENT}{a.paper}-{a.topic}")
        yield node, RDF.type, KG.TopicAssignment
        yield node, KG.topicOf, p
        yield node, KG.topic, tp
        yield node, KG.score, t.decimal(a.score)
        if a.is_subject:
            yield p, DCTERMS.subject, tp
    for link in links:
        ta, tb = topic(link.a), topic(link.b)
        yield ta, KG.relatedTopic, tb
        yield tb, KG.relatedTopic, ta
        node = t.iri(f"{TOPICLINK}{link.a}-{link.b}")
        yield node, RDF.type, KG.TopicLink
        yield node, KG.linkedTopic, ta
        yield node, KG.linkedTopic, tb
        yield node, KG.weight, t.decimal(link.weight)
        yield node, KG.sharedPapers, t.integer(link.shared)
        for paper in link.papers:
            yield node, KG.sharedPaper, t.iri(f"{PAPER}{paper}")


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
    counts: Mapping[str, Mapping[str, int]],
    labels: Mapping[str, str],
    t: Terms = RDFLIB_TERMS,
) -> Iterator[Triple]:
    """The kg:SharedEntityTier nodes of :func:`shared_entity_tiers` (entity IRIs as keys)."""
    for a, b, first, entities in shared_entity_tiers(counts, labels):
        node = t.iri(tier_iri(a, b, first))
        yield node, RDF.type, KG.SharedEntityTier
        yield node, KG.betweenTopic, t.iri(f"{TOPIC}{a}")
        yield node, KG.betweenTopic, t.iri(f"{TOPIC}{b}")
        yield node, KG.firstRank, t.integer(first)
        yield node, KG.lastRank, t.integer(first + len(entities) - 1)
        for entity in entities:
            yield node, KG.sharedEntity, t.iri(str(entity))


def topic_entity_triples(
    resolution: Resolution, assignments: Sequence[Assignment], t: Terms = RDFLIB_TERMS
) -> Iterator[Triple]:
    """Per-topic statistics, precomputed so that library queries look them up instead of
    aggregating every mention of a topic's papers: a kg:TopicEntityCount per topic and entity
    (``entity/<id>/topic/<notation>``) and the kg:SharedEntityTier nodes of every topic pair.
    Derived from the papers' dcterms:subject and kg:mentions; rewritten by every build."""
    counts = topic_entity_counts(resolution, assignments)
    for slug, by_topic in counts.items():
        e_iri = f"{ENTITY}{slug}"
        e = t.iri(e_iri)
        for topic, n in by_topic.items():
            node = t.iri(f"{e_iri}/topic/{topic}")
            yield node, RDF.type, KG.TopicEntityCount
            yield node, KG.countedTopic, t.iri(f"{TOPIC}{topic}")
            yield node, KG.countedEntity, e
            yield node, KG.topicPaperCount, t.integer(n)
    yield from shared_entity_triples(
        {f"{ENTITY}{slug}": by_topic for slug, by_topic in counts.items()},
        {f"{ENTITY}{slug}": resolution.entities[slug].label for slug in counts},
        t,
    )


def extractors_of(ext: PaperExtraction) -> set[str]:
    """The names of the extractors of a paper's mentions and claims (its prov:SoftwareAgents)."""
    return (
        {m.extractor for m in ext.mentions}
        | {c.extractor for c in ext.claims}
        | {r.extractor for r in ext.relations}
    )


def agent_triples(names: set[str], t: Terms = RDFLIB_TERMS) -> Iterator[Triple]:
    for name in sorted(names):
        agent = t.iri(f"{AGENT}{name}")
        yield agent, RDF.type, PROV.SoftwareAgent
        yield agent, RDFS.label, t.literal(name)


def graph_triples(
    extractions: Sequence[PaperExtraction],
    resolution: Resolution,
    assignments: Sequence[Assignment],
    links: Sequence[TopicLinkRecord],
) -> Iterator[Triple]:
    from kg.ontology import load_topics_graph

    agents: set[str] = set()
    for i, ext in enumerate(extractions):
        agents |= extractors_of(ext)
        yield from extraction_triples(i, ext, resolution)
    yield from entity_triples(resolution)
    yield from relation_triples(resolution)
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
