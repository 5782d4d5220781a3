"""``kg_sections``: the title as its own sentence, and where the abstract starts.

Runs before the sentencizer; the text layout and the helpers that read the result are
:mod:`kg.extract.sections`.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.sections import SEPARATOR


@Language.component("kg_sections")
def mark_sections(doc: Doc) -> Doc:
    """Find the title/abstract separator; make the title one sentence (before the sentencizer)."""
    for token in doc:
        if token.is_space and SEPARATOR in token.text:
            doc._.has_title = True
            doc._.abstract_start = token.idx + len(token.text)
            for t in doc[: token.i + 1]:
                t.is_sent_start = t.i == 0
            if token.i + 1 < len(doc):
                doc[token.i + 1].is_sent_start = True
            break
    return doc
