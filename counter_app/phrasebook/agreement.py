"""Does a typed or recognized sentence say what a phrasebook phrase says?

A fuzzy score alone turned 住所を書いてください into the phrase
新しい住所を書いてください and showed it as verified.  A phrase counts as the
sentence only when both agree on:

* content words, both ways and in order (nothing added, dropped or swapped).  Japanese: Sudachi's
  normalized forms (pyopenjtalk's Japanese extra installs it) without particles,
  auxiliaries, お/ご and light verbs (する, いる after て, ござる, いたす); without
  Sudachi, kanji and katakana runs.  Korean: word stems without particles,
  compared by character pairs.  Other unspaced scripts (zh, th, my, km):
  character pairs.  Spaced languages: words.  Politeness words (please, bitte,
  vui lòng, 请, ครับ...) and punctuation are ignored.
* negation: the same number of negations (ない/ません, not/n't, 안/않/못, không,
  不/没...) where the language has a list.
* numbers: the same values (full-width digits, 1,500, kanji numerals 三百 = 300).
* length: the shorter side has at least MIN_LENGTH_RATIO of the longer's characters.

Agreeing phrases are looked for among the closest fuzzy candidates, down to
VARIANT_SLACK below the caller's threshold.  Anything else goes to machine
translation, marked as such.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from counter_app import languages
from counter_app.phrasebook.search import fold

log = logging.getLogger(__name__)
MIN_LENGTH_RATIO = 0.7
# A phrase that agrees may score this much below the fuzzy threshold (お持ちですか /
# 持っていますか, わかりません / わからないです differ in many characters).
VARIANT_SLACK = 30.0

# Japanese spellings of the same word, on folded text (katakana already hiragana).
_JA_VARIANTS = tuple((re.compile(pattern), same) for pattern, same in (
    ("下さ(?=[いるりっ])", "くださ"), ("[頂戴](?=[きけいくか])", "いただ"),
    ("致(?=[しすさせ])", "いた"), ("御座(?=[いり])", "ござ"), ("出来(?=[るまなたてれず])", "でき"),
    ("有り?難う", "ありがとう"), ("宜しく", "よろしく")))
# Politeness words that add no meaning (folded forms); a phrase may have them or not.
_POLITE = {
    "en": ("please", "kindly", "a", "an", "the"), "vi": ("vui lòng", "xin", "ạ", "nhé", "hãy"),
    "es": ("por favor",), "pt": ("por favor",), "it": ("per favore",),
    "fr": ("s il vous plaît", "s il te plaît"), "de": ("bitte",), "nl": ("alstublieft",),
    "tl": ("po", "ho"), "id": ("silakan", "tolong", "mohon"),
    "ms": ("sila", "tolong", "mohon"), "ru": ("пожалуйста",), "uk": ("будь ласка",),
    "pl": ("proszę",), "tr": ("lütfen",),
    "zh": ("请",), "zh-Hant": ("請",), "th": ("ครับ", "ค่ะ", "คะ", "นะ", "กรุณา", "โปรด"),
}
_SAME = {"zh": (("您", "你"),), "zh-Hant": (("您", "你"),),
         "ko": (("주십시오", "주세요"), ("주십시요", "주세요"))}
_NEGATION_WORDS = {
    "en": "not no never none nothing nobody nowhere neither nor cannot without dont doesnt "
          "didnt cant wont isnt arent wasnt werent shouldnt couldnt wouldnt havent hasnt "
          "hadnt mustnt",
    "vi": "không chưa chẳng chả đừng chớ", "es": "no nunca ni nada nadie ningún ninguna "
    "ninguno tampoco sin jamás", "pt": "não nunca nem nada ninguém nenhum nenhuma sem jamais",
    "fr": "ne n pas jamais rien aucun aucune sans ni", "it": "non mai niente nessuno nessuna "
    "senza né", "de": "nicht kein keine keinen keinem keiner keines nie niemals nichts ohne",
    "nl": "niet geen nooit niets zonder", "ru": "не нет ни нельзя без никогда ничего",
    "uk": "не ні немає нема без ніколи нічого", "pl": "nie nigdy bez żaden żadna żadne nic",
    "id": "tidak tak bukan jangan belum tiada tanpa", "ms": "tidak tak bukan jangan belum "
    "tiada tanpa", "tl": "hindi huwag wala", "tr": "değil yok hayır",
    "hi": "नहीं न मत ना बिना", "bn": "না নয় নেই",
}
_NEGATION = {code: re.compile(r"(?<!\w)(?:" + "|".join(words.split()) + r")(?!\w)")
             for code, words in _NEGATION_WORDS.items()}
_EN_NOT = re.compile(r"(?<!\w)(?:(\w+)n t|(can)not)(?!\w)")  # "don t", "can t", "cannot"
_EN_STEMS = {"do": "do", "ca": "can", "can": "can", "wo": "will", "sha": "shall"}
_HAN_NOT = re.compile("[不没沒别別无無未勿莫]")
_NEGATION |= {"ja": re.compile("ません|な(?:い|かっ|けれ|く)|ずに|せず"),
              "zh": _HAN_NOT, "zh-Hant": _HAN_NOT, "th": re.compile("ไม่|อย่า|ห้าม"),
              "ko": re.compile("않|못|없|아니|마세요|마십시오|말고|말아"
                               "|(?<![가-힣])안(?=\\s|돼|되)")}

# Numbers: digits (after NFKC) and, in Japanese and Chinese, kanji numerals.
_KANJI_DIGITS = {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2, "兩": 2}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_LARGE = {"万": 10_000, "萬": 10_000, "億": 100_000_000, "亿": 100_000_000}
_DIGITS = re.compile(r"\d+(?:[.:]\d+)?")  # 3.5, 6:30
_HAN_NUMBER = re.compile(f"[0-9{''.join(_KANJI_DIGITS)}{''.join(_SMALL)}{''.join(_LARGE)}]+")
_HAN_TOKEN = re.compile(f"[0-9]+|[{''.join(_KANJI_DIGITS)}]+|.")
_NOT_WORD = re.compile(r"[\W_]+")
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640\u200c]")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
_KANJI_OR_KATAKANA = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヵヶ]+|[ァ-ヺー]+")
# Korean particles: dropped when they stand alone (Vosk), stripped from a word's end.
_KO_ALONE = frozenset(["을", "를", "은", "는", "에", "의", "도", "로", "으로", "에서", "과", "와",
                       "께서", "에게"])
_KO_ENDS = tuple(sorted(_KO_ALONE | {"이", "가", "까지", "부터"}, key=len, reverse=True))
# Sudachi: light verbs and auxiliaries that add no meaning (normalized forms).
_JA_LIGHT = frozenset({"為る", "致す", "御座る"})
_JA_AFTER_TE = frozenset({"居る", "おる"})  # ～ている / ～ております
_JA_FUNCTION = frozenset({"助詞", "助動詞", "補助記号", "記号", "空白"})
_JA_NEGATION = frozenset({"ない", "無い", "ず", "ぬ"})


@dataclass(frozen=True, slots=True)
class Gist:
    """What a sentence says, for comparing: content words, numbers, negations, length."""

    words: tuple[str, ...] | frozenset[str]  # in order (words) or a set (character pairs)
    numbers: tuple[str, ...]
    negations: int
    size: int


def _han_value(run: str) -> str:
    """The value of a kanji/digit numeral ("三百" -> "300"), or the run itself."""
    total = section = 0
    current: int | None = None
    for token in _HAN_TOKEN.findall(run):
        if token in _SMALL:
            section += (1 if current is None else current) * _SMALL[token]
            current = None
        elif token in _LARGE:
            total += (section + (current or 0) or 1) * _LARGE[token]
            section, current = 0, None
        elif current is not None:
            return run  # digit groups side by side (二〇二六 is one, 3 5 is not)
        else:
            current = int(token) if token.isdigit() and token.isascii() else int(
                "".join(str(_KANJI_DIGITS[ch]) for ch in token))
    return str(total + section + (current or 0))


def numbers(text: str, language: str) -> tuple[str, ...]:
    """Every number in `text` as a canonical value, sorted."""
    text = _THOUSANDS.sub("", unicodedata.normalize("NFKC", text))
    if languages.uses_han(language):
        found = [_han_value(run) for run in _HAN_NUMBER.findall(text)]
    else:
        found = [n if ":" in n else str(float(n)).removesuffix(".0")
                 for n in _DIGITS.findall(text)]
    return tuple(sorted(found))


def _strip_numbers(text: str, language: str) -> str:
    pattern = _HAN_NUMBER if languages.uses_han(language) else _DIGITS
    return pattern.sub(" ", _THOUSANDS.sub("", unicodedata.normalize("NFKC", text)))


def comparable(folded: str, language: str) -> str:
    """Folded text with spelling variants unified and politeness words dropped
    (what fuzzy scoring compares, so that 下さい and ください score alike)."""
    if languages.uses_han(language):  # 三百 and 300 score alike
        folded = _HAN_NUMBER.sub(lambda m: _han_value(m[0]), _THOUSANDS.sub("", folded))
    if language == "ja":
        for variant, same in _JA_VARIANTS:
            folded = variant.sub(same, folded)
        return folded
    if language == "en":  # folded "don't" is "don t": contractions spelled out
        folded = _EN_NOT.sub(lambda m: _EN_STEMS.get(m[1] or m[2], m[1] or m[2]) + " not", folded)
    if language in ("ar", "fa", "ur"):  # vowel marks, tatweel, ZWNJ: often not typed
        folded = _ARABIC_MARKS.sub("", folded)
    for variant, same in _SAME.get(language, ()):
        folded = folded.replace(variant, same)
    polite = _POLITE.get(language)
    if not polite:
        return folded
    if languages.by_characters(language):
        for word in polite:
            folded = folded.replace(word, "")
        return folded
    words = f" {folded} "
    for word in polite:
        words = words.replace(f" {word} ", " ")
    return " ".join(words.split())


@lru_cache(maxsize=1)
def _sudachi():
    """A Sudachi tokenizer (split mode A), or None without the Japanese extra."""
    try:
        from sudachipy import Dictionary, SplitMode

        from counter_app.pipeline.lean_install import sudachi_dictionary

        dictionary = Dictionary(dict=sudachi_dictionary() or "core")
        if hasattr(dictionary, "tokenizer"):  # SudachiPy >= 0.7; create() is deprecated
            return dictionary.tokenizer(mode=SplitMode.A)
        return dictionary.create(SplitMode.A)
    except Exception as error:  # not installed, or no dictionary package
        log.info("Sudachi unavailable (%s): Japanese content words by kanji/katakana runs",
                 error)
        return None


def _japanese(text: str) -> tuple[tuple[str, ...], int]:
    """Japanese content words and the number of negations."""
    text = unicodedata.normalize("NFKC", text)
    for variant, same in _JA_VARIANTS:
        text = variant.sub(same, text)
    tokenizer = _sudachi()
    if tokenizer is None:
        runs = _KANJI_OR_KATAKANA.findall(_NOT_WORD.sub("", _strip_numbers(text, "ja")))
        return tuple(fold(run, "ja") for run in runs), len(
            _NEGATION["ja"].findall(fold(text, "ja")))
    words: list[str] = []
    negations = 0
    previous = ""
    # Spaces and punctuation dropped: the same words tokenize alike however spaced.
    for morpheme in tokenizer.tokenize(_NOT_WORD.sub("", text)):
        pos, form, surface = morpheme.part_of_speech(), morpheme.normalized_form(), \
            morpheme.surface()
        after_te, previous = previous in ("て", "で"), surface
        if form in _JA_NEGATION and pos[0] in ("助動詞", "形容詞"):
            negations += 1
            continue
        if (pos[0] in _JA_FUNCTION or pos[1] in ("数詞", "フィラー")
                or (pos[0] == "接頭辞" and form == "御") or form in _JA_LIGHT
                or (after_te and form in _JA_AFTER_TE)):
            continue
        if key := fold(form, "ja"):
            words.append(key)
    return tuple(words), negations


def _pairs(text: str) -> frozenset[str]:
    """Characters and character pairs of a text compared without spaces."""
    return frozenset(text) | frozenset(text[i:i + 2] for i in range(len(text) - 1))


def _korean(spaced: str) -> frozenset[str]:
    stems = []
    for word in spaced.split():
        if word in _KO_ALONE:
            continue
        for _ in range(2):  # 경우에는 -> 경우에 -> 경우
            end = next((e for e in _KO_ENDS if len(word) > len(e) and word.endswith(e)), "")
            word = word[:len(word) - len(end)]
        stems.append(word)
    return _pairs("".join(stems))


@lru_cache(maxsize=8192)
def gist(text: str, language: str) -> Gist:
    """The comparable parts of `text` in `language`."""
    folded = comparable(fold(text, language), language)
    size = len(folded.replace(" ", ""))
    spaced = comparable(fold(text, None), language) if language == "ko" else folded
    count = _NEGATION.get(language)
    negations = len(count.findall(f" {spaced} ")) if count else 0
    if language == "ja":
        words, negations = _japanese(text)
    elif language == "ko":
        words = _korean(_strip_numbers(spaced, language))
    elif languages.by_characters(language):
        words = _pairs(comparable(fold(_strip_numbers(text, language), language), language))
    else:
        words = tuple(w for w in folded.split() if not _DIGITS.fullmatch(w))
    return Gist(words, numbers(text, language), negations, size)


def disagreement(text: str, phrase: str, language: str) -> str | None:
    """Why `text` does not say what `phrase` says (None when it does)."""
    said, means = gist(text, language), gist(phrase, language)
    if said.numbers != means.numbers:
        return f"numbers differ: {list(said.numbers)} vs {list(means.numbers)}"
    if said.negations != means.negations:
        return f"negation differs ({said.negations} vs {means.negations})"
    if said.words != means.words:
        added = sorted(set(said.words) - set(means.words))
        dropped = sorted(set(means.words) - set(said.words))
        if not added and not dropped:
            return "word order or repetition differs"
        return f"words differ: added {added}, dropped {dropped}"
    shorter, longer = sorted((said.size, means.size))
    if shorter < MIN_LENGTH_RATIO * longer:
        return f"length differs: {said.size} vs {means.size} characters"
    return None
