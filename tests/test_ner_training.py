"""SciERC conversion and a smoke run of the NER training path (seconds, not minutes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SCIERC = SHARED / "data" / "scierc"

needs_scierc = pytest.mark.skipif(
    not (SCIERC / "train.json").is_file(), reason="shared SciERC data not available"
)


@needs_scierc
def test_convert_first_doc_offsets_and_labels():
    from kg.datasets.scierc import load_scierc

    docs, stats = load_scierc(SCIERC / "train.json", limit=3)
    assert stats.docs == 3
    doc = docs[0]
    # [0, 0, Material], [10, 10, OtherScientificTerm], [17, 20, OtherScientificTerm] (end-inclusive)
    ents = [(e.start, e.end, e.text, e.label_) for e in doc.ents]
    assert ents[0] == (0, 1, "English", "Material")
    assert ents[1] == (10, 11, "coordinations", "OtherScientificTerm")
    assert ents[2] == (17, 21, "strictly syntactic cross-serial agreement", "OtherScientificTerm")
    assert (23, 24, "agreement", "Generic") in ents
    # gold sentence boundaries, document-level doc
    sents = list(doc.sents)
    assert len(sents) == 3
    assert sents[1][0].text == "The" and sents[1].start == 22
    assert doc.text.startswith("English is shown to be trans-context-free on the basis")
    assert "agreement. The agreement" in doc.text  # detokenized, no space before "."


def test_overlaps_dropped_and_ptb_unescaped(tmp_path):
    from kg.datasets.scierc import load_scierc

    rec = {
        "sentences": [["We", "use", "-LRB-", "deep", "neural", "networks", "-RRB-", "."]],
        "ner": [[[3, 5, "Method"], [4, 5, "Method"], [3, 3, "Generic"]]],
    }
    f = tmp_path / "x.json"
    f.write_text(json.dumps(rec) + "\n")
    (doc,), stats = load_scierc(f)
    assert doc.text == "We use (deep neural networks)."
    assert [(e.text, e.label_) for e in doc.ents] == [("deep neural networks", "Method")]
    assert stats.entities == 3 and stats.kept == 1 and stats.dropped_overlapping == 2


def test_bad_file_is_a_kgerror(tmp_path):
    from kg.datasets.scierc import load_scierc
    from kg.errors import KGError

    bad = tmp_path / "bad.json"
    bad.write_text('{"text": "not scierc"}\n')
    with pytest.raises(KGError):
        load_scierc(bad)
    with pytest.raises(KGError):
        load_scierc(tmp_path / "missing.json")
    (tmp_path / "dev.json").write_text("")
    with pytest.raises(KGError, match="a directory; give a SciERC file .* such as .*dev.json"):
        load_scierc(tmp_path)


@needs_scierc
def test_train_ner_smoke(tmp_path):
    """A handful of steps on 20 docs with a tiny tok2vec: the whole train_ner path works."""
    import spacy

    from kg.evaluation.scierc import evaluate_scierc
    from kg.train.ner import train_ner

    overrides = {
        "components.tok2vec.model.embed.include_static_vectors": False,
        "components.tok2vec.model.encode.width": 32,
        "components.tok2vec.model.encode.depth": 1,
        "components.tok2vec.model.embed.rows": [500, 100, 100, 100],
        "training.max_steps": 6,
        "training.eval_frequency": 3,
    }
    best = train_ner(tmp_path / "ner", seed=1, overrides=overrides, limit=20)
    assert (best / "config.cfg").is_file()
    # the time limit stops training right after an evaluation, with the models saved
    stopped = train_ner(tmp_path / "ner2", seed=1, overrides=overrides, limit=20, max_minutes=1e-6)
    assert (stopped / "config.cfg").is_file() and (tmp_path / "ner2" / "model-last").is_dir()
    nlp = spacy.load(best)
    assert nlp.pipe_names == ["tok2vec", "ner"]
    assert set(nlp.get_pipe("ner").labels) == {
        "Task",
        "Method",
        "Metric",
        "Material",
        "OtherScientificTerm",
        "Generic",
    }
    scores = evaluate_scierc(SCIERC / "dev.json", best)
    assert 0.0 <= scores["f1"] <= 100.0 and scores["docs"] == 50


@needs_scierc
def test_pretraining_text_leaves_out_dev_abstracts(tmp_path):
    """The pretraining text keeps corpus abstracts but none that shares a sentence with dev."""
    import gzip

    from kg.train.pretrain import pretraining_text

    dev = json.loads((SCIERC / "dev.json").open().readline())
    dev_text = " ".join(" ".join(s) for s in dev["sentences"])
    corpus = tmp_path / "corpus.jsonl.gz"
    with gzip.open(corpus, "wt") as fh:
        fh.write(json.dumps({"title": "A dev paper", "abstract": dev_text}) + "\n")
        fh.write(json.dumps({"title": "Other", "abstract": "We study sparse experts."}) + "\n")
    out = tmp_path / "text.jsonl"
    stats = pretraining_text(out, corpus)
    assert stats == {"abstracts": 1, "left_out_dev_overlap": 1}
    assert [json.loads(x)["text"] for x in out.read_text().splitlines()] == [
        "Other We study sparse experts."
    ]


@needs_scierc
def test_pretrain_then_train_ner_from_the_weights(tmp_path):
    """spaCy's pretrain runs on our config with static vectors, and NER training starts from it:
    the trained tok2vec differs from one trained from scratch with the same seed."""
    import gzip

    import spacy

    from kg.extract import PIPELINE_DIR
    from kg.train.ner import train_ner
    from kg.train.pretrain import pretrain_tok2vec

    small = {
        "components.tok2vec.model.encode.width": 32,
        "components.tok2vec.model.encode.depth": 1,
        "components.tok2vec.model.embed.rows": [500, 100, 100, 100],
    }
    corpus = tmp_path / "corpus.jsonl.gz"
    docs = [json.loads(line) for line in (SCIERC / "train.json").open()][:30]
    with gzip.open(corpus, "wt") as fh:
        for d in docs:
            fh.write(json.dumps({"abstract": " ".join(" ".join(s) for s in d["sentences"])}) + "\n")
    weights = pretrain_tok2vec(tmp_path / "pre", PIPELINE_DIR, corpus=corpus, overrides=small)
    assert weights.stat().st_size > 1000
    # a second epoch continues from the first one's checkpoint
    again = tmp_path / "pre2"
    again.mkdir()
    (again / "pretrain.jsonl").write_bytes((tmp_path / "pre" / "pretrain.jsonl").read_bytes())
    pretrain_tok2vec(
        again, PIPELINE_DIR, corpus=corpus, overrides=small, resume=tmp_path / "pre" / "model0.bin"
    )
    assert (again / "model1.bin").is_file() and not (again / "model0.bin").exists()
    steps = {**small, "training.max_steps": 2, "training.eval_frequency": 2}
    runs = {}
    for name, init in (("scratch", None), ("pretrained", str(weights))):
        ov = {**steps, "paths.init_tok2vec": init}
        best = train_ner(tmp_path / name, seed=1, vectors=PIPELINE_DIR, overrides=ov, limit=5)
        runs[name] = spacy.load(best).get_pipe("tok2vec").model.to_bytes()
    assert runs["scratch"] != runs["pretrained"]
