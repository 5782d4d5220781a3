"""Ontology files stay in step with kg/vocab.py; the shapes accept and reject what they should."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SH, SKOS

from kg.errors import KGError
from kg.ontology import (
    load_ontology_graph,
    load_shapes_graph,
    load_topics_graph,
    ontology_dir,
)
from kg.rdf.validate import ValidationReport, validate, validate_file
from kg.vocab import (
    AGENT,
    CLAIM,
    ENTITY,
    EVIDENCE,
    GRAPH_IRI,
    KG,
    PAPER,
    PREFIXES,
    SENTENCE,
    TOPIC,
    VOCABULARY_VERSION,
)

KG_NS = str(KG._NS)
KG_TERMS = {URIRef(KG_NS + name) for name in KG.__annotations__}
ONTOLOGY_IRI = URIRef("https://w3id.org/mlkg/ontology")
GRAPH = URIRef(GRAPH_IRI)
#: Terms of vocabulary version 1 that version 2 removed (computed at read time, or now a node).
REMOVED_TERMS = (
    "TopicEntityCount",
    "SharedEntityTier",
    "countedTopic",
    "countedEntity",
    "topicPaperCount",
    "betweenTopic",
    "sharedEntity",
    "firstRank",
    "lastRank",
    "paperCount",
    "sentence",
)

REQUIRED_NOTATIONS = {
    "RAG",
    "MoE",
    "KnowledgeEditing",
    "ModelEditing",
    "KnowledgeInjection",
    "PEFT",
    "KnowledgeDistillation",
    "ContinualLearning",
    "Interpretability",
    "Hallucination",
    "Reasoning",
    "KnowledgeGraphs",
    "Multimodal",
    "Agents",
    "ParametricKnowledge",
    "LongContext",
    "EfficientInference",
    "QuestionAnswering",
}

PAPER_TO_ENTITY = [
    KG.mentions,
    KG.proposes,
    KG.usesDataset,
    KG.addressesTask,
    KG.usesMethod,
    KG.usesMetric,
]


# --- kg.ttl <-> kg/vocab.py -------------------------------------------------------------------


def test_ontology_dir_holds_the_three_files():
    for name in ("kg.ttl", "shapes.ttl", "topics.ttl"):
        assert (ontology_dir() / name).is_file()


def test_ontology_dir_prefers_the_installed_copy(tmp_path, monkeypatch):
    import kg.ontology as ontology

    package = tmp_path / "site-packages" / "kg"
    (package / "_ontology").mkdir(parents=True)
    (package / "_ontology" / "kg.ttl").write_text("")
    monkeypatch.setattr(ontology, "_PACKAGE_DIR", package)
    assert ontology.ontology_dir.__wrapped__() == package / "_ontology"
    (package / "_ontology" / "kg.ttl").unlink()
    with pytest.raises(KGError, match="ontology files not found"):
        ontology.ontology_dir.__wrapped__()


def test_loaders_are_cached():
    assert load_ontology_graph() is load_ontology_graph()
    assert load_shapes_graph() is load_shapes_graph()
    assert load_topics_graph() is load_topics_graph()


def test_ontology_header_declared_once():
    g = load_ontology_graph()
    assert list(g.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]
    for prop in (OWL.versionInfo, RDFS.label, RDFS.comment):
        assert g.value(ONTOLOGY_IRI, prop) is not None, prop
    assert "reification" in str(g.value(ONTOLOGY_IRI, RDFS.comment)).lower()


def test_ontology_version_is_the_vocabulary_version():
    g = load_ontology_graph()
    assert str(g.value(ONTOLOGY_IRI, OWL.versionInfo)) == VOCABULARY_VERSION
    version_iri = g.value(ONTOLOGY_IRI, OWL.versionIRI)
    assert version_iri == URIRef(f"{ONTOLOGY_IRI}/{VOCABULARY_VERSION}")


def test_shapes_require_the_vocabulary_version():
    shapes = load_shapes_graph()
    (shape,) = shapes.subjects(SH.path, KG.vocabularyVersion)
    assert shapes.value(shape, SH.targetNode) == GRAPH
    allowed = {str(v) for v in shapes.items(shapes.value(shape, getattr(SH, "in")))}
    assert allowed == {VOCABULARY_VERSION}


def test_ontology_example_query_reads_the_sentence_node():
    # the ontology comment's provenance query must follow the encoding it describes
    comment = str(load_ontology_graph().value(ONTOLOGY_IRI, RDFS.comment))
    query = next(line.strip() for line in comment.splitlines() if line.startswith("  ?ev "))
    g = build_valid_graph()
    rows = list(g.query(f"SELECT ?paper ?dataset ?why WHERE {{ {query} }}", initNs=PREFIXES))
    assert [(p, d, str(w)) for p, d, w in rows] == [
        (PAPER["2401.00001"], ENTITY["natural-questions"], SENTENCES[1])
    ]


def _declared_kg_terms(g: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property)
    return {
        s
        for kind in kinds
        for s in g.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(KG_NS)
    }


def test_every_vocab_term_is_declared_with_label_and_comment():
    g = load_ontology_graph()
    declared = _declared_kg_terms(g)
    assert KG_TERMS - declared == set(), "in kg/vocab.py but not declared in kg.ttl"
    for term in KG_TERMS:
        assert g.value(term, RDFS.label) is not None, f"{term} has no rdfs:label"
        assert g.value(term, RDFS.comment) is not None, f"{term} has no rdfs:comment"


def test_removed_terms_are_gone():
    declared = _declared_kg_terms(load_ontology_graph())
    for name in REMOVED_TERMS:
        assert URIRef(KG_NS + name) not in declared, f"kg:{name} was removed in version 2"
        assert name not in KG.__annotations__, f"kg:{name} was removed in version 2"


def test_every_ontology_term_is_in_vocab():
    g = load_ontology_graph()
    used = {
        s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(KG_NS)
    } | _declared_kg_terms(g)
    assert used - KG_TERMS == set(), "declared in kg.ttl but missing from kg/vocab.py"


def test_classes_and_properties_are_typed_consistently():
    g = load_ontology_graph()
    for term in KG_TERMS:
        name = str(term)[len(KG_NS) :]
        types = set(g.objects(term, RDF.type))
        if name[0].isupper():
            assert OWL.Class in types, f"{name} should be an owl:Class"
        else:
            assert types & {OWL.ObjectProperty, OWL.DatatypeProperty}, f"{name} kind"
            assert g.value(term, RDFS.domain) is not None, f"{name} has no rdfs:domain"
            assert g.value(term, RDFS.range) is not None, f"{name} has no rdfs:range"
            rng = g.value(term, RDFS.range)
            if OWL.DatatypeProperty in types:
                assert str(rng).startswith(str(XSD)), f"{name}: datatype range {rng}"
            else:
                assert not str(rng).startswith(str(XSD)), f"{name}: object range {rng}"


def test_class_and_property_structure():
    g = load_ontology_graph()
    for cls in (KG.Method, KG.Dataset, KG.Task, KG.Metric, KG.Concept):
        assert (cls, RDFS.subClassOf, KG.Entity) in g
    assert (KG.Model, RDFS.subClassOf, KG.Method) in g
    assert (KG.Evidence, RDFS.subClassOf, PROV.Entity) in g
    assert (KG.Evidence, RDFS.subClassOf, RDF.Statement) in g
    assert (KG.EntityRelation, RDFS.subClassOf, RDF.Statement) in g
    # relation evidence hangs on its kg:EntityRelation, which holds the statement
    assert (KG.RelationEvidence, RDFS.subClassOf, RDF.Statement) not in g
    assert g.value(KG.inSentence, RDFS.range) == KG.Sentence
    for prop in PAPER_TO_ENTITY[1:]:
        assert (prop, RDFS.subPropertyOf, KG.mentions) in g
    assert (KG.relatedTopic, RDF.type, OWL.SymmetricProperty) in g


def _domain(g: Graph, prop: URIRef) -> set[URIRef]:
    """The classes of a property's rdfs:domain (the members of an owl:unionOf)."""
    domain = g.value(prop, RDFS.domain)
    union = g.value(domain, OWL.unionOf)
    return set(g.items(union)) if union is not None else {domain}


