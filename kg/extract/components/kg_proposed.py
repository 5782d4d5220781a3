"""``kg_proposed``: the names a paper proposes (its title's "Name:", "we propose X") into
``doc.spans["kg_proposed"]``, one span per distinct text (the rules:
:mod:`kg.extract.proposed`).

Why a table: "we propose a new reinforcement learning (RL) method" defines an acronym inside
a proposal, and the acronym rule read it as proposing RL. One abstract cannot tell a new name
("a balanced assignment of experts (BASE) layer") from an established term; the corpus can:
the long-form table of the termhood stage counts the abstracts that define each long form
(``defined_forms``, package data by default, see :mod:`kg.extract.tables`). A long form that
``established`` or more of them define is not what a paper proposes, unless its title is that
name ("Quasi-Recurrent Neural Networks", "PPO: ...").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.proposed import (
    SPANS_KEY,
    is_survey,
    proposed_in_sentence,
    runs_by_start,
    title_name,
)
from kg.extract.sections import is_title, sentences
from kg.extract.tables import read_cfg, resolve, write_cfg
from kg.lexicon.normalize import surface_key
from kg.lexicon.words import DEFINED_FILE, ESTABLISHED_DEFINITIONS, read_defined_counts

DEFINED_FORMS = f"kg.data:{DEFINED_FILE}"
#: What a title may add to the name it is about: "Proximal Policy Optimization Algorithms"
TITLE_HEADS = frozenset(
    "algorithm method model network framework approach architecture layer".split()
)


def _title_is_about(title: Span | None, long: str, short: str) -> bool:
    """Whether the title is the name itself, with at most a generic head word after it
    ("Deep Gaussian Processes" is about deep GPs, not about Gaussian processes)."""
    if title is None:
        return False
    text = title.text.split(":", 1)[0]
    key = surface_key(text)
    if key in (surface_key(long), surface_key(short)):
        return True
    head, _, rest = key.rpartition(" ")
    return head == surface_key(long) and rest in TITLE_HEADS


class ProposedFinder:
    def __init__(self, nlp: Language, name: str, defined_forms: str, established: int) -> None:
        self.name = name
        self.refs = {"defined_forms": defined_forms}
        self.established = established
        self.defined_counts: dict[str, int] | None = None

    def initialize(self, get_examples: Callable[[], Iterable] | None = None, *, nlp=None) -> None:
        self.defined_counts = read_defined_counts(resolve(self.refs["defined_forms"]))

    def __call__(self, doc: Doc) -> Doc:
        if self.defined_counts is None:
            self.initialize()
        counts = self.defined_counts or {}
        spans: list[Span] = []
        sents = sentences(doc)
        title = sents[0] if sents and is_title(sents[0]) else None
        if title is not None and is_survey(title.text):
            doc.spans[SPANS_KEY] = []
            return doc
        if title is not None:
            name = title_name(title)
            if name is not None:
                spans.append(name)

        def established(long: str, short: str) -> bool:
            return counts.get(surface_key(long), 0) >= self.established and not (
                _title_is_about(title, long, short)
            )

        defined = list(doc._.acronyms or [])
        runs = runs_by_start(doc)
        for sent in sents:
            if sent is title:
                continue
            spans.extend(proposed_in_sentence(sent, defined, runs, established))
        # keep one span per distinct text, first occurrence
        seen: set[str] = set()
        unique = []
        for span in spans:
            if span.text not in seen:
                seen.add(span.text)
                unique.append(span)
        doc.spans[SPANS_KEY] = unique
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        write_cfg(path, self.refs)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> ProposedFinder:
        self.refs = read_cfg(path, self.refs)
        self.initialize()
        return self


@Language.factory(
    "kg_proposed",
    default_config={"defined_forms": DEFINED_FORMS, "established": ESTABLISHED_DEFINITIONS},
)
def find_proposed(nlp: Language, name: str, defined_forms: str, established: int) -> ProposedFinder:
    return ProposedFinder(nlp, name, defined_forms, established)
