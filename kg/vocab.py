"""The project's public RDF vocabulary.

Declared as rdflib ``DefinedNamespace`` classes (like ``rdflib/namespace/_PROV.py``) so that a
misspelt term raises ``AttributeError`` instead of silently minting a new IRI. These names are a
contract with users' SPARQL queries: extend them, never rename them. ``ontology/kg.ttl`` declares
the same terms; ``tests/test_ontology.py`` keeps the two in step.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace
from rdflib.term import URIRef

#: Base of every IRI the project mints for data (papers, entities, claims, evidence).
DATA_BASE = "https://w3id.org/mlkg/"

#: The version of this vocabulary, written into every graph (``<graph> kg:vocabularyVersion``)
#: and every store's manifest. Raised when a term a query may rely on changes meaning or goes
#: away; a reader of a graph of another version says "rebuild" instead of answering wrong.
#: 1: until 2026-12 (evidence with its sentence text, precomputed statistics nodes).
#: 2: sentences as kg:Sentence nodes; one kg:Evidence per paper, entity and form; no
#:    kg:TopicEntityCount, kg:SharedEntityTier or kg:paperCount (counted at read time).
VOCABULARY_VERSION = "2"
#: The node that describes the graph itself (its vocabulary version).
GRAPH_IRI = DATA_BASE + "graph"


class KG(DefinedNamespace):
    """Classes and properties of the kg ontology (``ontology/kg.ttl``)."""

    _NS = Namespace("https://w3id.org/mlkg/ontology#")
    _fail = True

    # --- classes -------------------------------------------------------------------------
    Paper: URIRef  # a research paper (title + abstract)
    Entity: URIRef  # common superclass of everything papers mention
    Method: URIRef  # a method, model, architecture, algorithm or framework
    Model: URIRef  # a named trained model (subclass of Method)
    Dataset: URIRef  # a dataset, benchmark or corpus
    Task: URIRef  # a research task or problem
    Metric: URIRef  # an evaluation metric
    Concept: URIRef  # any other scientific term (SciERC's OtherScientificTerm)
    Claim: URIRef  # a result or conclusion sentence of a paper
    Quantity: URIRef  # a number a claim reports (value, unit, direction)
    Evidence: URIRef  # a reified paper-to-entity statement with its sentence and offsets
    AcronymDefinition: URIRef  # a short form defined by a long form inside one paper
    AliasMerge: URIRef  # why one surface form was merged into an entity
    TopicAssignment: URIRef  # a scored paper-to-topic assignment
    TopicLink: URIRef  # a weighted link between two topics via shared papers
    Sentence: URIRef  # one sentence of a paper's title or abstract, the evidence of statements
    EntityRelation: URIRef  # an entity -> entity edge (reified) with its paper count
    RelationEvidence: URIRef  # one occurrence of an entity relation in a paper's sentence

    # --- paper -> entity / claim (the core contract) ---------------------------------------
    proposes: URIRef  # paper -> the method/model/dataset/benchmark it introduces
    mentions: URIRef  # paper -> any entity
    usesDataset: URIRef  # paper -> dataset it uses or evaluates on
    addressesTask: URIRef  # paper -> task it addresses
    usesMethod: URIRef  # paper -> method or model it mentions using
    usesMetric: URIRef  # paper -> metric it reports
    hasClaim: URIRef  # paper -> Claim
    definesAcronym: URIRef  # paper -> AcronymDefinition

    # --- entity -> entity (SciERC's relation types, kg_relations) ----------------------------
    usedFor: URIRef  # A is used for B (method -> task, method -> method, data -> method ...)
    evaluates: URIRef  # a dataset or metric evaluates a method or task (EVALUATE-FOR)
    comparedWith: URIRef  # A is compared with B (symmetric)
    partOf: URIRef  # A is a part of B
    hyponymOf: URIRef  # A is a kind of B
    featureOf: URIRef  # A is a feature (property) of B
    conjunction: URIRef  # A and B are named together as peers (symmetric)
    hasEvidence: URIRef  # EntityRelation -> RelationEvidence
    headForm: URIRef  # RelationEvidence: the subject entity's surface form ...
    headStart: URIRef  # ... and its offsets in the field
    headEnd: URIRef
    tailForm: URIRef  # the object entity's surface form and offsets
    tailStart: URIRef
    tailEnd: URIRef

    # --- paper metadata --------------------------------------------------------------------
    arxivId: URIRef
    authorCount: URIRef
    affiliation: URIRef
    venue: URIRef
    dateText: URIRef  # the date exactly as the input wrote it

    # --- evidence (reified statements, also rdf:subject/predicate/object) -------------------
    inSentence: URIRef  # evidence / acronym definition -> the kg:Sentence it was read from
    charStart: URIRef  # offset of the surface form in the abstract (or title)
    charEnd: URIRef
    sentenceStart: URIRef  # offset of the sentence in the abstract (or title)
    sentenceEnd: URIRef
    inField: URIRef  # "title" or "abstract"
    extractor: URIRef  # the pipeline component that produced the statement
    surfaceForm: URIRef  # the text exactly as written
    confidence: URIRef

    # --- claims ----------------------------------------------------------------------------
    text: URIRef
    aboutEntity: URIRef  # claim -> entity it mentions
    reports: URIRef  # claim -> Quantity
    value: URIRef
    unit: URIRef
    direction: URIRef  # "increase", "decrease" or "none"
    quantityText: URIRef

    # --- acronyms and resolution -----------------------------------------------------------
    shortForm: URIRef
    longForm: URIRef
    denotes: URIRef  # AcronymDefinition -> entity
    hasAlias: URIRef  # entity -> AliasMerge
    form: URIRef
    rule: URIRef
    score: URIRef

    # --- topics ----------------------------------------------------------------------------
    topicOf: URIRef  # TopicAssignment -> paper
    topic: URIRef  # TopicAssignment / TopicLink -> topic
    relatedTopic: URIRef  # topic -> topic, symmetric, derived from shared papers
    linkedTopic: URIRef  # TopicLink -> each of its two topics
    weight: URIRef
    sharedPapers: URIRef
    sharedPaper: URIRef  # TopicLink -> each paper about both topics

    # --- the graph itself -------------------------------------------------------------------
    vocabularyVersion: URIRef  # the graph node -> the version of this vocabulary it is written in


#: Namespaces for minted data IRIs (not vocabulary, so plain Namespaces).
PAPER = Namespace(DATA_BASE + "paper/")
ENTITY = Namespace(DATA_BASE + "entity/")
CLAIM = Namespace(DATA_BASE + "claim/")
EVIDENCE = Namespace(DATA_BASE + "evidence/")
SENTENCE = Namespace(DATA_BASE + "sentence/")
TOPIC = Namespace(DATA_BASE + "topic/")
TOPICLINK = Namespace(DATA_BASE + "topiclink/")
RELATION = Namespace(DATA_BASE + "relation/")
AGENT = Namespace(DATA_BASE + "extractor/")

#: Prefixes bound in every graph we write and predeclared in every query we run.
PREFIXES: dict[str, str] = {
    "kg": str(KG._NS),
    "paper": str(PAPER),
    "entity": str(ENTITY),
    "claim": str(CLAIM),
    "evidence": str(EVIDENCE),
    "sentence": str(SENTENCE),
    "topic": str(TOPIC),
    "relation": str(RELATION),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
}


def sparql_prologue() -> str:
    """PREFIX lines for all of :data:`PREFIXES`, so users' queries need not declare them."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


