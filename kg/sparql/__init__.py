"""SPARQL text as kg reads it before a store runs it: lexing, what a request would reach
outside the store (``SERVICE``, ``LOAD``), and parse errors in words a user can act on."""
