"""Proposed contribution: the method, model, framework, dataset or benchmark a paper introduces.

Signals, strongest first:
1. the title's "Name: ..." prefix, when the prefix is a name (not "Neural Incompatibility: ..."),
   and not a pair of names ("RAG and RAU: ..." is a survey);
2. "we propose/introduce/present [a new ...] Name", "... called/named/dubbed Name";
3. "Name, a novel ..." / "Name is a novel ...";
4. "we propose a <long form> (ACRONYM)" - the acronym the proposing clause defines.
Surveys, reviews and position papers propose nothing named, so they get no ``proposes``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.tokens import Doc, Span

from kg.extract import names
from kg.extract.names import is_name_like, name_runs, run_end

SPANS_KEY = "kg_proposed"
#: "X-based" and the like: an adjective made of a name (kg.extract.entities trims it to X).
NAME_SUFFIXES = {"based", "driven", "powered", "guided", "style", "like", "enhanced", "augmented"}
#: Words that introduce what a proposing clause uses, not what it proposes.
USING_WORDS = {
    "use", "uses", "using", "employ", "employs", "employing", "adopt", "adopts", "adopting",
    "apply", "applies", "applying", "leverage", "leverages", "leveraging", "utilize",
    "utilizes", "utilizing", "exploit", "exploits", "exploiting",
}  # fmt: skip


def _uses(tokens: Span) -> bool:
    """Whether ``tokens`` introduce something the clause uses: "employ", "based on" (not the
    compound "learning-based framework")."""
    for t in tokens:
        if t.lower_ in USING_WORDS:
            return True
        if (
            t.lower_ == "based"
            and t.i + 1 < len(t.doc)
            and t.doc[t.i + 1].lower_ in ("on", "upon")
            and t.doc[t.i - 1].text != "-"
        ):
            return True
    return False


PROPOSE_VERBS = {
    "propose",
    "proposes",
    "introduce",
    "introduces",
    "present",
    "presents",
    "develop",
    "develops",
    "design",
    "designs",
    "build",
    "construct",
    "release",
    "contribute",
    "create",
    "curate",
    "devise",
    "unveil",
    "offer",
}
#: Words before a naming word that make the sentence a proposal ("we propose a new ...
#: network named X", "a novel framework, dubbed X", "X ... is proposed"; also "our").
PROPOSING_STEMS = (
    "propos", "introduc", "present", "develop", "design", "build", "construct", "creat",
    "devis", "releas", "novel", "new",
)  # fmt: skip
NAMING_WORDS = {"called", "named", "dubbed", "termed", "coined", "namely"}
SKIPPABLE = {
    "a",
    "an",
    "the",
    "our",
    "this",
    "new",
    "novel",
    "simple",
    "effective",
    "efficient",
    "first",
    "general",
    "unified",
    "lightweight",
    "scalable",
    "principled",
    "here",
    "also",
    "further",
    "then",
    "thus",
    "therefore",
    "hence",
    ",",
    "framework",
    "method",
    "approach",
    "model",
    "benchmark",
    "dataset",
    "system",
    "technique",
    "strategy",
    "paradigm",
    "algorithm",
    "architecture",
    "pipeline",
    "toolkit",
    "library",
    "agent",
    "solution",
    "family",
}
NOVELTY = {"novel", "new", "proposed", "first"}
SURVEY_WORDS = {"survey", "review", "overview", "tutorial", "primer", "perspective", "position"}
DATASET_WORDS = {"benchmark", "dataset", "corpus", "suite", "testbed", "leaderboard"}
#: Single words that open titles without naming anything ("Position: ...", "Rethinking: ...").
NOT_TITLE_NAMES = SURVEY_WORDS | {"towards", "rethinking", "revisiting", "beyond", "when", "why"}


def is_survey(title: str) -> bool:
    words = {w.strip(":,.").lower() for w in title.split()}
    return bool(words & SURVEY_WORDS)


def title_name(title: Span) -> Span | None:
    """The name before a title's colon, if it is a name."""
    colon = next((t for t in title if t.text == ":"), None)
    if colon is None or colon.i == title.start:
        return None
    prefix = title.doc[title.start : colon.i]
    words = prefix.text.split()
    if len(words) > 4 or any(w.lower() in {"and", "&", "vs", "vs.", "or"} for w in words):
        return None
    if len(words) == 1:
        word = words[0]
        if word.lower() in NOT_TITLE_NAMES or not word[0].isupper():
            return None
        return prefix
    # several words: a name only if one of them is name-shaped and none is a lowercase word
    first = words[0].lower()
    if any(w[0].islower() for w in words) or first.endswith("ing") or first in NOT_TITLE_NAMES:
        return None
    return prefix if any(is_name_like(w) for w in words) else None