# --- the contracts between stages, declared once ---------------------------------------------
# Extraction asserts these names, the writer maps them to properties, validation checks them and
# the viewer labels edges with them; every stage derives what it needs from here.

#: Entity types of the graph (classes of the ontology), in the order extraction reports them.
ENTITY_TYPES = ("Method", "Model", "Dataset", "Task", "Metric", "Concept")
#: The same, most specific first: a node typed both Model and Method is a Model.
ENTITY_KINDS = ("Model", "Method", "Dataset", "Task", "Metric", "Concept")
#: Superclasses the writer adds to an entity of a type (a Model is also a Method).
SUPERCLASSES = {"Model": ("Method",)}

#: Paper -> entity relations an extractor may assert (properties of the ontology).
RELATIONS = ("proposes", "mentions", "usesDataset", "addressesTask", "usesMethod", "usesMetric")
#: The same, strongest first: a viewer labels a paper-entity edge with its strongest relation.
RELATIONS_BY_STRENGTH = (
    "proposes",
    "usesDataset",
    "addressesTask",
    "usesMethod",
    "usesMetric",
    "mentions",
)
#: The relation a mention of an entity type asserts (every other type: ``mentions``).
RELATION_OF_TYPE = {"Dataset": "usesDataset", "Task": "addressesTask", "Metric": "usesMetric"}
#: Each paper -> entity relation's property.
RELATION_PROPERTY: dict[str, URIRef] = {name: getattr(KG, name) for name in RELATIONS}

#: Entity -> entity relations (``kg:<name>``, SciERC's seven types; see kg.extract.relations).
ENTITY_RELATIONS = (
    "usedFor",
    "featureOf",
    "hyponymOf",
    "partOf",
    "comparedWith",
    "conjunction",
    "evaluates",
)
#: Entity relations without a direction: one edge for both (its ends ordered by entity id).
SYMMETRIC_RELATIONS = frozenset({"comparedWith", "conjunction"})
#: Each entity -> entity relation's property.
ENTITY_RELATION_PROPERTY: dict[str, URIRef] = {name: getattr(KG, name) for name in ENTITY_RELATIONS}
