"""Where a sentence names the paper's own contribution, for the rules that relate it.

The rules after the learned relation model (``kg_evaluations``: "DATASET evaluates X",
``kg_comparisons``: "X outperforms BASELINE") need the same thing first: which words of a
sentence are the method or model the paper proposes. An abstract writes it three ways, and
each rule reads all three the same way, so they live here once:

* as an entity span whose text is a proposed name (``doc.spans["kg_proposed"]``, or the other
  half of its acronym definition: "Mixture of Word Experts" proposed, "MoWE" then used);
* as that name where the recognizer did not take it as a span in this sentence ("... show that
  mixup improves ...": a lower-case word in running text);
* as "our model" / "the proposed approach", where the paper proposes exactly one method or
  model with an entity mention, and no conjunction joins two proposed names ("We propose
  AlphaNet and BetaNet": "our model" is one of two).

In the last two cases the words are not a mention; the rule relates them and names the
mention they stand for (the relation record's ``tail_as``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from kg.extract.proposed import SPANS_KEY as PROPOSED_KEY
from kg.extract.relations import SPANS_KEY
from kg.extract.sections import all_sentence_bounds, doc_text

CONTRIBUTION_LABELS = frozenset({"Method", "Model"})

#: How an abstract names its own method without its name: "our model", "the proposed
#: approach", "our distilled model"; singular only ("our models" may be several).
ANAPHOR = re.compile(
    r"\b(?:our|the proposed|our proposed)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:method|model|approach|framework|system|algorithm|architecture|network|technique)\b"
    r"(?!s\b|-)",
    re.I,
)


def contribution_groups(doc: Doc, proposed: Iterable[Span]) -> list[set[str]]:
    """The lower-cased names of each thing the paper proposes, one set per thing: its name and
    the other half of its acronym definition ("Mixture of Word Experts" proposed, "MoWE" then
    used)."""
    groups: list[set[str]] = []
    for span in proposed:
        name = span.text.lower()
        if not any(name in g for g in groups):
            groups.append({name})
    for long_span, short_span in doc._.acronyms or []:
        pair = {long_span.text.lower(), short_span.text.lower()}
        joined = [g for g in groups if g & pair]
        if joined:
            groups = [g for g in groups if not g & pair] + [set().union(pair, *joined)]
    return groups


@dataclass
class Contributions:
    """The paper's proposed methods and models as the rules read them."""

    #: every lower-cased name of a proposed thing
    names: set[str]
    #: each proposed thing's names and its first entity mention (for a name written where the
    #: recognizer did not take it)
    first_of: list[tuple[set[str], Span]]
    #: the one mention "our model" stands for, or None where the paper proposes several
    referent: Span | None
    #: the span pairs (both orders) the learned model already related: the rules leave them
    known: set[tuple[int, int, int, int]]

    def spans_in(self, spans: Sequence[Span]) -> list[Span]:
        """The contribution's entity spans among ``spans``."""
        return [
            s for s in spans if s.label_ in CONTRIBUTION_LABELS and s.text.lower() in self.names
        ]

    def written_in(
        self, doc: Doc, text: str, sentence_start: int, avoid: Sequence[Span]
    ) -> tuple[Span, Span] | None:
        """Where a sentence with no span of the contribution writes it otherwise, as (the
        words, the mention they stand for): its name outside a span, else "our model" where
        the paper proposes one thing; words overlapping ``avoid`` are neither."""
        found = name_in_text(doc, text, sentence_start, avoid, self.first_of)
        if found is None and self.referent is not None:
            words = anaphor_in(doc, text, sentence_start, avoid)
            found = (words, self.referent) if words is not None else None
        return found


