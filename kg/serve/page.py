"""The browser page at ``/``: a query box, the library queries as examples, a results table.

The HTML is a file (``templates/query.html``), as the viz page is, so that it can be read and
edited as HTML; ``{{ name }}`` marks the values filled in here, each escaped for its place.
"""

from __future__ import annotations

import html
import json
import re
from importlib import resources

from kg.errors import KGError
from kg.serve.config import ServerConfig
from kg.sparql.library import list_queries, parse_params

_FALLBACK = "SELECT ?paper ?title WHERE { ?paper a kg:Paper ; dcterms:title ?title } LIMIT 10"
_SLOT = re.compile(r"\{\{ (\w+) \}\}")


def _examples() -> list[tuple[str, str, str]]:
    """(name, summary, SPARQL with its first example's values) of every library query that
    renders; none if the library is missing (the page still works without examples)."""
    examples: list[tuple[str, str, str]] = []
    try:
        for q in list_queries():
            values = parse_params(q.examples[0].split()) if q.examples else {}
            try:
                examples.append((q.name, q.summary, q.render(values)))
            except KGError:
                continue
    except KGError:
        pass
    return examples


def query_page(config: ServerConfig) -> bytes:
    """The page for ``config``'s store, as UTF-8 bytes (built once, when the server starts)."""
    examples = _examples()
    options = "\n".join(
        f'<option value="{i}">{html.escape(name)}: {html.escape(summary)}</option>'
        for i, (name, summary, _sparql) in enumerate(examples)
    )
    mode = "read-write (updates accepted at /update)" if config.allow_update else "read-only"
    values = {
        "store": html.escape(str(config.path)),
        "mode": mode,
        "prefixes": html.escape(" ".join(f"{p}:" for p in config.prefixes)),
        "options": options,
        "default": html.escape(examples[0][2] if examples else _FALLBACK),
        "examples": json.dumps([e[2] for e in examples]).replace("</", "<\\/"),
    }
    template = resources.files("kg.serve").joinpath("templates/query.html").read_text("utf-8")
    return _SLOT.sub(lambda m: values[m.group(1)], template).encode("utf-8")
