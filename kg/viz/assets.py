"""Offline assets: vis-network's JavaScript and CSS, embedded in the page, and the check.

The files come from the pyvis package (a core dependency), which ships vis-network under
``pyvis/templates/lib/vis-<version>/``; the minified script keeps its licence header (vis-network
is dual-licensed Apache-2.0 / MIT). Nothing is downloaded at run time, and the page loads
nothing from a CDN: :func:`remote_references` finds any ``http(s)://`` (or protocol-relative)
script, stylesheet, image or frame source, and :func:`ensure_offline` refuses to write a page
that has one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

from kg.errors import KGError

VIS_VERSION = "9.1.2"
VIS_LICENCE = (
    "vis-network (Apache-2.0 OR MIT), (c) 2011-2017 Almende B.V., (c) 2017-2019 visjs contributors"
)

_ATTR_REF = re.compile(
    r"""<(?P<tag>script|link|img|iframe|source|embed|object|audio|video)\b[^>]*?"""
    r"""\b(?P<attr>src|href|data|srcset)\s*=\s*(?P<q>["']?)\s*(?P<url>(?:https?:)?//[^"'\s>]+)""",
    re.IGNORECASE,
)
_CSS_REF = re.compile(
    r"""(?:@import\s+|url\(\s*)["']?\s*(?P<url>(?:https?:)?//[^"')\s]+)""", re.IGNORECASE
)


def _pyvis_dir() -> Path:
    """pyvis's package directory, found without importing pyvis: ``import pyvis`` imports
    IPython (0.3-0.5 s of every ``kg viz``), and only its files are wanted here."""
    spec = find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise KGError("pyvis is not installed (it ships vis-network); reinstall kg")
    return Path(next(iter(spec.submodule_search_locations)))


def _lib_file(name: str) -> str:
    base = _pyvis_dir() / "templates" / "lib" / f"vis-{VIS_VERSION}"
    path = base / name
    if not path.is_file():
        raise KGError(
            f"pyvis does not ship vis-network {VIS_VERSION} ({path} is missing); "
            "reinstall pyvis 0.3.2"
        )
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def vis_network_js() -> str:
    js = _lib_file("vis-network.min.js")
    if "</script" in js.lower():  # would end the inline <script> early
        raise KGError("the vis-network script cannot be embedded inline (contains '</script')")
    return js


@lru_cache(maxsize=1)
def vis_network_css() -> str:
    css = _lib_file("vis-network.css")
    if _CSS_REF.search(css) or "</style" in css.lower():
        raise KGError("the vis-network stylesheet refers to remote resources; cannot embed it")
    return css


def remote_references(html: str) -> list[str]:
    """Every remote URL the page would load: ``<script src>``, ``<link href>``, ``<img src>``,
    frames and media, and CSS ``url()`` / ``@import`` (absolute ``http(s)://`` or ``//host``)."""
    found = [m.group("url") for m in _ATTR_REF.finditer(html)]
    for m in re.finditer(r"<style\b[^>]*>(.*?)</style>", html, re.IGNORECASE | re.DOTALL):
        found += [c.group("url") for c in _CSS_REF.finditer(m.group(1))]
    found += [
        c.group("url")
        for c in re.finditer(
            r"""style\s*=\s*["'][^"']*url\(\s*["']?(?P<url>(?:https?:)?//[^"')\s]+)""",
            html,
            re.IGNORECASE,
        )
    ]
    return found


def ensure_offline(html: str) -> None:
    remote = remote_references(html)
    if remote:
        raise KGError(
            f"refusing to write a page that loads remote resources: {', '.join(remote[:3])}"
        )
