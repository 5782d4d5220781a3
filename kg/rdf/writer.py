"""Write the linked extraction as RDF against the project's ontology (``ontology/kg.ttl``).

Entity relations (``kg:usedFor`` ...) are graph-wide edges (:func:`relation_triples`, one per
head, relation and tail) and per-paper ``kg:RelationEvidence``
(:func:`relation_evidence_triples`), so the papers' own triples stay independent of each other.

Every build writes through these generators (:mod:`kg.rdf.ntriples` makes the files), one
writer for every engine and input size. No blank nodes: every node has a deterministic IRI, so
the same input gives byte-identical Turtle and incremental builds can address what they add.

Terms: data terms are made directly as N-Triples text (:mod:`kg.rdf.term_text`); vocabulary
terms (``KG.Paper``, ``RDF.type``) are rdflib ``URIRef`` constants printed once per part.

Provenance (vocabulary 2): one ``kg:Evidence`` per paper, entity and surface form (the
statement, the form, its offsets and the extractor) pointing at the ``kg:Sentence`` it was read
from, whose text is written once; see ``ontology/kg.ttl`` and the README's evidence query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from rdflib import RDF, RDFS, XSD, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from kg.link.relations import EdgeKey, edge_key
from kg.link.resolve import Resolution
from kg.link.topics import Assignment, TopicLinkRecord
from kg.rdf import term_text as t
from kg.records import Paper, PaperExtraction, short_hash, slugify
from kg.vocab import (
    AGENT,
    CLAIM,
    DATA_BASE,
    ENTITY,
    ENTITY_RELATION_PROPERTY,
    EVIDENCE,
    GRAPH_IRI,
    KG,
    PAPER,
    RELATION,
    RELATION_OF_TYPE,
    RELATION_PROPERTY,
    SENTENCE,
    SUPERCLASSES,
    SYMMETRIC_RELATIONS,
    TOPIC,
    TOPICLINK,
    VOCABULARY_VERSION,
)

#: (subject, predicate, object): data terms as N-Triples text (:mod:`kg.rdf.term_text`),
#: vocabulary terms as rdflib URIRef constants.
Triple = tuple[URIRef | str, URIRef, URIRef | str]

ACRONYM = DATA_BASE + "acronym/"
ASSIGNMENT = DATA_BASE + "assignment/"
_DATE_TYPES = [
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), XSD.date),
    (re.compile(r"^\d{4}-\d{2}$"), XSD.gYearMonth),
    (re.compile(r"^\d{4}$"), XSD.gYear),
    (re.compile(r"^--\d{2}-\d{2}$"), XSD.gMonthDay),
]


_KG_MENTIONS = KG.mentions


class _Terms:
    """Vocabulary terms looked up once: rdflib's DefinedNamespace checks every attribute access
    (2-3 us each, 66,000 per 1,000 papers in the per-paper generators below)."""

    def __init__(self, namespace, names: str) -> None:
        for name in names.split():
            setattr(self, name, getattr(namespace, name))


_KG = _Terms(
    KG,
    "AcronymDefinition Claim Paper Quantity RelationEvidence aboutEntity affiliation "
    "arxivId authorCount charEnd charStart confidence dateText definesAcronym denotes "
    "direction extractor hasClaim hasEvidence headEnd headForm headStart inField "
    "inSentence longForm quantityText reports score shortForm tailEnd tailForm tailStart "
    "text unit value venue",
)
_DCTERMS = _Terms(DCTERMS, "abstract creator date identifier source title")
_RDF = _Terms(RDF, "type")
_PROV = _Terms(PROV, "wasDerivedFrom")


def paper_iri(paper: Paper) -> URIRef:
    return PAPER[paper.local_id]


def paper_triples(paper: Paper) -> Iterator[Triple]:
    s = t.iri(paper_iri(paper))
    lit = t.literal
    yield s, _RDF.type, _KG.Paper
    yield s, _DCTERMS.title, lit(paper.title)
    yield s, _DCTERMS.abstract, lit(paper.abstract)
    for source in paper.sources:
        yield s, _DCTERMS.source, lit(source)
    if paper.date:
        dtype = next((dt for rx, dt in _DATE_TYPES if rx.match(paper.date)), None)
        if dtype is not None:
            yield s, _DCTERMS.date, t.typed(paper.date, dtype)
    if paper.date_text:
        yield s, _KG.dateText, lit(paper.date_text)
    if paper.id:
        yield s, _DCTERMS.identifier, lit(paper.id)
    if paper.arxiv_id:
        yield s, _KG.arxivId, lit(paper.arxiv_id)
    for author in paper.authors:
        yield s, _DCTERMS.creator, lit(author)
    if paper.author_count is not None:
        yield s, _KG.authorCount, t.integer(paper.author_count)
    if paper.affiliation:
        yield s, _KG.affiliation, lit(paper.affiliation)
    if paper.venue:
        yield s, _KG.venue, lit(paper.venue)


@lru_cache(maxsize=64)
def _classes(entity_type: str) -> tuple[URIRef, ...]:
    # superclasses are materialized so that "?e a kg:Entity" / "?m a kg:Method" need no
    # RDFS inference in users' queries
    names = dict.fromkeys((entity_type, *SUPERCLASSES.get(entity_type, ()), "Entity"))
    return tuple(KG[name] for name in names)


def entity_triples(resolution: Resolution) -> Iterator[Triple]:
    a, label, alt, has_alias, merge, form_p, rule, score, comment = (
        RDF.type, RDFS.label, SKOS.altLabel, KG.hasAlias, KG.AliasMerge,
        KG.form, KG.rule, KG.score, RDFS.comment,
    )  # fmt: skip
    for slug, entity in resolution.entities.items():
        e_iri = f"{ENTITY}{slug}"
        e = t.iri(e_iri)
        for cls in _classes(entity.type):
            yield e, a, cls
        yield e, label, t.literal(entity.label)
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
# hence slow, and these run for every mention of every paper).
_EV_TERMS = (
    RDF.type,
    KG.Evidence,
    RDF.subject,
    RDF.predicate,
    RDF.object,
    KG.surfaceForm,
    KG.inSentence,
    KG.charStart,
    KG.charEnd,
    KG.extractor,
)
_SENTENCE_TERMS = (
    RDF.type,
    KG.Sentence,
    DCTERMS.isPartOf,
    KG.inField,
    KG.sentenceStart,
    KG.sentenceEnd,
    KG.text,
)


#: Whether a kg:Sentence carries its text (``kg:text``). Measured both ways on the corpus
#: (benchmarks/bench_encoding.py): see BENCHMARKS.md; a reader without it must cut the sentence
#: out of dcterms:abstract with SUBSTR, which the README's evidence query would have to teach.
SENTENCE_TEXT = True


class Sentences:
    """The kg:Sentence nodes of one paper, each written once, when first referred to.

    Why nodes: the same sentence is the evidence of every mention, relation and acronym read
    from it; as a literal on each evidence node it was most of the graph's bytes (9.5 MB of
    Turtle for 0.3 MB of abstracts). A node holds its text once, its field and offsets; the
    evidence nodes point at it (``kg:inSentence``)."""

    def __init__(self, paper: Paper, paper_term: str) -> None:
        self.base = f"{SENTENCE}{paper.local_id}-"
        self.paper = paper_term
        self.terms: dict[tuple[str, int], str] = {}
        self.pending: list[Triple] = []

    def of(self, field: str, start: int, end: int, text: str) -> str:
        """The term of the sentence at ``start`` of ``field`` (its triples are queued)."""
        key = (field, start)
        node = self.terms.get(key)
        if node is None:
            a, cls, part_of, in_field, s0, s1, text_p = _SENTENCE_TERMS
            node = self.terms[key] = t.iri(f"{self.base}{field[0]}{start}")
            self.pending += [
                (node, a, cls),
                (node, part_of, self.paper),
                (node, in_field, t.word(field)),
                (node, s0, t.integer(start)),
                (node, s1, t.integer(end)),
            ]
            if SENTENCE_TEXT:
                self.pending.append((node, text_p, t.literal(text)))
        return node

    def flush(self) -> list[Triple]:
        """The queued triples (the queue is emptied)."""
        pending, self.pending = self.pending, []
        return pending


def _evidence(
    s: tuple[str, str], pred: URIRef, obj: tuple[str, str], m, sentence: str
) -> tuple[Triple, ...]:
    """One kg:Evidence per paper, entity and surface form: the statement (``pred``: the most
    specific of the paper -> entity properties; ``kg:mentions`` holds for every evidence), the
    form, its offsets in the field and the sentence node. ``s``, ``obj``: (IRI, term) of the
    paper and the entity (the evidence IRI hashes the IRIs and the form). A tuple, not a
    generator: one per mention, and a generator's frames cost more than its nine triples."""
    a, evidence, subj, predicate, objp, surface, in_sentence, c0, c1, extr = _EV_TERMS
    s_iri, s_term = s
    ev = t.iri(f"{EVIDENCE}{short_hash(f'{s_iri}|{obj[0]}|{m.text}', 16)}")
    integer = t.integer
    return (
        (ev, a, evidence),
        (ev, subj, s_term),
        (ev, predicate, pred),
        (ev, objp, obj[1]),
        (ev, surface, t.literal(m.text)),
        (ev, in_sentence, sentence),
        (ev, c0, integer(m.start)),
        (ev, c1, integer(m.end)),
        (ev, extr, t.word(m.extractor)),
    )


