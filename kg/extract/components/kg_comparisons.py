"""``kg_comparisons``: "BASELINE compared with CONTRIBUTION" where an abstract sentence says the
paper's own method outperforms (or is faster than, improves over, ...) a named baseline (the
rule and why: :mod:`kg.extract.comparisons`). Runs after ``kg_evaluations`` and adds to
``Doc._.kg_relations``, so the learned model's reading of a pair is kept where it has one.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.comparisons import comparison_statements
from kg.extract.proposed import SPANS_KEY as PROPOSED_KEY
from kg.extract.relations import SPANS_KEY


@Language.component(
    "kg_comparisons",
    assigns=["doc._.kg_relations"],
    requires=["token.is_sent_start"],
)
def find_comparisons(doc: Doc) -> Doc:
    proposed = doc.spans.get(PROPOSED_KEY, [])
    if not len(proposed):
        return doc
    spans = list(doc.spans.get(SPANS_KEY, []))
    relations = list(doc._.kg_relations or [])
    found = comparison_statements(doc, spans, proposed, relations)
    if found:
        doc._.kg_relations = relations + found
    return doc
