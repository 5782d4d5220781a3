"""Numbers that claim sentences report: ``extract_quantities(span_or_text) -> list[Quantity]``.

Token-level, built on spaCy's ``Matcher`` and the ``LIKE_NUM`` lexical attribute (plus a
token-level pattern for glued forms such as ``2.5x``, ``7B``, ``12ms``, ``−1.5``).

Conventions
-----------
* ``value`` is the number as written (commas removed, sign kept). Magnitude words and suffixes
  are kept as the *unit*, not multiplied in: "146 billion parameters" -> ``(146.0, "B")``,
  "7B model" -> ``(7.0, "B")``, "0.5M" -> ``(0.5, "M")``, "1.5k steps" -> ``(1.5, "K")``,
  "2 trillion tokens" -> ``(2.0, "T")``. Use :meth:`Quantity.scaled` for the plain number.
* units: ``"%"`` (also "percent", "per cent"), ``"points"`` (also "pp", "pts",
  "percentage points"), ``"x"`` (also "×", "times", "fold"), ``"B"``/``"M"``/``"K"``/``"T"``,
  time ``"ms"``/``"s"``/``"min"``/``"h"``/``"days"``, memory ``"KB"``/``"MB"``/``"GB"``/``"TB"``,
  metric names used as units (``"BLEU"``, ``"F1"``, ``"ROUGE"``, ``"mAP"``, ``"AUC"``, ``"EM"``),
  ``"FPS"``, otherwise ``None``. The lower end of a range takes the upper end's unit
  ("20-60%", "2 to 5 times").
* ``direction`` is ``"increase"`` / ``"decrease"`` from the nearest cue in the same clause
  ("reduces memory by 41%", "2.5x faster", "41% fewer", "+3.2", "drops by 2 points"),
  else ``"none"``.
* not quantities: years (1900-2099 written as four digits with no unit), citation numbers
  ("[12]", "[3, 4]"), numbers after "Section", "Table", "Figure", "Eq.", "Appendix",
  "Theorem", ... , number words without a unit ("one of the ..."), and digits inside names
  ("GPT-4", "ResNet-50", "top-1" are single tokens and never match), and bare numbers that
  continue a name or give its version ("CUB-200-2011", "MultiWOZ 2.1", "ACE 2005"; not after
  a metric name: "RMSE 0.86" stays), list markers ("1) ...; 2) ...") and powers ("10^6").
* ``start``/``end`` are character offsets within the span's text (``span.text[start:end] ==
  text``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple

from spacy.matcher import Matcher
from spacy.tokens import Doc, Span

Direction = Literal["increase", "decrease", "none"]

_SCALE = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str | None
    direction: Direction
    text: str
    start: int
    end: int

    def scaled(self) -> float:
        """The value with a magnitude unit (K/M/B/T) multiplied in."""
        return self.value * _SCALE.get(self.unit or "", 1.0)


# --- lexicons -------------------------------------------------------------------------------

# single-token units (exact text first, then lowercase)
_UNIT_EXACT = {
    "%": "%",
    "x": "x",
    "X": "x",
    "×": "x",
    "B": "B",
    "M": "M",
    "K": "K",
    "k": "K",
    "T": "T",
    "BLEU": "BLEU",
    "F1": "F1",
    "ROUGE": "ROUGE",
    "mAP": "mAP",
    "AUC": "AUC",
    "EM": "EM",
    "GB": "GB",
    "MB": "MB",
    "KB": "KB",
    "TB": "TB",
    "ms": "ms",
    "s": "s",
    "h": "h",
    "FPS": "FPS",
    "fps": "FPS",
    "\\times$": "x",  # LaTeX "7 $\\times$ faster" (tokens "7", "$", "\\times$")
    "\\times": "x",
}
_UNIT_LOWER = {
    "percent": "%",
    "percentage": "%",
    "times": "x",
    "fold": "x",
    "point": "points",
    "points": "points",
    "pts": "points",
    "pp": "points",
    "billion": "B",
    "million": "M",
    "thousand": "K",
    "trillion": "T",
    "bn": "B",
    "milliseconds": "ms",
    "millisecond": "ms",
    "msec": "ms",
    "seconds": "s",
    "second": "s",
    "sec": "s",
    "secs": "s",
    "minutes": "min",
    "minute": "min",
    "min": "min",
    "mins": "min",
    "hours": "h",
    "hour": "h",
    "hrs": "h",
    "days": "days",
    "day": "days",
    "gb": "GB",
    "mb": "MB",
    "tb": "TB",
    "kb": "KB",
    "gib": "GB",
    "mib": "MB",
    "bleu": "BLEU",
    "rouge": "ROUGE",
}
_UNIT_WORDS = sorted(set(_UNIT_EXACT) | set(_UNIT_LOWER))

# glued number+suffix tokens ("2.5x", "7B", "12ms", "1.5k", "−1.5", "~2x")
_GLUED = re.compile(
    r"^(?P<sign>[~+\-−±]?)(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)"
    r"(?P<suf>[xX×]|[kKMBT]|ms|s|h|GB|MB|TB|KB|%)?$"
)
_GLUED_PATTERN = r"^[~+\-−±]?\d+(?:,\d{3})*(?:\.\d+)?(?:[xX×]|[kKMBT]|ms|s|h|GB|MB|TB|KB|%)?$"

_WORD_NUMS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "hundred": 100, "thousand": 1000, "half": 0.5, "dozen": 12,
}  # fmt: skip

_NOT_BEFORE = {
    "section", "sections", "sec", "sec.", "table", "tables", "tab", "tab.", "figure", "figures",
    "fig", "fig.", "figs", "figs.", "eq", "eq.", "eqs", "eqs.", "equation", "equations",
    "appendix", "theorem", "lemma", "corollary", "proposition", "definition", "algorithm",
    "chapter", "step", "line", "lines", "page", "pages", "pp.", "vol", "vol.", "no", "no.",
    "version", "v", "task", "phase", "stage", "example", "assumption", "remark", "claim",
    "problem", "question", "rq", "et", "al", "al.", "year", "years", "since", "until", "ieee",
    "acl", "neurips", "iclr", "icml", "emnlp", "naacl", "cvpr", "semeval", "conll", "wmt",
}  # fmt: skip
_YEAR_BEFORE = {"in", "of", "from", "to", "since", "until", "by", "during", "before", "after"}

_INC = (
    "improv", "increas", "boost", "gain", "outperform", "higher", "faster", "better", "speedup",
    "speed-up", "speeds", "accelerat", "enhanc", "surpass", "exceed", "rais", "rise", "rose",
    "grow", "grew", "more", "larger", "greater", "advanc", "up",
)  # fmt: skip
_DEC = (
    "reduc", "decreas", "lower", "fewer", "less", "cut", "drop", "declin", "shrink", "shrank",
    "sav", "smaller", "compress", "slower", "minimi", "eliminat", "fall", "fell", "degrad",
    "down", "shorter", "cheaper",
)  # fmt: skip
# words that make "more"/"less"/"up" etc. misleading when they are far from the number
_CLAUSE_BREAK = {";", ":", "while", "whereas", "but", "although", "and", "which", "that", "(", ")"}


def _cue(word: str) -> Direction:
    w = word.lower()
    if w in {"up", "more", "less", "down"}:
        return "increase" if w in {"up", "more"} else "decrease"
    if w.startswith(_DEC):
        return "decrease"
    if w.startswith(_INC) and w not in {"upon", "update", "updates", "upper"}:
        return "increase"
    return "none"


# --- matcher --------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _blank():
    import spacy

    return spacy.blank("en")


@lru_cache(maxsize=4)
def _matcher(vocab_id: int, vocab) -> Matcher:  # keyed on the vocab object's id
    m = Matcher(vocab)
    num = {"TEXT": {"REGEX": _GLUED_PATTERN}}
    likenum = {"LIKE_NUM": True}
    unit = {"TEXT": {"IN": _UNIT_WORDS}}
    unit_lower = {"LOWER": {"IN": sorted(_UNIT_LOWER)}}
    for n in (num, likenum):
        m.add("Q", [[n], [n, unit], [n, unit_lower]])
        m.add("Q", [[n, {"LOWER": "percentage"}, {"LOWER": {"IN": ["point", "points"]}}]])
        m.add("Q", [[n, {"LOWER": "per"}, {"LOWER": "cent"}]])
        m.add("Q", [[n, {"ORTH": "-"}, {"LOWER": "fold"}]])
        m.add("Q", [[n, {"ORTH": "$"}, {"ORTH": {"IN": ["\\times$", "\\times"]}}]])
        m.add("Q", [[n, {"LOWER": {"IN": ["billion", "million", "thousand", "trillion"]}}]])
    return m


def _parse(tokens: list) -> tuple[float, str | None] | None:
    first = tokens[0]
    rest = [t.text for t in tokens[1:] if t.text not in {"-", "$"}]
    g = _GLUED.match(first.text)
    if g:
        value = float(g.group("num").replace(",", ""))
        if g.group("sign") in {"-", "−"}:
            value = -value
        suf = g.group("suf")
        unit = None
        if suf:
            unit = _UNIT_EXACT.get(suf) or _UNIT_LOWER.get(suf.lower())
    else:
        w = first.lower_.lstrip("~+")
        if w in _WORD_NUMS:
            value = float(_WORD_NUMS[w])
        else:
            try:
                value = float(w.replace(",", ""))
            except ValueError:
                return None
        unit = None
    if rest:
        phrase = " ".join(r.lower() for r in rest)
        if phrase in {"percentage points", "percentage point"}:
            unit = "points"
        elif phrase == "per cent":
            unit = "%"
        else:
            r = rest[0]
            unit2 = _UNIT_EXACT.get(r) or _UNIT_LOWER.get(r.lower())
            if unit2 is None:
                return None
            if unit in _SCALE and unit2 not in _SCALE:
                # "7B tokens"? the magnitude stays the unit; "2 GB" has no magnitude
                pass
            else:
                unit = unit2
    return value, unit


def _is_citation(doc: Doc, i: int, j: int) -> bool:
    """Number tokens doc[i:j] sit inside [...] holding only numbers, commas and dashes."""
    k = i - 1
    while k >= 0 and (doc[k].like_num or doc[k].text in {",", "-", "–"}):
        k -= 1
    if k < 0 or doc[k].text != "[":
        return False
    k = j
    while k < len(doc) and (doc[k].like_num or doc[k].text in {",", "-", "–"}):
        k += 1
    return k < len(doc) and doc[k].text == "]"


def _direction(doc: Doc, i: int, j: int, value_text: str) -> Direction:
    if value_text.startswith("+"):
        return "increase"
    # right after: "2.5x faster", "41% fewer", "3 points higher", "41% less memory"
    if j < len(doc):
        d = _cue(doc[j].text)
        if d != "none":
            return d
    # before, nearest first, within the clause: "reduces memory by 41%"
    for k in range(i - 1, max(i - 9, -1), -1):
        t = doc[k]
        if t.text in _CLAUSE_BREAK or t.text == ",":
            break
        if t.like_num or _GLUED.match(t.text):
            # "from 10% to 5%": keep scanning; another number does not break the clause
            continue
        d = _cue(t.text)
        if d != "none":
            return d
    if value_text.startswith(("-", "−")):
        return "decrease"
    return "none"


_RANGE = {"-", "–", "to"}
#: Metric names written before their score ("RMSE 0.86", "mIoU 72.4"), upper-cased.
_SCORE_NAMES = {
    "RMSE", "MAE", "MSE", "AP", "MAP", "MIOU", "IOU", "PSNR", "SSIM", "FID", "WER", "CER",
    "BLEU", "ROUGE", "METEOR", "CIDER", "SPICE", "NDCG", "MRR", "EM", "F1", "AUC", "AUROC",
    "AUPR", "ACC", "PPL", "BPC", "EER", "LPIPS", "KID", "SER", "UAS", "LAS", "SARI", "TER",
}  # fmt: skip


def _range_unit(doc: Doc | Span, m: _Match, by_start: dict[int, _Match]) -> str | None:
    """The unit of a range's upper end for its lower end: "20-60%", "0.3 to 1.1 points"."""
    if m.end + 1 >= len(doc) or doc[m.end].text not in _RANGE:
        return None
    upper = by_start.get(m.end + 1)
    parsed = _parse(list(upper.span)) if upper is not None else None
    return parsed[1] if parsed is not None else None


