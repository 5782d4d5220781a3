"""``kg_proposed``: the names a paper proposes (its title's "Name:", "we propose X") into
``doc.spans["kg_proposed"]``, one span per distinct text (the rules:
:mod:`kg.extract.proposed`).
"""

from __future__ import annotations

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


@Language.component("kg_proposed")
def find_proposed(doc: Doc) -> Doc:
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
    defined = list(doc._.acronyms or [])
    runs = runs_by_start(doc)
    for sent in sents:
        if sent is title:
            continue
        spans.extend(proposed_in_sentence(sent, defined, runs))
    # keep one span per distinct text, first occurrence
    seen: set[str] = set()
    unique = []
    for span in spans:
        if span.text not in seen:
            seen.add(span.text)
            unique.append(span)
    doc.spans[SPANS_KEY] = unique
    return doc
