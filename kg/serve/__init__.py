"""``kg serve``: a SPARQL 1.1 Protocol endpoint over a store, on 127.0.0.1.

* ``/query`` - SPARQL queries: ``GET ?query=``, ``POST`` form (``query=``) or ``POST``
  ``application/sparql-query``; ``default-graph-uri``/``named-graph-uri`` honoured. Results are
  negotiated from ``Accept`` (SPARQL JSON by default, XML, CSV, TSV; Turtle by default for
  CONSTRUCT/DESCRIBE, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML). The kg prefixes are
  predeclared, as in ``kg query``.
* ``/update`` - SPARQL updates (``POST`` form ``update=`` or ``application/sparql-update``),
  refused with 403 unless the server was started with ``--allow-update``.
* ``/`` - a query page for the browser; ``/status`` - JSON about the store.

Safe by default. The server binds to 127.0.0.1 and answers only requests whose ``Host`` header
names an address it listens on (``127.0.0.1:PORT``, ``localhost:PORT``), so a page that
rebinds its own DNS name to 127.0.0.1 cannot reach it. It sends no CORS headers and refuses
requests from another origin unless that origin was allowed (``--cors ORIGIN``, or ``--cors '*'``
for any), so other pages in the user's browser can neither read results nor post updates. It
makes no outbound requests: a query with a ``SERVICE`` pattern, or an update with ``LOAD``, is
refused with 403 unless the server was started with ``--allow-service`` (detected from the
request's tokens, :mod:`kg.sparql.outbound`). A malformed query gets 400 with a message that
says where it went wrong (:mod:`kg.sparql.syntax`).

Limits. Queries run in worker processes (``workers``), each with the store open read-only. A
query that runs longer than ``timeout`` seconds is stopped - its worker process is killed and
replaced if it does not stop by itself - and answered with 503; a result larger than
``max_result_bytes`` is answered with 413 (add a LIMIT). Request bodies are capped too.

Freshness and writes. Read-only, the server never writes: ``kg add``/``kg build`` may publish a
new generation meanwhile, and workers switch to it before their next query. With
``allow_update`` the server holds the store's writer lock for its lifetime (builds and adds get a
clear "being written" error), applies updates in a private working copy of the store inside a
dedicated writer process (transactional: a killed update leaves no trace), and publishes each
successful update as a new generation, so the next query sees it.

Modules, one job each: :mod:`kg.serve.config` (what the server is started with),
:mod:`kg.serve.http` (the server and request handler), :mod:`kg.serve.workers` (the query and
update processes), :mod:`kg.serve.cache` (answers per generation), :mod:`kg.serve.replies`
(replies and content negotiation), :mod:`kg.serve.page` (the browser page,
``templates/query.html``).
"""

from kg.serve.config import DEFAULT_PORT, HOST, ServerConfig
from kg.serve.http import SparqlServer, serve

__all__ = ["DEFAULT_PORT", "HOST", "ServerConfig", "SparqlServer", "serve"]
