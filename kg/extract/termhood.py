"""Termhood: is a mention a term a reader would look up, or a fragment or generic phrase?

One abstract cannot tell "Laplacian matrix" from "rich structures"; the corpus can. Each mention
is scored by a small ensemble of gradient-boosted trees over features of four kinds:

* corpus statistics (``kg/data/termhood_*.tsv.gz``, mined by ``scripts/mine_termhood_stats.py``
  from the ML abstract corpus): how rare its words are (IDF), how many different words its head
  and its first word combine with (a generic head such as "setting" or a generic modifier
  such as "real-world" combines with hundreds), and how strongly its words stick together
  (pointwise mutual information of each adjacent pair);
* the span's shape: length, capitals, digits, hyphens, brackets, function words, a gerund head;
* what found it: the type and the extractor (a proposed name or a gazetteer entry is rarely
  junk, the recognizer's spans often are);
* the paper itself: how often the span recurs in its title and abstract, and how often its head
  word does (a paper names its terms again; "promising results" is said once);
* whether the corpus defines the phrase with an acronym somewhere ("experience replay (ER)"):
  authors abbreviate terms, never "computational requirements" (``scripts/mine_defined_terms.py``,
  ``kg/data/termhood_defined.tsv.gz``; 49 of 53 such judged recognizer spans are terms).

Why trees and not the logistic model of before: on the same judged rows, grouped by paper, the
trees' cross-validated AUC is 0.83 against 0.80, and at a precision of 0.85 they keep 0.65 of
the good mentions against 0.48 (docs/experiments.md); the effects are not additive ("Title Case"
means little in a title, an unseen word pair means a fragment only for the recognizer's spans).
The trees are stored as plain numbers (JSON, no pickles) and compiled to one Python function
when loaded.

The trees are trained on hand-judged mentions of corpus abstracts (``kg train termhood``,
:mod:`kg.train.termhood`) and stored with the pipeline component ``kg_termhood``, which moves
spans that score below its threshold out of ``doc.spans["kg_entities"]`` into
``doc.spans["kg_rejected"]`` (with their score): they stay evidence text, but are not made
entity nodes (the component: :mod:`kg.extract.components.kg_termhood`).
"""

from __future__ import annotations

import gzip
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from spacy.tokens import Span

from kg.extract.tables import resolve
from kg.lexicon.normalize import surface_key
from kg.lexicon.words import DEFINED_FILE, read_defined_counts, read_word_stats
from kg.vocab import ENTITY_TYPES

if TYPE_CHECKING:
    from importlib.abc import Traversable

SPANS_KEY = "kg_entities"
REJECTED_KEY = "kg_rejected"
MODEL_FILE = "termhood.json"
#: Extractors whose spans are never dropped: the paper names them itself (a proposed name, an
#: acronym's long form or short form: 37 of 40 judged ok) or a curated table does.
TRUSTED = ("kg_proposed", "kg_gazetteer", "kg_abbreviations")
#: Spans of these (extractor, type) are never dropped either: a name ``kg_names`` typed Dataset
#: (from "datasets: X, Y" or "the X benchmark") is one (4 of 5 judged rows ok, 4 of 4 in the
#: blind samples), but it is rare and unseen in the corpus, which the trees read as a fragment:
#: they set aside OpenbookQA, MiniWoB++, WebWalkerQA and HLE (bench_link's dataset recall).
TRUSTED_TYPED = (("kg_names", "Dataset"),)


def is_trusted(extractor: str, label: str) -> bool:
    """Whether a span of this extractor and type is kept whatever its score."""
    return extractor in TRUSTED or (extractor, label) in TRUSTED_TYPED