def runs_by_start(doc: Doc) -> dict[int, Span]:
    """Name runs of the doc by start token (from ``kg_names`` when it ran, else computed)."""
    runs = doc.spans[names.SPANS_KEY] if names.SPANS_KEY in doc.spans else name_runs(doc)
    return {r.start: r for r in runs}


def _first_name_after(
    sent: Span, index: int, limit: int = 8, runs: dict[int, Span] | None = None
) -> Span | None:
    """The first name run after token ``index`` in ``sent``, skipping only filler words."""
    runs = runs_by_start(sent.doc) if runs is None else runs
    for tok in sent.doc[index + 1 : min(sent.end, index + 1 + limit)]:
        if tok.i in runs:
            run = runs[tok.i]
            # "we build LLM-based agents": an adjective made of a name describes, not names
            if "-" in run.text and run.text.rsplit("-", 1)[1].lower() in NAME_SUFFIXES:
                return None
            return run
        if tok.lower_ not in SKIPPABLE:
            return None
    return None


#: Lower-case words inside a capitalised name: "Learning with Selective Forgetting"
NAME_CONNECTORS = frozenset({"of", "to", "with", "for", "and", "in", "on", "from", "via", "by"})


def _capitalised_run(tokens: list, i: int, max_words: int = 8) -> Span:
    """The capitalised words from ``tokens[i]`` on: "Multi-Party Empathetic Dialogue
    Generation" in "a novel task called Multi-Party Empathetic Dialogue Generation in ...",
    "Geo-Nav" in "dubbed Geo-Nav. In ...", and a connector between two of them ("called
    Learning with Selective Forgetting, which ...")."""

    def capitalised(k: int) -> bool:
        text = tokens[k].text
        return text[:1].isupper() and text[:1].isalpha() and "(" not in text  # "Approach(SAMLA)"

    end = run_end(tokens, i)
    for _ in range(max_words - 1):
        nxt = end + 1
        if nxt >= len(tokens) or not tokens[end].whitespace_:
            break
        if (
            tokens[nxt].text in NAME_CONNECTORS
            and tokens[nxt].whitespace_
            and nxt + 1 < len(tokens)
            and capitalised(nxt + 1)
        ):
            end = run_end(tokens, nxt + 1)
            continue
        if not capitalised(nxt):
            break
        end = run_end(tokens, nxt)
    return tokens[i].doc[tokens[i].i : tokens[end].i + 1]


#: A name written in lower case ("mixup", "prefix-tuning", "zoneout"): one word, hyphens
#: allowed, three characters or more.
_LOWERCASE_NAME = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
#: What a proposing verb may be followed by in that shape without being a name.
_NOT_LOWERCASE_NAMES = frozenset({"ours", "this", "that", "these", "those", "them", "it"})


def _lowercase_name(tokens: list, k: int) -> Span | None:
    """The name right after the proposing verb ``tokens[k]`` when it is a lower-case word
    followed by an apposition: "we propose mixup, a simple learning principle". Name runs are
    capitalised or have digits, so these were missed; the comma and "a"/"an" make the word a
    name, not the start of a description ("we propose efficient, a ..." does not occur)."""
    start = end = k + 1
    while end + 1 < len(tokens) and not tokens[end].whitespace_ and tokens[end + 1].text != ",":
        end += 1  # "prefix-tuning" is three tokens
    if (
        end + 2 >= len(tokens)
        or tokens[end + 1].text != ","
        or tokens[end + 2].lower_
        not in {
            "a",
            "an",
        }
    ):
        return None
    span = tokens[start].doc[tokens[start].i : tokens[end].i + 1]
    text = span.text
    if len(text) < 3 or text in _NOT_LOWERCASE_NAMES or not _LOWERCASE_NAME.fullmatch(text):
        return None
    return span


