"""Entity resolution: one node per real-world entity across papers, with the reason for each merge.

Rules, in the order they may merge two surface forms (each recorded for ``kg explain``):

* ``normalized`` - same key after folding case, hyphens and plurals (``surface_key``);
* ``alias-table`` - listed as aliases of one term in ``kg/data/terms.tsv``;
* ``fuzzy`` - spelling variants of multi-word long forms, only inside a block of forms with the
  same initials and word count, with a high rapidfuzz ratio, and never across digits;
* ``acronym`` - a short form defined in a paper ("Mixture-of-Experts (MoE)") means its long form in
  that paper (scoped); it merges globally only when one meaning dominates its definitions, so
  "CoE" = Chain-of-Experts in one paper and Composition of Experts in another stay apart.

Look-alike names (LoRA/MixLoRA, GPT-4/GPT-4o, RAG/RAG+) have different keys and are never fuzzy
candidates (they are single tokens or carry digits), so nothing merges them.
Cost is linear in mentions plus the (small) fuzzy blocks: no all-pairs comparison.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from kg.extract.records import PaperExtraction
from kg.extract.terms import load_terms
from kg.link.normalize import digits, initials, is_acronym, surface_key
from kg.records import short_hash, slugify

FUZZY_THRESHOLD = 92.0
#: An acronym merges globally with its long form when at least this share of definitions agree.
ACRONYM_MAJORITY = 0.5
#: Type preference when mentions disagree and counts tie.
TYPE_ORDER = ("Dataset", "Model", "Method", "Task", "Metric", "Concept")


@dataclass
class Reason:
    rule: str
    score: float
    detail: str


@dataclass
class ResolvedEntity:
    id: str
    label: str
    type: str
    #: every surface form exactly as written -> why it belongs to this entity
    forms: dict[str, Reason] = field(default_factory=dict)
    papers: set[str] = field(default_factory=set)


@dataclass
class Resolution:
    entities: dict[str, ResolvedEntity]
    #: (extraction index, mention index) -> entity id
    mention_entity: dict[tuple[int, int], str]
    #: (extraction index, acronym index) -> entity id
    acronym_entity: dict[tuple[int, int], str]


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.reason: dict[str, Reason] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str, reason: Reason) -> None:
        """Join b's cluster to a's, remembering why b joined."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        self.reason.setdefault(b, reason)
        self.parent[max(ra, rb)] = min(ra, rb)


def _scoped_definitions(ext: PaperExtraction) -> dict[str, str]:
    """Short-form key -> long form, as defined in this paper."""
    return {surface_key(a.short): a.long for a in ext.acronyms}


def _node_of(text: str, scoped: dict[str, str]) -> str:
    key = surface_key(text)
    if key in scoped and is_acronym(text):
        return surface_key(scoped[key])
    return key


