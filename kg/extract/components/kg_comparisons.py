"""``kg_comparisons``: "BASELINE compared with CONTRIBUTION" where an abstract sentence says the
paper's own method outperforms (or is faster than, improves over, ...) a named baseline (the
rule and why: :mod:`kg.extract.comparisons`). Runs after ``kg_evaluations`` and adds to
``Doc._.kg_relations``, so the learned model's reading of a pair is kept where it has one.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.comparisons import comparison_statements
from kg.extract.contribution_mentions import add_relations


@Language.component(
    "kg_comparisons",
    assigns=["doc._.kg_relations"],
    requires=["token.is_sent_start"],
)
def find_comparisons(doc: Doc) -> Doc:
    return add_relations(doc, comparison_statements)