def _superclasses(g: Graph, cls: URIRef) -> set[URIRef]:
    return set(g.transitive_objects(cls, RDFS.subClassOf))


def test_domains_cover_the_nodes_that_carry_them():
    # every kg: property of a node of the valid graph (written like kg/rdf/writer.py writes)
    # has the node's class, or a superclass of it, in its domain; no class in a domain is
    # left without a node that uses the property, for the node kinds the graph has
    g = load_ontology_graph()
    data = build_valid_graph()
    topics = load_topics_graph()
    used: dict[URIRef, set[URIRef]] = {}
    for s, p, _o in data:
        if not str(p).startswith(KG_NS):
            continue
        classes = set(data.objects(s, RDF.type)) | set(topics.objects(s, RDF.type))
        if not classes:
            assert _domain(g, p) == {OWL.Thing}, f"untyped {s} carries {p}"
            continue
        reachable = set().union(*(_superclasses(g, c) for c in classes))
        assert reachable & _domain(g, p), f"{p}: domain {_domain(g, p)} misses {classes}"
        used.setdefault(p, set()).update(reachable)
    for prop in (KG.inSentence, KG.sentenceStart, KG.sentenceEnd, KG.inField, KG.text):
        assert _domain(g, prop) <= used[prop], f"{prop}: domain wider than what is written"


