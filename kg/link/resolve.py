"""Entity resolution: one node per real-world entity across papers, with the reason for each merge.

Rules, in the order they may merge two surface forms (each recorded for ``kg explain``):

* ``normalized`` - same key after folding case, hyphens and plurals (``surface_key``), or keys
  that differ only in spacing: "CIFAR10"/"CIFAR-10", "MSCOCO"/"MS COCO", a word broken at a
  line end ("lan- guage model"); not where a lone letter is a symbol ("A_i" is not AI), nor a
  name a paper coins against a lower-case phrase ("ImageCoDe"/"image codes");
* ``alias-table`` - listed as aliases of one term in ``kg/data/terms.tsv``; an exact-case
  single-token alias ("mAP", "API") routes the mentions written exactly so, and joins its key
  only if the papers' own definitions of the key do not mostly mean something else ("MAP" is
  maximum a posteriori, "mAP" mean average precision);
* ``fuzzy`` - spelling variants of multi-word long forms, only inside a block of forms with the
  same initials and word count, with a high rapidfuzz ratio, never across digits, and only if
  every word that differs is itself a variant ("Marlcov"/"Markov", "nets"/"networks"; not
  "deep"/"dense", "GP"/"GPU"): one word starts the other, or is a rare misspelling of it, its
  British spelling or one letter from it in a long word; two frequent close words are two
  words (online/offline, concave/convex), and a word is never its negation (with/without);
* ``acronym`` - a short form defined in a paper ("Mixture-of-Experts (MoE)") means its long form in
  that paper (scoped); it merges globally only when one meaning dominates its definitions, so
  "CoE" = Chain-of-Experts in one paper and Composition of Experts in another stay apart, and
  only when the papers that do not define it mostly write it as a short form: an acronym that
  spells a word ("NODE", "CLEAN") leaves the word ("nodes", "clean") alone; when it does
  merge, only the forms of its key written as short forms move: a word written in another
  paper ("maps", "we", "base") stays the word's entity; and never for a
  name of the curated term table, whose meaning is fixed there (one paper's "BART (Bayesian
  additive regression trees)" must not rename BART, the language model, in every other paper;
  the table lists the standard expansions as aliases); an acronym-shaped name a paper
  proposes without defining it ("MOKA: ...") does not move with its key to another paper's
  rare long form (fewer than 3 corpus definitions), only to an established one ("NTK");
* ``acronym-variant`` - paper-scoped: a paper that proposes a name and defines its acronym
  ("Chain-of-Noting (CoN)") may write the name differently elsewhere (title "Chain-of-Note").
  Two forms of ONE paper are one entity when both fit the acronym the paper defines for one of
  them, have the same words except the last, and the last words differ only by an inflection
  (note/noting, model/modeling); one of the three must be the paper's proposed contribution,
  so generic terms ("linear program" / "linear programming") are never merged on this evidence.

Look-alike names (LoRA/MixLoRA, GPT-4/GPT-4o, RAG/RAG+) have different keys and are never fuzzy
candidates (they are single tokens or carry digits), so nothing merges them.
Cost is linear in mentions plus the (small) fuzzy blocks: no all-pairs comparison.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from kg.lexicon.normalize import acronym_singular, digits, initials, is_acronym
from kg.lexicon.normalize import surface_key as _surface_key
from kg.lexicon.terms import Term, is_case_sensitive, load_terms
from kg.lexicon.words import (
    ESTABLISHED_DEFINITIONS,
    shipped_defined_counts,
    shipped_word_stats,
)
from kg.link.casing import plain_casing
from kg.link.model_names import sized_model_type
from kg.link.relations import relation_support
from kg.records import PaperExtraction, short_hash, slugify

FUZZY_THRESHOLD = 92.0
#: Suffix of the node that holds a key's single-word forms ("maps", "Clean") apart from its
#: short forms ("MAP", "CLEAN") until the acronym merge; sorts after the key, which stays root.
WORD_NODE = "\x7fword"
#: Infix of the node of an acronym-shaped name a paper proposes without defining it ("MOKA:
#: ..."): kept apart from the key until the acronym merge, and left apart when another paper's
#: definition claims the key (the proposer's MOKA is not the other paper's "Mixture of
#: Kronecker Product Adaptation"); ``key + OWN_NODE + paper``.
OWN_NODE = "\x7fown:"
#: Extractor name of term-table matches (``kg_gazetteer``), whose type is the table's.
GAZETTEER = "kg_gazetteer"
#: Each word that differs between two fuzzy candidates must itself be this similar: a
#: misspelling ("Marlcov") is, another word ("dense"/"deep", "group"/"graph") is not.
FUZZY_WORD_THRESHOLD = 70.0
#: An acronym merges globally with its long form when at least this share of definitions agree.
ACRONYM_MAJORITY = 0.5
#: Inflectional endings folded on the last word by the ``acronym-variant`` rule (longest first).
INFLECTIONS = ("ings", "ing", "ed", "es", "e", "s")
#: Type preference when mentions disagree and counts tie.
TYPE_ORDER = ("Dataset", "Model", "Method", "Task", "Metric", "Concept")
#: Words before "search" that make it a named search algorithm, a Method: "Monte Carlo tree
#: search", "beam search", "local search" (extraction types a defined long form by its head
#: word, and "search" is a task head: "neural architecture search", "web search").
SEARCH_ALGORITHMS = frozenset(
    "tree beam local random grid greedy heuristic evolutionary binary exhaustive best-first "
    "breadth-first depth-first guided stochastic line tabu cuckoo harmony bayesian a* "
    "bidirectional iterative anytime".split()
)


def readable(text: str) -> str:
    """``text`` in compatibility form (NFKC): a name set in Unicode math letters or with a PDF
    ligature ("𝐅𝐥𝐚𝐬𝐡𝐌𝐨𝐄", "eﬃcient") reads, sorts and merges as the letters it shows
    ("FlashMoE", "efficient"); ASCII is returned as it is."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def surface_key(text: str) -> str:
    """:func:`kg.lexicon.normalize.surface_key` of the :func:`readable` form."""
    return _surface_key(readable(text))


