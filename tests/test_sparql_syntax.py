"""One-line SPARQL syntax errors (kg.sparql.syntax) for what Oxigraph reports as token lists."""

from __future__ import annotations

import pyoxigraph as ox

from kg.sparql.syntax import explain_syntax_error


def _error(text: str, update: bool = False) -> str:
    store = ox.Store()
    try:
        store.update(text) if update else store.query(text)
    except SyntaxError as err:
        return explain_syntax_error(text, err, {}, update=update)
    raise AssertionError("no syntax error")


def test_a_missing_term_says_a_term_is_missing_not_a_list_of_characters():
    message = _error("INSERT DATA { <http://a> <http://b> }", update=True)
    assert message.startswith("malformed SPARQL update at line 1, column 37")
    assert "expected an RDF term" in message and '"$"' not in message
    assert "expected an RDF term" in _error("DELETE WHERE { ?s ?p }", update=True)


def test_other_expectations_are_listed_as_before():
    assert "'}' closes nothing" in _error("SELECT * WHERE { ?s ?p ?o . FILTER( }")