def relation_iri(key: EdgeKey) -> str:
    """``relation/<relation>-<hash of both ends>``: the same edge in every build."""
    head, relation, tail = key
    return f"{RELATION}{relation}-{short_hash(f'{head}|{relation}|{tail}', 16)}"


def relation_evidence_triples(
    i: int, ext: PaperExtraction, resolution: Resolution, paper: str, sentences: Sentences
) -> Iterator[Triple]:
    """One kg:RelationEvidence per relation the paper states, hung on its edge
    (kg:hasEvidence); the edge itself is graph-wide (:func:`relation_triples`), so the evidence
    holds only what the occurrence adds: the paper, the sentence node, both ends' forms and
    offsets (for a symmetric relation, in the edge's order), the extractor and its score."""
    for r in ext.relations:
        head = resolution.mention_entity.get((i, r.head))
        tail = resolution.mention_entity.get((i, r.tail))
        if head is None or tail is None or r.relation not in ENTITY_RELATION_PROPERTY:
            continue
        key = edge_key(head, r.relation, tail)
        if key is None:
            continue
        hm = ext.mentions[r.head]  # its sentence is the evidence (the tail's, or holds tail_as)
        tm = ext.mentions[r.tail]
        h_form = (hm.text, hm.start, hm.end)
        t_form = tuple(r.tail_as) if r.tail_as else (tm.text, tm.start, tm.end)
        if key[0] != head:  # a symmetric edge stored the other way round
            h_form, t_form = t_form, h_form
        edge_iri = relation_iri(key)
        ev = t.iri(
            f"{EVIDENCE}{short_hash(f'{paper}|{edge_iri}|{hm.field}|{h_form[1]}|{t_form[1]}', 16)}"
        )
        sentence = sentences.of(hm.field, hm.sent_start, hm.sent_end, hm.sentence)
        if sentences.pending:
            yield from sentences.flush()
        yield t.iri(edge_iri), _KG.hasEvidence, ev
        yield ev, _RDF.type, _KG.RelationEvidence
        yield ev, _PROV.wasDerivedFrom, t.iri(paper)
        yield ev, _KG.inSentence, sentence
        yield ev, _KG.headForm, t.literal(h_form[0])
        yield ev, _KG.headStart, t.integer(h_form[1])
        yield ev, _KG.headEnd, t.integer(h_form[2])
        yield ev, _KG.tailForm, t.literal(t_form[0])
        yield ev, _KG.tailStart, t.integer(t_form[1])
        yield ev, _KG.tailEnd, t.integer(t_form[2])
        yield ev, _KG.extractor, t.word(r.extractor)
        yield ev, _KG.score, t.decimal(r.score)


