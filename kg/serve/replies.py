"""Answers as the HTTP layer sends them, and the media types a client may ask for.

Workers build :class:`Reply` objects (picklable, so they cross the process pipe) and the
handler writes them out unchanged; content negotiation lives here because both sides need it:
the handler maps ``format=`` aliases, the worker picks the serializer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RESULTS_TYPES = {  # media type -> pyoxigraph QueryResultsFormat name
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "application/sparql-results+xml": "XML",
    "application/xml": "XML",
    "text/xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
GRAPH_TYPES = {  # media type -> pyoxigraph RdfFormat name
    "text/turtle": "TURTLE",
    "application/x-turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "text/plain": "N_TRIPLES",
    "application/n-quads": "N_QUADS",
    "application/trig": "TRIG",
    "application/ld+json": "JSON_LD",
    "application/rdf+xml": "RDF_XML",
}
#: Short names accepted in a ``format=``/``output=`` URL parameter (as many endpoints do).
FORMAT_ALIASES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def one_line(err: Exception, limit: int = 600) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def text_reply(status: int, message: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode("utf-8"))


def _accept_ranges(accept: str) -> list[tuple[float, int, str]]:
    """The media ranges of an Accept header as (-q, position, range), q > 0 only."""
    ranges = []
    for i, part in enumerate(accept.split(",")):
        bits = [b.strip() for b in part.split(";")]
        media, q = bits[0].lower(), 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if media and q > 0:
            ranges.append((-q, i, media))
    return ranges


def best_type(accept: str, offered: dict[str, str], default: str) -> str | None:
    """The offered media type the Accept header prefers (q-values honoured); None if none fits."""
    if not accept.strip():
        return default
    for _q, _i, media in sorted(_accept_ranges(accept)):
        if media in offered:
            return media
        if media in ("*/*", "application/*", "text/*"):
            top = media.split("/")[0]
            if media == "*/*" or default.startswith(top + "/"):
                return default
            return next((m for m in offered if m.startswith(top + "/")), default)
    return None