#: What is left of markup in a span: TeX quotes (``Ising'' model), commands, math, braces, URLs,
#: HTML tags and entities.
_MARKUP = re.compile(r"''|``|\\|\$|[{}]|https?:|www\.|://|</?[A-Za-z]+>|&[a-z]+;")
#: A formula: a function of its arguments ("𝒪(n log n)", "f(x)") once read as plain letters, as
#: the whole span or its start ("O(n log n) routing"; not "R(2+1)D").
_FORMULA = re.compile(r"\w{1,2}\([^)]*\)(?:\s|$)")
#: A citation or a possessive cut from its noun: "Urrutia’18", "STOC’16", "Allen’s", "Oja's".
_REFERENCE = re.compile(r"['’]\d{2}\b|\S['’]s$|\bet al\b")
#: A span cut at a hyphen ("K2-" of "K2- and DR-ABC", "Learn-" of a line break), across a
#: sentence end glued by missing spaces ("DDPM).Specifically"), or at one bracket of a pair.
_CUT = re.compile(r"^-|-$|[a-z0-9)\]][.;:][A-Z][a-z]")
#: A number or a size alone ("24GB", "7B", "100K", "2019").
_QUANTITY = re.compile(r"^[~≈<>]?\d[\d.,]*\s?(?:[KMGT]B|[KMBT]|%|x|×|ms|s|h|k)?$", re.I)
#: A model size: "7B", "10.7B", "8x7B".
_SIZE = r"\d[\d.,]*\s?(?:x\d+)?[KMBT]"
#: A model size and nothing a reader looks up: a range ("1B–7B", "7B-13B", "8B-to-3B",
#: "sub-10B"), a size with its unit or a variant suffix cut from the name ("7B-parameter",
#: "7B-scale", "10.7B-Instruct" of "SOLAR-10.7B-Instruct"), or with a generic noun ("7B chat
#: model", "instruction-tuned 7B model"): 13 such nodes in the corpus build, each one paper's.
_SIZE_PHRASE = re.compile(
    rf"^(?:sub-|[~≈<>])?{_SIZE}(?:\s?(?:-|–|to|-to-)\s?{_SIZE})*"
    r"(?:[- ](?:parameters?|params?|scale|sized?|level|class|instruct|chat|base))?$"
    rf"|^(?:(?:a|an|the|our|their|its|instruction-tuned|fine-tuned|pretrained|pre-trained|"
    rf"open|open-source|small|smaller|large|larger) )?{_SIZE}[- ]"
    r"(?:parameter |chat |base |instruct(?:ion)?(?:-tuned)? )?"
    r"(?:models?|LLMs?|language models?)$",
    re.I,
)
#: A compound adjective alone ("AI-assisted", "syntax-agnostic", "GEC-oriented"): it modifies
#: a term, it is none.
_MODIFIER = re.compile(
    r"^[\w.+]+(?:-[\w.+]+)*-(?:assisted|based|driven|aware|free|guided|specific|agnostic|like|"
    r"oriented|powered|enabled|level|wise|dependent|independent|intensive)$",
    re.I,
)

#: Heads of generic phrases: what a method or a model is called when it has no name of its own.
GENERIC_HEADS = frozenset(
    "approach approaches method methods technique techniques strategy strategies framework "
    "frameworks scheme schemes procedure procedures protocol protocols mechanism mechanisms "
    "solution solutions paradigm paradigms pipeline pipelines process processes validation "
    "algorithm algorithms system systems model models tool tools architecture architectures "
    "setting settings fashion manner way ways formulation formulations".split()
)
#: Modifiers that leave such a head generic: evaluative or procedural adjectives ("unified
#: framework", "iterative algorithm", "data-driven methods", "joint model"), never a word of a
#: field that makes a term of it ("numerical methods", "empirical process", "kernel methods",
#: "stochastic processes" are kept: none of those words is in the list).
GENERIC_MODIFIERS = frozenset(
    "data-driven joint cascading novel new existing proposed traditional conventional "
    "simple efficient effective fast general generic different various several alternative "
    "automatic automated robust scalable practical principled systematic theoretical "
    "learning-based current previous prior popular common typical classical modern recent "
    "state-of-the-art advanced sophisticated powerful flexible specific particular unified "
    "iterative two-stage multi-stage end-to-end baseline improved such our their other many".split()
)
#: Nouns that name a step of the work, generic only before a head that names how it is done
#: ("training process", "optimization procedure", "selection strategy", "evaluation
#: protocols"), not before one that may name a family of methods ("sampling methods",
#: "optimization algorithms" are kept).
STEP_NOUNS = frozenset(
    "sampling optimization training inference prediction learning selection evaluation".split()
)
STEP_HEADS = frozenset(
    "process processes procedure procedures protocol protocols setting settings pipeline "
    "pipelines strategy strategies scheme schemes fashion manner".split()
)


