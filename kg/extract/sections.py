"""Title/abstract sections inside one Doc.

Why one Doc per paper: ``nlp.pipe`` is fastest on one text per paper, and the title is evidence
too ("Name: ..." titles are the strongest signal of a proposed contribution). The text is
``title + SEPARATOR + abstract``; the ``kg_sections`` component
(:mod:`kg.extract.components.kg_sections`) makes the title its own sentence and records where
the abstract starts, so offsets can be reported per field.
"""

from __future__ import annotations

import bisect

from spacy.tokens import Doc, Span

SEPARATOR = "\n\n"

if not Doc.has_extension("abstract_start"):
    Doc.set_extension("abstract_start", default=0)
if not Doc.has_extension("has_title"):
    Doc.set_extension("has_title", default=False)


def paper_text(title: str, abstract: str) -> str:
    """The text the pipeline reads for one paper."""
    return f"{title}{SEPARATOR}{abstract}"


_TEXT_KEY = "kg_text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, made once per Doc: Doc.text (and Span.text) join their tokens' texts one
    Token object at a time on every access (measured: the termhood stage spent 85 % of its
    time there, the acronym finder a quarter)."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text


def span_text(span: Span) -> str:
    """``span.text``, sliced from :func:`doc_text` (the same string: a span's text runs from its
    first token's start to its last token's end). Span.text joins one Token object per token
    on every access."""
    return doc_text(span.doc)[span.start_char : span.end_char]


def field_of(doc: Doc, char: int) -> tuple[str, int]:
    """(field name, offset of that field in the doc text) for a character offset of the doc."""
    if doc._.has_title and char < doc._.abstract_start:
        return "title", 0
    return "abstract", doc._.abstract_start


def is_title(span: Span) -> bool:
    return bool(span.doc._.has_title) and span.start_char < span.doc._.abstract_start


_BOUNDS_KEY = "kg_sentence_bounds"


def sentences(doc: Doc) -> list[Span]:
    """``list(doc.sents)``, computed once per doc.

    Why: several components and doc_records each walk the sentences, and ``doc.sents`` rebuilds
    them every time. The bounds are cached as plain ints in ``doc.user_data`` (which survives
    ``nlp.pipe(n_process=...)``); they never change after the sentencizer.
    """
    return [doc[a:b] for a, b in _bounds(doc)]


def all_sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """``[(s.start, s.end) for s in doc.sents]``, from the cached bounds (a copy)."""
    return list(_bounds(doc))


def _bounds(doc: Doc) -> list[tuple[int, int]]:
    bounds = doc.user_data.get(_BOUNDS_KEY)
    if bounds is None:
        bounds = [(s.start, s.end) for s in doc.sents]
        doc.user_data[_BOUNDS_KEY] = bounds
    return bounds


def sentence_bounds(doc: Doc, token_i: int) -> tuple[int, int]:
    """(first token, end token) of the sentence holding token ``token_i`` (binary search over
    the cached bounds): :func:`sentence_of` without making its Span."""
    bounds = _bounds(doc)
    k = bisect.bisect_right(bounds, (token_i, len(doc) + 1)) - 1
    return bounds[max(k, 0)]


def sentence_of(doc: Doc, token_i: int) -> Span:
    """The sentence holding token ``token_i`` (binary search over the cached bounds)."""
    a, b = sentence_bounds(doc, token_i)
    return doc[a:b]
