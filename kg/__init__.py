"""kg: turn machine-learning paper abstracts into an RDF knowledge graph.

The public API is :func:`kg.build`; the ``kg`` command line wraps it.
"""

__version__ = "0.1.0"


def build(*args, **kwargs):  # noqa: D103 - thin lazy re-export, documented in kg.build
    from kg.build import build as _build

    return _build(*args, **kwargs)
