"""Phrasebook import, search and term-correction timings on generated data.

    .venv/bin/python bench/phrasebook.py [--phrases 10000] [--languages 30] [--terms 12000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from counter_app import languages  # noqa: E402
from counter_app.phrasebook import save_phrasebook  # noqa: E402
from counter_app.phrasebook.library import Library  # noqa: E402
from counter_app.phrasebook.model import Category, Phrase, Phrasebook  # noqa: E402
from counter_app.phrasebook.search import match_phrase, search  # noqa: E402
from counter_app.phrasebook.terms import Term, TermDictionary  # noqa: E402

JA_WORDS = ["住民票", "番号札", "マイナンバーカード", "手数料", "転出届", "国民健康保険", "年金",
            "保育園", "窓口", "印鑑", "在留カード", "申請書", "証明書", "税金", "避難所"]
JA_TAILS = ["をお取りください。", "はお持ちですか。", "が必要です。", "はこちらです。",
            "について聞きたいです。", "を書いてください。"]
EN_WORDS = ["residence certificate", "number ticket", "My Number Card", "fee", "moving-out notice",
            "health insurance", "pension", "nursery", "window", "seal", "residence card",
            "application", "certificate", "tax", "shelter"]


def generate(count: int, codes: list[str], seed: int = 7) -> Phrasebook:
    rng = random.Random(seed)
    phrases = []
    for i in range(count):
        w = rng.randrange(len(JA_WORDS))
        tail = rng.choice(JA_TAILS)
        texts = {"ja": f"{JA_WORDS[w]}{tail}（{i}）", "en": f"About the {EN_WORDS[w]}, case {i}."}
        for code in codes[2:]:  # stand-in text in the language's own script
            native = languages.LANGUAGES[code].native
            texts[code] = f"{native} {native[::-1]} {EN_WORDS[w] if native.isascii() else ''} {i}"
        phrases.append(Phrase(f"p{i:05d}", f"c{w}", texts, {c: False for c in texts}))
    categories = tuple(Category(f"c{w}", {"ja": word, "en": EN_WORDS[w]})
                       for w, word in enumerate(JA_WORDS))
    return Phrasebook("bench", "1", categories, tuple(phrases))


def generate_terms(count: int, seed: int = 7) -> TermDictionary:
    """`count` distinct terms, each with a misrecognition and an enforced translation."""
    rng = random.Random(seed)
    kana = "あいうえおかきくけこさしすせそたちつてとなにぬねの"
    terms = []
    for i in range(count):
        stem = JA_WORDS[i % len(JA_WORDS)] + "".join(rng.choice(kana) for _ in range(3))
        terms.append(Term(f"{stem}{i}", translations={"en": f"{EN_WORDS[i % 15]} {i}"},
                          force_translation=True, heard_as={"ja": (f"{stem}誤{i}",)}))
    return TermDictionary(terms)


def bench_terms(count: int) -> None:
    terms = generate_terms(count)
    late = terms.terms[-1]
    utterance = (f"住民 票 の 写し と {late.heard_as['ja'][0]} を ください、"
                 "マイナンバーカード は お持ち です か")
    timed(f"term index build ({count:,} terms, ASR ja)",
          lambda: terms.apply_asr_corrections("", "ja") or terms._asr_rules("ja"))
    fixed = timed("ASR correction per utterance",
                  lambda: terms.apply_asr_corrections(utterance, "ja"), repeat=20)
    assert late.term in fixed
    timed(f"term index build ({count:,} terms, MT ja->en)", lambda: terms.find("", "ja", "en")
          or terms._enforced_for("ja", "en"))
    spans = timed("enforced-term spans per utterance (ja->en)",
                  lambda: terms.find(fixed, "ja", "en"), repeat=20)
    print(f"{'':<4}{len(spans)} enforced span(s) found")


def timed(label: str, fn, repeat: int = 1):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    shown = statistics.median(times)
    digits = 3 if shown < 0.001 else 1
    print(f"{label:<48} {shown * 1000:9.{digits}f} ms"
          + (f" (median of {repeat})" if repeat > 1 else ""))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phrases", type=int, default=10_000)
    parser.add_argument("--languages", type=int, default=30)
    parser.add_argument("--terms", type=int, default=12_000)
    args = parser.parse_args()
    bench_terms(args.terms)
    codes = list(languages.TEXT_LANGUAGES)[: args.languages]
    book = generate(args.phrases, codes)
    print(f"{len(book)} phrases x {len(book.languages)} languages")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in ("book.yaml", "book.csv", "book.xlsx"):
            timed(f"export {name}", lambda n=name: save_phrasebook(book, root / n))
            print(f"{'':<4}size {(root / name).stat().st_size / 1e6:.1f} MB")
        for name in ("book.yaml", "book.csv", "book.xlsx"):
            library = Library(root / f"lib-{name}", shipped_dir=root)
            timed(f"import {name} (validate + install, no readings)",
                  lambda n=name, lib=library: lib.import_phrasebook(root / n, readings=False))
        loaded = timed("load active version (library JSON)", library.phrasebook)
        timed("build search index", lambda: loaded.index)
        queries = ("住民票", "ｼﾞｭｳﾐﾝﾋｮｳ", "マイナンバー", "my number card", "residnce certficate")
        for query in queries:
            hits = timed(f"search {query!r} (all languages)",
                         lambda q=query: search(loaded, q), repeat=5)
            print(f"{'':<4}{len(hits)} hits, best {hits[0].phrase.id if hits else None}")
        timed("search '住民票' in ja + en only", lambda: search(loaded, "住民票", ["ja", "en"]), 5)
        timed("match_phrase (ja, a recognized sentence)",
              lambda: match_phrase("住民 票 を お取り ください", "ja", loaded), repeat=5)
    from counter_app.phrasebook import readings

    if readings.available():
        sample = [p.source_text for p in book.phrases[:200]]
        readings.japanese_reading(sample[0])
        for fast in (False, True):
            start = time.perf_counter()
            for text in sample:
                readings.japanese_reading(text, fast=fast)
            per = (time.perf_counter() - start) / len(sample)
            print(f"kana reading (pyopenjtalk{', fast path' if fast else ''}) per phrase: "
                  f"{per * 1000:.2f} ms -> {per * len(book):.1f} s for {len(book):,} phrases")
        known = {p.source_text: "x" for p in book.phrases}
        timed("fill readings, every text known from the active version",
              lambda: readings.fill_readings(book, known=known))


if __name__ == "__main__":
    main()