def relation_triples(resolution: Resolution) -> Iterator[Triple]:
    """The entity -> entity edges: the plain triple (both directions for a symmetric
    relation) and a kg:EntityRelation node repeating it, which its evidence hangs on (how many
    papers state it is counted at read time, from the evidence)."""
    for key in sorted(resolution.relations):
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


def extraction_triples(i: int, ext: PaperExtraction, resolution: Resolution) -> Iterator[Triple]:
    """Paper metadata, paper->entity statements with evidence, acronyms and claims."""
    s_iri = paper_iri(ext.paper)
    s = t.iri(s_iri)
    paper = (s_iri, s)
    lit, integer, word = t.literal, t.integer, t.word
    yield from paper_triples(ext.paper)
    sentences = Sentences(ext.paper, s)
    seen: set[tuple[str, str]] = set()  # (entity id, form): one evidence each
    entities: dict[str, tuple[str, str]] = {}  # entity id -> (IRI, term)
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
        key = (entity_id, m.text)
        if key in seen:
            continue
        seen.add(key)
        yield s, _KG_MENTIONS, entity[1]
        if specific != _KG_MENTIONS:
            yield s, specific, entity[1]
        sentence = sentences.of(m.field, m.sent_start, m.sent_end, m.sentence)
        if sentences.pending:
            yield from sentences.flush()
        yield from _evidence(paper, specific, entity, m, sentence)
    defined: dict[str, int] = {}
    for j, a in enumerate(ext.acronyms):
        target = resolution.acronym_entity.get((i, j))
        base = f"{ACRONYM}{ext.paper.local_id}-{slugify(a.short, 30)}-{short_hash(a.long, 6)}"
        # a paper may define the same pair twice (title and abstract): one node per place
        defined[base] = defined.get(base, 0) + 1
        node = t.iri(base if defined[base] == 1 else f"{base}-{defined[base]}")
        sentence = sentences.of(a.field, a.sent_start, a.sent_end, a.sentence)
        if sentences.pending:
            yield from sentences.flush()
        yield s, _KG.definesAcronym, node
        yield node, _RDF.type, _KG.AcronymDefinition
        yield node, _KG.shortForm, lit(a.short)
        yield node, _KG.longForm, lit(a.long)
        yield node, _KG.inSentence, sentence
        yield node, _KG.charStart, integer(a.start)
        yield node, _KG.charEnd, integer(a.end)
        if target:
            yield node, _KG.denotes, t.iri(f"{ENTITY}{target}")
    for n, c in enumerate(ext.claims, start=1):
        claim_iri = f"{CLAIM}{ext.paper.local_id}-{n}"
        claim = t.iri(claim_iri)
        yield s, _KG.hasClaim, claim
        yield claim, _RDF.type, _KG.Claim
        yield claim, _KG.text, lit(c.text)
        yield claim, _KG.charStart, integer(c.start)
        yield claim, _KG.charEnd, integer(c.end)
        yield claim, _KG.inField, word(c.field)
        yield claim, _KG.extractor, word(c.extractor)
        yield claim, _KG.confidence, t.decimal(c.score)
        for mid in c.mention_ids:
            yield claim, _KG.aboutEntity, t.iri(f"{ENTITY}{resolution.mention_entity[(i, mid)]}")
        for k, q in enumerate(c.quantities, start=1):
            qn = t.iri(f"{claim_iri}-q{k}")
            yield claim, _KG.reports, qn
            yield qn, _RDF.type, _KG.Quantity
            yield qn, _KG.value, t.decimal(q.value)
            if q.unit:
                yield qn, _KG.unit, lit(q.unit)
            yield qn, _KG.direction, word(q.direction)
            yield qn, _KG.quantityText, lit(q.text)
    yield from relation_evidence_triples(i, ext, resolution, s_iri, sentences)


def topic_triples(
    assignments: Sequence[Assignment],
    links: Sequence[TopicLinkRecord],
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


def vocabulary_triples() -> Iterator[Triple]:
    """The version of the vocabulary the graph is written in (first in every graph.ttl), so that
    a reader of an older graph says "rebuild" instead of answering wrong (:mod:`kg.vocab`)."""
    yield t.iri(GRAPH_IRI), KG.vocabularyVersion, t.literal(VOCABULARY_VERSION)


def extractors_of(ext: PaperExtraction) -> set[str]:
    """The names of the extractors of a paper's mentions and claims (its prov:SoftwareAgents)."""
    return (
        {m.extractor for m in ext.mentions}
        | {c.extractor for c in ext.claims}
        | {r.extractor for r in ext.relations}
    )


def agent_triples(names: set[str]) -> Iterator[Triple]:
    for name in sorted(names):
        agent = t.iri(f"{AGENT}{name}")
        yield agent, RDF.type, PROV.SoftwareAgent
        yield agent, RDFS.label, t.literal(name)
