"""Reader for text dumps of Hugging Face "Daily Papers" pages (``.txt``).

Two layouts occur (both in ``kg/data/sample``):

(a) blocks separated by blank lines::

        Monet: Mixture of Monosemantic Experts for Transformers      <- title

        Understanding the internal computations of ...               <- abstract

          • 4 authors          (or an organisation line: "apple Apple" = logo alt text + name)
        ·
        Dec 5, 2024 2          (date; a trailing number is the upvote count)

(b) title and abstract lines alternating with no blank lines or metadata, where the page's
    "Subscribe" button text is glued onto the first title ("SubscribeDuo-LLM: ...").

Both start with page boilerplate ("new", "Get trending papers in your email inbox!", "Daily
Papers", "byAK and the research community", the page date "Dec 26"). The parser works on the
non-blank lines, classified as metadata (authors, "·", dates) or text; text lines are titles,
abstracts or organisation lines by position, with length/sentence shape used to re-synchronise
when a title has no abstract (reported as an InputProblem) instead of shifting every later paper.
A line that was not UTF-8 (reported by :mod:`kg.ingest.decoding`) loses the paper it belonged to,
and only that one.
Page dumps are small, so a file is tokenised whole before parsing (the parser looks ahead).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kg.errors import InputProblem
from kg.ingest.decoding import BadLine
from kg.ingest.fields import clean_text, month_day_date
from kg.ingest.registry import Reader, register
from kg.records import Paper

_BOILERPLATE = frozenset(
    {
        "new",
        "subscribe",
        "daily papers",
        "byak and the research community",
        "by ak and the research community",
    }
)
_BOILERPLATE_RE = re.compile(r"get trending papers in your email inbox.*", re.IGNORECASE)
#: The "Subscribe" button text glued onto the first title in layout (b).
_GLUED_SUBSCRIBE = re.compile(r"^Subscribe(?=[A-Z0-9\"'“‘(\[])")
_AUTHORS = re.compile(r"^[•*\-]?\s*(\d+)\s+authors?$", re.IGNORECASE)
_SEPARATOR = "·"
_SENTENCE_END = re.compile(r"[.!?]\s+[A-Z(]")
#: Longest organisation line accepted ("<logo alt> <organisation name>").
_MAX_ORG_LINE = 120
#: How many lines ahead a title-like line looks for the abstract that decides what it is.
_LOOKAHEAD = 50


def _abstract_like(text: str) -> bool:
    """Long, or sentences ending in a full stop: an abstract, not a title.

    In the 34,791-paper corpus titles are at most 192 characters and abstracts at least 198;
    this rule calls 3 of its titles abstract-like and 2 of its abstracts title-like.
    """
    if len(text) >= 220:
        return True
    return len(text) >= 60 and text.endswith((".", ".)")) and _SENTENCE_END.search(text) is not None


def _title_then_abstract_ahead(tokens: list[_Token], i: int) -> bool:
    """Whether title-like text lines from ``i`` on run into an abstract-like one.

    The last title-like line before an abstract is its title, so a title-like line in that run
    is a title too (the title before it has no abstract), not a short abstract.
    """
    for tok in tokens[i + 1 : i + 1 + _LOOKAHEAD]:
        if tok.kind != "text":
            return False
        if _abstract_like(tok.text):
            return True
    return False


def _org_name(line: str) -> str:
    """ "apple Apple" -> "Apple": the first word is the logo's alt text (the org's handle)."""
    parts = line.split(" ", 1)
    return parts[1].strip() if len(parts) == 2 and parts[1].strip() else line


@dataclass
class _Token:
    kind: str  # "text", "authors", "sep", "date", "bad" (a line that was not UTF-8)
    line: int
    text: str
    count: int | None = None
    date: str | None = None


def _tokens(lines: Iterable[str]) -> Iterator[_Token]:
    for n, raw in enumerate(lines, 1):
        if isinstance(raw, BadLine):
            yield _Token("bad", n, "")
            continue
        text = clean_text(raw)
        if not text:
            continue
        if text.casefold() in _BOILERPLATE or _BOILERPLATE_RE.fullmatch(text):
            continue
        if text == _SEPARATOR:
            yield _Token("sep", n, text)
            continue
        m = _AUTHORS.match(text)
        if m:
            yield _Token("authors", n, text, count=int(m.group(1)))
            continue
        parsed = month_day_date(text)
        if parsed:
            yield _Token("date", n, parsed[1], date=parsed[0])
            continue
        glued = _GLUED_SUBSCRIBE.match(text)
        if glued:
            text = text[glued.end() :].strip()
        yield _Token("text", n, text)


@dataclass
class _Block:
    title: str
    line: int
    abstract: str | None = None
    author_count: int | None = None
    affiliation: str | None = None
    date: str | None = None
    date_text: str | None = None
    meta: bool = False  # some metadata line was seen
    sep: bool = False  # the "·" before the date was seen
    closed: bool = False  # the date was seen: nothing further belongs to this paper

    def finish(self, path: str) -> Paper | InputProblem:
        if self.abstract is None:
            return InputProblem(path, self.line, f"title with no abstract: {self.title!r}")
        return Paper(
            title=self.title,
            abstract=self.abstract,
            sources=[f"{path}:{self.line}"],
            date=self.date,
            date_text=self.date_text,
            author_count=self.author_count,
            affiliation=self.affiliation,
        )


def read(path: str, lines: Iterable[str]) -> Iterator[Paper | InputProblem]:
    tokens = list(_tokens(lines))
    cur: _Block | None = None
    # After text with no title, the metadata that follows it belongs to that lost paper: it is
    # covered by the problem already reported for the text and skipped up to the date.
    orphan = False
    # A line that was not UTF-8 (already reported) took a title with it: the abstract that
    # follows belongs to that lost paper and is dropped without a second problem.
    lost_title = False
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        before_meta = nxt is not None and nxt.kind in ("sep", "date")
        text = tok.text
        org_like = (
            tok.kind == "text"
            and before_meta
            and len(text) <= _MAX_ORG_LINE
            and not _abstract_like(text)
        )
        if tok.kind == "bad":
            if cur is not None and cur.abstract is None and not cur.meta:
                cur, orphan = None, True  # it was this title's abstract: the paper is lost
            elif cur is None or cur.closed or not before_meta:
                if cur is not None:
                    yield cur.finish(path)
                cur, lost_title = None, True  # it was the next paper's title
            continue  # else an organisation line: nothing lost
        if lost_title:
            lost_title = False
            if tok.kind != "text" or _abstract_like(text):  # the lost paper's abstract or meta
                orphan = True
                if tok.kind == "text":
                    continue
        if orphan:
            if tok.kind != "text" or org_like:
                orphan = tok.kind != "date"
                continue
            orphan = False
        if tok.kind == "text":
            if cur is not None and cur.abstract is None and not cur.meta:
                # Expecting this title's abstract.
                if org_like:
                    cur.affiliation, cur.meta = _org_name(text), True
                elif not _abstract_like(text) and _title_then_abstract_ahead(tokens, i):
                    # Title-like lines running into an abstract: the title before has none.
                    yield cur.finish(path)
                    cur = _Block(text, tok.line)
                else:
                    cur.abstract = text
            elif (
                cur is not None
                and cur.abstract is not None
                and org_like
                and not (cur.sep or cur.closed or cur.affiliation)
            ):
                cur.affiliation, cur.meta = _org_name(text), True
            elif _abstract_like(text):
                yield InputProblem(
                    path, tok.line, f"abstract-like text with no title before it: {text[:60]!r}..."
                )
                orphan = cur is None or cur.closed
            else:
                if cur is not None:
                    yield cur.finish(path)
                cur = _Block(text, tok.line)
        elif tok.kind == "authors":
            if cur is None or cur.closed:
                yield InputProblem(path, tok.line, f"{tok.text!r} with no paper before it")
            else:
                if cur.author_count is None:
                    cur.author_count = tok.count
                cur.meta = True
        elif tok.kind == "sep":
            if cur is not None and not cur.closed:
                cur.sep = cur.meta = True
        elif tok.kind == "date":
            # Before any paper (or after a finished one) a date is the page's own date.
            if cur is not None and not cur.closed:
                cur.date, cur.date_text = tok.date, tok.text
                cur.closed = cur.meta = True
    if cur is not None:
        yield cur.finish(path)


def sniff(head: str) -> bool:
    if "Daily Papers" in head or _BOILERPLATE_RE.search(head):
        return True
    lines = {clean_text(line) for line in head.splitlines()}
    return _SEPARATOR in lines and any(_AUTHORS.match(line) for line in lines)


READER = register(
    Reader(
        name="dailypapers",
        suffixes=(".txt",),
        sniff=sniff,
        read=read,
        description="Hugging Face Daily Papers page dumps",
    )
)
