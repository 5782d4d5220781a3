"""The casing of an entity's label when its long form spells its acronym in odd capitals.

Papers coin acronyms by capitalising letters inside words: "KnOwledge-Aware proceduraL text
understAnding (KOALA)", "sPecIalized KnowledgE and Rationale Augmentation Generation
(PIKE-RAG)". Those capitals are typography for the acronym, not the name; a reader (and a
search for the phrase) wants "Knowledge-Aware procedural text understanding". Only that pattern
is normalised: a word is lowered only where it is mostly lower case with capitals inside it, and
only when every capital of the label is a letter of an acronym the papers define for it, in
order, and when some such word does not split at its capitals into words ("Kn|Owledge",
"Contin|Ual", "procedura|L"). Coined names keep their casing: "GraphRAG", "BERTScore", "SMoE" are
mostly capitals; "DeepMind Control (DMC)", "YouTube Faces (YTF)" split into words ("Deep|Mind");
"iPhone" is one word. The original form stays one of the entity's forms (``skos:altLabel``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Set
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_]+")
#: Words a title-cased phrase leaves in lower case (they say nothing about its casing).
_SMALL_WORDS = frozenset(
    "a an and as at by for from in into of on or the to via vs with without".split()
)

#: A piece of a word is a word when at least this many abstracts of the termhood corpus
#: (``kg/data/termhood_words.tsv.gz``, 24,994 abstracts) have it as a word: "mind" (73),
#: "tube" (5) are; "owledge", "ual" (3: PDF line breaks), "etwork" are not.
MIN_WORD_DF = 5


@lru_cache(maxsize=1)
def corpus_words() -> frozenset[str]:
    """The lower-case words of the shipped corpus word table with at least ``MIN_WORD_DF``
    abstracts (read once, only when a label has odd capitals that spell its acronym)."""
    from kg.lexicon.words import shipped_word_stats

    stats = shipped_word_stats()
    return frozenset(word for word, (df, _, _) in stats.items() if df >= MIN_WORD_DF)


def _pieces(word: str) -> list[str]:
    """``word`` cut before each capital after its first letter: "sPecIalized" -> s|Pec|Ialized."""
    cuts = [0, *(i for i, c in enumerate(word) if i and c.isupper()), len(word)]
    return [word[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]


def _compound(word: str, words: Set[str]) -> bool:
    """A camel-cased compound of words ("DeepMind", "YouTube", "ImageNet"), not a word with
    capitals put inside it ("KnOwledge", "SubNEtwork", "proceduraL")."""
    return all(len(p) >= 2 and p.lower() in words for p in _pieces(word))


def _odd_capitals(word: str) -> bool:
    """A capital after the first letter of a mostly lower-case word ("KnOwledge", "tRansfer",
    "SubNEtwork"), not an acronym or a camel-cased name made mostly of capitals ("SMoE",
    "GraphRAG", "BERTScore")."""
    upper = sum(c.isupper() for c in word)
    return any(c.isupper() for c in word[1:]) and len(word) - upper >= 2 * upper


def _is_subsequence(letters: str, of: str) -> bool:
    rest = iter(of)
    return all(c in rest for c in letters)


def plain_casing(label: str, short_forms: Iterable[str], words: Set[str] | None = None) -> str:
    """``label`` with the acronym's odd capitals lowered, when it is a multi-word long form whose
    capitals, in order, all occur in one of ``short_forms`` (the acronyms defined for it) and
    not every word with inner capitals is a compound of ``words`` (default: the corpus words);
    otherwise ``label`` unchanged. Deterministic: the result depends on the label, the set of
    short forms and the word table only."""
    tokens = _WORD.findall(label)
    odd = [w for w in tokens if _odd_capitals(w)]
    if len(tokens) < 2 or not odd:
        return label
    capitals = "".join(c for c in label if c.isupper()).lower()
    spelled = any(
        _is_subsequence(capitals, "".join(c for c in short.lower() if c.isalpha()))
        for short in short_forms
    )
    if not spelled:
        return label
    known = corpus_words() if words is None else words
    if all(_compound(w, known) for w in odd):
        return label
    content = [w for w in tokens[1:] if w.lower() not in _SMALL_WORDS]
    title_cased = bool(content) and all(w[0].isupper() for w in content)

    def plain(match: re.Match[str]) -> str:
        word = match.group()
        if not _odd_capitals(word):
            return word
        first = word[0].upper() if match.start() == 0 and title_cased else word[0]
        return first + word[1:].lower()

    return _WORD.sub(plain, label)
