"""``kg_title_tasks``: "CONTRIBUTION used for TASK" where the title opens with the paper's own
method and says what it is for ("AdaptSim: Task-Driven Simulation Adaptation for Sim-to-Real
Transfer"; the rule and why: :mod:`kg.extract.title_tasks`). Runs after ``kg_comparisons`` and
adds to ``Doc._.kg_relations``, so the learned model's reading of a pair is kept where it has
one.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.proposed import SPANS_KEY as PROPOSED_KEY
from kg.extract.relations import SPANS_KEY
from kg.extract.title_tasks import title_task_statements


@Language.component(
    "kg_title_tasks",
    assigns=["doc._.kg_relations"],
    requires=["token.is_sent_start"],
)
def find_title_tasks(doc: Doc) -> Doc:
    proposed = doc.spans.get(PROPOSED_KEY, [])
    if not len(proposed):
        return doc
    spans = list(doc.spans.get(SPANS_KEY, []))
    relations = list(doc._.kg_relations or [])
    found = title_task_statements(doc, spans, proposed, relations)
    if found:
        doc._.kg_relations = relations + found
    return doc
