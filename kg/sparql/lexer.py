"""A SPARQL 1.1 tokenizer: the terminals of the grammar, in the order that disambiguates them.

Why our own: the endpoint must know, before Oxigraph runs a request, whether it would reach
outside the store (``SERVICE``, ``LOAD``). pyoxigraph exposes no algebra and no service hook,
and rdflib's full parser takes 20-65 ms per library query (measured), a third of the latency
budget of a request. ``SERVICE`` and ``LOAD`` are reserved words of the grammar that occur only
in the federated-pattern and load productions; once strings, IRIs, comments, variables and
prefixed names are recognised as the grammar's own terminals (so ``"SERVICE"``, ``?service``,
``ex:SERVICE`` and ``service:`` are not keywords), a keyword token is exactly such a pattern.
That takes about 0.1 ms.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# PN_CHARS_BASE of the grammar, ASCII plus the Unicode ranges (as one character class).
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_CHARS = _BASE + r"_\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_PREFIX = rf"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = rf"(?:[{_BASE}_:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"

_TOKEN = re.compile(
    rf"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             | '''(?:[^'\\]|\\.|'(?!''))*'''
             | "(?:[^"\\\r\n]|\\.)*"
             | '(?:[^'\\\r\n]|\\.)*')
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][{_CHARS}]+)
  | (?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)
  | (?P<bnode>_:[{_CHARS}.]*[{_CHARS}])
  | (?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
  | (?P<number>[+-]?(?:[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?))
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|<<|>>|[{{}}()\[\].,;*+\-/!=<>^|])
  | (?P<other>.)
    """,
    re.X | re.S,
)


@dataclass(frozen=True)
class Token:
    kind: str  # comment, string, iri, var, pname, bnode, lang, number, word, punct, other
    text: str
    offset: int

    @property
    def keyword(self) -> str | None:
        """The upper-cased keyword, for a bare word (SPARQL keywords ignore case)."""
        return self.text.upper() if self.kind == "word" else None


def tokens(text: str, *, comments: bool = False) -> Iterator[Token]:
    """The tokens of ``text`` (whitespace dropped; comments only when asked)."""
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind == "ws" or (kind == "comment" and not comments):
            continue
        yield Token(kind, m.group(), m.start())


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def offset_of(text: str, line: int, column: int) -> int:
    """The character offset of a 1-based line and column (clamped to the text)."""
    start = 0
    for _ in range(line - 1):
        nl = text.find("\n", start)
        if nl < 0:
            return len(text)
        start = nl + 1
    return min(start + max(column - 1, 0), len(text))