def proposed_in_sentence(
    sent: Span,
    defined: list[tuple[Span, Span]],
    runs: dict[int, Span] | None = None,
    established: Callable[[str, str], bool] | None = None,
) -> list[Span]:
    """The names ``sent`` proposes. ``established(long, short)``: whether an acronym
    definition names an established term (``kg_proposed`` asks the corpus); a name that is
    either half of such a definition in this sentence is not proposed ("we propose a new
    reinforcement learning (RL) method")."""
    found = _proposed_in_sentence(sent, defined, runs)
    if established is None or not found:
        return found
    known = set()
    for long_span, short_span in defined:
        inside = (
            sent.start <= min(long_span.start, short_span.start)
            and max(long_span.end, short_span.end) <= sent.end
        )
        if inside and established(long_span.text, short_span.text):
            known |= {long_span.text, short_span.text}
    return [span for span in found if span.text not in known]


def _proposed_in_sentence(
    sent: Span, defined: list[tuple[Span, Span]], runs: dict[int, Span] | None
) -> list[Span]:
    runs = runs_by_start(sent.doc) if runs is None else runs
    found: list[Span] = []
    by_verb: list[Span] = []  # names right after "we propose"
    named_at: int | None = None  # first "called/dubbed X" of the sentence
    tokens = list(sent)
    for k, tok in enumerate(tokens):
        low = tok.lower_
        if (
            low in PROPOSE_VERBS
            and k > 0
            and tokens[k - 1].lower_ in {"we", "paper", "work", "study", "also"}
        ):
            name = _first_name_after(sent, tok.i, runs=runs) or _lowercase_name(tokens, k)
            if name is not None:
                # "We propose LoRA with Reduced Interference (LoRI)": the name is the defined
                # one that starts with the run, not the run ("LoRA")
                name = next(
                    (
                        short
                        for long, short in defined
                        if long.start == name.start and long.end > name.end
                        and short.start >= long.end and short.end <= sent.end
                    ),
                    name,
                )  # fmt: skip
                found.append(name)
                by_verb.append(name)
                continue
            # "we introduce a new balanced assignment of experts (BASE) layer"
            for long_span, short_span in defined:
                if (
                    long_span.start > tok.i
                    and short_span.start <= tok.i + 16
                    and short_span.end <= sent.end
                    # "we design a template and employ Group Relative Policy Optimization
                    # (GRPO)": what the clause uses is not what it proposes
                    and not _uses(sent.doc[tok.i + 1 : long_span.start])
                ):
                    found.append(short_span)
                    break
        elif low in NAMING_WORDS and tok.text == low:  # not "Named" in "Named Entity ..."
            name = _first_name_after(sent, tok.i, limit=3, runs=runs)
            # only where the sentence proposes something: "an implementation called
            # backpropagation (BP)", "a so-called interval MDP (iMDP)" name what exists
            proposing = any(
                t.lower_.startswith(PROPOSING_STEMS) or t.lower_ == "our" for t in tokens[:k]
            ) and not (
                k > 0 and tokens[k - 1].lower_ in {"so", "-", "so-"}  # "so-called"
            )
            # "named Memory-enhanced Sequential Hypergraph Attention Networks (MS-HGAT)"
            defined_here = next(
                (short for long, short in defined if tok.i < long.start <= tok.i + 2), None
            )
            if (
                proposing
                and defined_here is not None
                and (name is None or name.start >= defined_here.start)
            ):
                name = defined_here
            if (
                name is None
                and proposing
                and k + 1 < len(tokens)
                and tokens[k + 1].text[:1].isupper()
            ):
                name = _capitalised_run(tokens, k + 1)  # "called Nexus", "dubbed Panini-Net"
            if name is not None:
                found.append(name)
                named_at = tok.i if named_at is None else named_at
    # "we propose a novel GAN Prior based ... network, dubbed Panini-Net": the name the
    # sentence gives wins over a name inside the description before it
    if named_at is not None:
        found = [f for f in found if not (f in by_verb and f.end <= named_at)]
    # "Name, a novel ..." / "Name is a novel ..."
    first = runs.get(sent.start)
    if first is not None and first.end <= sent.end:
        after = [t.lower_ for t in sent.doc[first.end : min(sent.end, first.end + 5)]]
        if after[:1] in (["is"], [","]) and NOVELTY & set(after):
            found.append(first)
    return found