# --- topics.ttl -------------------------------------------------------------------------------


def _concepts(g: Graph) -> set[URIRef]:
    return set(g.subjects(RDF.type, SKOS.Concept))


def test_topics_have_the_required_notations():
    g = load_topics_graph()
    notations = {str(g.value(c, SKOS.notation)) for c in _concepts(g)}
    assert REQUIRED_NOTATIONS <= notations
    for c in _concepts(g):
        assert c == TOPIC[str(g.value(c, SKOS.notation))], "IRI must be topic:<notation>"
    assert (TOPIC.ModelEditing, SKOS.broader, TOPIC.KnowledgeEditing) in g
    assert (TOPIC.KnowledgeInjection, SKOS.broader, TOPIC.KnowledgeEditing) in g


def test_topics_are_complete_and_in_the_scheme():
    g = load_topics_graph()
    scheme = TOPIC.scheme
    assert (scheme, RDF.type, SKOS.ConceptScheme) in g
    for c in _concepts(g):
        assert (c, SKOS.inScheme, scheme) in g, c
        for prop in (SKOS.prefLabel, SKOS.notation, SKOS.definition):
            assert len(list(g.objects(c, prop))) == 1, (c, prop)
        assert list(g.objects(c, SKOS.hiddenLabel)), f"{c} has no cue phrases"
        is_top = (c, SKOS.topConceptOf, scheme) in g
        assert is_top == ((scheme, SKOS.hasTopConcept, c) in g), c
        assert is_top != bool(list(g.objects(c, SKOS.broader))), f"{c}: top xor broader"


def test_broader_narrower_and_related_are_consistent():
    g = load_topics_graph()
    concepts = _concepts(g)
    for narrow, broad in g.subject_objects(SKOS.broader):
        assert (broad, SKOS.narrower, narrow) in g
        assert broad in concepts
    for broad, narrow in g.subject_objects(SKOS.narrower):
        assert (narrow, SKOS.broader, broad) in g
    for a, b in g.subject_objects(SKOS.related):
        assert (b, SKOS.related, a) in g
        assert b in concepts
        assert (a, SKOS.broader, b) not in g and (b, SKOS.broader, a) not in g


def test_cue_phrases_are_lowercase_and_unique():
    g = load_topics_graph()
    seen: dict[str, URIRef] = {}
    for c, label in g.subject_objects(SKOS.hiddenLabel):
        text = str(label)
        assert text == text.lower() == text.strip() and text, (c, text)
        assert text not in seen, f"{text!r} is a cue of both {seen.get(text)} and {c}"
        seen[text] = c
    for cue in ("retrieval-augmented", "mixture-of-experts", "model editing", "knowledge editing"):
        assert cue in seen


# --- a small valid graph ----------------------------------------------------------------------

TITLE = "RAG-X: Retrieval for Everyone"
SENTENCES = [
    "We study retrieval-augmented generation.",
    "Our model RAG-X improves exact match on Natural Questions (NQ) by 3.2%.",
]
ABSTRACT = " ".join(SENTENCES)


def _locate(field: str, needle: str) -> tuple[int, int, int, int, str]:
    """Offsets of ``needle`` and of its sentence in the title or abstract, like the pipeline's."""
    text, sentences = (TITLE, [TITLE]) if field == "title" else (ABSTRACT, SENTENCES)
    start = text.index(needle)
    s_start = 0
    for sentence in sentences:
        s_start = text.index(sentence, s_start)
        if s_start <= start < s_start + len(sentence):
            return start, start + len(needle), s_start, s_start + len(sentence), sentence
    raise ValueError(needle)


def sentence_iri(field: str, start: int) -> URIRef:
    return SENTENCE[f"2401.00001-{field[0]}{start}"]