@dataclass
class Reason:
    rule: str
    score: float
    detail: str


#: Why two forms with one key are one entity.
NORMALIZED = Reason("normalized", 1.0, "same name up to case, hyphens and plural")
#: Why two keys that differ only in spacing are one entity (a line-break hyphen "lan- guage",
#: "CIFAR10"/"CIFAR-10", "data set"/"dataset").
SPACING = Reason("normalized", 1.0, "same name up to spacing, hyphens, case and plural")


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
    #: entity -> entity edges (kg.link.relations) -> the papers they were read from
    relations: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)


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


def _word_variants(a: str, b: str) -> bool:
    """Keys of equal word count whose differing words are spelling variants of each other:
    "dense convolutional network" and "deep convolutional network" are two things, however
    close the whole strings are."""
    return all(
        x == y
        or _same_stem(x, y)
        # short words are names or acronyms: "ai"/"api", "face"/"fact" differ by one letter
        or (
            min(len(x), len(y)) >= 5
            and fuzz.ratio(x, y) >= FUZZY_WORD_THRESHOLD
            and _misspelt_or_british(x, y)
        )
        for x, y in zip(a.split(), b.split(), strict=True)
    )


#: A word the corpus uses this rarely (abstracts, of 25,000) next to a close frequent one is
#: a misspelling of it ("forgeting", "heirarchical"); two frequent words are two words
MISSPELLING_DF = 5
_BRITISH = (
    (re.compile(r"is(ation|e|ed|es|ing|er|ers)$"), r"iz\1"),
    (re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"ll(ed|ing|er)$"), r"l\1"),
)


def _american(word: str) -> str:
    for pattern, repl in _BRITISH:
        word = pattern.sub(repl, word)
    return word.replace("our", "or")


