"""``kg_evaluations``: "DATASET evaluates CONTRIBUTION" where an abstract sentence says that the
paper's own method was evaluated on a named benchmark (the rule and why:
:mod:`kg.extract.evaluations`). Runs after ``kg_relations`` and adds to ``Doc._.kg_relations``,
so the learned model's reading of a pair is kept where it has one.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.contribution_mentions import add_relations
from kg.extract.evaluations import evaluation_statements


@Language.component(
    "kg_evaluations",
    assigns=["doc._.kg_relations"],
    requires=["token.is_sent_start"],
)
def find_evaluations(doc: Doc) -> Doc:
    return add_relations(doc, evaluation_statements)