def build_valid_graph() -> Graph:
    """A small graph of one paper shaped as kg/rdf/writer.py writes (vocabulary version 2)."""
    g = Graph()
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri)
    g.add((GRAPH, KG.vocabularyVersion, Literal(VOCABULARY_VERSION)))
    paper = PAPER["2401.00001"]

    def sentence(field: str, needle: str) -> tuple[int, int, URIRef]:
        """Offsets of ``needle`` in its field and the kg:Sentence node it is in (added once)."""
        start, end, s_start, s_end, text = _locate(field, needle)
        node = sentence_iri(field, s_start)
        for p, o in [
            (RDF.type, KG.Sentence),
            (DCTERMS.isPartOf, paper),
            (KG.inField, Literal(field)),
            (KG.sentenceStart, Literal(s_start)),
            (KG.sentenceEnd, Literal(s_end)),
            (KG.text, Literal(text)),
        ]:
            g.add((node, p, o))
        return start, end, node

    g.add((paper, RDF.type, KG.Paper))
    g.add((paper, DCTERMS.title, Literal(TITLE)))
    g.add((paper, DCTERMS.abstract, Literal(ABSTRACT)))
    g.add((paper, DCTERMS.source, Literal("seeds/000.txt:12")))
    g.add((paper, DCTERMS.date, Literal("2024-05-20", datatype=XSD.date)))
    g.add((paper, KG.dateText, Literal("May 20, 2024")))
    g.add((paper, DCTERMS.identifier, Literal("2401.00001")))
    g.add((paper, KG.arxivId, Literal("2401.00001")))
    g.add((paper, DCTERMS.creator, Literal("Ada Lovelace")))
    g.add((paper, KG.authorCount, Literal(4)))
    g.add((paper, KG.venue, Literal("arXiv")))

    agent = AGENT["ner"]
    g.add((agent, RDF.type, PROV.SoftwareAgent))
    g.add((agent, RDFS.label, Literal("ner")))

    entities = {
        "rag-x": (KG.Model, "RAG-X", KG.proposes, "title"),
        "natural-questions": (KG.Dataset, "Natural Questions", KG.usesDataset, "abstract"),
        "exact-match": (KG.Metric, "exact match", KG.usesMetric, "abstract"),
        "retrieval-augmented-generation": (
            KG.Method,
            "retrieval-augmented generation",
            KG.usesMethod,
            "abstract",
        ),
    }
    for slug, (cls, form, prop, field) in entities.items():
        entity = ENTITY[slug]
        g.add((entity, RDF.type, cls))
        g.add((entity, RDFS.label, Literal(form)))
        g.add((entity, SKOS.altLabel, Literal(form)))
        g.add((paper, KG.mentions, entity))
        g.add((paper, prop, entity))
        ev = EVIDENCE[f"ev-{slug}"]
        start, end, in_sentence = sentence(field, form)
        for p, o in [
            (RDF.type, KG.Evidence),
            (RDF.subject, paper),
            (RDF.predicate, prop),
            (RDF.object, entity),
            (KG.surfaceForm, Literal(form)),
            (KG.inSentence, in_sentence),
            (KG.charStart, Literal(start)),
            (KG.charEnd, Literal(end)),
            (KG.extractor, Literal("ner")),
        ]:
            g.add((ev, p, o))

    # an entity relation (graph-wide edge) and its evidence in the paper
    edge = URIRef("https://w3id.org/mlkg/relation/evaluates-0123456789abcdef")
    head, tail = ENTITY["natural-questions"], ENTITY["rag-x"]
    g.add((head, KG.evaluates, tail))
    for p, o in [
        (RDF.type, KG.EntityRelation),
        (RDF.subject, head),
        (RDF.predicate, KG.evaluates),
        (RDF.object, tail),
    ]:
        g.add((edge, p, o))
    rev = EVIDENCE["rev-nq-evaluates-rag-x"]
    g.add((edge, KG.hasEvidence, rev))
    h_start, h_end, in_sentence = sentence("abstract", "Natural Questions")
    t_start = ABSTRACT.index("RAG-X")
    for p, o in [
        (RDF.type, KG.RelationEvidence),
        (PROV.wasDerivedFrom, paper),
        (KG.inSentence, in_sentence),
        (KG.headForm, Literal("Natural Questions")),
        (KG.headStart, Literal(h_start)),
        (KG.headEnd, Literal(h_end)),
        (KG.tailForm, Literal("RAG-X")),
        (KG.tailStart, Literal(t_start)),
        (KG.tailEnd, Literal(t_start + len("RAG-X"))),
        (KG.extractor, Literal("kg_relations")),
        (KG.score, Literal(Decimal("0.8"))),
    ]:
        g.add((rev, p, o))

    alias = BNode()
    g.add((ENTITY["natural-questions"], KG.hasAlias, alias))
    g.add((alias, RDF.type, KG.AliasMerge))
    g.add((alias, KG.form, Literal("NQ")))
    g.add((alias, KG.rule, Literal("acronym")))
    g.add((alias, KG.score, Literal(Decimal("1.0"))))
    g.add((ENTITY["natural-questions"], SKOS.altLabel, Literal("NQ")))

    claim = CLAIM["2401.00001-1"]
    _, _, c_start, c_end, c_text = _locate("abstract", "improves")
    g.add((paper, KG.hasClaim, claim))
    for p, o in [
        (RDF.type, KG.Claim),
        (KG.text, Literal(c_text)),
        (KG.charStart, Literal(c_start)),
        (KG.charEnd, Literal(c_end)),
        (KG.inField, Literal("abstract")),
        (KG.aboutEntity, ENTITY["rag-x"]),
        (KG.aboutEntity, ENTITY["natural-questions"]),
        (KG.extractor, Literal("claims")),
        (KG.confidence, Literal(Decimal("0.9"))),
    ]:
        g.add((claim, p, o))
    quantity = BNode()
    g.add((claim, KG.reports, quantity))
    g.add((quantity, RDF.type, KG.Quantity))
    g.add((quantity, KG.value, Literal(Decimal("3.2"))))
    g.add((quantity, KG.unit, Literal("%")))
    g.add((quantity, KG.direction, Literal("increase")))
    g.add((quantity, KG.quantityText, Literal("by 3.2%")))

    acronym = BNode()
    g.add((paper, KG.definesAcronym, acronym))
    g.add((acronym, RDF.type, KG.AcronymDefinition))
    g.add((acronym, KG.shortForm, Literal("NQ")))
    g.add((acronym, KG.longForm, Literal("Natural Questions")))
    g.add((acronym, KG.denotes, ENTITY["natural-questions"]))
    a_start, a_end, in_sentence = sentence("abstract", "Natural Questions (NQ)")
    g.add((acronym, KG.inSentence, in_sentence))
    g.add((acronym, KG.charStart, Literal(a_start)))
    g.add((acronym, KG.charEnd, Literal(a_end)))

    assignment = BNode()
    g.add((assignment, RDF.type, KG.TopicAssignment))
    g.add((assignment, KG.topicOf, paper))
    g.add((assignment, KG.topic, TOPIC.RAG))
    g.add((assignment, KG.score, Literal(Decimal("0.87"))))
    g.add((paper, DCTERMS.subject, TOPIC.RAG))
    low = BNode()
    g.add((low, RDF.type, KG.TopicAssignment))
    g.add((low, KG.topicOf, paper))
    g.add((low, KG.topic, TOPIC.QuestionAnswering))
    g.add((low, KG.score, Literal(Decimal("0.2"))))

    g.add((TOPIC.RAG, KG.relatedTopic, TOPIC.QuestionAnswering))
    g.add((TOPIC.QuestionAnswering, KG.relatedTopic, TOPIC.RAG))
    link = URIRef("https://w3id.org/mlkg/topiclink/QuestionAnswering--RAG")
    g.add((link, RDF.type, KG.TopicLink))
    g.add((link, KG.linkedTopic, TOPIC.RAG))
    g.add((link, KG.linkedTopic, TOPIC.QuestionAnswering))
    g.add((link, KG.weight, Literal(Decimal("0.5"))))
    g.add((link, KG.sharedPapers, Literal(1)))
    return g


