"""Parse errors in words a user can act on.

Oxigraph's parser reports what its grammar expected at the furthest point it reached, as
character classes (``expected one of "$", "'", ... ['0'..='9'], ['A' ..= 'Z' | ...]``) and
sometimes well past the mistake (``SELEC ?x WHERE {`` is reported at column 10 as ``expected
CONSTRUCT``). This module reads the query's own tokens to say where it went wrong: a misspelt
keyword (with the nearest real one), an unknown prefix (with the declared ones), an unclosed
brace or parenthesis, a query that stops too early; otherwise the parser's position with the
text there and the keywords it expected, without the character classes.
"""

from __future__ import annotations

import difflib
import re

from kg.sparql.lexer import Token, line_col, offset_of, tokens

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_FORMS = (
    "INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH",
)  # fmt: skip
KEYWORDS = (
    *QUERY_FORMS, *UPDATE_FORMS, "PREFIX", "BASE", "WHERE", "FROM", "NAMED", "GRAPH", "OPTIONAL",
    "UNION", "MINUS", "FILTER", "BIND", "VALUES", "SERVICE", "SILENT", "ORDER", "GROUP", "BY",
    "HAVING", "LIMIT", "OFFSET", "DISTINCT", "REDUCED", "AS", "ASC", "DESC", "NOT", "IN",
    "EXISTS", "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "SEPARATOR",
    "COALESCE", "IF", "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "IRI", "URI", "BNODE",
    "REGEX", "REPLACE", "CONTAINS", "STRSTARTS", "STRENDS", "LCASE", "UCASE", "STRLEN",
    "SUBSTR", "CONCAT", "YEAR", "MONTH", "DAY", "NOW", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL",
    "ISNUMERIC", "UNDEF", "TRUE", "FALSE", "DATA", "INTO", "USING", "DEFAULT", "ALL", "TO", "A",
)  # fmt: skip
_POSITION = re.compile(r"error at (\d+):(\d+)")
_OPENERS = {"{": "}", "(": ")", "[": "]"}


def _expected(message: str) -> list[str]:
    """The keywords and punctuation the parser expected, without its character classes."""
    m = re.search(r"expected (?:one of )?(.*)", message, re.S)
    if not m:
        return []
    rest = re.sub(r"\[[^\]]*\]", "", m.group(1))  # ['0'..='9'] and the like
    items = [i.strip() for i in rest.split(",")]
    items = [i for i in items if i and i not in ('"', "[_]") and "Prefix not found" not in i]
    # where any term may come the parser lists the first character of each kind of term
    # ("$", "'", "(", "<", "?", "_:", ...): say what that means instead
    if {'"$"', '"<"', '"?"'} <= set(items):
        return ['an RDF term (an <IRI>, prefix:name, "literal", number or ?variable)']
    return items[:8]


def _near(text: str, offset: int) -> str:
    snippet = text[offset : offset + 30].split("\n")[0].strip()
    return f' near "{snippet}"' if snippet else " at the end of the query"


def _where(text: str, offset: int) -> str:
    line, col = line_col(text, offset)
    return f"line {line}, column {col}"


def _misspelt_keyword(toks: list[Token]) -> tuple[Token, str] | None:
    """A bare word that is no keyword, no function and not 'a', close to a keyword."""
    for i, tok in enumerate(toks):
        word = tok.keyword
        if word is None or word in KEYWORDS:
            continue
        if i + 1 < len(toks) and toks[i + 1].text == "(":
            continue  # a function call, perhaps one we do not list
        close = difflib.get_close_matches(word, KEYWORDS, n=1, cutoff=0.75)
        if close:
            return tok, close[0]
    return None


def _unbalanced(toks: list[Token]) -> tuple[Token | None, str] | None:
    stack: list[Token] = []
    for tok in toks:
        if tok.kind != "punct":
            continue
        if tok.text in _OPENERS:
            stack.append(tok)
        elif tok.text in _OPENERS.values():
            if not stack or _OPENERS[stack[-1].text] != tok.text:
                return tok, f"'{tok.text}' closes nothing"
            stack.pop()
    if stack:
        last = stack[-1]
        return last, f"'{last.text}' is never closed (missing '{_OPENERS[last.text]}')"
    return None


def _unknown_prefix(text: str, toks: list[Token], prefixes: dict[str, str]) -> str | None:
    declared = set(prefixes)
    for i, tok in enumerate(toks):
        if tok.keyword == "PREFIX" and i + 1 < len(toks) and toks[i + 1].kind == "pname":
            declared.add(toks[i + 1].text.split(":")[0])
    for i, tok in enumerate(toks):
        if tok.kind != "pname" or (i and toks[i - 1].keyword == "PREFIX"):
            continue
        prefix = tok.text.split(":")[0]
        if prefix not in declared:
            known = ", ".join(f"{p}:" for p in sorted(declared)) or "none"
            return (
                f"unknown prefix '{prefix}:' in {tok.text} at {_where(text, tok.offset)}; "
                f"declare it (PREFIX {prefix}: <...>) or use one of {known}"
            )
    return None


def explain_syntax_error(
    text: str, err: Exception, prefixes: dict[str, str] | None = None, *, update: bool = False
) -> str:
    """One line saying where ``text`` went wrong and, where we can tell, how to mend it."""
    what = "SPARQL update" if update else "SPARQL query"
    message = " ".join(str(err).split())
    toks = list(tokens(text))
    if not toks:
        return f"malformed {what}: it is empty"
    forms = UPDATE_FORMS if update else QUERY_FORMS
    form = _first_form(toks)
    if form is not None and form.keyword not in forms:
        close = difflib.get_close_matches(form.keyword or "", forms, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]}?)" if close else ""
        kind = "an update" if update else "a query"
        return (
            f"malformed {what} at {_where(text, form.offset)}: {kind} starts with "
            f"{', '.join(forms[:-1])} or {forms[-1]} (after any PREFIX/BASE lines), "
            f"not '{form.text}'{hint}"
        )
    if "Prefix not found" in message or "prefix" in message.lower():
        unknown = _unknown_prefix(text, toks, prefixes or {})
        if unknown:
            return f"malformed {what}: {unknown}"
    misspelt = _misspelt_keyword(toks)
    if misspelt:
        tok, keyword = misspelt
        return (
            f"malformed {what} at {_where(text, tok.offset)}: '{tok.text}' is not a SPARQL "
            f"keyword (did you mean {keyword}?)"
        )
    unbalanced = _unbalanced(toks)
    if unbalanced:
        tok, problem = unbalanced
        return f"malformed {what} at {_where(text, tok.offset)}: {problem}"
    m = _POSITION.search(message)
    if m:
        offset = offset_of(text, int(m.group(1)), int(m.group(2)))
        expected = _expected(message)
        wanted = f"; expected {' or '.join(expected)}" if expected else ""
        end = len(text.rstrip())
        if offset >= end:
            tail = " ".join(text[max(0, end - 25) : end].split())
            return f'malformed {what} near its end ("...{tail}"){wanted}'
        return f"malformed {what} at {_where(text, offset)}{_near(text, offset)}{wanted}"
    return f"malformed {what}: {message[:300]}"


def _first_form(toks: list[Token]) -> Token | None:
    """The first token after the PREFIX/BASE prologue."""
    i = 0
    while i < len(toks):
        kw = toks[i].keyword
        if kw == "PREFIX":
            i += 3
        elif kw == "BASE":
            i += 2
        else:
            return toks[i]
    return None