def _misspelt_or_british(x: str, y: str) -> bool:
    """Whether two close words are one word: a rare misspelling, or British and American
    spelling ("optimisation", "modelling"). Frequent close words are different words, and
    merged they joined opposites on an eval-split build: online/offline, concave/convex,
    maximum/minimum, iterative/interactive, robot/robust, qualitative/quantitative."""
    if _american(x) == _american(y):
        return True
    # one letter apart in a long word: "decent"/"descent", "reparametrization" (short words
    # one letter apart are other words: "stage"/"state", "slide"/"slice")
    if min(len(x), len(y)) >= 6 and Levenshtein.distance(x, y) == 1:
        return True
    df = shipped_word_stats()
    return min(df.get(x, (0,))[0], df.get(y, (0,))[0]) <= MISSPELLING_DF


def _same_stem(x: str, y: str) -> bool:
    """One word starts the other ("net"/"networks"), or they share a stem of at least five
    letters that is most of the shorter word ("augmented"/"augmentation", "sampler"/"sampling");
    not a word and its negation ("with"/"without", "parameter"/"parameterless")."""
    shorter = min(len(x), len(y))
    if x + "s" == y or y + "s" == x:  # "speed ups" (surface keys fold most plurals already)
        return True
    short, long = sorted((x, y), key=len)
    if long in (short + "out", short + "less"):
        return False
    if shorter >= 3 and (x.startswith(y) or y.startswith(x)):
        return True
    common = len(os.path.commonprefix([x, y]))
    return common >= 5 and common >= 0.7 * shorter


def _scoped_definitions(ext: PaperExtraction) -> dict[str, str]:
    """Short-form key -> long form, as defined in this paper."""
    return {surface_key(a.short): a.long for a in ext.acronyms}


def _stem(word: str) -> str:
    """Fold an inflectional ending: note/notes/noting -> "not", planning -> "plan"."""
    for suffix in INFLECTIONS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # a doubled consonant before -ing/-ed: plann(ing), embedd(ing)
    return word


