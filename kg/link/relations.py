"""Relations between resolved entities: one edge per (head, relation, tail), with its papers.

``kg_relations`` relates two mentions of one paper; after entity resolution both ends are
entities of the whole graph, so the same relation read in many papers becomes one edge whose
support (the number of papers) a query can rank by. Symmetric relations (``comparedWith``,
``conjunction``) have one edge for both directions: its ends are ordered by entity id. A
relation whose two ends resolve to the same entity ("BERT ... BERT") is no edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kg.vocab import SYMMETRIC_RELATIONS

EdgeKey = tuple[str, str, str]  # (head entity id, relation, tail entity id)
#: (extraction index, head mention, tail mention, relation, paper local id)
PendingRelation = tuple[int, int, int, str, str]


def edge_key(head: str, relation: str, tail: str) -> EdgeKey | None:
    """The edge of a relation between entities ``head`` and ``tail``; None for a self-loop."""
    if head == tail:
        return None
    if relation in SYMMETRIC_RELATIONS and tail < head:
        head, tail = tail, head
    return head, relation, tail


def relation_support(
    pending: Iterable[PendingRelation], mention_entity: Mapping[tuple[int, int], str]
) -> dict[EdgeKey, set[str]]:
    """Edge -> the papers it was read from, given every mention's entity."""
    support: dict[EdgeKey, set[str]] = {}
    for i, head, tail, relation, paper in pending:
        h, t = mention_entity.get((i, head)), mention_entity.get((i, tail))
        if h is None or t is None:
            continue
        key = edge_key(h, relation, t)
        if key is not None:
            support.setdefault(key, set()).add(paper)
    return support