def contributions(
    doc: Doc, spans: Sequence[Span], proposed: Iterable[Span], related: Iterable[tuple] = ()
) -> Contributions:
    """The paper's contributions: ``spans`` are the entity spans, ``proposed`` the
    ``kg_proposed`` spans, ``related`` the learned model's relations (``Doc._.kg_relations``
    tuples)."""
    groups = contribution_groups(doc, proposed)
    names = set().union(*groups) if groups else set()
    named = [s for s in spans if s.label_ in CONTRIBUTION_LABELS and s.text.lower() in names]
    first_of = [
        (group, next(s for s in named if s.text.lower() in group))
        for group in groups
        if any(s.text.lower() in group for s in named)
    ]
    referent = first_of[0][1] if len(first_of) == 1 else None
    known: set[tuple[int, int, int, int]] = set()
    for h0, h1, t0, t1, *label in related:
        known.add((h0, h1, t0, t1))
        known.add((t0, t1, h0, h1))
        # "We propose AlphaNet and BetaNet": "our model" is one of two
        if referent is not None and label[:1] == ["CONJUNCTION"]:
            ends = {(h0, h1), (t0, t1)}
            if any((s.start, s.end) in ends for s in named):
                referent = None
    return Contributions(names, first_of, referent, known)


#: The tokens of a sentence as the rules read a list of names: a parenthesis, a word, or a
#: comma/semicolon/colon.
LIST_TOKEN = re.compile(r"\([^()]*\)|[^\s,;:()]+|[,;:]")


def abstract_sentences(doc: Doc) -> Iterator[tuple[int, int, int, str]]:
    """``(first token, end token, first character, text)`` of each sentence of the abstract
    (the title is no sentence of a result or a comparison)."""
    abstract_start = doc._.abstract_start if doc._.has_title else 0
    full = doc_text(doc)
    for s0, s1 in all_sentence_bounds(doc):
        if s1 <= s0 or doc[s0].idx < abstract_start:
            continue
        sentence_start = doc[s0].idx
        yield s0, s1, sentence_start, full[sentence_start : doc[s1 - 1].idx + len(doc[s1 - 1])]


def add_relations(doc: Doc, statements: Callable[..., list[tuple]]) -> Doc:
    """What a rule component does: run ``statements(doc, entity spans, proposed spans, the
    relations so far)`` where the paper proposes something, and add what it reads to
    ``Doc._.kg_relations`` after the learned model's."""
    proposed = doc.spans.get(PROPOSED_KEY, [])
    if not len(proposed):
        return doc
    spans = list(doc.spans.get(SPANS_KEY, []))
    relations = list(doc._.kg_relations or [])
    found = statements(doc, spans, proposed, relations)
    if found:
        doc._.kg_relations = relations + found
    return doc


def name_in_text(
    doc: Doc,
    text: str,
    sentence_start: int,
    avoid: Sequence[Span],
    first_of: Sequence[tuple[set[str], Span]],
) -> tuple[Span, Span] | None:
    """A proposed name written in the sentence without being an entity span there, as (the
    words, the name's first entity mention): "we propose mixup, ..." is a mention, "...
    show that mixup improves ..." is not (the recognizer misses a lower-case word in
    running text). Words overlapping a span of ``avoid`` are not it."""
    for group, mention in first_of:
        for name in sorted(group, key=len, reverse=True):
            match = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.I)
            if match is None:
                continue
            span = words(doc, sentence_start + match.start(), sentence_start + match.end())
            if span is not None and not overlaps(span, avoid):
                return span, mention
    return None


def anaphor_in(doc: Doc, text: str, sentence_start: int, avoid: Sequence[Span]) -> Span | None:
    """The first "our model" of a sentence as a token span, unless it overlaps ``avoid``."""
    match = ANAPHOR.search(text)
    if match is None:
        return None
    span = words(doc, sentence_start + match.start(), sentence_start + match.end())
    return None if span is None or overlaps(span, avoid) else span


def words(doc: Doc, start: int, end: int) -> Span | None:
    """The tokens that cover characters ``start:end`` of ``doc``."""
    return doc.char_span(start, end, alignment_mode="expand")


def overlaps(span: Span, others: Sequence[Span]) -> bool:
    return any(o.start < span.end and span.start < o.end for o in others)
