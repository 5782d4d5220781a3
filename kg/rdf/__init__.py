"""The RDF stage: triples for papers, entities, evidence, claims and topics."""

from kg.rdf.writer import graph_triples, new_graph, write_turtle

__all__ = ["graph_triples", "new_graph", "write_turtle"]
