"""The accurate pipeline (``kg build --accurate``): the shipped transformer recognizer, loaded
offline from its wheel plus the adapters in the repo, on real text and end to end."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import PROV, RDF, RDFS

from kg.vocab import KG

SHARED = Path(__file__).resolve().parents[2] / "shared"
SCIERC_DEV = SHARED / "data" / "scierc" / "dev.json"
OFFLINE = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}

# The opening of a real abstract in the bundled sample ("Towards a Unified View of
# Parameter-Efficient Transfer Learning").
TEXT = (
    "Fine-tuning large pre-trained language models on downstream tasks has become the de-facto "
    "learning paradigm in NLP. However, conventional approaches fine-tune all the parameters of "
    "the pre-trained model, which becomes prohibitive as the model size and the number of tasks "
    "grow. Recent work has proposed a variety of parameter-efficient transfer learning methods "
    "that only fine-tune a small number of (extra) parameters to attain strong performance. "
    "While effective, the critical ingredients for success and the connections among the "
    "various methods are poorly understood. In this paper, we break down the design of "
    "state-of-the-art parameter-efficient transfer learning methods."
)


def kg(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        capture_output=True,
        text=True,
        env=env or OFFLINE,
        timeout=600,
    )


@pytest.fixture(scope="module")
def accurate_nlp():
    from kg.extract import ACCURATE_PIPELINE_DIR, load_pipeline

    return load_pipeline(ACCURATE_PIPELINE_DIR)


def test_shipped_pipeline_is_the_transformer_one(accurate_nlp):
    assert "kg_transformer_ner" in accurate_nlp.pipe_names
    assert "ner" not in accurate_nlp.pipe_names and "tok2vec" not in accurate_nlp.pipe_names
    # everything after the recognizer is the default pipeline's
    assert accurate_nlp.pipe_names[-2:] == ["kg_topic_cues", "kg_claims"]


def test_finds_scientific_entities_in_real_text(accurate_nlp):
    doc = accurate_nlp(TEXT)
    ents = {(e.text, e.label_) for e in doc.ents}
    assert ("parameter-efficient transfer learning methods", "Method") in ents
    assert ("NLP", "Task") in ents
    # the default CNN recognizer cuts this text into fragments ("parameter-efficient" +
    # "transfer learning methods", "approaches fine", "fine-tune a", "break down")
    texts = {e.text for e in doc.ents}
    assert not texts & {"parameter-efficient", "approaches fine", "fine-tune a", "break down"}
    # the entities the graph is built from say which component found them
    extractors = {s._.kg_extractor for s in doc.spans["kg_entities"]}
    assert "kg_transformer_ner" in extractors and "ner" not in extractors


def test_build_accurate_end_to_end(tmp_path):
    papers = tmp_path / "papers.jsonl"
    papers.write_text(
        json.dumps({"title": "Parameter-efficient transfer learning", "abstract": TEXT}) + "\n"
    )
    out = tmp_path / "out"
    done = kg("build", str(papers), "-o", str(out), "--accurate", "--no-store", "-q")
    assert done.returncode == 0, done.stderr
    graph = Graph().parse(out / "graph.ttl")
    agents = {str(o) for o in graph.objects(None, KG.extractor)}
    assert any(a.endswith("kg_transformer_ner") for a in agents)
    assert not any(a.endswith("/ner") or a.endswith("#ner") for a in agents)
    labels = {str(label) for s in graph.subjects(RDF.type, PROV.SoftwareAgent)
              for label in graph.objects(s, RDFS.label)}  # fmt: skip
    assert "kg_transformer_ner" in labels
    labels = {str(o).lower() for o in graph.objects(None, RDFS.label)}
    assert "pre-trained language model" in labels


def test_kg_add_keeps_the_pipeline_the_store_was_built_with(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(json.dumps({"title": "Transfer learning", "abstract": TEXT}) + "\n")
    second.write_text(
        json.dumps(
            {
                "title": "Sparse experts for translation",
                "abstract": "We train sparse expert layers with expert-choice routing for "
                "speech recognition and measure word error rate on LibriSpeech.",
            }
        )
        + "\n"
    )
    out = tmp_path / "out"
    assert kg("build", str(first), "-o", str(out), "--accurate", "-q").returncode == 0
    added = kg("add", str(second), "--store", str(out))
    assert added.returncode == 0, added.stderr
    rows = kg(
        "query", str(out), "--format", "tsv",
        "SELECT DISTINCT ?t ?a WHERE { ?ev rdf:subject ?p ; kg:extractor ?a . "
        "?p dcterms:title ?t }",
    )  # fmt: skip
    assert rows.returncode == 0, rows.stderr
    by_title: dict[str, set[str]] = {}
    for line in rows.stdout.splitlines()[1:]:
        title, agent = line.split("\t")
        by_title.setdefault(title, set()).add(agent.rsplit("/", 1)[-1].strip("<>"))
    assert "kg_transformer_ner" in by_title["Sparse experts for translation"]
    assert "ner" not in set().union(*by_title.values())


@pytest.mark.skipif(not SCIERC_DEV.is_file(), reason="shared SciERC data not available")
def test_scores_above_the_default_recognizer_on_scierc_dev():
    from kg.evaluation.scierc import evaluate_scierc
    from kg.extract import ACCURATE_PIPELINE_DIR

    scores = evaluate_scierc(SCIERC_DEV, ACCURATE_PIPELINE_DIR)
    # BENCHMARKS.md: 64.05 (the default CNN recognizer, distilled: 62.2)
    assert scores["f1"] >= 60.0
    assert set(scores["per_label"]) == {
        "Generic", "Material", "Method", "Metric", "OtherScientificTerm", "Task"
    }  # fmt: skip


def _scierc_file(tmp_path: Path) -> Path:
    rec = {
        "sentences": [["We", "use", "BLEU", "for", "machine", "translation", "."]],
        "ner": [[[2, 2, "Metric"], [4, 5, "Task"]]],
    }
    path = tmp_path / "one.json"
    path.write_text(json.dumps(rec) + "\n")
    return path


def test_other_base_weights_are_refused_in_one_line(tmp_path):
    from kg.extract import ACCURATE_PIPELINE_DIR

    copy = tmp_path / "pipeline"
    shutil.copytree(ACCURATE_PIPELINE_DIR, copy)
    cfg = copy / "kg_transformer_ner" / "cfg.json"
    meta = json.loads(cfg.read_text())
    meta["base_sha256"] = "0" * 64
    cfg.write_text(json.dumps(meta))
    done = kg("eval", "scierc", str(_scierc_file(tmp_path)), "--model", str(copy))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "other weights" in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_extra_is_one_line_before_any_work(tmp_path):
    papers = tmp_path / "papers.jsonl"
    papers.write_text(json.dumps({"title": "A", "abstract": TEXT}) + "\n")
    code = (
        "import sys; sys.modules['torch'] = None\n"  # as if torch were not installed
        "from kg.cli import main\n"
        f"sys.argv = ['kg', 'build', {str(papers)!r}, '-o', {str(tmp_path / 'out')!r},"
        " '--accurate', '-q']\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=OFFLINE, timeout=120
    )
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1 and "pip install -e '.[accurate]'" in done.stderr
    assert not (tmp_path / "out").exists()


def test_training_refuses_bad_arguments_in_one_line(tmp_path):
    from kg.errors import KGError
    from kg.train.transformer_ner import train_transformer_ner

    with pytest.raises(KGError, match="not found"):
        train_transformer_ner(tmp_path / "out", train=tmp_path / "missing.json")
    with pytest.raises(KGError, match="at least 1"):
        train_transformer_ner(tmp_path / "out", train=_scierc_file(tmp_path), epochs=0)
    done = kg("train", "ner-accurate", "-o", str(tmp_path / "out"), "--epochs", "0")
    assert done.returncode == 2 and "Traceback" not in done.stderr
