"""Surface-form keys for entity resolution.

A key folds only what never distinguishes two entities: case, hyphens/underscores/spaces,
English plurals and possessives. It keeps digits and ``+`` ("GPT-4" vs "GPT-4o", "RAG" vs
"RAG+", "R1-Searcher" vs "R1-Searcher++") and never strips a name prefix ("MixLoRA" vs "LoRA").
A capital S ending an all-capitals word is a letter of the acronym, not a plural: "DARTS" (a
NAS method) is not "DART" (a dataset), nor "IRLS" "IRL", "PACS" "PAC" or "HTTPS" "HTTP"; the
plural of an acronym is written with a small s ("DARTs", "LLMs").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SEPARATORS = re.compile(r"[\s\-_‐‑‒–—/{}]+")  # LaTeX braces too: "Language{–}Image"
_TRAILING = re.compile(r"[\s.,;:'’\"]+$")
_NO_PLURAL = ("ss", "us", "is", "ics")


def singular(word: str) -> str:
    """An English plural folded to its singular ("datasets" -> "dataset", "studies" -> "study");
    words too short to tell, and "-ss", "-us", "-is", "-ics" endings, stay as they are."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith(_NO_PLURAL):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    return word[:-1]


def acronym_singular(word: str) -> str:
    """An acronym plural folded: "LLMs" -> "LLM", "MoEs" -> "MoE" (a capital before the s)."""
    if len(word) >= 3 and word.endswith("s") and word[-2].isupper():
        return word[:-1]
    return word


def _all_capitals(word: str) -> bool:
    """ "DARTS", "MCTS", "GPT4S": every letter a capital (three or more letters)."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


@lru_cache(maxsize=1 << 18)  # surface forms repeat across papers (a corpus: ~30 uses each)
def surface_key(text: str) -> str:
    """The key under which surface forms of one entity meet."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'")
    text = _TRAILING.sub("", text)
    if text.endswith("'s"):
        text = text[:-2]
    words = []
    for word in _SEPARATORS.split(text):
        if not word:
            continue
        if _all_capitals(word):
            words.append(word.lower())
        else:
            words.append(singular(acronym_singular(word).lower()))
    return " ".join(words)


def initials(key: str) -> str:
    """Blocking key for fuzzy matching of long forms: the words' first letters."""
    return "".join(w[0] for w in key.split() if w)


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


@lru_cache(maxsize=1 << 18)
def is_acronym(text: str) -> bool:
    """Short, mostly-uppercase forms ("MoE", "LLMs", "KG") whose meaning depends on the paper."""
    letters = [c for c in text if c.isalpha()]
    if not 2 <= len(text) <= 12 or " " in text or not letters:
        return False
    upper = sum(c.isupper() for c in letters)
    return upper >= 2 and upper / len(letters) >= 0.5