def _not_a_measure(doc: Doc | Span, i: int, j: int) -> bool:
    """A bare number (no unit) that is part of a name, a version, a list marker or a power:
    "CUB-200-2011", "CTB 5.1", "AMR 3.0", "3) Our model ...", "10^6"."""
    prev = doc[i - 1] if i > 0 else None
    nxt = doc[j] if j < len(doc) else None
    if (prev is not None and prev.text == "^") or (nxt is not None and nxt.text == "^"):
        return True
    if nxt is not None and nxt.text == ")" and (prev is None or prev.text in {",", ";", ":"}):
        return True  # "3) Our model", "..., 2) a loss" (a "(3)" marker is handled before)
    if prev is None:
        return False
    if (
        prev.text in {"-", "/"}
        and i > 1
        and not prev.whitespace_
        and not doc[i - 2].whitespace_
        and doc[i - 2].text[-1:].isalnum()
        and not doc[i - 2].like_num
        and not _GLUED.match(doc[i - 2].text)
    ):
        return True  # "CUB-200-2011" (tokens "CUB-200", "-", "2011")
    name = prev.text
    letters = [c for c in name if c.isalpha()]
    return (
        len(letters) >= 2
        and name not in _UNIT_EXACT  # "BLEU 33.9", "F1 95.2" are scores
        and name.upper() not in _SCORE_NAMES  # "RMSE 0.86", "AP 44.2"
        and (name.isupper() or any(c.isupper() for c in name[1:]))
    )  # "CTB 5.1", "GENIA 2011", "CIFAR 10"


