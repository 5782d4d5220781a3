"""What the NLP stage hands to the linker: plain, picklable records with their evidence.

Offsets are character offsets into the field (`title` or `abstract`) the text was read from, so
that a user can cut the surface form out of ``dcterms:title``/``dcterms:abstract`` themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.records import Paper

#: Entity types of the graph (classes of the ontology).
ENTITY_TYPES = ("Method", "Model", "Dataset", "Task", "Metric", "Concept")

#: Paper -> entity relations an extractor may assert (properties of the ontology).
RELATIONS = ("proposes", "mentions", "usesDataset", "addressesTask", "usesMethod", "usesMetric")


@dataclass
class Mention:
    """One surface form of an entity in one paper, with its evidence."""

    text: str
    label: str  # one of ENTITY_TYPES
    field: str  # "title" or "abstract"
    start: int
    end: int
    sentence: str
    sent_start: int
    sent_end: int
    extractor: str
    relation: str = "mentions"  # one of RELATIONS
    confidence: float = 1.0


@dataclass
class AcronymDef:
    """A short form defined by a long form inside one paper (Schwartz-Hearst)."""

    short: str
    long: str
    field: str
    start: int  # span of the whole "long (short)" pair
    end: int
    sentence: str
    sent_start: int
    sent_end: int


@dataclass
class QuantityRecord:
    value: float
    unit: str | None
    direction: str  # "increase" | "decrease" | "none"
    text: str
    start: int  # within the field
    end: int


@dataclass
class ClaimRecord:
    """A result/conclusion sentence of the abstract."""

    text: str
    field: str
    start: int
    end: int
    role: str
    score: float
    extractor: str
    quantities: list[QuantityRecord] = field(default_factory=list)
    #: indices into PaperExtraction.mentions of the mentions inside this sentence
    mention_ids: list[int] = field(default_factory=list)


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


@dataclass
class RelationRecord:
    """A typed relation between two mentions of one sentence: ``head`` ``relation`` ``tail``
    ("head usedFor tail"), as indices into PaperExtraction.mentions; the offsets of both ends
    are the mentions' own."""

    head: int
    tail: int
    relation: str  # one of ENTITY_RELATIONS
    score: float
    extractor: str = "kg_relations"


@dataclass
class PaperExtraction:
    paper: Paper
    mentions: list[Mention] = field(default_factory=list)
    acronyms: list[AcronymDef] = field(default_factory=list)
    claims: list[ClaimRecord] = field(default_factory=list)
    #: TopicHit records from the kg_topic_cues component
    topic_hits: list = field(default_factory=list)
    #: relations between mentions of one sentence (kg_relations)
    relations: list[RelationRecord] = field(default_factory=list)
    #: spans the termhood stage (kg_termhood) set aside: evidence text, not entity nodes;
    #: ``confidence`` holds the termhood score (``kg explain`` reports them)
    rejected: list[Mention] = field(default_factory=list)