def resolve(extractions: Sequence[PaperExtraction]) -> Resolution:
    uf = _UnionFind()
    forms_of: dict[str, Counter[str]] = defaultdict(Counter)  # node -> surface forms
    labels_of: dict[str, Counter[str]] = defaultdict(Counter)
    papers_of: dict[str, set[str]] = defaultdict(set)
    mention_node: dict[tuple[int, int], str] = {}
    acronym_node: dict[tuple[int, int], str] = {}
    scoped_forms: dict[str, dict[str, str]] = defaultdict(dict)  # node -> form -> paper

    for i, ext in enumerate(extractions):
        scoped = _scoped_definitions(ext)
        pid = ext.paper.local_id
        for j, m in enumerate(ext.mentions):
            node = _node_of(m.text, scoped)
            uf.find(node)
            mention_node[(i, j)] = node
            forms_of[node][m.text] += 2 if m.field == "abstract" else 1
            labels_of[node][m.label] += 1
            papers_of[node].add(pid)
            if node != surface_key(m.text):
                scoped_forms[node].setdefault(m.text, pid)
        for j, a in enumerate(ext.acronyms):
            acronym_node[(i, j)] = surface_key(a.long)
            uf.find(surface_key(a.long))

    # alias table
    term_of_key: dict[str, str] = {}
    term_label: dict[str, str] = {}
    for term in load_terms():
        canon = surface_key(term.canonical)
        term_of_key.setdefault(canon, term.canonical)
        term_label[canon] = term.label
        for alias in term.aliases:
            key = surface_key(alias)
            if key in uf.parent and key != canon:
                uf.union(canon, key, Reason("alias-table", 1.0, f"alias of '{term.canonical}'"))
                term_of_key.setdefault(key, term.canonical)

    # fuzzy spelling variants of long forms, blocked by initials and word count
    blocks: dict[tuple[str, int], list[str]] = defaultdict(list)
    for key in sorted(uf.parent):
        words = key.split()
        if len(words) >= 2 and not digits(key) and "+" not in key:
            blocks[(initials(key), len(words))].append(key)
    for block in blocks.values():
        if len(block) < 2 or len(block) > 200:
            continue
        for x in range(len(block)):
            for y in range(x + 1, len(block)):
                a, b = block[x], block[y]
                score = fuzz.ratio(a, b)
                if score >= FUZZY_THRESHOLD and uf.find(a) != uf.find(b):
                    uf.union(
                        a, b, Reason("fuzzy", round(score / 100, 3), f"spelling variant of '{a}'")
                    )

    # acronyms: global merge only where one meaning dominates
    meanings: dict[str, Counter[str]] = defaultdict(Counter)
    for ext in extractions:
        for a in ext.acronyms:
            meanings[surface_key(a.short)][uf.find(surface_key(a.long))] += 1
    for short_key, counter in sorted(meanings.items()):
        if short_key not in uf.parent:
            continue
        (root, n), total = counter.most_common(1)[0], sum(counter.values())
        tied = len(counter) > 1 and counter.most_common(2)[1][1] == n
        if n / total > ACRONYM_MAJORITY and not tied and uf.find(short_key) != root:
            detail = f"defined as '{root}' in {n} of {total} definitions"
            uf.union(root, short_key, Reason("acronym", round(n / total, 3), detail))

    # clusters -> entities
    clusters: dict[str, list[str]] = defaultdict(list)
    for node in uf.parent:
        clusters[uf.find(node)].append(node)
    entities: dict[str, ResolvedEntity] = {}
    entity_of_root: dict[str, str] = {}
    taken: set[str] = set()
    for root in sorted(clusters):
        members = sorted(clusters[root])
        forms: Counter[str] = Counter()
        labels: Counter[str] = Counter()
        papers: set[str] = set()
        for node in members:
            forms.update(forms_of[node])
            labels.update(labels_of[node])
            papers |= papers_of[node]
        if not forms:
            continue  # only alias-table or definition nodes, never mentioned
        label = _canonical_label(members, forms, term_of_key)
        etype = next((term_label[n] for n in members if n in term_label), None) or _majority(labels)
        slug = slugify(label, 60)
        if slug in taken:
            slug = f"{slug}-{short_hash(' '.join(members), 6)}"
        taken.add(slug)
        entity = ResolvedEntity(id=slug, label=label, type=etype, papers=papers)
        label_key = surface_key(label)
        for form in sorted(forms):
            key = surface_key(form)
            node = next((n for n in members if form in forms_of[n]), key)
            if form == label:
                reason = Reason("canonical", 1.0, "canonical label")
            elif key == label_key:
                reason = Reason("normalized", 1.0, "same name up to case, hyphens and plural")
            elif key in uf.reason:
                reason = uf.reason[key]
            elif form in scoped_forms.get(node, {}):
                paper = scoped_forms[node][form]
                reason = Reason("acronym", 1.0, f"defined as '{label}' in paper {paper}")
            else:
                reason = uf.reason.get(node) or Reason("normalized", 1.0, "")
            entity.forms[form] = reason
        entities[slug] = entity
        entity_of_root[root] = slug

    mention_entity = {k: entity_of_root[uf.find(n)] for k, n in mention_node.items()}
    acronym_entity = {
        k: entity_of_root[uf.find(n)]
        for k, n in acronym_node.items()
        if uf.find(n) in entity_of_root
    }
    return Resolution(entities, mention_entity, acronym_entity)


def _majority(labels: Counter[str]) -> str:
    best = max(labels.values())
    return next(t for t in TYPE_ORDER if labels.get(t) == best)


def _canonical_label(members: list[str], forms: Counter[str], term_of_key: dict[str, str]) -> str:
    """The most informative name: the curated canonical name, else the most used long form."""
    for node in members:
        if node in term_of_key:
            return term_of_key[node]
    long_forms = [f for f in forms if not is_acronym(f)]
    pool = long_forms or list(forms)
    return max(pool, key=lambda f: (forms[f], len(f), f.islower(), f))
