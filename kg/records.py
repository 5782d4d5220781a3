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
