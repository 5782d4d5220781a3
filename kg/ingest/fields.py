"""Field helpers shared by the readers: text cleanup, arXiv ids, dates, author lists.

Every reader turns its raw values into :class:`~kg.records.Paper` fields through these functions,
so the same messy value (a versioned arXiv URL, "Dec 5, 2024", "A, B and C") means the same thing
whichever format it came from.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from typing import Any

from kg.errors import InputProblem
from kg.records import Paper

# ------------------------------------------------------------------------------------------ text


#: A soft hyphen at a PDF line break, as text extraction leaves it: "conjunc(cid:173) tion"
#: (4,454 times in 1,585 abstracts of the corpus), or the character itself (U+00AD).
_SOFT_HYPHEN = re.compile(r"(?:\(cid:173\)|\u00ad)\s*")


#: LaTeX commands that only format their argument: "\\textbf{FlashMoE}" reads "FlashMoE".
_FORMAT_COMMAND = re.compile(
    r"\\(?:textbf|textit|emph|texttt|textsc|textrm|textsf|textnormal|underline|mathbf|mathrm"
    r"|mathit|mathsf|mathtt|boldsymbol|url|text)\s*\{([^{}\\$]*)\}"
)
_HREF = re.compile(r"\\href\s*\{[^{}]*\}\s*\{([^{}]*)\}")
#: "$k$", "$X$" around plain words once the formatting is gone: "Top-$k$" reads "Top-k".
_PLAIN_MATH = re.compile(r"\$([A-Za-z0-9][A-Za-z0-9 .\-]*)\$")
_ESCAPED = re.compile(r"\\([%&_#])")
#: A symbol in math mode with at most a number on either side: "$2\\times$" reads "2x",
#: "$\\sim$5%" "~5%". Left as they were, the dollars and the backslash cut the sentence
#: splitter's and the quantity extractor's view of "2x faster" (a user review's abstract lost
#: its claim). Symbols between variables ("$n \\times d$") stay mathematics.
_SYMBOLS = {"times": "×", "sim": "~", "approx": "≈", "pm": "±", "leq": "≤", "le": "≤",
            "geq": "≥", "ge": "≥", "cdot": "·"}  # fmt: skip
_SYMBOL_MATH = re.compile(
    r"\$\s*\{?\s*(\d[\d.,]*)?\s*\\("
    + "|".join(sorted(_SYMBOLS, key=len, reverse=True))
    + r")\b\s*\}?\s*(\d[\d.,]*)?\s*\$"
)
#: TeX's tie (a non-breaking space) after a word or an abbreviation's period: "Mixtral~8x7B",
#: "\\eg~progress", "Fig.~3". Not after a digit, where "~" is a range ("2~3%", "10~20").
_TIE = re.compile(r"(?<=[^\W\d_]|\.)~(?=\w)")


def _symbol_text(m: re.Match) -> str:
    """A :data:`_SYMBOL_MATH` match as text; a factor after a number is written "2x", as most
    abstracts write it (spaCy's tokenizer keeps "2×." whole and the sentence unsplit)."""
    before, name, after = m.group(1) or "", m.group(2), m.group(3) or ""
    symbol = "x" if name == "times" and before and not after else _SYMBOLS[name]
    return f"{before}{symbol}{after}"


def strip_markup(value: str) -> str:
    """Unwrap LaTeX formatting from abstracts exported with their markup.

    Why: arXiv and OpenReview abstracts keep "$\\textbf{FlashMoE}$" and "\\texttt{MMLU}";
    left as they are, the name is split into "textbf", braces and dollars, so the paper's own
    contribution and datasets are never found. Real mathematics ("$O(n \\log n)$") stays."""
    for _ in range(3):  # nested: $\textbf{\textit{X}}$
        unwrapped = _HREF.sub(r"\1", _FORMAT_COMMAND.sub(r"\1", value))
        if unwrapped == value:
            break
        value = unwrapped
    if "$" in value:
        value = _SYMBOL_MATH.sub(_symbol_text, value)
    return _ESCAPED.sub(r"\1", _PLAIN_MATH.sub(r"\1", value))


def clean_text(value: str | None) -> str:
    """Collapse every run of whitespace (newlines, tabs, NBSP, ...) to one space and strip;
    join a word a soft hyphen broke ("conjunc(cid:173) tion" -> "conjunction"); unwrap LaTeX
    formatting (:func:`strip_markup`) and read TeX's tie after a word as a space."""
    if not value:
        return ""
    if "\\" in value or "$" in value:
        value = strip_markup(value)
    if "~" in value:
        value = _TIE.sub(" ", value)
    if "(cid:173)" in value or "\u00ad" in value:
        value = _SOFT_HYPHEN.sub("", value)
        if not value:
            return ""
    # This runs for every field of every record, so the common cases avoid split/join (~10x
    # slower): text whose only whitespace is " " just has its double spaces and ends fixed.
    if value.isascii():  # O(1); then whitespace other than " " is one of these
        only_spaces = (
            "\n" not in value
            and "\t" not in value
            and "\r" not in value
            and "\x0b" not in value
            and "\x0c" not in value
            and "\x1c" not in value
            and "\x1d" not in value
            and "\x1e" not in value
            and "\x1f" not in value
        )
    else:  # isprintable() is False for every whitespace character but " "
        only_spaces = value.isprintable()
    if not only_spaces:
        return _join_breaks(" ".join(value.split()))
    while "  " in value:
        value = value.replace("  ", " ")
    if value[0] == " " or value[-1] == " ":
        value = value.strip(" ")
    return _join_breaks(value)


#: A word a line break cut at a hyphen, once the break became a space: "lan- guage".
_BROKEN = re.compile(r"(?<![\w-])([A-Za-z][a-z]+)- ([a-z]{2,})(?![\w-])")


def _join_breaks(value: str) -> str:
    """Mend words a PDF line break cut: "lan- guage" -> "language" where "lan" is no word of
    the corpus and "language" is one, "semi- supervised" -> "semi-supervised" where the
    compound is. Left alone otherwise: "pre- and post-training" is English. (293 breaks in
    232 corpus abstracts; the cut halves became fragment entities such as "sequen- tial
    model".)"""
    if "- " not in value:
        return value
    from kg.lexicon.words import corpus_words

    words = corpus_words()

    def mend(match: re.Match) -> str:
        first, second = match.group(1), match.group(2)
        low = first.lower()  # "Sequen- tial" at a sentence start
        if f"{low}-{second}" in words:
            return f"{first}-{second}"
        if low not in words and low + second in words:
            return first + second
        return match.group(0)

    return _BROKEN.sub(mend, value)


# ------------------------------------------------------------------------------------- arXiv ids

# New style (since 2007): YYMM.NNNN or YYMM.NNNNN, optional version.
_ARXIV_NEW = re.compile(r"(\d{2}(?:0[1-9]|1[0-2])\.\d{4,5})(?:v\d+)?")
# Old style: archive(.SUBJECT-CLASS)/YYMMNNN, e.g. hep-th/9901001, math.GT/0309136, cs/0112017.
_ARXIV_OLD = re.compile(r"([a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]{2})?/\d{7})(?:v\d+)?")
_ARXIV_PREFIX = re.compile(
    r"^(?:https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/|arxiv:\s*|10\.48550/arxiv\.)",
    re.IGNORECASE,
)


def arxiv_id_from(value: Any) -> str | None:
    """The bare arXiv id ("2401.04088", "hep-th/9901001") in an id, URL or DOI, else None.

    Versions ("v2") and a trailing ".pdf" are dropped. Values that merely contain digits, such as
    corpus ids ("ACL2020:123"), are not arXiv ids.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    lower = text.lower()
    if "arxiv" in lower or "10.48550" in lower:
        text = _ARXIV_PREFIX.sub("", text)
        if text.lower().endswith(".pdf"):
            text = text[:-4]
    first = text[:1]
    if first.isdigit():
        m = _ARXIV_NEW.fullmatch(text)
    elif first.isalpha() and "/" in text:
        m = _ARXIV_OLD.fullmatch(text)
    else:
        return None
    return m.group(1) if m else None


# ------------------------------------------------------------------------------------------ dates

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))

#: "May 20", "Dec 5, 2024", "September 29, 2024". The Daily Papers dumps add an upvote count after
#: the date ("Dec 5, 2024 2", "Sep 29 2"); that is captured separately in ``upvotes``. A year is
#: only recognised after a comma, as the pages write it: "Sep 29 2024" is Sep 29 with 2024 upvotes.
MONTH_DAY_DATE = re.compile(
    rf"(?P<text>(?P<month>{_MONTH_NAMES})\.?\s+(?P<day>\d{{1,2}})(?:\s*,\s*(?P<year>\d{{4}}))?)"
    r"(?:\s+(?P<upvotes>\d+))?",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ].*)?")


def _valid(year: int, month: int, day: int) -> bool:
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


def month_day_date(text: str) -> tuple[str | None, str] | None:
    """Parse a page-style date. Returns (date, date_text) or None when ``text`` is not one.

    ``date`` is ISO "2024-12-05" with a year, xsd:gMonthDay "--05-20" without one, or None when
    the day does not exist (e.g. "Feb 30"); ``date_text`` is the date as written, minus upvotes.
    """
    m = MONTH_DAY_DATE.fullmatch(text.strip())
    if not m:
        return None
    month = _MONTHS[m.group("month").lower()]
    day = int(m.group("day"))
    date_text = clean_text(m.group("text"))
    if m.group("year"):
        year = int(m.group("year"))
        return (
            f"{year:04d}-{month:02d}-{day:02d}" if _valid(year, month, day) else None
        ), date_text
    # 2000 is a leap year, so "--02-29" is accepted as a gMonthDay.
    return (f"--{month:02d}-{day:02d}" if _valid(2000, month, day) else None), date_text


def normalize_date(value: Any) -> tuple[str | None, str | None]:
    """(date, date_text) from a record's date-ish value: ISO dates/datetimes, years, page dates.

    An unrecognised value keeps its text in ``date_text`` and gets no ``date``.
    """
    if value is None or isinstance(value, bool):
        return None, None
    if isinstance(value, int):
        return (f"{value:04d}" if 1000 <= value <= 9999 else None), str(value)
    if not isinstance(value, str):
        return None, None
    text = clean_text(value)
    if not text:
        return None, None
    m = _ISO_DATE.fullmatch(text)
    if m:
        year, month, day = m.group(1), m.group(2), m.group(3)
        if day and _valid(int(year), int(month), int(day)):
            return f"{year}-{month}-{day}", text
        if month and not day and 1 <= int(month) <= 12:
            return f"{year}-{month}", text
        if not month:
            return year, text
        return None, text
    parsed = month_day_date(text)
    if parsed:
        return parsed
    return None, text


# ---------------------------------------------------------------------------------------- authors

_AUTHOR_SEPARATORS = re.compile(r"\s*(?:;|,|\band\b|&)\s*", re.IGNORECASE)
_SEMICOLONS = re.compile(r"\s*;\s*")


def split_authors(value: Any) -> list[str]:
    """Author names from a list (of names or {"name": ...}) or a string.

    Strings with semicolons split on them only ("Doe, J.; Roe, K."); others on commas, "and"
    and "&" ("A, B and C").
    """
    if value is None:
        return []
    if isinstance(value, str):
        parts = (_SEMICOLONS if ";" in value else _AUTHOR_SEPARATORS).split(value)
    elif isinstance(value, (list, tuple)):
        parts = []
        for item in value:
            if isinstance(item, Mapping):
                item = item.get("name")
            if isinstance(item, str):
                parts.append(item)
    else:
        return []
    return [name for name in (clean_text(p) for p in parts) if name]


# ------------------------------------------------------------------------------- generic records

#: The record keys (lower-cased) each Paper field is read from, in order of preference: the first
#: key present with a non-empty value wins. This table is the only list of them: the JSON Lines,
#: JSON and CSV readers, the CSV header check, the "record has no title" messages and
#: docs/input-formats.md (checked by tests/test_ingest_formats.py) all follow it.
#: Why these aliases: the arXiv API and the Hugging Face papers API call the abstract ``summary``
#: and the date ``published`` / ``publishedAt``; the arXiv metadata dump (Kaggle) names the
#: venue ``journal-ref``, the arXiv Atom feed ``journal_ref``.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "abstract": ("abstract", "summary"),
    "id": ("id",),
    "arxiv_id": ("arxiv_id",),
    "url": ("url",),
    "date": ("date", "published", "publishedat", "year"),
    "authors": ("authors",),
    "author_count": ("author_count",),
    "affiliation": ("affiliation",),
    "venue": ("venue", "journal_ref", "journal-ref"),
}
#: Every key some field is read from.
FIELD_KEYS = frozenset(name for names in FIELD_NAMES.values() for name in names)
#: The fields a record must have (one of the names of each).
REQUIRED_FIELDS = ("title", "abstract")
_TITLE_KEYS = FIELD_NAMES["title"]
_ABSTRACT_KEYS = FIELD_NAMES["abstract"]
_DATE_KEYS = FIELD_NAMES["date"]
_VENUE_KEYS = FIELD_NAMES["venue"]
#: How many of a record's own keys a "record has no title" message lists.
_SHOWN_KEYS = 8

#: ``ACL2020:123`` -> venue "ACL", year "2020" (the corpus ids).
_VENUE_YEAR_ID = re.compile(r"^([A-Za-z]+)(\d{4}):")


def _scalar(value: Any) -> str | None:
    """A string field's value as text; numbers are accepted and printed, anything else is None."""
    if value is None:
        return None
    if isinstance(value, str):
        return clean_text(value) or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _first(record: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str | None, Any]:
    """(key, value) of the first of ``names`` with a value other than None and ""."""
    for name in names:
        value = record.get(name)
        if value is not None and value != "":
            return name, value
    return None, None


def _first_text(record: Mapping[str, Any], names: tuple[str, ...]) -> str:
    """The first of ``names`` whose value is text that is not blank once cleaned, or ""."""
    for name in names:
        value = record.get(name)
        if isinstance(value, str) and (cleaned := clean_text(value)):
            return cleaned
    return ""


def read_from(field: str) -> str:
    """The keys a field is read from, as a message lists them: "abstract, summary"."""
    return ", ".join(FIELD_NAMES[field])


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def missing_message(missing: list[str], record: Mapping[str, Any]) -> str:
    """ "record has no title (title is read from: title; the record's fields: name, summary)":
    what is missing, the keys looked at and the keys the record has instead, so that a file with
    other key names says how to fix it, not only what is wrong."""
    looked = "; ".join(
        f"{name}{' is read' if i == 0 else ''} from: {read_from(name)}"
        for i, name in enumerate(missing)
    )
    keys = [f"{key} (empty)" if _blank(value) else str(key) for key, value in record.items()]
    shown = ", ".join(keys[:_SHOWN_KEYS]) or "none"
    if len(keys) > _SHOWN_KEYS:
        shown += f" and {len(keys) - _SHOWN_KEYS} more"
    what = " and no ".join(missing)
    return f"record has no {what} ({looked}; the record's fields: {shown})"


def has_required_field(record: Mapping[str, Any]) -> bool:
    """Whether any key a title or an abstract is read from is present (even if empty)."""
    return any(name in record for field in REQUIRED_FIELDS for name in FIELD_NAMES[field])


def paper_from_record(record: Mapping[str, Any], path: str, line: int) -> Paper | InputProblem:
    """A Paper from a flat record (a JSON object, a CSV row with lower-cased headers).

    Keys are those of :data:`FIELD_NAMES` (a title and an abstract are required); unknown keys
    are ignored. A missing or empty title/abstract, or one that is not text, is an InputProblem
    naming the keys looked for and those the record has.
    """
    get = record.get
    # (Hot loop for big corpora: the aliases are only looked at when the first name is absent.)
    title = get("title")
    if title is None or title == "":
        title = _first(record, _TITLE_KEYS)[1]
    abstract = get("abstract")
    if abstract is None or abstract == "":
        abstract = _first(record, _ABSTRACT_KEYS)[1]
    if not isinstance(title, str) or not isinstance(abstract, str):
        for name, raw in (("title", title), ("abstract", abstract)):
            if raw is not None and not isinstance(raw, str):
                kind = type(raw).__name__
                return InputProblem(path, line, f"record's {name} is not text ({kind})")
    title = clean_text(title)
    abstract = clean_text(abstract)
    # a blank first key ("abstract": "  ") does not hide an alias that has the text ("summary")
    if not title:
        title = _first_text(record, _TITLE_KEYS)
    if not abstract:
        abstract = _first_text(record, _ABSTRACT_KEYS)
    if not title or not abstract:
        missing = [n for n, v in (("title", title), ("abstract", abstract)) if not v]
        return InputProblem(path, line, missing_message(missing, record))

    # (Optional fields are only processed when present.)
    rid = get("id")
    if rid is not None:
        rid = _scalar(rid)
    arxiv_id = get("arxiv_id")
    if arxiv_id is not None:
        arxiv_id = arxiv_id_from(arxiv_id)
    if arxiv_id is None and rid is not None:
        arxiv_id = arxiv_id_from(rid)
    if arxiv_id is None:
        url = get("url")
        if isinstance(url, str) and "arxiv" in url.lower():
            arxiv_id = arxiv_id_from(url)
    raw_date = get("date")
    if raw_date is None or raw_date == "":
        key, raw_date = _first(record, _DATE_KEYS)
        if key == "year" and isinstance(raw_date, str) and raw_date.strip().isdigit():
            raw_date = int(raw_date)
    date, date_text = normalize_date(raw_date)
    venue = get("venue")
    if venue is None or venue == "":
        venue = _first(record, _VENUE_KEYS)[1]
    if venue is not None:
        venue = _scalar(venue)
    if rid and (venue is None or date_text is None):
        m = _VENUE_YEAR_ID.match(rid)
        if m:
            venue = venue or m.group(1)
            if date_text is None:
                date = m.group(2)
    authors = get("authors")
    authors = split_authors(authors) if authors is not None else []
    count = get("author_count")
    if count is not None:
        if isinstance(count, str) and count.strip().isdigit():
            count = int(count)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            count = None
    affiliation = get("affiliation")
    return Paper(
        title=title,
        abstract=abstract,
        sources=[f"{path}:{line}"],
        id=rid,
        arxiv_id=arxiv_id,
        date=date,
        date_text=date_text,
        authors=authors,
        author_count=count if count is not None else (len(authors) or None),
        affiliation=_scalar(affiliation) if affiliation is not None else None,
        venue=venue,
    )