@pytest.fixture
def valid_graph() -> Graph:
    return build_valid_graph()


def test_valid_graph_conforms(valid_graph):
    report = validate(valid_graph)
    assert report.violations == []
    assert report.conforms
    assert report.triples == len(valid_graph)
    assert str(report) == f"OK: {len(valid_graph)} triples conform"


def test_validate_does_not_modify_the_data(valid_graph):
    before = len(valid_graph)
    validate(valid_graph)
    assert len(valid_graph) == before


def test_valid_graph_round_trips_through_turtle_and_jsonld(valid_graph, tmp_path):
    for suffix, fmt in ((".ttl", "turtle"), (".nt", "nt"), (".jsonld", "json-ld")):
        path = tmp_path / f"graph{suffix}"
        valid_graph.serialize(path, format=fmt, encoding="utf-8")
        report = validate_file(path)
        assert report.conforms, report.violations


# --- broken variants --------------------------------------------------------------------------

P = PAPER["2401.00001"]
EV = EVIDENCE["ev-natural-questions"]
NQ = ENTITY["natural-questions"]
S2 = sentence_iri("abstract", ABSTRACT.index(SENTENCES[1]))  # NQ's sentence
REV = EVIDENCE["rev-nq-evaluates-rag-x"]


def _only(report: ValidationReport, *needles: str) -> None:
    assert not report.conforms
    assert report.violations
    matching = [v for v in report.violations if all(n in v for n in needles)]
    assert matching, f"no violation with {needles}: {report.violations}"


