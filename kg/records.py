"""Plain records passed between pipeline stages.

Stages are functions over streams of these records (ingest -> extract -> link -> rdf), so they
must stay picklable and free of references to models or graphs: later issues ship them to other
processes and to Dask workers.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

_NON_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=1 << 17)  # called for the same titles and labels again and again
def normalize_title(title: str) -> str:
    """The dedup key of a paper: case, accents, punctuation and spacing folded away.

    Why: the same paper arrives from several dumps with different spacing, quotes and case.
    """
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NON_WORD.sub(" ", text).strip()


def slugify(text: str, max_len: int = 60) -> str:
    """A readable IRI-safe slug (lowercase ASCII words joined by '-')."""
    slug = normalize_title(text).replace(" ", "-")
    return slug[:max_len].rstrip("-") or "x"


def short_hash(text: str, n: int = 8) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


@dataclass
class Paper:
    """One paper as read from an input, before any NLP."""

    title: str
    abstract: str
    #: Where it was read from, each "path:line" (several after deduplication).
    sources: list[str] = field(default_factory=list)
    #: The input's own identifier (corpus id, arXiv id, ...), if any.
    id: str | None = None
    #: A bare arXiv identifier such as "2401.04088" (no version), if known.
    arxiv_id: str | None = None
    #: ISO 8601 date ("2024-12-05"), year-month ("2024-12") or month-day without year
    #: ("--12-05", xsd:gMonthDay) when the input gives no year.
    date: str | None = None
    #: The date exactly as the input wrote it.
    date_text: str | None = None
    authors: list[str] = field(default_factory=list)
    author_count: int | None = None
    affiliation: str | None = None
    venue: str | None = None

    @property
    def key(self) -> str:
        """Deduplication key: the normalized title."""
        return normalize_title(self.title)

    @property
    def local_id(self) -> str:
        """Stable, readable IRI local name: the arXiv id, else title slug plus a short hash."""
        if self.arxiv_id:
            return self.arxiv_id
        return f"{slugify(self.title, 50)}-{short_hash(self.key)}"


# --- what the NLP stage hands to the linker ------------------------------------------------
# Offsets are character offsets into the field (``title`` or ``abstract``) the text was read
# from, so that a user can cut the surface form out of dcterms:title/dcterms:abstract.


@dataclass(frozen=True)
class TopicHit:
    notation: str
    field: str  # "title" or "abstract"
    sentence: int  # index of the sentence within its field (0 = first)
    contrast: bool
    text: str
    #: the sentence speaks of the paper's own work ("we ...", "our ...", "this paper ...")
    own: bool = False
    #: the cue is part of a name the paper proposes (or its long form), e.g. "MoE" in "LEMoE",
    #: or names the kind of thing it proposes ("we propose a knowledge distillation framework")
    in_name: bool = False
    #: the cue is in the sentence where the paper introduces what it proposes
    proposal: bool = False
    #: the cue's normalized form (:func:`cue_form`); an acronym and its long form share one
    form: str = ""


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


@dataclass
class RelationRecord:
    """A typed relation between two mentions of one sentence: ``head`` ``relation`` ``tail``
    ("head usedFor tail"), as indices into PaperExtraction.mentions; the offsets of both ends
    are the mentions' own, except where ``tail_as`` says how the head's sentence names the tail.
    """

    head: int
    tail: int
    relation: str  # one of ENTITY_RELATIONS
    score: float
    extractor: str = "kg_relations"
    #: ``[text, start, end]`` (offsets in the head's field) of the words of the head's sentence
    #: that refer to the tail when they are not its name: "Experiments on CORD show that our
    #: model ..." with the tail the mention of the model the paper proposes by name elsewhere
    #: (kg_evaluations, kg_comparisons); None when the tail mention is in the sentence itself
    tail_as: list | None = None


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
