"""bench_ner_compare.py's speed figure: every model timed, in turns, best round kept."""

from __future__ import annotations

import sys
from pathlib import Path

import spacy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import bench_ner_compare  # noqa: E402


def test_recognizer_speed_times_every_model_in_turns():
    texts = ["Graph neural networks for relation extraction on SciERC ."] * 20
    models = {"a": spacy.blank("en"), "b": spacy.blank("en")}
    wps = bench_ner_compare.recognizer_speed(models, texts, rounds=2)
    assert set(wps) == {"a", "b"}
    assert all(v > 0 for v in wps.values())


def test_f1_of_per_abstract_counts():
    assert bench_ner_compare.f1([(1, 2, 2), (1, 1, 2)]) == 2 * 2 / (3 + 4)
