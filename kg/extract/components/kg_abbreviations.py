"""``kg_abbreviations``: acronym definitions ("low-rank adaptation (LoRA)") as long/short span
pairs in ``doc._.acronyms`` and ``doc.spans["kg_acronyms"]`` (the finder:
:mod:`kg.extract.abbreviations`).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.abbreviations import SPANS_KEY, find_definitions, split_glued_parentheses


@Language.component("kg_abbreviations")
def detect_abbreviations(doc: Doc) -> Doc:
    split_glued_parentheses(doc)
    pairs = find_definitions(doc)
    doc._.acronyms = pairs
    spans = []
    for long_span, short_span in pairs:
        spans.append(Span(doc, long_span.start, long_span.end, label="long"))
        spans.append(Span(doc, short_span.start, short_span.end, label="short"))
    doc.spans[SPANS_KEY] = spans
    return doc
