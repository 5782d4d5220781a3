"""The global step: entity resolution and topics over every batch, streamed from the checkpoints.

Resolution must see every paper (an acronym or a spelling variant in one batch merges with a
name in another), so it runs once, on the coordinating process, over the records read back from
the checkpoints in batch order: the extraction records are never all in memory together, only
what resolution keeps (surface forms and the entity of each mention). :func:`kg.link.resolve`
blocks its comparisons by key (initials and word count), so the step stays near-linear.

The records are consumed as the batches finish (``paths`` may be a lazy iterable that waits
for the next checkpoint, see :mod:`kg.build.run`): resolution reads each record once, so most
of the step overlaps extraction instead of following it with a core idle.

Each N-Triples part then needs only its slice of the result (:func:`resolution_slice`).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.build.batches import record_lines
from kg.link.resolve import Resolution, ResolvedEntity, resolve
from kg.link.topics import Assignment, TopicLinkRecord, score_paper, topic_links
from kg.rdf.writer import extractors_of
from kg.records import PaperExtraction


@dataclass
class LinkedGraph:
    """The linked records in memory: what tests and notebooks inspect (:func:`link`)."""

    extractions: list[PaperExtraction]
    resolution: Resolution
    assignments: list[Assignment]
    links: list[TopicLinkRecord]


def link(extractions: list[PaperExtraction]) -> LinkedGraph:
    """Resolve entities and score topics over records held in memory (what a build does over
    its checkpoints, :func:`link_checkpoints`, with the same functions)."""
    resolution = resolve(extractions)
    assignments = [
        a for ext in extractions for a in score_paper(ext.paper.local_id, ext.topic_hits)
    ]
    return LinkedGraph(extractions, resolution, assignments, topic_links(assignments))


@dataclass
class GlobalLink:
    resolution: Resolution
    assignments: list[Assignment]
    links: list[TopicLinkRecord]
    #: global index of the first record of each checkpoint, and the number of records in each
    offsets: list[int]
    counts: list[int]
    papers: int
    claims: int
    #: names of the extractors of every mention and claim (the graph-wide part's agents)
    agents: set[str]


class _CheckpointRecords:
    """Re-iterable over the records of the checkpoints, in order (what resolve() iterates).

    The first pass also scores topics per paper, counts claims and (if ``copy_to``) writes the
    records to one JSON Lines file, the store's ``extractions.jsonl``.
    """

    def __init__(self, paths: Iterable[Path], copy_to: Path | None) -> None:
        self.source = paths  # consumed once, lazily (it may wait for batches still running)
        self.paths: list[Path] = []
        self.copy_to = copy_to
        self.first_pass_done = False
        self.assignments: list[Assignment] = []
        self.counts: list[int] = []
        self.claims = 0
        self.agents: set[str] = set()

    def __iter__(self) -> Iterator[PaperExtraction]:
        from kg.store.extractions import from_json

        if self.first_pass_done:
            for path in self.paths:
                for line in record_lines(path):
                    yield from_json(line)
            return
        out = self.copy_to.open("w", encoding="utf-8") if self.copy_to else None
        try:
            for path in self.source:
                self.paths.append(path)
                n = 0
                for line in record_lines(path):
                    ext = from_json(line)
                    if out is not None:
                        out.write(line + "\n")
                    self.assignments.extend(score_paper(ext.paper.local_id, ext.topic_hits))
                    self.claims += len(ext.claims)
                    self.agents |= extractors_of(ext)
                    n += 1
                    yield ext
                self.counts.append(n)
        finally:
            if out is not None:
                out.close()
        self.first_pass_done = True


def link_checkpoints(paths: Iterable[Path], extractions_out: Path | None = None) -> GlobalLink:
    """Resolve entities and score topics over the records of ``paths`` (in this order)."""
    records = _CheckpointRecords(paths, extractions_out)
    resolution = resolve(records)
    if not records.first_pass_done:  # resolve() always iterates; this guards a future change
        for _ in records:
            pass
    offsets, total = [], 0
    for n in records.counts:
        offsets.append(total)
        total += n
    return GlobalLink(
        resolution=resolution,
        assignments=records.assignments,
        links=topic_links(records.assignments),
        offsets=offsets,
        counts=records.counts,
        papers=total,
        claims=records.claims,
        agents=records.agents,
    )


def resolution_slices(link: GlobalLink) -> list[Resolution]:
    """For each checkpoint, the part of the resolution its records need (global indices kept).

    Entities are copied without their forms and papers: a part only needs each entity's type.
    """
    res = link.resolution
    n = len(link.offsets)
    mentions: list[dict] = [{} for _ in range(n)]
    acronyms: list[dict] = [{} for _ in range(n)]
    for target, source in ((mentions, res.mention_entity), (acronyms, res.acronym_entity)):
        for key, entity_id in source.items():
            target[bisect.bisect_right(link.offsets, key[0]) - 1][key] = entity_id
    slices = []
    for k in range(n):
        ids = set(mentions[k].values()) | set(acronyms[k].values())
        entities = {
            i: ResolvedEntity(id=i, label=res.entities[i].label, type=res.entities[i].type)
            for i in sorted(ids)
        }
        slices.append(Resolution(entities, mentions[k], acronyms[k]))
    return slices
