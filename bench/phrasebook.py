"""Phrasebook import and search timings on a generated 10,000-phrase book.

    .venv/bin/python bench/phrasebook.py [--phrases 10000] [--languages 30]
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


def timed(label: str, fn, repeat: int = 1):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    shown = statistics.median(times)
    print(f"{label:<48} {shown * 1000:9.1f} ms" + (f" (median of {repeat})" if repeat > 1 else ""))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--phrases", type=int, default=10_000)
    parser.add_argument("--languages", type=int, default=30)
    args = parser.parse_args()
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
        start = time.perf_counter()
        for text in sample:
            readings.japanese_reading(text)
        per = (time.perf_counter() - start) / len(sample)
        print(f"kana reading (pyopenjtalk) per phrase: {per * 1000:.2f} ms "
              f"-> {per * len(book):.1f} s for the whole book at import")


if __name__ == "__main__":
    main()
