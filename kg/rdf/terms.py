"""Oxigraph terms as the equal rdflib terms.

Both the file reader (:mod:`kg.rdf.validate` parses Turtle with pyoxigraph) and the SPARQL
runner (:mod:`kg.sparql.native`) hand Oxigraph's terms to rdflib code; one conversion keeps
them equal, in particular plain literals without ``^^xsd:string``, which rdflib keeps apart
from the plain literal a query writes.
"""

from __future__ import annotations

from rdflib import BNode, Literal, URIRef

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_rdflib(term):
    """An Oxigraph term as the equal rdflib term (plain literals without ``xsd:string``)."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _LANG_STRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    return Literal(str(term))  # an RDF-star quoted triple: shown as text