def is_generic_phrase(text: str) -> bool:
    """Two to four words: a generic head whose every modifier is generic ("unified framework",
    "end-to-end manner", "prior methods"). In the corpus build of 2026-12-07, 149 of 83,000
    entity nodes with 1,155 paper links, among them the most linked generic ones ("iterative
    algorithm" 83 papers, "unified framework" 60). On the 3,211 judged rows of all samples it
    matches 17, all judged junk (some modifiers were read off the 4th and 5th samples' junk
    nodes, so those rows are no test of it). Field words are left out of the modifiers on a
    review's examples ("numerical methods", "empirical process", "sampling methods")."""
    words = text.lower().split()
    if not 2 <= len(words) <= 4 or words[-1] not in GENERIC_HEADS:
        return False
    step = words[-1] in STEP_HEADS
    return all(w in GENERIC_MODIFIERS or (step and w in STEP_NOUNS) for w in words[:-1])


def rule_reason(text: str, extractor: str, in_title: bool) -> str | None:
    """Why a span is set aside whatever the trees say (and whatever found it), or None:

    * ``markup``: the span carries markup the input cleaning left (TeX quotes, a backslash, a
      dollar, braces, a URL): not a name a reader can read;
    * ``formula``: it starts with a function of its arguments ("𝒪(n log n) routing"), or it
      holds a math symbol beyond ASCII ("∇θ L", "x ≤ ε"; an ASCII "+" is part of names: "C++",
      "RAG+");
    * ``reference``: a citation ("Urrutia’18") or a possessive cut from its noun ("Allen’s");
    * ``cut``: the span ends or starts at a hyphen ("K2-" of "K2- and DR-ABC"), runs across a
      glued sentence end ("DDPM).Specifically") or holds one bracket of a pair ("O(n^2",
      "tree search)");
    * ``quantity``: a number or a size alone ("24GB", "7B"), a range of model sizes or a size
      with a unit or a generic noun ("1B–7B", "7B-parameter", "7B chat model");
    * ``modifier``: a compound adjective alone ("AI-assisted", "syntax-agnostic");
    * ``generic``: a generic head with only generic modifiers ("unified framework", "iterative
      algorithm", "data-driven methods"; :func:`is_generic_phrase`);
    * ``title word``, for the recognizer's spans only: a lone word of a title ("Stability",
      "Logics", "Weisfeiler"): a title capitalises every word, so nothing tells a term from a
      word, and the recognizer cuts conjuncts out of "Stability and Generalization for ...":
      15 of 20 judged rows are junk (the five terms among them, "Fairness", "Negation", are
      kept wherever the abstract names them)."""
    if _MARKUP.search(text):
        return "markup"
    plain = text if text.isascii() else unicodedata.normalize("NFKC", text)
    symbol = not text.isascii() and any(unicodedata.category(c) == "Sm" for c in text if c > "~")
    if _FORMULA.match(plain) or symbol:
        return "formula"
    if _REFERENCE.search(text):
        return "reference"
    if (
        _CUT.search(text)
        or text.count("(") != text.count(")")
        or text.count("[") != text.count("]")
    ):
        return "cut"
    if _QUANTITY.match(text) or _SIZE_PHRASE.match(text):
        return "quantity"
    if _MODIFIER.match(text):
        return "modifier"
    if is_generic_phrase(text):
        return "generic"
    if extractor == "ner" and in_title and text.isalpha() and text[1:].islower():
        return "title word"
    return None


