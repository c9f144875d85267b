"""How many phrasebook phrases still match themselves and light variants of
themselves under the honest matcher (content words, negation, numbers, length).

    .venv/bin/python tools/phrase_match_selfcheck.py [PHRASEBOOK] [--lang ja,en,...]

Variants: punctuation dropped (not inside numbers), Arabic-script vowel marks
dropped, spaces added between words (Sudachi units in ja, characters in
zh/th/my/km) or doubled, full-width letters/digits, ja ください -> 下さい,
en/vi "please" dropped or added, ko particles split off.  Prints per language:
exact self-matches, variants matched, and the first failures with their reason;
then how many phrases match a sibling when their own entry is left out.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from counter_app import languages  # noqa: E402
from counter_app.phrasebook.agreement import _sudachi, disagreement  # noqa: E402
from counter_app.phrasebook.files import load_phrasebook  # noqa: E402
from counter_app.phrasebook.model import Phrasebook  # noqa: E402
from counter_app.phrasebook.search import match_phrase  # noqa: E402

_PUNCT = {code: " " for code in range(0x10000) if unicodedata.category(chr(code))[0] == "P"}
_KEEP = re.compile(r"(?<!\d)[^\w\s]|[^\w\s](?!\d)")  # "6:30" keeps its colon
_HARAKAT = re.compile("[\u064b-\u065f\u0670\u0640]")
_WIDE = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}


def _words(text: str) -> list[str]:
    tokenizer = _sudachi()
    if tokenizer is None:
        return list(text)
    return [m.surface() for piece in text.split() for m in tokenizer.tokenize(piece)]


def variants(text: str, language: str) -> dict[str, str]:
    """Light variants of `text` that must still match it."""
    plain = " ".join(_KEEP.sub(lambda m: m[0].translate(_PUNCT), text).split())
    found = {"no punctuation": plain, "wide": text.translate(_WIDE)}
    if language == "ja":
        found["spaced"] = " ".join(_words(plain))  # a recognizer's word units
    elif not languages.is_spaced(language):
        found["spaced"] = " ".join(re.findall(r"\d+(?:[.:]\d+)?|\S", plain))
    else:
        found["extra spaces"] = "  ".join(text.split())
    if language in ("ar", "fa", "ur"):
        found["no harakat"] = _HARAKAT.sub("", text)
    if language == "ja":
        found["下さい"] = text.replace("ください", "下さい")
    if language == "ko":
        found["particle split"] = re.sub(r"(\S)(를|을|는|은)(?=\s)", r"\1 \2", text)
    if language == "en":
        found["please"] = (text[7:] if text.lower().startswith("please ")
                           else "Please " + text[0].lower() + text[1:])
    if language == "vi":
        found["please"] = (text[9:] if text.lower().startswith("vui lòng ")
                           else "Vui lòng " + text[0].lower() + text[1:])
    return {name: v for name, v in found.items() if v and v != text}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("phrasebook", nargs="?", type=Path,
                        default=Path(__file__).resolve().parents[1] / "phrasebooks"
                        / "phrasebook.yaml")
    parser.add_argument("--lang", help="comma-separated codes (default: every language)")
    parser.add_argument("--show", type=int, default=3, help="failures shown per language")
    args = parser.parse_args()
    book = load_phrasebook(args.phrasebook)
    codes = args.lang.split(",") if args.lang else list(book.languages)
    totals = [0, 0, 0, 0]
    print("lang  self       variants")
    for code in codes:
        own = ok = tried = matched = 0
        failures: list[str] = []
        for phrase in book.phrases:
            text = phrase.text(code)
            if not text:
                continue
            own += 1
            found = match_phrase(text, code, book)
            if found and found.phrase.id == phrase.id:
                ok += 1
            else:
                failures.append(f"self {phrase.id}: got {found.phrase.id if found else None}")
            for name, variant in variants(text, code).items():
                tried += 1
                found = match_phrase(variant, code, book)
                if found and found.phrase.id == phrase.id:
                    matched += 1
                else:
                    why = disagreement(variant, text, code) or "score below threshold"
                    failures.append(f"{name} {phrase.id}: {variant!r}: {why}")
        totals = [totals[0] + ok, totals[1] + own, totals[2] + matched, totals[3] + tried]
        print(f"{code:<5} {ok:>3}/{own:<3}    {matched:>4}/{tried:<4}")
        for line in failures[:args.show]:
            print("      " + line)
    print(f"all   {totals[0]}/{totals[1]}  {totals[2]}/{totals[3]}")
    wrong = siblings(book, codes)
    print(f"left out: {len(wrong)} phrases matched another phrase when their own was removed")
    for code, text, other in wrong[:args.show * 3]:
        print(f"      {code}: {text!r} -> {other!r}")
    return 0


def siblings(book: Phrasebook, codes: list[str]) -> list[tuple[str, str, str]]:
    """A sentence the book does not hold must not match its near sibling: each phrase
    is matched against the book without it (the old fuzzy-only matcher got 14 wrong,
    e.g. uk 'Я розумію.' -> 'Я не розумію.')."""
    wrong = []
    for phrase in book.phrases:
        rest = Phrasebook(book.name, book.version, book.categories,
                          tuple(p for p in book.phrases if p is not phrase), book.languages)
        for code in codes:
            if (text := phrase.text(code)) and (found := match_phrase(text, code, rest)):
                wrong.append((code, text, found.phrase.text(code) or ""))
    return wrong


if __name__ == "__main__":
    sys.exit(main())
