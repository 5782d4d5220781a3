"""Draw proposals that a change of the ``kg_proposed`` rules drops or keeps, for blind judging;
or score a judged sheet.

A proposal is what a paper's ``kg:proposes`` link says it introduces. Whether "we propose a new
reinforcement learning (RL) method" proposes RL has no gold standard on corpus text, so it is
judged: the proposals of build BEFORE whose name is one half of an acronym definition in its
sentence (the population the established-term rule decides on) are split into those build
AFTER drops and those it keeps; N of each are drawn, shuffled together, and written with the
group in the last column (remove it for the judges: the sheet for them has row, title,
sentence and name only). Label each row ``ok`` (the paper introduces that name as its own
contribution) or ``wrong``, then score the file.

    python benchmarks/sample_proposals.py draw BEFORE AFTER --n 40 > proposals.tsv
    python benchmarks/sample_proposals.py score proposals.tsv
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

COLUMNS = ["row", "judgement", "title", "sentence", "name", "paper", "group"]


def _records(directory: str) -> dict:
    from kg.store.extractions import read_extractions

    paths = sorted(Path(directory).glob("store/gen-*/extractions.jsonl"))
    if not paths:
        sys.exit(f"sample_proposals: {directory}: no store with extraction records")
    return {ext.paper.local_id: ext for ext in read_extractions(paths[-1])}


def _proposals(ext) -> dict[str, object]:
    """name -> its first proposing mention in the abstract (the title's "Name:" aside)."""
    out: dict[str, object] = {}
    for m in ext.mentions:
        if m.relation == "proposes" and m.field == "abstract" and m.text not in out:
            out[m.text] = m
    return out


def _defined_in_sentence(ext, mention) -> bool:
    return any(
        mention.text in (a.short, a.long)
        and a.field == mention.field
        and a.sent_start == mention.sent_start
        for a in ext.acronyms
    )


def draw(before: str, after: str, n: int, seed: int) -> None:
    old, new = _records(before), _records(after)
    groups: dict[str, list] = {"dropped": [], "kept": []}
    for key in sorted(old):
        ext = old[key]
        kept = set(_proposals(new[key])) if key in new else set()
        for name, mention in sorted(_proposals(ext).items()):
            if _defined_in_sentence(ext, mention):
                group = "kept" if name in kept else "dropped"
                groups[group].append((ext.paper.title, mention.sentence, name, key, group))
    rng = random.Random(seed)
    rows = [r for g in groups.values() for r in rng.sample(g, min(n, len(g)))]
    rng.shuffle(rows)
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    print(f"# {before} -> {after}: dropped {len(groups['dropped'])}, kept {len(groups['kept'])}")
    out.writerow(COLUMNS)
    for i, (title, sentence, name, key, group) in enumerate(rows, start=1):
        out.writerow([i, "", title, " ".join(sentence.split()), name, key, group])


def score(path: str) -> None:
    from judged_sample import score_labelled
    from results import record, relative

    figures = score_labelled(path, bad="wrong", group="group", what="proposals")
    record("sample_proposals", figures, {"score": relative(path)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("draw")
    d.add_argument("before")
    d.add_argument("after")
    d.add_argument("--n", type=int, default=40)
    d.add_argument("--seed", type=int, default=0)
    s = sub.add_parser("score")
    s.add_argument("sheet")
    args = parser.parse_args()
    if args.command == "draw":
        draw(args.before, args.after, args.n, args.seed)
        return
    try:
        score(args.sheet)
    except OSError as err:
        sys.exit(f"sample_proposals: {args.sheet}: {err.strerror or err}")


if __name__ == "__main__":
    main()