def test_paper_without_title(valid_graph):
    valid_graph.remove((P, DCTERMS.title, None))
    _only(validate(valid_graph), "paper:2401.00001", "dcterms:title")


def test_paper_with_two_abstracts(valid_graph):
    valid_graph.add((P, DCTERMS.abstract, Literal("Another abstract.")))
    _only(validate(valid_graph), "paper:2401.00001", "dcterms:abstract", "exactly one")


def test_paper_without_source(valid_graph):
    valid_graph.remove((P, DCTERMS.source, None))
    _only(validate(valid_graph), "paper:2401.00001", "dcterms:source")


def test_date_with_wrong_datatype(valid_graph):
    valid_graph.set((P, DCTERMS.date, Literal("2024-05-20")))
    _only(validate(valid_graph), "paper:2401.00001 dcterms:date", "xsd:gYear")


@pytest.mark.parametrize(
    "literal",
    [
        Literal("2024-12", datatype=XSD.gYearMonth),
        Literal("2024", datatype=XSD.gYear),
        Literal("--12-05", datatype=XSD.gMonthDay),
    ],
)
def test_partial_dates_are_fine(valid_graph, literal):
    valid_graph.set((P, DCTERMS.date, literal))
    assert validate(valid_graph).conforms


def test_malformed_gyear(valid_graph):
    valid_graph.set((P, DCTERMS.date, Literal("May 2024", datatype=XSD.gYear)))
    _only(validate(valid_graph), "dcterms:date")


def test_evidence_without_char_start(valid_graph):
    valid_graph.remove((EV, KG.charStart, None))
    _only(validate(valid_graph), "evidence:ev-natural-questions kg:charStart")


def test_evidence_with_start_after_end(valid_graph):
    end = valid_graph.value(EV, KG.charEnd)
    valid_graph.set((EV, KG.charStart, Literal(int(end) + 1)))
    _only(validate(valid_graph), "evidence:ev-natural-questions kg:charStart", "below kg:charEnd")


def test_evidence_with_wrong_offsets(valid_graph):
    start = int(valid_graph.value(EV, KG.charStart))
    end = int(valid_graph.value(EV, KG.charEnd))
    valid_graph.set((EV, KG.charStart, Literal(start + 1)))
    valid_graph.set((EV, KG.charEnd, Literal(end + 1)))
    _only(validate(valid_graph), "evidence:ev-natural-questions", "kg:surfaceForm")


def test_in_field_body(valid_graph):
    valid_graph.set((S2, KG.inField, Literal("body")))
    _only(validate(valid_graph), "sentence:2401.00001-a41 kg:inField", '"body"')


def test_evidence_without_sentence(valid_graph):
    valid_graph.remove((EV, KG.inSentence, None))
    _only(validate(valid_graph), "evidence:ev-natural-questions kg:inSentence", "exactly one")


def test_evidence_sentence_of_another_paper(valid_graph):
    other = PAPER["2401.00002"]
    valid_graph.add((other, RDF.type, KG.Paper))
    valid_graph.set((S2, DCTERMS.isPartOf, other))
    _only(validate(valid_graph), "evidence:ev-natural-questions", "of its rdf:subject paper")


def test_sentence_ending_before_it_starts(valid_graph):
    start = int(valid_graph.value(S2, KG.sentenceStart))
    valid_graph.set((S2, KG.sentenceEnd, Literal(start - 1)))
    _only(validate(valid_graph), "sentence:2401.00001-a41 kg:sentenceStart", "below kg:sentenceEnd")


def test_sentence_text_as_long_as_its_offsets(valid_graph):
    valid_graph.set((S2, KG.text, Literal(SENTENCES[1] + " More.")))
    _only(validate(valid_graph), "sentence:2401.00001-a41 kg:text", "characters long")


