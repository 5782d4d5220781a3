"""Acronym definitions, Schwartz & Hearst (2003) style, scoped to the paper that defines them.

Why our own ~80 lines rather than scispaCy's AbbreviationDetector: scispaCy pins spaCy and pulls
in nmslib and its linkers; the algorithm itself is short, well specified, and we need two
extensions it lacks: "(short as MoE)"-style parentheticals and reporting offsets per field.

Finds "long form (SF)" and "SF (long form)". The spaCy Doc gives us sentence bounds and the
parentheses; matching the short form's characters to the long form is character-level by
definition of the algorithm.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.sections import sentences

SPANS_KEY = "kg_acronyms"

if not Doc.has_extension("acronyms"):
    # list of (long_span, short_span) pairs found in this doc
    Doc.set_extension("acronyms", default=None)

# Lead-ins inside a parenthetical before the short form: "(short as MoE)", "(i.e., RAG)".
_LEAD_IN = re.compile(
    r"^(?:short(?:ened)? as|abbreviated as|abbr\.?|i\.e\.,?|or|aka|namely)\s+", re.I
)


def best_long_form(short: str, candidate: str) -> int | None:
    span = long_form_span(short, candidate)
    return None if span is None else span[0]


def long_form_span(short: str, candidate: str) -> tuple[int, int] | None:
    """Start index in ``candidate`` of the shortest long form matching ``short``, or None.

    Schwartz & Hearst: match the short form's characters right to left; its first character
    must start a word of the long form.
    """
    s_idx, l_idx = len(short) - 1, len(candidate) - 1
    last_match = None
    while s_idx >= 0:
        c = short[s_idx].lower()
        if not c.isalnum():
            s_idx -= 1
            continue
        while l_idx >= 0 and (
            candidate[l_idx].lower() != c
            or (s_idx == 0 and l_idx > 0 and candidate[l_idx - 1].isalnum())
        ):
            l_idx -= 1
        if l_idx < 0:
            return None
        if last_match is None:
            last_match = l_idx
        l_idx -= 1
        s_idx -= 1
    # words after the last matched character add nothing to the acronym ("Low-Rank Adaptation
    # techniques (LoRA)" -> "Low-Rank Adaptation"): end the long form with the matching word
    end = candidate.find(" ", last_match if last_match is not None else len(candidate))
    return candidate.rfind(" ", 0, l_idx + 1) + 1, len(candidate) if end < 0 else end


def is_short_form(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= 2
        and 2 <= len(text) <= 12
        and text[0].isalnum()
        and any(c.isalpha() for c in text)
        and any(c.isupper() for c in text)
    )


def _max_long_words(short: str) -> int:
    n = sum(c.isalnum() for c in short)
    return min(n + 5, n * 2)


def _window_before(sent_text: str, end: int, n_words: int) -> int:
    """Start of the last ``n_words`` whitespace-separated words before ``end``."""
    start = end
    for _ in range(n_words):
        start = sent_text.rfind(" ", 0, max(start - 1, 0))
        if start < 0:
            return 0
    return start + 1


def _trim(text: str) -> tuple[int, int]:
    """Offsets that strip surrounding spaces and punctuation from ``text``."""
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not (text[end - 1].isalnum() or text[end - 1] in ")+"):
        end -= 1
    return start, end


def find_definitions(doc: Doc) -> list[tuple[Span, Span]]:
    pairs: list[tuple[Span, Span]] = []
    for sent in sentences(doc):
        for tok in sent:
            if tok.text != "(":
                continue
            close = next(
                (t for t in doc[tok.i + 1 : min(sent.end, tok.i + 16)] if t.text == ")"), None
            )
            if close is None:
                continue
            inner_start, inner_end = tok.idx + 1, close.idx
            inner = doc.text[inner_start:inner_end]
            lead = _LEAD_IN.match(inner)
            if lead:
                inner_start += lead.end()
                inner = inner[lead.end() :]
            inner = re.split(r"[;,]", inner)[0]
            a, b = _trim(inner)
            short_start, short_end = inner_start + a, inner_start + b
            short = doc.text[short_start:short_end]
            pair = None
            if is_short_form(short):
                pair = _long_before(doc, sent, tok.idx, short, short_start, short_end)
            if pair is None:
                pair = _long_inside(doc, tok, close, short_start, short_end)
            if pair is not None:
                pairs.append(pair)
    return pairs


def _long_before(doc: Doc, sent: Span, paren: int, short: str, s0: int, s1: int):
    window_start = sent.start_char + _window_before(
        doc.text[sent.start_char : paren], paren - sent.start_char, _max_long_words(short)
    )
    candidate = doc.text[window_start:paren].rstrip()
    found = long_form_span(short, candidate)
    if found is None:
        return None
    start, end = found
    long_text = candidate[start:end]
    if len(long_text) <= len(short) or long_text.lower() == short.lower():
        return None
    long_span = doc.char_span(window_start + start, window_start + end, alignment_mode="expand")
    short_span = doc.char_span(s0, s1, alignment_mode="expand")
    if long_span is None or short_span is None:
        return None
    return long_span, short_span


def _long_inside(doc: Doc, open_tok, close_tok, s0: int, s1: int):
    """ "SF (long form)": the token before the parenthesis is the short form."""
    if open_tok.i == 0:
        return None
    prev = doc[open_tok.i - 1]
    # take a hyphenated short form whole ("R1-Searcher (...)")
    start_i = prev.i
    while start_i > 0 and doc[start_i - 1].whitespace_ == "" and not doc[start_i - 1].is_punct:
        start_i -= 1
    short_span = doc[start_i : prev.i + 1]
    short = short_span.text
    inner = doc.text[s0:s1]
    n_words = len(re.split(r"[\s-]+", inner))
    if not is_short_form(short) or n_words < 2 or n_words > _max_long_words(short):
        return None
    start = best_long_form(short, inner)
    if start is None or start != 0:
        return None
    long_span = doc.char_span(s0, s1, alignment_mode="expand")
    if long_span is None:
        return None
    return long_span, short_span


@Language.component("kg_abbreviations")
def detect_abbreviations(doc: Doc) -> Doc:
    pairs = find_definitions(doc)
    doc._.acronyms = pairs
    spans = []
    for long_span, short_span in pairs:
        spans.append(Span(doc, long_span.start, long_span.end, label="long"))
        spans.append(Span(doc, short_span.start, short_span.end, label="short"))
    doc.spans[SPANS_KEY] = spans
    return doc
