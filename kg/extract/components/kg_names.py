"""``kg_names``: name-shaped token runs ("R1-Searcher++", "Qwen2.5-7B") into
``doc.spans["kg_names"]`` (the shape rules: :mod:`kg.extract.names`).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.names import SPANS_KEY, name_runs


@Language.component("kg_names")
def find_names(doc: Doc) -> Doc:
    doc.spans[SPANS_KEY] = name_runs(doc)
    return doc
