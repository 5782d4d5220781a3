"""The RDF stage: triples for papers, entities, evidence, claims and topics, and their files.

* :mod:`kg.rdf.term_text` - data terms as N-Triples text;
* :mod:`kg.rdf.writer` - the triples, one generator per part of the vocabulary;
* :mod:`kg.rdf.ntriples` - N-Triples parts and their Turtle (``graph.ttl``).
"""