_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
FUNCTION_WORDS = frozenset(
    "a an the of and or for with to in on by from via as at into over under our its their this "
    "that these those we such both each".split()
)
#: The graph's entity types, plus the recognizer's "Material" that kg_entities decides later.
TYPES = (*ENTITY_TYPES, "Material")
EXTRACTORS = ("ner", "kg_names", "kg_abbreviations", "kg_gazetteer")
#: The accurate pipeline's recognizer is scored as the recognizer.
AS_EXTRACTOR = {"kg_transformer_ner": "ner"}

if not Span.has_extension("kg_termhood"):
    Span.set_extension("kg_termhood", default=None)


def words_of(text: str) -> list[str]:
    """Lower-cased words as the corpus statistics count them (hyphenated words stay whole)."""
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class CorpusStats:
    documents: int
    words: dict[str, tuple[int, int, int]]  # word -> (df, distinct left, distinct right)
    pairs: dict[tuple[str, str], int]
    #: long-form key (``surface_key``) -> abstracts that define it with an acronym
    defined: dict[str, int] = field(default_factory=dict)

    def df(self, word: str) -> int:
        return self.words.get(word, (0, 0, 0))[0]


#: The shipped tables (package data): the component's default config, and what training reads.
WORD_STATS = "kg.data:termhood_words.tsv.gz"
PAIR_STATS = "kg.data:termhood_pairs.tsv.gz"
DEFINED_STATS = f"kg.data:{DEFINED_FILE}"


@lru_cache(maxsize=1)
def corpus_stats() -> CorpusStats:
    """The shipped tables, read once per process (training and :func:`features` use them; the
    ``kg_termhood`` component reads the tables its config names)."""
    return read_corpus_stats(resolve(WORD_STATS), resolve(PAIR_STATS), resolve(DEFINED_STATS))


