"""Reader for arXiv API responses: Atom XML feeds (``.xml``, ``.atom``).

Each ``<entry>`` gives ``title``, ``summary`` (the abstract), ``author/name``,
``author/arxiv:affiliation`` (the first one becomes the paper's affiliation), ``published`` (else
``updated``) as the date, ``id`` (``http://arxiv.org/abs/2401.04088v2`` -> arXiv id
``2401.04088``; old-style ``hep-th/9901001`` too) and ``arxiv:journal_ref`` as the venue.

The feed is parsed incrementally (``XMLPullParser`` fed line by line), so entries are reported
with the line they start on and large feeds are not held in memory. Malformed XML is a KGError
naming the file, line and column (``FILE:LINE:COLUMN: unparseable XML: <expat's reason>``).
arXiv reports query errors as an entry whose id is
``http://arxiv.org/api/errors...``; such an entry becomes an InputProblem.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from xml.etree.ElementTree import Element, ParseError, XMLPullParser

from kg.errors import InputProblem, KGError
from kg.ingest.fields import arxiv_id_from, clean_text, normalize_date
from kg.ingest.problems import location
from kg.ingest.registry import Reader, register
from kg.records import Paper

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
_FEED = f"{{{ATOM}}}feed"
_ENTRY = f"{{{ATOM}}}entry"


def _text(elem: Element, tag: str) -> str:
    child = elem.find(tag)
    return clean_text("".join(child.itertext())) if child is not None else ""


def _entry(elem: Element, path: str, line: int) -> Paper | InputProblem:
    title = _text(elem, f"{{{ATOM}}}title")
    summary = _text(elem, f"{{{ATOM}}}summary")
    entry_id = _text(elem, f"{{{ATOM}}}id")
    if "arxiv.org/api/errors" in entry_id:
        return InputProblem(path, line, f"arXiv API error: {summary or title or entry_id}")
    if not title and not summary:
        return InputProblem(path, line, "entry has no title and no summary")
    if not title:
        return InputProblem(path, line, "entry has no title")
    if not summary:
        return InputProblem(path, line, "entry has no summary")
    authors: list[str] = []
    affiliation = None
    for author in elem.iterfind(f"{{{ATOM}}}author"):
        name = _text(author, f"{{{ATOM}}}name")
        if name:
            authors.append(name)
        if affiliation is None:
            affiliation = _text(author, f"{{{ARXIV}}}affiliation") or None
    date, date_text = normalize_date(
        _text(elem, f"{{{ATOM}}}published") or _text(elem, f"{{{ATOM}}}updated")
    )
    return Paper(
        title=title,
        abstract=summary,
        sources=[f"{path}:{line}"],
        id=entry_id or None,
        arxiv_id=arxiv_id_from(entry_id),
        date=date,
        date_text=date_text,
        authors=authors,
        author_count=len(authors) or None,
        affiliation=affiliation,
        venue=_text(elem, f"{{{ARXIV}}}journal_ref") or None,
    )


def _parse_error(path: str, err: ParseError, line: int) -> KGError:
    """``FILE:LINE:COLUMN: unparseable XML: <expat's reason>``; expat's columns are 0-based."""
    position = getattr(err, "position", None)
    where = location(path, position[0], position[1] + 1) if position else location(path, line)
    reason = str(err).split(": line ")[0]
    return KGError(f"{where}: unparseable XML: {reason}")


def read(path: str, lines: Iterable[str]) -> Iterator[Paper | InputProblem]:
    parser = XMLPullParser(events=("start", "end"))
    root: Element | None = None
    starts: list[int] = []  # line of each open <entry>
    n = 0

    def events() -> Iterator[Paper | InputProblem]:
        nonlocal root
        for event, elem in parser.read_events():
            if event == "start":
                if root is None:
                    root = elem
                    if elem.tag != _FEED:
                        raise KGError(
                            f"{path}:{n}: not an Atom feed (root element <{elem.tag}>, "
                            f"expected <feed xmlns='{ATOM}'>)"
                        )
                elif elem.tag == _ENTRY:
                    starts.append(n)
            elif elem.tag == _ENTRY:
                yield _entry(elem, path, starts.pop() if starts else n)
                if root is not None and len(root) and root[-1] is elem:
                    root.remove(elem)  # keep memory flat on big feeds

    try:
        for n, line in enumerate(lines, 1):  # noqa: B007 - n is read by events()
            parser.feed(line)
            yield from events()
        parser.close()
        yield from events()
    except ParseError as err:
        raise _parse_error(path, err, n) from None


def sniff(head: str) -> bool:
    return "<feed" in head and ATOM in head


def check(path: str, head: str) -> None:
    """Fail up front on an .xml/.atom file that is not an Atom feed at all."""
    if not head.lstrip().startswith("<"):
        raise KGError(f"{path}: not XML (an Atom feed was expected from the file name)")
    if not sniff(head):
        raise KGError(f'{path}: not an Atom feed (no <feed xmlns="{ATOM}"> at the start)')


READER = register(
    Reader(
        name="atom",
        suffixes=(".xml", ".atom"),
        sniff=sniff,
        read=read,
        check=check,
        skips_bad_lines=False,  # a lost line breaks the XML
        description="arXiv API Atom feeds",
    )
)
