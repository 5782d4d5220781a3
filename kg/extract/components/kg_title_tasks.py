"""``kg_title_tasks``: "CONTRIBUTION used for TASK" where the title opens with the paper's own
method and says what it is for ("AdaptSim: Task-Driven Simulation Adaptation for Sim-to-Real
Transfer"; the rule and why: :mod:`kg.extract.title_tasks`). Runs after ``kg_comparisons`` and
adds to ``Doc._.kg_relations``, so the learned model's reading of a pair is kept where it has
one.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.contribution_mentions import add_relations
from kg.extract.title_tasks import title_task_statements


@Language.component(
    "kg_title_tasks",
    assigns=["doc._.kg_relations"],
    requires=["token.is_sent_start"],
)
def find_title_tasks(doc: Doc) -> Doc:
    return add_relations(doc, title_task_statements)
