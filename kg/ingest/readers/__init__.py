"""The built-in input readers, one module per format, like rdflib's ``plugins/parsers/``.

Each module defines ``sniff``, ``read`` (and optionally ``check``) and registers one
:class:`kg.ingest.registry.Reader` at import; :mod:`kg.ingest` imports them in sniffing order
(atom, csv, dailypapers, jsonl). Shared field parsing is :mod:`kg.ingest.fields`, decoding
:mod:`kg.ingest.decoding`; a reader sees decoded text lines, never bytes.
"""
