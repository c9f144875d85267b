"""Term dictionary: files and validation, ASR corrections, terms enforced through
the tiny real MT fixture models (direct and through an English pivot)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from counter_app.phrasebook import ImportValidationError, load_phrasebook
from counter_app.phrasebook.terms import (
    ChainTranslator,
    Term,
    TermDictionary,
    TermTranslationService,
    TermTranslator,
    load_terms,
    save_terms,
    token_pattern,
)
from counter_app.pipeline.base import Translator
from tests.conftest import MT_FIXTURES

MY_NUMBER = Term("マイナンバーカード", "まいなんばーかーど",
                 {"en": "Individual Number Card", "ko": "개인번호 카드"}, force_translation=True,
                 variants={"en": ("My Number card",), "ko": ("마이넘버 카드",)})
ZAIRYU = Term("在留カード", translations={"en": "Zairyu Card"}, force_translation=True)
OFFICE = Term("区民課", do_not_translate=True, note="office name")


@pytest.fixture(scope="module")
def terms() -> TermDictionary:
    return TermDictionary([
        Term("住民票", "じゅうみんひょう", {"en": "residence certificate"},
             heard_as={"ja": ("住民兵",)}),
        Term("手数料", "てすうりょう", heard_as={"ja": ("手数道",)}),
        Term("こんにちは", heard_as={"ja": ("今日は",)}, whole_utterance=True),
        Term("番号札", translations={"ko": "번호표"}, heard_as={"ko": ("번오표",)}),
        Term("ward office", heard_as={}, translations={"en": "ward office"}),
        MY_NUMBER, ZAIRYU, OFFICE,
    ], "office", "2")


# --- ASR --------------------------------------------------------------------------------

@pytest.mark.parametrize("heard,fixed", [
    ("住民兵の映しをください。", "住民票の映しをください。"),  # Whisper, measured
    ("住民 兵 の 写し を ください", "住民票 の 写し を ください"),  # Vosk-style word units
    ("手数道は三百円です。", "手数料は三百円です。"),
    ("今日は。", "こんにちは。"),  # whole utterance only
    ("今日は雨です。", "今日は雨です。"),
    ("住民票はこちら", "住民票はこちら"),  # already right
])
def test_japanese_asr_corrections(terms, heard, fixed):
    assert terms.apply_asr_corrections(heard, "ja") == fixed


def test_asr_corrections_are_per_language(terms):
    assert terms.apply_asr_corrections("번오 표 를 뽑아 주세요", "ko") == "번호표 를 뽑아 주세요"
    assert terms.apply_asr_corrections("住民兵", "ko") == "住民兵"
    assert terms.apply_asr_corrections("", "ja") == ""


def test_latin_rules_respect_word_boundaries():
    latin = TermDictionary([Term("マイナポータル", translations={"en": "Mynaportal"},
                                 heard_as={"en": ("my na portal", "mina portal")})])
    assert latin.apply_asr_corrections("Log in to My Na Portal now", "en") == \
        "Log in to Mynaportal now"
    assert latin.apply_asr_corrections("use minaportal", "en") == "use Mynaportal"
    assert latin.apply_asr_corrections("laminaportals", "en") == "laminaportals"


def test_vocabulary_for_recognizers(terms):
    assert "マイナンバーカード" in terms.vocabulary("ja")
    assert terms.vocabulary("ko") == ["번호표", "개인번호 카드"]


# --- protection -------------------------------------------------------------------------

def test_protect_and_restore(terms):
    text, restore = terms.protect("区民課でマイナンバーカードと住民票を。", "ja", "en")
    assert "マイナンバーカード" not in text and "区民課" not in text
    assert restore.outputs == ("区民課", "Individual Number Card")
    translated = text.replace("で", " at ").replace("と住民票を。", " and a certificate")
    assert restore(translated).startswith("区民課 at Individual Number Card")
    assert not restore.complete("nothing came back")


def test_protect_matches_with_or_without_spaces_and_variants(terms):
    _, restore = terms.protect("마이넘버카드를 가지고 계십니까?", "ko", "en")
    assert restore.outputs == ("Individual Number Card",)
    _, restore = terms.protect("マイナンバー カードは", "ja", "ko")
    assert restore.outputs == ("개인번호 카드",)
    assert terms.protect("手数料は三百円です。", "ja", "en")[1].outputs == ()


class CopyingTranslator(Translator):
    """Pure-logic double: "translates" by upper-casing, copying digits as real models do."""

    engine, source, target = "double", "ja", "en"

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        return [f"[{t.upper()}]" for t in texts]


def test_placeholder_strategy_when_the_model_copies_tokens(terms):
    wrapped = TermTranslator(CopyingTranslator(), terms)
    assert wrapped.translate("区民課の在留カード") == "[区民課のZairyu Card]"
    assert wrapped.last_strategies == ["placeholder"]


# --- real tiny MT models ----------------------------------------------------------------

@pytest.fixture(scope="module")
def models():
    if not (MT_FIXTURES / "ja_en" / "model" / "model.bin").is_file():
        pytest.skip("tiny MT fixture models not built")
    from counter_app.pipeline.mt_argos import ArgosTranslator

    found = {}
    for pair in ("ja_en", "en_ja", "ko_en", "en_ko"):
        translator = ArgosTranslator(MT_FIXTURES / pair)
        found[(translator.source, translator.target)] = translator
    return found


def test_forced_term_through_real_model(models, terms):
    plain = models[("ja", "en")].translate("マイナンバーカードはお持ちですか。")
    assert plain == "Do you have your My Number card?"  # what the model says on its own
    wrapped = TermTranslator(models[("ja", "en")], terms)
    out = wrapped.translate_batch(["マイナンバーカードはお持ちですか。", "手数料は三百円です。"])
    assert out == ["Do you have your Individual Number Card?", "The fee is three hundred yen."]
    assert wrapped.last_strategies == ["post-edit", "plain"]


def test_forced_term_without_variant_is_still_guaranteed(models, terms):
    wrapped = TermTranslator(models[("ja", "en")], terms)
    out = wrapped.translate("在留カードをお持ちですか。")
    # The tiny model copies no placeholder, so the text is translated around the term.
    assert wrapped.last_strategies == ["split"]
    assert out.startswith("Zairyu Card")


def test_forced_term_through_pivot(models, terms):
    service = TermTranslationService(lambda s, t: models.get((s, t)), terms)
    result = service.translate("マイナンバーカードはお持ちですか。", "ja", "ko")
    assert result.path == ("ja", "en", "ko")
    assert result.text == "개인번호 카드를 가지고 계십니까?"
    back = service.translate("마이넘버 카드를 가지고 계십니까?", "ko", "ja", back=False)
    assert back.path == ("ko", "en", "ja") and back.text == "マイナンバーカードはお持ちですか。"
    untouched = service.translate("手数料は三百円です。", "ja", "ko", back=False)
    assert untouched.text == "수수료는 삼백 엔입니다."


def test_chain_translator_needs_connected_legs(models):
    with pytest.raises(ValueError):
        ChainTranslator([models[("ja", "en")], models[("ko", "en")]])
    chain = ChainTranslator([models[("ko", "en")], models[("en", "ja")]])
    assert (chain.source, chain.target) == ("ko", "ja")
    assert chain.translate("감사합니다.") == "ありがとうございます。"


# --- files ------------------------------------------------------------------------------

@pytest.mark.parametrize("name,encoding", [("t.yaml", None), ("t.json", None),
                                           ("t.csv", "utf-8"), ("t.csv", "utf-8-sig"),
                                           ("t.xlsx", None)])
def test_round_trip(tmp_path, terms, name, encoding):
    path = tmp_path / name
    save_terms(terms, path, *(encoding,) if encoding else ())
    loaded = load_terms(path)
    assert loaded.terms == terms.terms
    assert loaded.get("マイナンバーカード").variants == {"en": ("My Number card",),
                                                      "ko": ("마이넘버 카드",)}


def test_cp932_round_trip(tmp_path):
    japanese = TermDictionary([Term("住民票", "じゅうみんひょう", {"en": "residence certificate"},
                                    heard_as={"ja": ("住民兵", "十民表")})])
    save_terms(japanese, tmp_path / "t.csv", "cp932")
    assert load_terms(tmp_path / "t.csv").terms == japanese.terms


def problems_of(path) -> list[str]:
    with pytest.raises(ImportValidationError) as info:
        load_terms(path)
    return [str(p) for p in info.value.problems]


def test_validation_messages(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("term,en,xx,do_not_translate,force_translation\n"
                    "住民票,certificate,,TRUE,TRUE\n"
                    "住民票,again,,,\n"
                    ",empty,,,\n"
                    "手数料,,,,TRUE\n"
                    "@cmd,x,,maybe,\n", encoding="utf-8")
    assert problems_of(path) == [
        "t.csv: header, column 'xx': unknown language column 'xx': expected a language code "
        "(e.g. en, zh-Hant), heard_<code>, variants_<code> or one of term, reading, "
        "do_not_translate, force_translation, whole_utterance, note (the Japanese goes in "
        "'term')",
        "t.csv: row 6, column 'term': text starts with '@', which spreadsheet programs run as a "
        "formula (CSV injection); reword it so it starts differently",
        "t.csv: row 6, column 'do_not_translate': expected TRUE or FALSE, got 'maybe'",
        "t.csv: row 2: do_not_translate and force_translation cannot both be set",
        "t.csv: row 3: duplicate term '住民票' (first defined at row 2)",
        "t.csv: row 4: empty term (the Japanese source text)",
        "t.csv: row 5: force_translation needs at least one translation column",
    ]


def test_missing_term_column_and_broken_encoding(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("en\nfee\n", encoding="utf-8")
    assert "t.csv: header: missing column 'term'" in problems_of(path)
    path.write_bytes(b"term,en\n\x82\xa0\x82\n")
    assert problems_of(path)[0].startswith("t.csv: line 2: broken encoding")


# --- matching: identical to the per-term regexes it replaced -------------------------------

class RegexReference:
    """The matching code before the trie (one regex alternation per language for ASR,
    one regex per enforced term and text for MT), kept as the reference."""

    def __init__(self, terms: TermDictionary):
        self.terms = terms

    def apply_asr_corrections(self, text: str, language: str) -> str:
        items = []
        for term in self.terms.terms:
            written = term.form(language)
            if written is not None:
                items += [(f, written, term.whole_utterance)
                          for f in term.heard_as.get(language, ())]
        if not items or not text:
            return text
        items.sort(key=lambda item: -len(item[0]))
        parts = [rf"^\s*{token_pattern(f, language)}(?=\s*[\W_]*\s*$)" if whole
                 else token_pattern(f, language) for f, _, whole in items]
        pattern = re.compile("|".join(f"({p})" for p in parts), re.IGNORECASE)
        return pattern.sub(lambda m: items[m.lastindex - 1][1], text)

    def find(self, text: str, source: str, target: str) -> list[tuple[int, int, str]]:
        taken: list[tuple[int, int, str]] = []
        for _, form, output in self.terms.enforced(source, target):
            for match in re.finditer(token_pattern(form, source), text, re.IGNORECASE):
                if all(match.end() <= s or match.start() >= e for s, e, _ in taken):
                    taken.append((match.start(), match.end(), output))
        return sorted(taken)


def shipped_terms() -> TermDictionary:
    from counter_app.phrasebook.library import SHIPPED_DIR

    return load_terms(SHIPPED_DIR / "terms.yaml")


def test_trie_matches_like_the_regexes_on_the_shipped_dictionary(terms):
    from counter_app.phrasebook.library import SHIPPED_DIR

    shipped = shipped_terms()
    sentences = [p.source_text for p in load_phrasebook(SHIPPED_DIR / "phrasebook.yaml").phrases]
    heard = [f for t in shipped.terms for fs in t.heard_as.values() for f in fs]
    texts = sentences + heard + [f"{h}の{s}" for h, s in zip(heard, sentences, strict=False)] + [
        " ".join(s) for s in sentences[:40]]  # Vosk-style spaces between every character
    for dictionary in (shipped, terms):
        reference = RegexReference(dictionary)
        for text in texts:
            assert dictionary.apply_asr_corrections(text, "ja") == \
                reference.apply_asr_corrections(text, "ja"), text
            for target in ("en", "ko"):
                assert dictionary.find(text, "ja", target) == \
                    reference.find(text, "ja", target), text


def test_trie_matches_like_the_regexes_on_random_cases():
    import random

    rng = random.Random(11)
    alphabets = {"ja": "住民票兵手数料ア イ", "en": "abAB -_.", "ko": "번호표오 "}

    def word(language: str, low: int, high: int) -> str:
        return "".join(rng.choice(alphabets[language]) for _ in range(rng.randint(low, high)))

    for _ in range(40):
        entries = []
        for i in range(rng.randint(1, 12)):
            heard = {code: tuple(word(code, 1, 4).strip() or "x" for _ in range(2))
                     for code in alphabets if rng.random() < 0.7}
            translations = {code: word(code, 1, 5).strip() or "y" for code in ("en", "ko")
                            if rng.random() < 0.7}
            entries.append(Term(f"{word('ja', 1, 4).strip() or '語'}{i}", "", translations,
                                do_not_translate=rng.random() < 0.3,
                                force_translation=rng.random() < 0.4, heard_as=heard,
                                whole_utterance=rng.random() < 0.3,
                                variants={c: (word(c, 1, 4).strip() or "z",)
                                          for c in ("ja", "en") if rng.random() < 0.3}))
        dictionary = TermDictionary(entries)
        reference = RegexReference(dictionary)
        for _ in range(30):
            language = rng.choice(list(alphabets))
            text = word(language, 0, 25)
            assert dictionary.apply_asr_corrections(text, language) == \
                reference.apply_asr_corrections(text, language), (text, entries)
            for target in ("en", "ko", "ja"):
                if target != language:
                    assert dictionary.find(text, language, target) == \
                        reference.find(text, language, target), (text, entries)


def test_correction_cost_does_not_grow_with_the_dictionary():
    big = TermDictionary([Term(f"語彙{i:05d}", heard_as={"ja": (f"誤認{i:05d}",)},
                               translations={"en": f"word {i}"}, force_translation=True)
                          for i in range(12_000)])
    assert big.apply_asr_corrections("誤認00042 と 誤認11999", "ja") == "語彙00042 と 語彙11999"
    assert big.find("語彙00042の件", "ja", "en") == [(0, 7, "word 42")]