def _fits_acronym(short: str, key: str) -> bool:
    """Whether the letters of ``short`` (a key: "RALMs" -> "ralm") occur in order in ``key``, the
    first one starting a word (Schwartz-Hearst, right to left): "con" fits "chain of noting".
    """
    letters = [c for c in short.lower() if c.isalnum()]
    i = len(key) - 1
    for n in range(len(letters) - 1, -1, -1):
        while i >= 0 and (key[i] != letters[n] or (n == 0 and i > 0 and key[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return False
        i -= 1
    return bool(letters)


def _inflection_variant(a: str, b: str) -> bool:
    """Two keys with the same words except the last, which differ only by an inflection."""
    wa, wb = a.split(), b.split()
    if len(wa) < 2 or len(wa) != len(wb) or wa[:-1] != wb[:-1] or wa[-1] == wb[-1]:
        return False
    if digits(a) or digits(b) or "+" in a or "+" in b:
        return False  # version numbers and composed names are other entities
    return _stem(wa[-1]) == _stem(wb[-1])


def _acronym_variants(ext: PaperExtraction) -> list[tuple[str, str, Reason]]:
    """(defined long-form key, variant key, reason) pairs of one paper (``acronym-variant``)."""
    if not ext.acronyms:
        return []
    proposed = {surface_key(m.text) for m in ext.mentions if m.relation == "proposes"}
    keys = {surface_key(m.text) for m in ext.mentions if not is_acronym(m.text)}
    keys |= {surface_key(a.long) for a in ext.acronyms}
    out = []
    for a in ext.acronyms:
        long_key, short_key = surface_key(a.long), surface_key(a.short)
        if not _fits_acronym(short_key, long_key):
            continue
        for key in sorted(keys):
            if not _inflection_variant(long_key, key) or not _fits_acronym(short_key, key):
                continue
            if not proposed & {short_key, long_key, key}:
                continue
            detail = (
                f"'{a.long}' up to the inflection of its last word, both fitting '{a.short}'"
                f" in paper {ext.paper.local_id}"
            )
            score = round(fuzz.ratio(long_key, key) / 100, 3)
            out.append((long_key, key, Reason("acronym-variant", score, detail)))
    return out


def _exact_alias_terms() -> dict[str, Term]:
    """Exact-case aliases of the curated table -> their term. They are routed by their exact
    spelling, not by key: "mAP" is mean average precision and "MAP" (same key) is usually
    maximum a posteriori; "EM" is exact match, "em" no acronym."""
    out: dict[str, Term] = {}
    for term in load_terms():
        for alias in term.aliases:
            if term.curated and is_case_sensitive(alias) and " " not in alias:
                out.setdefault(alias, term)
    return out


def _routed_to(text: str, label: str, aliases: dict[str, Term]) -> str | None:
    """The curated term an exact-case alias mention is routed to, if its type agrees: "EM
    algorithm" (a Method, :mod:`kg.extract.components.kg_entities`) is not exact match, and
    sent there it made 62 eval-split papers of the EM algorithm "use the metric"."""
    term = aliases.get(text) or aliases.get(acronym_singular(text))
    return term.canonical if term is not None and term.label == label else None


def _dominant_meanings(definitions: list[tuple[str, str]]) -> dict[str, str]:
    """Short-form key -> the long-form key most of its definitions give."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for short_key, long_key in definitions:
        counts[short_key][long_key] += 1
    return {short: c.most_common(1)[0][0] for short, c in counts.items()}


def _node_of(text: str, scoped: dict[str, str]) -> str:
    key = surface_key(text)
    if key in scoped and is_acronym(text):
        return surface_key(scoped[key])
    return key


@dataclass
class _Reading:
    """What one pass over the extractions collects: the nodes mentions start on, and the
    evidence (forms, labels, definitions) the merge passes and the entity pass read."""

    #: "mAP" -> "mean average precision": exact-case aliases of the curated table
    exact_aliases: dict[str, Term]
    forms_of: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    labels_of: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    papers_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    mention_node: dict[tuple[int, int], str] = field(default_factory=dict)
    acronym_node: dict[tuple[int, int], str] = field(default_factory=dict)
    #: node -> form -> paper
    scoped_forms: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    #: node -> forms in papers that do not define it
    undefined_forms: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    #: paper-scoped acronym variants
    variants: list[tuple[str, str, Reason]] = field(default_factory=list)
    #: key -> node of its single-word forms ("maps", "Clean")
    word_nodes: dict[str, str] = field(default_factory=dict)
    #: key -> paper -> node of the acronym-shaped name the paper proposes without defining it
    own_nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    #: term-table types, routed
    routed_labels: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    #: node -> exact alias -> term
    aliased_forms: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    #: keys of names some paper proposes
    proposed_keys: set[str] = field(default_factory=set)
    #: (short key, long key) of every acronym definition
    definitions: list[tuple[str, str]] = field(default_factory=list)
    #: long key -> the short forms defined for it, as written ("KOALA"): for the label's casing
    short_forms: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: (extraction index, head mention, tail mention, relation, paper) for kg.link.relations
    pending_relations: list[tuple[int, int, int, str, str]] = field(default_factory=list)


@dataclass
class _Terms:
    """What the alias-table pass learns from the curated term table."""

    term_of_key: dict[str, str] = field(default_factory=dict)
    term_label: dict[str, str] = field(default_factory=dict)
    #: names whose meaning the curated table fixes
    curated_keys: set[str] = field(default_factory=set)


def resolve(extractions: Iterable[PaperExtraction]) -> Resolution:
    """Resolve the mentions of ``extractions`` into entities, reading them once (at scale
    they are streamed from checkpoints, and parsing them again cost a fifth of the step).

    The merge passes run in the order of the module docstring's rules; each may only join
    clusters, so a later pass sees the earlier ones' merges.
    """
    uf = _UnionFind()
    seen = _read_mentions(extractions, uf)
    _merge_spacing_variants(uf, seen)
    terms = _merge_alias_table(uf, seen)
    _merge_fuzzy_variants(uf)
    _merge_acronym_variants(uf, seen.variants)
    _merge_acronyms(uf, seen, terms.curated_keys)
    entities, entity_of_root = _entities(uf, seen, terms)

    mention_entity = {k: entity_of_root[uf.find(n)] for k, n in seen.mention_node.items()}
    acronym_entity = {
        k: entity_of_root[uf.find(n)]
        for k, n in seen.acronym_node.items()
        if uf.find(n) in entity_of_root
    }
    relations = relation_support(seen.pending_relations, mention_entity)
    return Resolution(entities, mention_entity, acronym_entity, relations)


def _read_mentions(extractions: Iterable[PaperExtraction], uf: _UnionFind) -> _Reading:
    """Put every mention on its starting node (its key, its paper's long form for a defined
    acronym, the term of an exact-case alias of the mention's type, its key's word node, or the
    paper's own node of a name it proposes) and collect the evidence."""
    seen = _Reading(exact_aliases=_exact_alias_terms())
    for i, ext in enumerate(extractions):
        scoped = _scoped_definitions(ext)
        pid = ext.paper.local_id
        seen.pending_relations.extend((i, r.head, r.tail, r.relation, pid) for r in ext.relations)
        for j, m in enumerate(ext.mentions):
            key = surface_key(m.text)
            node = _node_of(m.text, scoped)
            if node == key and (term := _routed_to(m.text, m.label, seen.exact_aliases)):
                node = surface_key(term)  # "mAP": mean average precision, not MAP's entity
                seen.aliased_forms[node].setdefault(m.text, term)
                m_label = m.label
            elif node != key:
                seen.scoped_forms[node].setdefault(m.text, pid)
                if m.extractor == GAZETTEER:  # its type is the table's other meaning of it
                    seen.routed_labels[node][m.label] += 1
                    m_label = None
                else:
                    m_label = m.label
            else:
                m_label = m.label
                # how papers that do not define it write the key; a word there ("maps", "we")
                # is kept apart until the acronyms merge (a defining paper's "Glider" is the name)
                if key not in scoped:
                    seen.undefined_forms[key][m.text] += 1
                    if m.relation == "proposes" and is_acronym(m.text):
                        uf.find(key)
                        node = seen.own_nodes.setdefault(key, {}).setdefault(
                            pid, f"{key}{OWN_NODE}{pid}"
                        )
                    elif _written_as_word(m.text):
                        uf.find(key)
                        node = seen.word_nodes.setdefault(key, key + WORD_NODE)
            uf.find(node)
            seen.mention_node[(i, j)] = node
            seen.forms_of[node][m.text] += 2 if m.field == "abstract" else 1
            if m_label is not None:
                seen.labels_of[node][m_label] += 1
            seen.papers_of[node].add(pid)
            if m.relation == "proposes":
                seen.proposed_keys.add(key)
        for j, a in enumerate(ext.acronyms):
            long_key = surface_key(a.long)
            seen.acronym_node[(i, j)] = long_key
            uf.find(long_key)
            seen.definitions.append((surface_key(a.short), long_key))
            seen.short_forms[long_key].add(a.short)
        seen.variants += _acronym_variants(ext)
    return seen


def _merge_spacing_variants(uf: _UnionFind, seen: _Reading) -> None:
    """Spacing variants: "CIFAR10"/"CIFAR-10", "MSCOCO"/"MS COCO", "pretraining"/"pre-training"."""
    by_compact: dict[str, str] = {}
    for key in sorted(uf.parent):
        if (
            key.endswith(WORD_NODE)
            or OWN_NODE in key
            or any(len(w) == 1 and w.isalpha() for w in key.split())
        ):
            continue  # a lone letter is a symbol: "A_i" is not AI, "rules R" not RULER
        first = by_compact.setdefault(key.replace(" ", ""), key)
        if first != key and not _coined_against_phrase(
            first, key, seen.forms_of, seen.proposed_keys
        ):
            uf.union(first, key, SPACING)
            uf.reason.setdefault(first, SPACING)  # either side may end up the label


def _merge_alias_table(uf: _UnionFind, seen: _Reading) -> _Terms:
    """Alias table: join the keys of each term's aliases to its canonical name."""
    terms = _Terms()
    dominant = _dominant_meanings(seen.definitions)
    for term in load_terms():
        canon = surface_key(term.canonical)
        term_keys = {surface_key(form) for form in term.forms}
        # an exact-case alias whose key the papers define as something else ("mAP"; "MAP" is
        # maximum a posteriori) keeps only its own spelling (routed above), not its key
        other_meaning = {
            surface_key(a)
            for a in term.aliases
            if a in seen.exact_aliases and dominant.get(surface_key(a), canon) not in term_keys
        }
        keys = {canon} | ({surface_key(a) for a in term.aliases} - other_meaning)
        if term.curated:
            terms.curated_keys.update(keys)
        terms.term_of_key.setdefault(canon, term.canonical)
        terms.term_label[canon] = term.label
        for key in sorted(keys):
            if key in uf.parent and key != canon:
                uf.union(canon, key, Reason("alias-table", 1.0, f"alias of '{term.canonical}'"))
                terms.term_of_key.setdefault(key, term.canonical)
    return terms


def _merge_fuzzy_variants(uf: _UnionFind) -> None:
    """Fuzzy spelling variants of long forms, blocked by initials and word count."""
    blocks: dict[tuple[str, int], list[str]] = defaultdict(list)
    for key in sorted(uf.parent):
        words = key.split()
        if len(words) >= 2 and not digits(key) and "+" not in key and OWN_NODE not in key:
            blocks[(initials(key), len(words))].append(key)
    for block in blocks.values():
        if len(block) < 2 or len(block) > 200:
            continue
        for x in range(len(block)):
            for y in range(x + 1, len(block)):
                a, b = block[x], block[y]
                score = fuzz.ratio(a, b)
                if score >= FUZZY_THRESHOLD and uf.find(a) != uf.find(b) and _word_variants(a, b):
                    score = round(score / 100, 3)
                    uf.union(a, b, Reason("fuzzy", score, f"spelling variant of '{a}'"))
                    # either side may end up the label: the other must say why it was merged
                    uf.reason.setdefault(a, Reason("fuzzy", score, f"spelling variant of '{b}'"))


def _merge_acronym_variants(uf: _UnionFind, variants: list[tuple[str, str, Reason]]) -> None:
    """Paper-scoped variants of a defined long form (title "Chain-of-Note", "Chain-of-Noting
    (CoN)")."""
    for long_key, key, reason in variants:
        if uf.find(long_key) != uf.find(key):
            uf.union(long_key, key, reason)
            uf.reason.setdefault(long_key, reason)  # explains the long form if it is not the label


def _merge_acronyms(uf: _UnionFind, seen: _Reading, curated_keys: set[str]) -> None:
    """Acronyms: a global merge only where one meaning dominates; then every word node that no
    acronym claimed rejoins its key, and every paper's own node of a proposed name too, unless
    its key went to a rare long form."""
    meanings: dict[str, Counter[str]] = defaultdict(Counter)
    #: how the definitions of each meaning write it: the reason quotes the commonest, not the
    #: cluster's root ("stochastic gradient decent" was quoted for SGD's 56 definitions)
    written: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    claimed: set[str] = set()  # short keys whose proposers keep their own entity
    for short_key, long_key in seen.definitions:
        root = uf.find(long_key)
        meanings[short_key][root] += 1
        written[(short_key, root)][long_key] += 1
    for short_key, counter in sorted(meanings.items()):
        if short_key not in uf.parent:
            continue
        (root, n), total = counter.most_common(1)[0], sum(counter.values())
        tied = len(counter) > 1 and counter.most_common(2)[1][1] == n
        if (
            n / total > ACRONYM_MAJORITY
            and not tied
            and uf.find(short_key) != root
            and _mostly_acronym(seen.undefined_forms[short_key])
            and short_key not in curated_keys
        ):
            long_form = written[(short_key, root)].most_common(1)[0][0]
            detail = f"defined as '{long_form}' in {n} of {total} definitions"
            uf.union(root, short_key, Reason("acronym", round(n / total, 3), detail))
            seen.word_nodes.pop(short_key, None)  # the word ("maps", "we") is not the acronym
            # a paper that proposes the short form without defining it names its own thing,
            # unless the long form is an established term ("WGAN", "NTK": it means that)
            if shipped_defined_counts().get(long_form, 0) < ESTABLISHED_DEFINITIONS:
                claimed.add(short_key)
    for key, node in seen.word_nodes.items():  # everywhere else the word is its key's entity
        uf.union(key, node, NORMALIZED)
    for key, nodes in seen.own_nodes.items():  # a proposed name is its key's, unless the
        if key in claimed:  # key went to a rare long form: then the proposer's own entity
            continue
        for node in nodes.values():
            uf.union(key, node, NORMALIZED)


def _entities(
    uf: _UnionFind, seen: _Reading, terms: _Terms
) -> tuple[dict[str, ResolvedEntity], dict[str, str]]:
    """Clusters -> entities: (entities by id, entity id of each cluster root)."""
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
            forms.update(seen.forms_of[node])
            labels.update(seen.labels_of[node])
            papers |= seen.papers_of[node]
        if not forms:
            continue  # only alias-table or definition nodes, never mentioned
        label = readable(_canonical_label(members, forms, terms.term_of_key))
        # "KnOwledge-Aware proceduraL text understAnding" (KOALA) reads in plain casing; the
        # form as written stays one of the entity's forms
        label = plain_casing(label, {s for n in members for s in seen.short_forms.get(n, ())})
        etype = next((terms.term_label[n] for n in members if n in terms.term_label), None)
        if etype is None:
            if not labels:  # only routed term-table matches: their type is better than none
                for node in members:
                    labels.update(seen.routed_labels.get(node, ()))
            etype = _majority(labels)
            # the recognizer has no Model type (SciERC's scheme): "Qwen2.5-3B" came as a Method
            etype = sized_model_type(label, etype)
        etype = _named_algorithm_type(label, etype)
        slug = slugify(label, 60)
        if slug in taken:
            slug = f"{slug}-{short_hash(' '.join(members), 6)}"
        taken.add(slug)
        entity = ResolvedEntity(id=slug, label=label, type=etype, papers=papers)
        for form in sorted(forms):
            entity.forms[form] = _form_reason(form, label, root, members, uf, seen)
        entities[slug] = entity
        entity_of_root[root] = slug
    return entities, entity_of_root


def _form_reason(
    form: str, label: str, root: str, members: list[str], uf: _UnionFind, seen: _Reading
) -> Reason:
    """Why ``form`` belongs to the entity labelled ``label`` (what ``kg explain`` shows)."""
    key = surface_key(form)
    node = next((n for n in members if form in seen.forms_of[n]), key)
    if form == label:
        return Reason("canonical", 1.0, "canonical label")
    if key == surface_key(label):
        return NORMALIZED
    if key in uf.reason and uf.find(key) == root:
        return uf.reason[key]
    if form in seen.scoped_forms.get(node, {}):
        paper = seen.scoped_forms[node][form]
        return Reason("acronym", 1.0, f"defined as '{label}' in paper {paper}")
    if form in seen.aliased_forms.get(node, {}):
        return Reason("alias-table", 1.0, f"alias of '{seen.aliased_forms[node][form]}'")
    if key in uf.reason:
        return uf.reason[key]
    return uf.reason.get(node) or Reason("normalized", 1.0, "")


def _mostly_acronym(forms: Counter[str]) -> bool:
    """Whether a node's mentions are mostly written as a short form ("MoE", "FedAvg"), not as an
    ordinary word ("nodes", "Clean").

    Acronyms that spell a word ("NODE", "CLEAN", "LATTICE") share their key with that word, and
    most mentions of "node" are graph nodes, not Neural ODEs: merging the key with the
    acronym's long form would relabel every one of them. Those mentions keep the word's node;
    in the papers that define the acronym its mentions still resolve to the long form (scoped).
    Called on the forms of papers that do not define the short form (a defining paper's title
    "Glider" beside "GLIDER (Global and Local ...)" is the name, not a word). A node with no
    mentions may merge."""
    total = sum(forms.values())
    words = sum(n for form, n in forms.items() if _written_as_word(form))
    return words * 2 <= total


def _coined_against_phrase(
    a: str, b: str, forms_of: dict[str, Counter[str]], proposed: set[str]
) -> bool:
    """One key is a name a paper coins ("ConceptVectors", "ImageCoDe": proposed, camel-cased)
    and the other only a phrase in lower case ("concept vectors", "image codes"): the same
    letters, two things. Names nobody proposes ("GridWorld", "SoftMax") stay spelling variants.
    """
    for coined, phrase in ((a, b), (b, a)):
        if (
            coined in proposed
            and any(_camel_hump(f) and " " not in f for f in forms_of[coined])
            and all(f.islower() for f in forms_of[phrase])
        ):
            return True
    return False


def _written_as_word(form: str) -> bool:
    """Lower case, or capitalised with no other capital ("nodes", "Lattice"): how a word is
    written, unlike an acronym ("NODE") or a coined name ("FedAvg", "QLoRA")."""
    return form.isalpha() and (len(form) == 1 or form[1:].islower())


def _named_algorithm_type(label: str, etype: str) -> str:
    """Method for a Task that names a search algorithm ("Monte Carlo Tree Search", "beam
    search"): a paper uses an algorithm, it does not address it as its task."""
    words = label.lower().split()
    if etype == "Task" and len(words) >= 2 and words[-1] in ("search", "searches"):
        if words[-2] in SEARCH_ALGORITHMS:
            return "Method"
    return etype


def _majority(labels: Counter[str]) -> str:
    best = max(labels.values())
    return next(t for t in TYPE_ORDER if labels.get(t) == best)


def _canonical_label(members: list[str], forms: Counter[str], term_of_key: dict[str, str]) -> str:
    """The most informative name: the curated canonical name, else the most used long form.

    A "long form" that is only a spelling variant of a short form ("PACm-Bayes" beside
    "PAC-Bayes", "MLP-mixer" beside "MLP-Mixer") is no expansion: it would win the label
    however rare it is, so it competes with the short forms instead."""
    for node in members:
        if node in term_of_key:
            return term_of_key[node]
    short_forms = {f for f in forms if is_acronym(f)}
    long_forms = [f for f in forms if f not in short_forms]
    # (only where short forms dominate: "citations" beside "CITATION" is the word's label)
    if short_forms and long_forms and _mostly_acronym(forms):
        short_keys = {surface_key(f) for f in short_forms}
        long_forms = [
            f
            for f in long_forms
            if not any(fuzz.ratio(surface_key(f), key) >= FUZZY_THRESHOLD for key in short_keys)
        ]
    if long_forms:  # a word broken at a line end ("prob- lem") is never the label if others exist
        return max(long_forms, key=lambda f: ("- " not in f, forms[f], len(f), f.islower(), f))
    # among short forms, a coined spelling ("AnaloBench", "GraphMoE") beats the same name in
    # capitals (a title's "ANALOBENCH"), however often the capitals occur
    coined = any(_camel_hump(f) for f in forms)
    return max(forms, key=lambda f: (not (coined and f.isupper()), forms[f], len(f), f))


def _camel_hump(form: str) -> bool:
    """A lower-case letter followed by a capital ("AnaloBench", "QLoRA"): a coined spelling."""
    return any(a.islower() and b.isupper() for a, b in zip(form, form[1:], strict=False))