class _Match(NamedTuple):
    start: int  # token positions relative to the sentence
    end: int
    span: Span


def extract_quantities(span_or_text: str | Span | Doc) -> list[Quantity]:
    """Quantities in a sentence (a spaCy ``Span``/``Doc`` or a plain string)."""
    if isinstance(span_or_text, str):
        doc: Doc | Span = _blank().make_doc(span_or_text)
    else:
        doc = span_or_text
    # Match on the sentence itself, with token and character positions relative to it
    # (``Span.as_doc()`` copied every claim sentence: half the cost of building the records).
    sub = doc
    base_char = sub.start_char if isinstance(sub, Span) else 0
    matcher = _matcher(id(sub.vocab), sub.vocab)
    matches = [_Match(start, end, sub[start:end]) for _, start, end in matcher(sub)]
    # longest first, no overlaps
    matches.sort(key=lambda m: (m.start, -(m.end - m.start)))
    by_start = {}
    for m in matches:
        by_start.setdefault(m.start, m)
    out: list[Quantity] = []
    last_end = -1
    for m in matches:
        if m.start < last_end:
            continue
        toks = list(m.span)
        first = toks[0]
        is_word_num = first.is_alpha
        parsed = _parse(toks)
        if parsed is None:
            continue
        value, unit = parsed
        if is_word_num and unit is None:
            continue  # "one of the", "two tasks"
        if first.lower_ in {"k", "t", "b", "m", "s", "h", "x"}:
            continue
        prev = sub[m.start - 1].lower_ if m.start > 0 else ""
        if prev in _NOT_BEFORE:
            continue
        if prev == "." and m.start > 1 and sub[m.start - 2].lower_ in _NOT_BEFORE:
            continue  # "Eq. 5", "Fig. 3" tokenized with a separate period
        if m.start > 0 and sub[m.start - 1].text in {"#", "@"}:
            continue
        if _is_citation(sub, m.start, m.end):
            continue
        txt = first.text
        if (
            unit is None
            and re.fullmatch(r"(19|20)\d\d", txt)
            and (
                prev in _YEAR_BEFORE
                or prev in {"(", ",", ""}
                or m.end >= len(sub)
                or not sub[m.end].is_alpha
                or sub[m.end].text[:1].isupper()
            )
        ):
            continue  # a year
        if (
            unit is None
            and m.end < len(sub)
            and sub[m.end].text in {")", "]"}
            and prev
            in {
                "(",
                "[",
            }
        ):
            # "(3)" list markers and references
            continue
        if unit is None:
            unit = _range_unit(sub, m, by_start)
        if unit is None and _not_a_measure(sub, m.start, m.end):
            continue
        direction = _direction(sub, m.start, m.end, txt)
        last_end = m.end
        start = m.span.start_char - base_char
        end = m.span.end_char - base_char
        out.append(
            Quantity(
                value=value,
                unit=unit,
                direction=direction,
                text=sub.text[start:end],
                start=start,
                end=end,
            )
        )
    return out