def read_corpus_stats(
    words_file: Traversable, pairs_file: Traversable, defined_file: Traversable | None = None
) -> CorpusStats:
    """Read the word, pair and defined-long-form tables (gzipped TSV; about 0.5 s)."""
    documents, words = read_word_stats(words_file)
    pairs, defined = {}, {}
    with gzip.open(pairs_file.open("rb"), "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            a, b, df = line.rstrip("\n").split("\t")
            pairs[(a, b)] = int(df)
    if defined_file is not None:
        defined = read_defined_counts(defined_file)
    return CorpusStats(documents, words, pairs, defined)


FEATURES = (
    "bias", "n1", "n2", "n3", "n4", "n5plus", "log_chars", "min_idf", "max_idf", "mean_idf",
    "head_idf", "head_left_types", "first_right_types", "first_idf", "min_pmi", "mean_pmi",
    "unseen_pair", "unseen_word", "has_upper_inside", "all_caps_token", "has_digit",
    "has_hyphen", "has_bracket", "function_words", "starts_function", "head_gerund",
    "first_participle", "plural_head", "capitalized_ratio", "non_alnum", "pmi_left",
    "pmi_right", "glued_left", "glued_right", "next_capitalized", "prev_capitalized",
    "in_title", "title_capitalized", "repeats", "head_repeats", "defined_papers",
    *(f"type_{t}" for t in TYPES), *(f"by_{e}" for e in EXTRACTORS),
)  # fmt: skip


def _pmi(stats: CorpusStats, a: str | None, b: str | None) -> float:
    if not a or not b:
        return 0.0
    joint = stats.pairs.get((a, b), 0)
    if joint == 0:
        return 0.0
    return math.log(joint * stats.documents / max(stats.df(a) * stats.df(b), 1))


def _occurrences(phrase: str, paper: str | None) -> int:
    """How often ``phrase`` occurs in ``paper`` as whole words (1 without a paper)."""
    if paper is None:
        return 1
    if not phrase:
        return 0
    # str.find, not a regex: a pattern per span cost 130 us to compile, 7x the other features
    count, start = 0, paper.find(phrase)
    while start >= 0:
        end = start + len(phrase)
        if (start == 0 or not _is_word_char(paper[start - 1])) and (
            end == len(paper) or not _is_word_char(paper[end])
        ):
            count += 1
        start = paper.find(phrase, start + 1)
    return count


def _is_word_char(c: str) -> bool:
    """A character that continues a word as :func:`words_of` reads it (ASCII letters, digits)."""
    return "a" <= c <= "z" or "0" <= c <= "9"


def features(*args, **kwargs) -> np.ndarray:
    """The feature vector of one mention (order: :data:`FEATURES`); see :func:`feature_values`."""
    v = feature_values(*args, **kwargs)
    return np.array([v[name] for name in FEATURES], dtype=np.float64)


_UNSEEN = (0, 0, 0)
_NON_ALNUM = re.compile(r"[^\w\s\-().,/'+]")


#: The features that depend on a span's text alone, in :data:`FEATURES` order (n1 ...
#: non_alnum; then ``defined_papers``), computed once per text (:func:`_text_part`).
_TEXT_KEYS = (
    "n1", "n2", "n3", "n4", "n5plus", "log_chars", "min_idf", "max_idf", "mean_idf", "head_idf",
    "head_left_types", "first_right_types", "first_idf", "min_pmi", "mean_pmi", "unseen_pair",
    "unseen_word", "has_upper_inside", "all_caps_token", "has_digit", "has_hyphen",
    "has_bracket", "function_words", "starts_function", "head_gerund", "first_participle",
    "plural_head", "capitalized_ratio", "non_alnum",
)  # fmt: skip
#: Span texts whose text-only part is kept (about 1 KB each); then the cache starts again.
_TEXT_CACHE_SIZE = 1 << 15
_text_cache: dict[str, tuple] = {}
_text_cache_stats: list[CorpusStats | None] = [None]


def _text_part(text: str, stats: CorpusStats) -> tuple:
    """(values of :data:`_TEXT_KEYS`, defined_papers, first word, last word, head word, the
    text lower-cased, capitalised tokens, tokens) of a span's text.

    Why cached: the same forms recur within a paper and across papers ("large language
    models"), and these features were most of the termhood stage's time. A pure function of
    the text and the statistics (the cache is emptied when the statistics change)."""
    if _text_cache_stats[0] is not stats or len(_text_cache) >= _TEXT_CACHE_SIZE:
        _text_cache.clear()
        _text_cache_stats[0] = stats
    part = _text_cache.get(text)
    if part is not None:
        return part
    n_docs = stats.documents
    words = words_of(text) or [text.lower()]
    table = stats.words
    dfs = [table.get(w, _UNSEEN)[0] for w in words]
    idf = [math.log((n_docs + 1) / (df + 1)) for df in dfs]
    content = [w for w in words if w not in FUNCTION_WORDS] or words
    head, first = content[-1], content[0]
    head_stats = stats.words.get(head, (0, 0, 0))
    first_stats = stats.words.get(first, (0, 0, 0))
    pmis, unseen_pair = [], 0.0
    pairs = stats.pairs
    for k in range(len(words) - 1):
        joint = pairs.get((words[k], words[k + 1]), 0)
        if joint == 0:
            unseen_pair = 1.0
            pmis.append(0.0)
            continue
        pmis.append(math.log(joint * n_docs / max(dfs[k] * dfs[k + 1], 1)))
    tokens = text.split()
    n = len(words)
    capitals = sum(t[:1].isupper() for t in tokens)
    values = (
        float(n == 1),
        float(n == 2),
        float(n == 3),
        float(n == 4),
        float(n >= 5),
        math.log(len(text) + 1),
        min(idf),
        max(idf),
        sum(idf) / len(idf),
        math.log((n_docs + 1) / (head_stats[0] + 1)),
        math.log1p(head_stats[1]),
        math.log1p(first_stats[2]),
        math.log((n_docs + 1) / (first_stats[0] + 1)),
        min(pmis) if pmis else 0.0,
        sum(pmis) / len(pmis) if pmis else 0.0,
        unseen_pair,
        float(0 in dfs),
        float(any(c.isupper() for t in tokens for c in t[1:])),
        float(any(len(t) > 1 and t.isupper() for t in tokens)),
        float(any(c.isdigit() for c in text)),
        float("-" in text),
        float(any(c in text for c in "()[]{}")),
        float(sum(w in FUNCTION_WORDS for w in words)),
        float(words[0] in FUNCTION_WORDS),
        float(head.endswith("ing") and len(head) > 5),
        float(n > 1 and first.endswith("ed") and len(first) > 4),
        float(head.endswith("s") and not head.endswith("ss") and len(head) > 3),
        capitals / max(len(tokens), 1),
        float(bool(_NON_ALNUM.search(text))),
    )
    defined = math.log1p(stats.defined.get(surface_key(text), 0))
    part = (values, defined, words[0], words[-1], head, text.lower(), capitals, len(tokens))
    _text_cache[text] = part
    return part


def feature_values(
    text: str,
    label: str,
    extractor: str,
    before: str = "",
    after: str = "",
    stats: CorpusStats | None = None,
    in_title: bool = False,
    paper: str | None = None,
) -> dict[str, float]:
    """The features of one mention, by name (:data:`FEATURES`).

    ``before``/``after``: the text right around the span in its sentence. Why: a fragment
    shows at its edges: the word next to it sticks to it in the corpus ("RNA" + "sequencing",
    "Wasserstein" + "GAN"), or the span starts or ends inside a word ("tation of").
    ``in_title``: titles are Title Case, so there capitals say nothing of a name.
    ``paper``: the paper's whole text (title and abstract) lower-cased, for how often the span
    and its head recur in it; without it the span is taken to occur once."""
    stats = stats or corpus_stats()
    values, defined, first_word, last_word, head, lower, capitals, n_tokens = _text_part(
        text, stats
    )
    prev_words, next_words = words_of(before[-40:]), words_of(after[:40])
    prev_word = prev_words[-1] if prev_words else None
    next_word = next_words[0] if next_words else None
    before_tokens, after_tokens = before.split(), after.split()
    prev_token = before_tokens[-1] if before_tokens else ""
    next_token = after_tokens[0] if after_tokens else ""
    v = {"bias": 1.0}
    v.update(zip(_TEXT_KEYS, values, strict=True))
    v["pmi_left"] = _pmi(stats, prev_word, first_word)
    v["pmi_right"] = _pmi(stats, last_word, next_word)
    v["glued_left"] = float(bool(before) and (before[-1].isalnum() or before[-1] == "-"))
    v["glued_right"] = float(bool(after) and (after[0].isalnum() or after[0] == "-"))
    v["next_capitalized"] = float(next_token[:1].isupper())
    v["prev_capitalized"] = float(prev_token[:1].isupper())
    v["in_title"] = float(in_title)
    v["title_capitalized"] = float(in_title) * capitals / max(n_tokens, 1)
    v["repeats"] = math.log1p(max(_occurrences(lower, paper) - 1, 0))
    v["head_repeats"] = math.log1p(_occurrences(head, paper))
    v["defined_papers"] = defined
    for t in TYPES:
        v[f"type_{t}"] = float(label == t)
    for e in EXTRACTORS:
        v[f"by_{e}"] = float(extractor == e)
    return v


@dataclass
class TermhoodModel:
    """Gradient-boosted regression trees over :data:`FEATURES` (binary log-loss), as plain
    numbers: the probability that a mention is a term is the logistic of ``baseline`` plus one
    leaf value per tree.

    A tree is four parallel lists (``feature``, ``threshold``, ``left``, ``right``) and
    ``value``: node ``i`` goes to ``left[i]`` when ``x[feature[i]] <= threshold[i]``, else to
    ``right[i]``; a leaf has feature -1 and its value (shrinkage included) in ``value[i]``."""

    trees: list[dict]
    baseline: float = 0.0
    threshold: float = 0.5
    meta: dict | None = None
    #: type -> its own threshold, where it has one (the rest use ``threshold``). Why: one
    #: threshold keeps a Concept at the precision of a Method, and the recognizer's Concepts are
    #: the generic ones ("security threat", "high-level semantics"): at the global threshold 71 %
    #: of the kept judged Concepts are terms against 86 % of the Methods. Each type's threshold
    #: is the lowest at which its own cross-validated precision reaches the target.
    type_thresholds: dict[str, float] | None = None

    def threshold_for(self, label: str) -> float:
        """The threshold a span of type ``label`` must reach."""
        return (self.type_thresholds or {}).get(label, self.threshold)

    @property
    def weights(self) -> np.ndarray:
        """Every leaf value, tree by tree: two fits are the same model when these are equal."""
        leaves = (zip(t["feature"], t["value"], strict=True) for t in self.trees)
        return np.array([v for tree in leaves for f, v in tree if f < 0])

    def _raw(self):
        """The trees compiled to one Python function of the feature list. Why: the pipeline
        scores every span (about 20 a paper); walking 150 trees node by node in Python, or
        through numpy per span, would cost more than the recognizer."""
        raw = self.__dict__.get("_compiled")
        if raw is None:
            lines = [f"def raw(x):\n z = {float(self.baseline)!r}"]
            lines += [f" z += {_tree_expression(t, 0)}" for t in self.trees]
            lines.append(" return z")
            namespace: dict = {}
            exec(compile("\n".join(lines), "<termhood trees>", "exec"), namespace)  # noqa: S102
            raw = self.__dict__["_compiled"] = namespace["raw"]
        return raw

    def score(self, x: np.ndarray) -> float:
        """The probability that the mention with feature vector ``x`` is a term."""
        return _logistic(self._raw()([float(a) for a in x]))

    def score_values(self, v: dict[str, float]) -> float:
        """:meth:`score` of :func:`feature_values`' dict."""
        return _logistic(self._raw()([v[name] for name in FEATURES]))

    def to_json(self) -> dict:
        return {
            "kind": "gradient_boosted_trees",
            "features": list(FEATURES),
            "baseline": self.baseline,
            "trees": self.trees,
            "threshold": self.threshold,
            "type_thresholds": self.type_thresholds or {},
            "meta": self.meta or {},
        }

    @classmethod
    def from_json(cls, data: dict) -> TermhoodModel:
        from kg.errors import KGError

        if (
            list(data.get("features", [])) != list(FEATURES)
            or data.get("kind") != "gradient_boosted_trees"
        ):
            raise KGError(
                "termhood model was trained on other features or is of another kind; retrain it "
                "(kg train termhood)"
            )
        return cls(
            [_checked_tree(t) for t in data["trees"]],
            float(data["baseline"]),
            float(data["threshold"]),
            data.get("meta") or {},
            {str(k): float(v) for k, v in (data.get("type_thresholds") or {}).items()},
        )


def _logistic(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))


def _checked_tree(tree: dict) -> dict:
    """A tree with its numbers as ints and floats (so compiling it runs no foreign code)."""
    return {
        "feature": [int(f) for f in tree["feature"]],
        "threshold": [float(t) for t in tree["threshold"]],
        "left": [int(i) for i in tree["left"]],
        "right": [int(i) for i in tree["right"]],
        "value": [float(v) for v in tree["value"]],
    }


def _tree_expression(tree: dict, node: int) -> str:
    """One tree as a nested conditional expression over ``x``."""
    feature = tree["feature"][node]
    if feature < 0:
        return repr(float(tree["value"][node]))
    left = _tree_expression(tree, tree["left"][node])
    right = _tree_expression(tree, tree["right"][node])
    return f"({left} if x[{int(feature)}] <= {float(tree['threshold'][node])!r} else {right})"
