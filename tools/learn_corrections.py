"""Propose heard_as corrections for the term dictionary from recognition errors.

    .venv/bin/python tools/learn_corrections.py [--voices openjtalk,kokoro]
                                               [--extra tools/ja_training.tsv] [--out FILE]

Training sentences: the shipped phrasebook's Japanese (phrasebooks/phrasebook.yaml)
plus tools/ja_training.tsv.  They must share no sentence with bench/ja_sentences.tsv
(the bench measures what the corrections do on sentences they were not learned from).
Each sentence is spoken (Open JTalk, Kokoro) and recognized as the app does with the
shipped dictionary (prompt, beam-5 finals, corrections); each difference is widened to
whole words of what was said (SudachiPy) and counted as heard -> said.

A proposal is marked unsafe when its heard form occurs in any training sentence (the
correction would damage correct text) or is a single character.  Nothing is written
to terms.yaml: review the proposals by hand.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.ja_common import (  # noqa: E402
    BENCH,
    VOICES,
    load_sentences,
    normalize,
    recognize,
    speak,
    whisper_base,
)

_PUNCTUATION = str.maketrans("", "", " 　。、，,.！!？?「」")


def training_sentences(extra: Path | None) -> list[str]:
    """The phrasebook's Japanese sentences and the extra list, none from the bench."""
    from counter_app.phrasebook import load_phrasebook

    book = load_phrasebook(ROOT / "phrasebooks" / "phrasebook.yaml")
    texts = [p.texts["ja"] for p in book.phrases if p.texts.get("ja")]
    if extra and extra.exists():
        texts += [s.text for s in load_sentences(extra)]
    bench = {normalize(s.text) for s in load_sentences(BENCH / "ja_sentences.tsv")}
    leaked = [t for t in texts if normalize(t) in bench]
    if leaked:
        raise SystemExit(f"training sentences also in the bench: {leaked}")
    return list(dict.fromkeys(texts))


def word_bounds(text: str) -> list[int]:
    """Character offsets where words of `text` begin or end (SudachiPy, mode C)."""
    from sudachipy import Dictionary, SplitMode

    tokenizer = _tokenizer_cache.get("t") or Dictionary(dict="core").create()
    _tokenizer_cache["t"] = tokenizer
    bounds = {0, len(text)}
    for morpheme in tokenizer.tokenize(text, SplitMode.C):
        bounds.update((morpheme.begin(), morpheme.end()))
    return sorted(bounds)


_tokenizer_cache: dict = {}


def differences(said: str, heard: str) -> list[tuple[str, str]]:
    """(heard form, said form) for each difference, widened to whole said words."""
    said, heard = said.translate(_PUNCTUATION), heard.translate(_PUNCTUATION)
    matcher = difflib.SequenceMatcher(None, said, heard, autojunk=False)
    opcodes = matcher.get_opcodes()
    to_heard = [0] * (len(said) + 1)  # said offset -> heard offset
    for tag, i1, i2, j1, j2 in opcodes:
        for k in range(i1, i2 + 1):
            step = k - i1 if tag == "equal" else (j2 - j1) * (k - i1) // max(1, i2 - i1)
            to_heard[k] = j1 + step
    bounds = word_bounds(said)
    spans: list[list[int]] = []
    for tag, i1, i2, _, _ in opcodes:
        if tag == "equal":
            continue
        start = max(b for b in bounds if b <= i1)
        end = min(b for b in bounds if b >= max(i2, i1 + 1))
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    return [(heard[to_heard[a]:to_heard[b]], said[a:b]) for a, b in spans]


def propose(pairs: list[tuple[str, str]], training: list[str], terms) -> list[dict]:
    """Count heard -> said differences and judge each proposal's safety."""
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for said, heard in pairs:
        for wrong, right in differences(said, heard):
            if wrong and normalize(wrong) != normalize(right):
                seen[(wrong, right)].append(heard)
    proposals = []
    for (wrong, right), examples in sorted(seen.items(), key=lambda kv: -len(kv[1])):
        damages = [t for t in training if wrong in t]
        proposals.append({
            "heard": wrong, "said": right, "count": len(examples),
            "term_exists": terms.get(right) is not None,
            "safe": len(wrong) > 1 and not damages,
            "damages": damages[:3], "examples": examples[:3]})
    return proposals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voices", default=",".join(VOICES))
    parser.add_argument("--extra", type=Path, default=ROOT / "tools" / "ja_training.tsv")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    from counter_app.phrasebook.terms import load_terms

    terms = load_terms(ROOT / "phrasebooks" / "terms.yaml")
    training = training_sentences(args.extra)
    training = training[:args.limit] if args.limit else training
    recognizer = whisper_base("、".join(terms.vocabulary("ja")), 5)
    pairs = []
    for voice in args.voices.split(","):
        for text in training:
            heard, _, _ = recognize(recognizer, speak(text, voice), terms)
            pairs.append((text, heard))
            print(f"{voice}: {text} -> {heard}", file=sys.stderr, flush=True)
    proposals = propose(pairs, training, terms)
    report = json.dumps({"sentences": len(training), "turns": len(pairs),
                         "proposals": proposals}, ensure_ascii=False, indent=1)
    print(report)
    if args.out:
        args.out.write_text(report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
