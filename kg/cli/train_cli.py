"""``kg train ner|ner-accurate|pretrain|claims|relations``: thin wrappers over the training
functions."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from kg.cli._util import app, check_output_dir
from kg.errors import KGError

train_app = typer.Typer(
    name="train", help="Train the pipeline's statistical components.", no_args_is_help=True
)
app.add_typer(train_app, name="train")


def _parse_overrides(items: list[str] | None) -> dict:
    out = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise KGError(f"--set expects section.key=value, got {item!r}")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


@train_app.command("ner")
def train_ner_cli(
    output: Path = typer.Option(Path("training/ner"), "--output", "-o", help="Output directory"),
    seed: int = typer.Option(0, "--seed", help="Random seed"),
    max_minutes: float | None = typer.Option(
        None, "--max-minutes", help="Stop after this many minutes (checked at evaluations)"
    ),
    vectors: Path | None = typer.Option(
        None, "--vectors", help="spaCy vectors dir (default: train floret vectors if needed)"
    ),
    config: Path | None = typer.Option(None, "--config", help="Config (default configs/ner.cfg)"),
    set_: list[str] | None = typer.Option(
        None, "--set", help="spaCy config override section.key=value (repeatable)"
    ),
    init_tok2vec: Path | None = typer.Option(
        None, "--init-tok2vec", help="Start tok2vec from these weights (`kg train pretrain`)"
    ),
    silver: Path | None = typer.Option(
        None,
        "--silver",
        help="Distil: a DocBin of corpus abstracts labelled by the accurate recognizer "
        "(scripts/silver_ner.py), mixed with SciERC train",
    ),
    gold_repeat: int = typer.Option(
        4, "--gold-repeat", min=1, help="With --silver: copies of SciERC train in the mix"
    ),
    ship: bool = typer.Option(
        False, "--ship", help="Assemble the result into the shipped pipeline kg/models/kg_pipeline"
    ),
) -> None:
    """Train the SciERC entity recognizer; the best model is written to OUTPUT/model-best."""
    check_output_dir(output)  # a bad --output fails now, not after training
    from kg.train.ner import DEFAULT_CONFIG, train_ner

    overrides = _parse_overrides(set_)
    if init_tok2vec is not None:
        if not init_tok2vec.is_file():
            raise KGError(f"{init_tok2vec}: pretrained tok2vec weights not found")
        overrides["paths.init_tok2vec"] = str(init_tok2vec)
    best = train_ner(
        output,
        seed=seed,
        max_minutes=max_minutes,
        vectors=vectors,
        config=config or DEFAULT_CONFIG,
        overrides=overrides,
        silver=silver,
        gold_repeat=gold_repeat,
    )
    typer.echo(str(best))
    if ship:
        from kg.extract import assemble

        typer.echo(f"shipped: {assemble(ner_from=best)}")


@train_app.command("pretrain")
def train_pretrain_cli(
    output: Path = typer.Option(Path("training/pretrain"), "--output", "-o"),
    vectors: Path | None = typer.Option(
        None,
        "--vectors",
        help="Pipeline or vectors dir whose static vectors the tok2vec reads "
        "(default: the shipped pipeline)",
    ),
    epochs: int = typer.Option(1, "--epochs", help="Passes over the corpus"),
    resume: Path | None = typer.Option(
        None, "--resume", help="Continue from an earlier run's modelN.bin (as epoch N + 1)"
    ),
    seed: int = typer.Option(0, "--seed"),
    config: Path | None = typer.Option(None, "--config", help="Config (default configs/ner.cfg)"),
    set_: list[str] | None = typer.Option(
        None, "--set", help="spaCy config override section.key=value (repeatable)"
    ),
) -> None:
    """Pretrain the NER tok2vec on the corpus (weights for `kg train ner --init-tok2vec`)."""
    check_output_dir(output)  # a bad --output fails now, not after training
    from kg.extract import PIPELINE_DIR
    from kg.train.ner import DEFAULT_CONFIG
    from kg.train.pretrain import pretrain_tok2vec

    vectors = vectors or PIPELINE_DIR
    if not vectors.exists():
        raise KGError(f"{vectors}: vectors not found")
    weights = pretrain_tok2vec(
        output,
        vectors,
        config=config or DEFAULT_CONFIG,
        epochs=epochs,
        seed=seed,
        overrides=_parse_overrides(set_),
        resume=resume,
    )
    typer.echo(str(weights))


@train_app.command("ner-accurate")
def train_ner_accurate_cli(
    output: Path = typer.Option(
        Path("training/ner-accurate"), "--output", "-o", help="Output directory"
    ),
    seed: int = typer.Option(0, "--seed", help="Random seed"),
    epochs: int = typer.Option(20, "--epochs", min=1, help="Passes over SciERC train"),
    max_minutes: float | None = typer.Option(
        None, "--max-minutes", help="Stop after the epoch that passes this many minutes"
    ),
    ship: bool = typer.Option(
        False,
        "--ship",
        help="Assemble the result into the accurate pipeline kg/models/kg_pipeline_accurate",
    ),
) -> None:
    """Train the accurate pipeline's transformer recognizer (needs the 'accurate' extra); the
    best model is written to OUTPUT/model-best."""
    check_output_dir(output)  # a bad --output fails now, not after training
    from kg.train.transformer_ner import train_transformer_ner

    best = train_transformer_ner(
        output, seed=seed, epochs=epochs, max_minutes=max_minutes, log=typer.echo
    )
    typer.echo(str(best))
    if ship:
        from kg.extract import assemble_accurate

        typer.echo(f"shipped: {assemble_accurate(best)}")


@train_app.command("claims")
def train_claims_cli(
    output: Path = typer.Option(Path("training/claims"), "--output", "-o"),
    seed: int = typer.Option(0, "--seed"),
    ship: bool = typer.Option(
        False, "--ship", help="Assemble the result into the shipped pipeline kg/models/kg_pipeline"
    ),
) -> None:
    """Train the claim sentence classifier."""
    check_output_dir(output)  # a bad --output fails now, not after training
    from kg.train.claims import train_claims

    best = train_claims(output, seed=seed)
    typer.echo(str(best))
    if ship:
        from kg.extract import ACCURATE_PIPELINE_DIR, assemble, assemble_accurate
        from kg.extract.transformer_ner import check_installed

        typer.echo(f"shipped: {assemble(claims_from=best)}")
        try:  # the accurate pipeline holds a copy of the claims classifier: keep them equal
            check_installed()
        except KGError as err:
            typer.echo(f"not updated: {ACCURATE_PIPELINE_DIR} ({err})", err=True)
            return
        shipped = assemble_accurate(ACCURATE_PIPELINE_DIR, claims_from=best)
        typer.echo(f"shipped: {shipped}")


@train_app.command("relations")
def train_relations_cli(
    output: Path = typer.Option(Path("training/relations"), "--output", "-o"),
    data: Path | None = typer.Option(
        None,
        "--data",
        help="Dir with SciERC train.json and dev.json (default ../shared/data/scierc)",
    ),
    ship: bool = typer.Option(
        False,
        "--ship",
        help="Put the result into the shipped pipelines (kg/models/kg_pipeline, and "
        "kg_pipeline_accurate when its extra is installed; with --accurate: only "
        "kg_pipeline_accurate)",
    ),
    accurate: bool = typer.Option(
        False,
        "--accurate",
        help="Train the accurate pipeline's classifier (MiniLM + LoRA, ~25 min on one CPU "
        "thread; needs the accurate extra) instead of the linear one",
    ),
    epochs: int = typer.Option(8, "--epochs", help="Epochs of the --accurate classifier"),
    silver: Path | None = typer.Option(
        None,
        "--silver",
        help="JSON lines of corpus pairs labelled by the accurate relation model "
        "(scripts/distil_relations.py) to train the linear model on next to SciERC train",
    ),
    silver_weight: float = typer.Option(
        0.5, "--silver-weight", help="Weight of a --silver pair (a gold pair weighs 1)"
    ),
    silver_min_confidence: float = typer.Option(
        0.0,
        "--silver-min-confidence",
        help="Keep only --silver pairs whose teacher probability of their label reaches this",
    ),
    min_count: int = typer.Option(
        2, "--min-count", help="Drop features seen in fewer training pairs (smaller file)"
    ),
    c_grid: str | None = typer.Option(
        None, "--c-grid", help="Comma-separated C values to select on dev (default 0.1,0.3,1,3)"
    ),
) -> None:
    """Train the relation classifier (kg_relations) on SciERC; print its dev report."""
    check_output_dir(output)  # a bad --output fails now, not after training
    from kg.datasets import SCIERC
    from kg.train.relations import C_GRID, save_model, train_relations

    if accurate:
        _train_accurate_relations(output, data or SCIERC, ship, epochs)
        return
    model, report = train_relations(
        data or SCIERC,
        silver=silver,
        silver_weight=silver_weight,
        silver_min_confidence=silver_min_confidence,
        c_grid=tuple(float(c) for c in c_grid.split(",")) if c_grid else C_GRID,
        min_count=min_count,
    )
    target = save_model(model, output)
    (Path(output) / "report.json").write_text(json.dumps(report.as_dict(), indent=2) + "\n")
    typer.echo(json.dumps(report.as_dict(), indent=2))
    typer.echo(str(target))
    if ship:
        from kg.extract import ACCURATE_PIPELINE_DIR, assemble, assemble_accurate
        from kg.extract.transformer_ner import check_installed

        typer.echo(f"shipped: {assemble(relations=model)}")
        try:
            check_installed()
        except KGError as err:
            typer.echo(f"not updated: {ACCURATE_PIPELINE_DIR} ({err})", err=True)
            return
        # relations=None: the accurate pipeline keeps its MiniLM relation model if it has one,
        # else takes the linear model just shipped in the default pipeline
        typer.echo(f"shipped: {assemble_accurate(ACCURATE_PIPELINE_DIR)}")


def _train_accurate_relations(output: Path, data: Path, ship: bool, epochs: int) -> None:
    from kg.extract import ACCURATE_PIPELINE_DIR
    from kg.extract.transformer_ner import check_installed
    from kg.train.relations import save_model, train_transformer_relations

    check_installed()
    model, report = train_transformer_relations(
        data, epochs=epochs, log=lambda line: typer.echo(line, err=True)
    )
    target = save_model(model, output)
    (Path(output) / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    typer.echo(json.dumps(report, indent=2))
    typer.echo(str(target))
    if ship:
        # only the component's directory: the config (factory kg_relations) is unchanged
        typer.echo(f"shipped: {save_model(model, ACCURATE_PIPELINE_DIR)}")


@train_app.command("termhood")
def train_termhood_cli(
    judged: Path = typer.Option(
        None, "--judged", help="Judged mentions TSV (default benchmarks/data/termhood_judged.tsv)"
    ),
    target_precision: float = typer.Option(
        0.82,
        "--target-precision",
        help="Threshold: lowest whose cross-validated precision reaches this",
    ),
    ship: bool = typer.Option(
        False, "--ship", help="Put the model into both shipped pipelines (kg_termhood)"
    ),
) -> None:
    """Train the termhood classifier (fragments and generic phrases are not made entities)."""
    from kg.train.termhood import JUDGED, train_termhood

    if not 0 < target_precision < 1:
        raise KGError("--target-precision must be between 0 and 1")
    model, report = train_termhood(judged or JUDGED, target_precision=target_precision)
    typer.echo(json.dumps(report, indent=1))
    if ship:
        from kg.extract import ACCURATE_PIPELINE_DIR, assemble, assemble_accurate

        typer.echo(f"shipped: {assemble(termhood=model)}")
        typer.echo(f"shipped: {assemble_accurate(ACCURATE_PIPELINE_DIR, termhood=model)}")


if __name__ == "__main__":  # python -m kg.cli.train_cli ner ...
    import sys

    try:
        train_app()
    except KGError as err:
        typer.echo(f"kg: error: {err}", err=True)
        sys.exit(2)