def test_sentence_nobody_points_at(valid_graph):
    valid_graph.remove((None, KG.inSentence, S2))
    _only(validate(valid_graph), "sentence:2401.00001-a41 ^kg:inSentence")


def test_relation_evidence_without_sentence(valid_graph):
    valid_graph.remove((REV, KG.inSentence, None))
    _only(validate(valid_graph), "evidence:rev-nq-evaluates-rag-x kg:inSentence", "exactly one")


def test_relation_evidence_with_head_ending_before_it_starts(valid_graph):
    valid_graph.set((REV, KG.headEnd, valid_graph.value(REV, KG.headStart)))
    _only(validate(valid_graph), "evidence:rev-nq-evaluates-rag-x kg:headStart", "below kg:headEnd")


def test_acronym_without_sentence(valid_graph):
    acronym = next(valid_graph.subjects(RDF.type, KG.AcronymDefinition))
    valid_graph.remove((acronym, KG.inSentence, None))
    _only(validate(valid_graph), "kg:inSentence", "acronym definition")


@pytest.mark.parametrize("version", [None, "1"])
def test_graph_of_another_vocabulary_version(valid_graph, version):
    valid_graph.remove((GRAPH, KG.vocabularyVersion, None))
    if version is not None:
        valid_graph.add((GRAPH, KG.vocabularyVersion, Literal(version)))
    _only(validate(valid_graph), "kg:vocabularyVersion", f'"{VOCABULARY_VERSION}"')


@pytest.mark.parametrize(
    "triple",
    [
        (NQ, URIRef(KG_NS + "paperCount"), Literal(1)),
        (EV, URIRef(KG_NS + "sentence"), Literal(SENTENCES[1])),
        (ENTITY["nq/topic/RAG"], RDF.type, URIRef(KG_NS + "TopicEntityCount")),
    ],
)
def test_version_1_terms_are_not_declared(valid_graph, triple):
    valid_graph.add(triple)
    name = str(triple[1] if triple[1] != RDF.type else triple[2])[len(KG_NS) :]
    _only(validate(valid_graph), f"kg:{name}", "not declared")


def test_evidence_with_foreign_predicate(valid_graph):
    valid_graph.set((EV, RDF.predicate, DCTERMS.subject))
    _only(validate(valid_graph), "evidence:ev-natural-questions rdf:predicate")


def test_evidence_for_unasserted_statement(valid_graph):
    valid_graph.remove((P, KG.usesDataset, NQ))
    _only(validate(valid_graph), "evidence:ev-natural-questions", "not asserted")


def test_statement_without_evidence(valid_graph):
    valid_graph.add((P, KG.usesMethod, ENTITY["rag-x"]))
    _only(validate(valid_graph), "paper:2401.00001", "has no kg:Evidence")


def test_mentions_is_covered_by_more_specific_evidence(valid_graph):
    valid_graph.add((P, KG.mentions, NQ))
    assert validate(valid_graph).conforms


def test_agent_outside_extractor_namespace(valid_graph):
    other = URIRef("https://example.org/agent")
    valid_graph.add((other, RDF.type, PROV.SoftwareAgent))
    _only(validate(valid_graph), "<https://example.org/agent>", "extractor agent's IRI")


def test_confidence_as_double(valid_graph):
    valid_graph.set((CLAIM["2401.00001-1"], KG.confidence, Literal(0.9)))
    _only(validate(valid_graph), "kg:confidence", "xsd:decimal")


def test_entity_with_two_labels(valid_graph):
    valid_graph.add((NQ, RDFS.label, Literal("NQ")))
    _only(validate(valid_graph), "entity:natural-questions rdfs:label", "exactly one")


def test_uses_dataset_pointing_at_a_metric(valid_graph):
    valid_graph.add((P, KG.usesDataset, ENTITY["exact-match"]))
    _only(validate(valid_graph), "paper:2401.00001 kg:usesDataset", "kg:Dataset")


def test_model_counts_as_method(valid_graph):
    rag_x = ENTITY["rag-x"]
    valid_graph.add((P, KG.usesMethod, rag_x))
    ev = EVIDENCE["ev-rag-x-uses"]
    for p, o in valid_graph.predicate_objects(EVIDENCE["ev-rag-x"]):
        valid_graph.add((ev, p, o))
    valid_graph.set((ev, RDF.predicate, KG.usesMethod))
    assert validate(valid_graph).conforms


