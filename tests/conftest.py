"""Shared fixtures. Only fixtures here: each test module owns its assertions."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """The bundled sample built once per test session: (BuildResult, output dir)."""
    from kg.build import build

    out = tmp_path_factory.mktemp("sample-build")
    result = build(out_dir=out)
    return result, out


@pytest.fixture(scope="session")
def sample_graph(sample_build):
    """The sample graph parsed into an rdflib Graph."""
    from rdflib import Graph

    result, _ = sample_build
    return Graph().parse(result.graph_path)


@pytest.fixture(scope="session")
def nlp():
    from kg.extract import load_pipeline

    return load_pipeline()
