"""Acronym definitions, Schwartz & Hearst (2003) style, scoped to the paper that defines them.

Why our own ~80 lines rather than scispaCy's AbbreviationDetector: scispaCy pins spaCy and pulls
in nmslib and its linkers; the algorithm itself is short, well specified, and we need two
extensions it lacks: "(short as MoE)"-style parentheticals and reporting offsets per field.

Finds "long form (SF)", "SF (long form)" and titles "SF: Long form ...". The spaCy Doc gives us
sentence bounds and the parentheses; matching the short form's characters to the long form is
character-level by definition of the algorithm.

Rules added after scoring on ``benchmarks/data/acronyms_dev.jsonl`` (BENCHMARKS.md,
docs/experiments.md), each a fallback or a guard around the Schwartz-Hearst match:

* a long form never reaches back across a parenthesis ("(regarding (i)), and a novel PoT
  approach (namely PANDA)" defines nothing);
* quotes around a long form are not part of it ("'functional Token Resonance Imaging' (fTRI)"),
  and a long form starts after a space or an en/em dash;
* a digit after a letter repeats it when the plain match fails ("C3PO" = C C C P O);
* when the first letter of the short form is not word-initial, the long form's capitals may
  spell the short form ("sPecIalized KnowledgE and Rationale Augmentation Generation
  (PIKE-RAG)");
* "(MoE)-based": a closing parenthesis glued to a suffix is split off its token;
* titles "SF: Long form ...", when the long form's capitals or its words' initials spell the
  short form ("DUnE: Dataset for Unified Editing").
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from kg.extract.sections import _BOUNDS_KEY, doc_text, sentences
from kg.extract.tokens import forget, token_table
from kg.lexicon.normalize import is_acronym

SPANS_KEY = "kg_acronyms"

if not Doc.has_extension("acronyms"):
    # list of (long_span, short_span) pairs found in this doc
    Doc.set_extension("acronyms", default=None)

# Lead-ins inside a parenthetical before the short form: "(short as MoE)", "(i.e., RAG)".
_LEAD_IN = re.compile(
    r"^(?:short(?:ened)? as|abbreviated as|abbr\.?|i\.e\.,?|or|aka|namely|call(?:ed)?|named|"
    r"dubbed|termed)\s+",
    re.I,
)

# "Approach(SAMLA" before a ")" token: a word glued to a parenthesised short form
_GLUED_CLOSING = re.compile(r"([^()\s]+)(\))([^()\s]+)")
_GLUED_OPENING = re.compile(r"([A-Za-z][A-Za-z-]+)(\()([A-Z][A-Za-z0-9-]*)")
# After a lead-in, a list names several things, none of them the long form's short form.
_LIST_AFTER_LEAD_IN = re.compile(r",|\band\b|\bor\b")

_QUOTES = "\"'`\u2018\u2019\u201c\u201d"
# lowercase words that contribute no initial to an acronym ("Dataset for Unified Editing")
_FUNCTION_WORDS = frozenset(
    "a an and as at by for from in into of on or over the to under via with without".split()
)


def best_long_form(short: str, candidate: str) -> int | None:
    span = long_form_span(short, candidate)
    return None if span is None else span[0]


def expand_digits(short: str) -> str:
    """ "C3PO" -> "CCCPO": a digit 2-9 right after a letter repeats that letter."""
    return re.sub(r"([A-Za-z])([2-9])", lambda m: m.group(1) * int(m.group(2)), short)


#: a 2 or 4 between letters read as a word: "Seq2Seq" (sequence-to-sequence), "L2MT" (Learning
#: to MultiTask), "B4C" (... for ...); not "GPT-2", "L2", "T5"
_HOMOPHONE = re.compile(r"(?<=[A-Za-z])[24](?=[A-Za-z])")


def spell_digit_words(short: str) -> str:
    """ "Seq2Seq" -> "SeqtoSeq", "X4Y" -> "XforY"."""
    return _HOMOPHONE.sub(lambda m: "to" if m.group() == "2" else "for", short)


def capitals(text: str) -> str:
    return "".join(c for c in text if c.isupper())


def initials(text: str) -> str:
    """First letters of the space-separated words, function words skipped, upper-cased."""
    words = (w.strip(_QUOTES + ",;:()") for w in text.split())
    return "".join(w[0].upper() for w in words if w and w not in _FUNCTION_WORDS)


def long_form_span(short: str, candidate: str) -> tuple[int, int] | None:
    """Start index in ``candidate`` of the shortest long form matching ``short``, or None.

    Schwartz & Hearst: match the short form's characters right to left; its first character
    must start a word of the long form.
    """
    s_idx, l_idx = len(short) - 1, len(candidate) - 1
    last_match = None
    while s_idx >= 0:
        c = short[s_idx].lower()
        if not c.isalnum():
            s_idx -= 1
            continue
        while l_idx >= 0 and (
            candidate[l_idx].lower() != c
            or (s_idx == 0 and l_idx > 0 and candidate[l_idx - 1].isalnum())
        ):
            l_idx -= 1
        if l_idx < 0:
            return None
        if last_match is None:
            last_match = l_idx
        l_idx -= 1
        s_idx -= 1
    # words after the last matched character add nothing to the acronym ("Low-Rank Adaptation
    # techniques (LoRA)" -> "Low-Rank Adaptation"): end the long form with the matching word
    end = candidate.find(" ", last_match if last_match is not None else len(candidate))
    # a long form starts after a space or a dash ("polytopes–Generalized Submodular ...")
    start = max(candidate.rfind(sep, 0, l_idx + 1) for sep in " \u2013\u2014") + 1
    return start, len(candidate) if end < 0 else end


def is_short_form(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= 2
        and 2 <= len(text) <= 12
        and text[0].isalnum()
        and any(c.isalpha() for c in text)
        and any(c.isupper() for c in text)
    )


def _max_long_words(short: str) -> int:
    n = sum(c.isalnum() for c in short)
    return min(n + 5, n * 2)


def _window_before(sent_text: str, end: int, n_words: int) -> int:
    """Start of the last ``n_words`` whitespace-separated words before ``end``."""
    start = end
    for _ in range(n_words):
        start = sent_text.rfind(" ", 0, max(start - 1, 0))
        if start < 0:
            return 0
    return start + 1


def _trim(text: str) -> tuple[int, int]:
    """Offsets that strip surrounding spaces and punctuation from ``text``."""
    start, end = 0, len(text)
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not (text[end - 1].isalnum() or text[end - 1] in ")+"):
        end -= 1
    return start, end


def match_long_form(short: str, candidate: str) -> tuple[int, int] | None:
    """Schwartz-Hearst, then the two fallbacks: digits as repeats, capitals spelling ``short``."""
    found = long_form_span(short, candidate)
    if found is not None:
        found = _initials_extension(short, candidate, found)
    expanded = expand_digits(short) if re.fullmatch(r"[A-Za-z0-9-]+", short) else short
    if found is None and expanded != short:
        found = long_form_span(expanded, candidate)
    if found is None and len(capitals(expanded)) >= 3:
        found = _capitals_span(expanded, candidate)
    if found is None and _HOMOPHONE.search(short):  # last: "A2C" is Advantage Actor Critic
        found = long_form_span(spell_digit_words(short), candidate)
    return found


def _initials_spell(letters: str, text: str) -> bool:
    """The word initials of ``text`` are ``letters``, a hyphenated word counting once or once
    per part ("self-supervised learning" spells SL and SSL)."""
    return letters in (initials(text), initials(text.replace("-", " ")))


def _initials_extension(short: str, candidate: str, found: tuple[int, int]) -> tuple[int, int]:
    """Extend a Schwartz-Hearst match to the left when a few more words make the word initials
    spell the short form exactly.

    Schwartz-Hearst takes the shortest match, and letters may match inside words:
    "independent and identically distributed (IID)" gives "identically distributed" (the
    second I inside "identically"). The longer form whose initials are exactly "IID" is the
    definition; without one, the match stays as it was."""
    letters = "".join(c for c in short if c.isalpha()).upper()
    start, end = found
    if len(letters) < 2 or _initials_spell(letters, candidate[start:end]):
        return found
    for _ in range(_max_long_words(short)):
        start = candidate.rfind(" ", 0, max(start - 1, 0)) + 1
        if _initials_spell(letters, candidate[start:end]):
            return start, end
        if start == 0:
            break
    return found


_WORD_SEP = re.compile(r"[\s\-\u2013\u2014/]+")


def _spelled_from_first_word(short: str, text: str) -> bool:
    """The short form's characters occur in ``text`` in order, the first of them inside the
    first word of ``text`` (words split at spaces, hyphens and dashes)."""
    chars = [c.lower() for c in short if c.isalnum()]
    if not chars:
        return False
    first_word = _WORD_SEP.split(text, maxsplit=1)[0].lower()
    pos = first_word.find(chars[0])
    if pos < 0:
        return False
    lowered = text.lower()
    for c in chars[1:]:  # left to right, greedy: finds an in-order match if there is one
        pos = lowered.find(c, pos + 1)
        if pos < 0:
            return False
    return True


def _capitals_span(short: str, candidate: str) -> tuple[int, int] | None:
    """The shortest trailing run of words whose capitals are exactly the short form's capitals
    and which spells the short form from its first word."""
    starts = [0] + [m.end() for m in _WORD_SEP.finditer(candidate)]
    for start in reversed(starts):
        text = candidate[start:]
        if text and capitals(text) == capitals(short):
            return (start, len(candidate)) if _spelled_from_first_word(short, text) else None
    return None


def _same_letters(short: str, long: str) -> bool:
    """ "ScalableMap" is not an acronym of "Scalable Map"."""
    return re.sub(r"\W", "", short).lower() == re.sub(r"\W", "", long).lower()


def _strip_quotes(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _QUOTES:
        start += 1
    while end > start and text[end - 1] in _QUOTES:
        end -= 1
    return start, end


def split_glued_parentheses(doc: Doc) -> None:
    """Split "MoE)-based" (after a "(" token) into "MoE", ")", "-based", and "Models(LLMs"
    (before a ")" token; no space before the parenthesis, 179 times in the corpus) into
    "Models", "(", "LLMs"."""
    texts = token_table(doc).text  # the tokens' texts without a Token object per token
    glued = [
        (doc[i], m)
        for i in range(1, len(texts))
        if texts[i - 1] == "(" and (m := _GLUED_CLOSING.fullmatch(texts[i])) is not None
    ]
    glued += [
        (doc[i], m)
        for i in range(len(texts) - 1)
        if texts[i + 1] == ")" and (m := _GLUED_OPENING.fullmatch(texts[i])) is not None
    ]
    if not glued:
        return
    # span groups hold token indices, which a split does not move: every gazetteer span after
    # the split pointed one token early ("operating" for "GPT-3"); keep them by characters
    groups = {
        name: [(s.start_char, s.end_char, s.label_, s.kb_id_) for s in group]
        for name, group in doc.spans.items()
    }
    with doc.retokenize() as retokenizer:
        for tok, m in glued:
            retokenizer.split(tok, list(m.groups()), heads=[(tok, 0), (tok, 0), (tok, 0)])
    for name, spans in groups.items():
        doc.spans[name] = [
            span
            for start, end, label, kb_id in spans
            if (span := doc.char_span(start, end, label=label, kb_id=kb_id)) is not None
        ]
    doc.user_data.pop(_BOUNDS_KEY, None)  # token indices moved: recompute sentence bounds
    forget(doc)  # and the token columns


def find_definitions(doc: Doc) -> list[tuple[Span, Span]]:
    pairs: list[tuple[Span, Span]] = []
    title_pair = _title_definition(doc)
    if title_pair is not None:
        pairs.append(title_pair)
    texts = token_table(doc).text
    for sent in sentences(doc):
        for i in range(sent.start, sent.end):
            if texts[i] != "(":
                continue
            close_i = next((k for k in range(i + 1, min(sent.end, i + 16)) if texts[k] == ")"), -1)
            if close_i < 0:
                continue
            tok, close = doc[i], doc[close_i]
            inner_start, inner_end = tok.idx + 1, close.idx
            inner = doc_text(doc)[inner_start:inner_end]
            lead = _LEAD_IN.match(inner)
            if lead:
                if _LIST_AFTER_LEAD_IN.search(inner, lead.end()):
                    continue  # "(i.e., BERT, RoBERTa and ELECTRA)" lists examples
                inner_start += lead.end()
                inner = inner[lead.end() :]
            items = [x.strip() for x in inner.split(",")]
            if len(items) > 1 and all(is_acronym(x) for x in items):
                continue  # "(ATIS, GEO)" lists names (ATIS was "approaches on four semantic ...")
            inner = re.split(r"[;,]", inner)[0]
            a, b = _trim(inner)
            short_start, short_end = inner_start + a, inner_start + b
            short = doc_text(doc)[short_start:short_end]
            pair = None
            if is_short_form(short):
                pair = _long_before(doc, sent, tok.idx, short, short_start, short_end)
            if pair is None:
                pair = _long_inside(doc, tok, close, short_start, short_end)
            if pair is not None and _plausible(pair[1].text, pair[0].text):
                pairs.append(pair)
    return pairs


def _spelled_by_words(short: str, long: str) -> bool:
    """The long form's capitals or word initials are the short form's letters ("C3PO" =
    "Critical-Layer, Core-Expert, Collaborative Pathway Optimization")."""
    expanded = expand_digits(short)
    letters = "".join(c for c in expanded if c.isalpha()).upper()
    return capitals(long) == capitals(expanded) or _initials_spell(letters, long)


#: "called X (Y)": Y's long form starts after the naming word ("named entity" is a term)
_NAMING_WORD = re.compile(r"\b(?:called|named|dubbed|termed|coined|namely)\s+(?!entit)")

# a number standing alone as a word ("82k", "10", "1.5M"), not inside a name ("1-norm", "GPT-4")
_COUNT = re.compile(r"(?<![\w.-])\d+(?:[.,]\d+)*[kKmMbB%]?(?![\w-])")


def _plausible(short: str, long: str) -> bool:
    """Reject pairs that match letters but are no definition: a long form that contains the
    short form as a word names a variant or a description of it ("Transformer
    (Hi-Transformer)", "BERT (SEC-BERT)", "Hamiltonian mechanics using an energy function
    (Hamiltonian)"), nor does one with a count in it ("dataset with over 82k instances
    (DARTs)"); a URL is no long form ("SUBMODLIB (https://github.com/...)"), nor is a
    clause with a comma unless its capitals spell the short form."""
    if "://" in long or "www." in long:
        return False
    if any(n not in short for n in _COUNT.findall(long)):
        # a count describes, a name does not: "DART, a ... dataset with over 82k instances
        # (DARTs)" matches D-A-R-T-s letter by letter but defines nothing
        return False
    if "," in long and not _spelled_by_words(short, long):
        # a clause, not a name: "DanceFormer, which includes two cascading ... networks
        # (called DanTrans)"; a list that spells it stays ("Interact, Embed, and EnlargE (IEEE)")
        return False
    return short.lower() not in (w.lower() for w in _WORD_SEP.split(long))


def _long_before(doc: Doc, sent: Span, paren: int, short: str, s0: int, s1: int):
    window_start = sent.start_char + _window_before(
        doc_text(doc)[sent.start_char : paren], paren - sent.start_char, _max_long_words(short)
    )
    candidate = doc_text(doc)[window_start:paren].rstrip()
    # never reach back across another parenthesis: "(regarding (i)), and a novel X (namely Y)",
    # nor across a naming word: the name starts after it ("a learning framework called
    # Learning to MultiTask (L2MT)")
    cut = max(candidate.rfind("("), candidate.rfind(")")) + 1
    namings = [m.end() for m in _NAMING_WORD.finditer(candidate, cut)]
    cut = namings[-1] if namings else cut
    window_start, candidate = window_start + cut, candidate[cut:]
    found = match_long_form(short, candidate)
    if found is None:
        return None
    start, end = _strip_quotes(candidate, *found)
    long_text = candidate[start:end]
    if len(long_text) <= len(short) or _same_letters(short, long_text):
        return None
    long_span = doc.char_span(window_start + start, window_start + end, alignment_mode="expand")
    short_span = doc.char_span(s0, s1, alignment_mode="expand")
    if long_span is None or short_span is None:
        return None
    return long_span, short_span


def _long_inside(doc: Doc, open_tok, close_tok, s0: int, s1: int):
    """ "SF (long form)": the token before the parenthesis is the short form."""
    if open_tok.i == 0:
        return None
    prev = doc[open_tok.i - 1]
    # take a hyphenated short form whole ("R1-Searcher (...)")
    start_i = prev.i
    while start_i > 0 and doc[start_i - 1].whitespace_ == "" and not doc[start_i - 1].is_punct:
        start_i -= 1
    short_span = doc[start_i : prev.i + 1]
    short = short_span.text
    inner = doc_text(doc)[s0:s1]
    n_words = len(re.split(r"[\s-]+", inner))
    if not is_short_form(short) or n_words < 2 or n_words > _max_long_words(short):
        return None
    found = match_long_form(short, inner)
    if found is None or found[0] != 0:
        return None
    long_span = doc.char_span(s0, s1, alignment_mode="expand")
    if long_span is None:
        return None
    return long_span, short_span


def _title_definition(doc: Doc):
    """ "SF: Long form ..." titles: the long form opens the subtitle and its capitals, or the
    initials of its words, spell the short form ("KnowPO: Knowledge-aware Preference
    Optimization for ...", "C3PO: Critical-Layer, Core-Expert, Collaborative Pathway
    Optimization for ..."); the shortest such opening wins."""
    if not doc._.has_title:
        return None
    title = doc_text(doc)[: doc._.abstract_start].rstrip()
    m = re.match(r"([^\s:]+): +", title)
    if m is None or not is_short_form(m.group(1)):
        return None
    short = m.group(1)
    expanded = expand_digits(short) if re.fullmatch(r"[A-Za-z0-9-]+", short) else short
    caps = capitals(expanded)
    if len(caps) < 2:
        return None
    sub_start = m.end()
    subtitle = re.split(r" -+ |: ", title[sub_start:])[0]
    words = list(re.finditer(r"\S+", subtitle))
    for n in range(2, min(len(words), _max_long_words(expanded)) + 1):
        end = words[n - 1].end()
        while end > 0 and not (subtitle[end - 1].isalnum() or subtitle[end - 1] in ")+"):
            end -= 1
        text = subtitle[:end]
        if capitals(text) != caps and initials(text) != caps:
            continue
        if not _spelled_from_first_word(expanded, text) or _same_letters(short, text):
            continue
        long_span = doc.char_span(sub_start, sub_start + end, alignment_mode="expand")
        short_span = doc.char_span(m.start(1), m.end(1), alignment_mode="expand")
        if long_span is None or short_span is None or short_span.text != short:
            return None
        return long_span, short_span
    return None