def test_claim_problems(valid_graph):
    claim = CLAIM["2401.00001-1"]
    valid_graph.remove((P, KG.hasClaim, claim))
    quantity = valid_graph.value(claim, KG.reports)
    valid_graph.set((quantity, KG.direction, Literal("up")))
    report = validate(valid_graph)
    _only(report, "claim:2401.00001-1 ^kg:hasClaim")
    _only(report, "object of claim:2401.00001-1 kg:reports", "kg:direction", '"up"')


def test_topic_assignment_score_out_of_range(valid_graph):
    for node in valid_graph.subjects(KG.topic, TOPIC.QuestionAnswering):
        valid_graph.set((node, KG.score, Literal(Decimal("1.5"))))
    _only(validate(valid_graph), "kg:score", "[0, 1]")


def test_subject_without_assignment(valid_graph):
    valid_graph.add((P, DCTERMS.subject, TOPIC.MoE))
    _only(validate(valid_graph), "paper:2401.00001", "topic:MoE", "kg:TopicAssignment")


def test_subject_must_be_a_topic(valid_graph):
    valid_graph.add((P, DCTERMS.subject, URIRef("https://w3id.org/mlkg/topic/NoSuchTopic")))
    _only(validate(valid_graph), "paper:2401.00001 dcterms:subject", "skos:Concept")


def test_related_topic_must_be_symmetric(valid_graph):
    valid_graph.add((TOPIC.MoE, KG.relatedTopic, TOPIC.PEFT))
    _only(validate(valid_graph), "topic:PEFT ^kg:relatedTopic", "both directions")


def test_topic_link_needs_two_topics(valid_graph):
    link = next(valid_graph.subjects(RDF.type, KG.TopicLink))
    valid_graph.remove((link, KG.linkedTopic, TOPIC.RAG))
    _only(validate(valid_graph), "kg:linkedTopic", "exactly two")


def test_undeclared_kg_term(valid_graph):
    valid_graph.add((P, URIRef(KG_NS + "usesDatset"), NQ))
    _only(validate(valid_graph), "kg:usesDatset", "not declared")


# --- files ------------------------------------------------------------------------------------


def test_validate_file_missing(tmp_path):
    with pytest.raises(KGError, match="no such file") as info:
        validate_file(tmp_path / "nope.ttl")
    assert "nope.ttl" in str(info.value) and "\n" not in str(info.value)


def test_validate_file_unparseable_turtle_names_the_line(tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_text('@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:a ex:b "oops .\n')
    with pytest.raises(KGError) as info:
        validate_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}:3: cannot parse as turtle") and "\n" not in message


def test_validate_file_unparseable_ntriples_names_the_line(tmp_path):
    path = tmp_path / "bad.nt"
    path.write_text("<http://a> <http://b> <http://c> .\n<http://a> <http://b> oops .\n")
    with pytest.raises(KGError, match=r"bad\.nt:2: cannot parse as nt"):
        validate_file(path)


def test_validate_file_unparseable_jsonld_names_the_line(tmp_path):
    path = tmp_path / "bad.jsonld"
    path.write_text('{"@id": "http://a",\n "http://b": [1,\n}')
    with pytest.raises(KGError, match=r"bad\.jsonld:3: cannot parse as json-ld"):
        validate_file(path)


def test_validate_file_unknown_suffix_and_directory(tmp_path):
    path = tmp_path / "graph.csv"
    path.write_text("a,b\n")
    with pytest.raises(KGError, match="unknown RDF file type"):
        validate_file(path)
    with pytest.raises(KGError, match="directory"):
        validate_file(tmp_path)


# --- CLI --------------------------------------------------------------------------------------


def _cli_app():
    try:
        from kg.cli import _register_commands

        _register_commands()
    except ImportError:  # other commands not written yet
        pass
    import kg.cli.validate_cli  # noqa: F401  (registers ``validate`` even if the list misses it)
    from kg.cli import app

    return app


def test_cli_validate_ok_and_failing(valid_graph, tmp_path: Path):
    from typer.testing import CliRunner

    runner = CliRunner()
    app = _cli_app()
    good = tmp_path / "good.ttl"
    valid_graph.serialize(good, format="turtle")
    result = runner.invoke(app, ["validate", str(good)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"OK: {len(valid_graph)} triples conform"

    valid_graph.remove((P, DCTERMS.title, None))
    bad = tmp_path / "bad.nt"
    valid_graph.serialize(bad, format="nt", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert "paper:2401.00001 dcterms:title" in result.output

    result = runner.invoke(app, ["validate", str(tmp_path / "missing.ttl")])
    assert result.exit_code == 2
    assert "no such file" in result.output
