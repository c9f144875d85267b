"""Which of our languages is a typed text in?  Offline, no model download.

Most of our languages are decided by their script alone (Hangul, kana, Thai, Khmer,
Myanmar, Sinhala, Bengali), or by a few letters within a script (Arabic/Persian/
Urdu, Russian/Ukrainian/Mongolian, simplified/traditional Chinese/kanji-only
Japanese, Hindi/Nepali by common words).  Latin-script languages are told apart by
their characteristic letters and common words; `lingua-language-detector`, if
installed, can do that part instead (`use_lingua=True`; ~300 MB RAM, slow to load).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter

# Script of one character -> a coarse label, by Unicode block.
_BLOCKS: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "latin"), (0x1E00, 0x1EFF, "latin"),
    (0x0400, 0x04FF, "cyrillic"),
    (0x0600, 0x06FF, "arabic"), (0x0750, 0x077F, "arabic"), (0xFB50, 0xFDFF, "arabic"),
    (0xFE70, 0xFEFF, "arabic"),
    (0x0900, 0x097F, "devanagari"), (0x0980, 0x09FF, "bengali"), (0x0D80, 0x0DFF, "si"),
    (0x0E00, 0x0E7F, "th"), (0x1000, 0x109F, "my"), (0x1780, 0x17FF, "km"),
    (0x1100, 0x11FF, "ko"), (0x3130, 0x318F, "ko"), (0xAC00, 0xD7AF, "ko"),
    (0x3040, 0x30FF, "kana"), (0x31F0, 0x31FF, "kana"), (0xFF66, 0xFF9F, "kana"),
    (0x3400, 0x4DBF, "han"), (0x4E00, 0x9FFF, "han"), (0xF900, 0xFAFF, "han"),
)
_SINGLE_SCRIPT = {"si": "si", "th": "th", "my": "my", "km": "km", "ko": "ko", "bengali": "bn"}

# Han characters whose form belongs to one writing system only (common in our domain).
_SIMPLIFIED = set("这个们来说时国会对过发后为学么还问题书证请谢号码办护务处应该没关系钱费写签电话"
                  "银员县东车见现长门开给让帮医药儿语认识记边岁级结离婚户亲乡补领险")
_TRADITIONAL = set("這個們來說時國會對過發後為學麼還問題書證請謝號碼辦護務處應該沒關係錢費寫簽電話"
                   "銀員縣東車見現長門開給讓幫醫藥兒語認識記邊歲級結離婚戶親鄉補領險")
_KANJI_ONLY = set("証険転済駅売読続払広図団価県帰変気労働様応円関発届込枠単営経済総覧")

_URDU_LETTERS = set("ٹڈڑںےۓۃ")
_PERSIAN_LETTERS = set("پچژگکیۀ")
_UKRAINIAN_LETTERS = set("іїєґ")
_MONGOLIAN_LETTERS = set("өү")
_MONGOLIAN_WORDS = {"байна", "уу", "вэ", "юу", "та", "би", "миний", "надад", "танд", "сайн",
                    "баярлалаа", "болно", "хэрэгтэй", "тийм", "энд", "хаана", "бол", "юм"}
_RUSSIAN_WORDS = {"я", "мне", "вы", "не", "и", "в", "на", "что", "это", "пожалуйста",
                  "спасибо", "нужна", "нужен", "нужно", "где", "как", "да", "нет", "у", "меня"}
_NEPALI_WORDS = {"छ", "छन्", "हो", "को", "मा", "गर्न", "भयो", "हुन्छ", "तपाईं", "तपाईंको", "मेरो",
                 "म", "र", "पनि", "छैन", "गर्नुहोस्", "धन्यवाद", "नेपाल", "चाहिन्छ", "कहाँ"}
_HINDI_WORDS = {"है", "हैं", "का", "की", "के", "में", "मैं", "आप", "क्या", "नहीं", "और", "से",
                "मुझे", "मेरा", "मेरी", "यह", "कृपया", "चाहिए", "कहाँ", "हूँ", "था"}

# Latin-script languages: letters rare elsewhere (weight 2 each) and common words.
_LATIN_LETTERS: dict[str, str] = {
    "vi": "ơưđăạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ",
    "pl": "ąęłśźżńć", "tr": "ığş", "de": "ßä", "es": "ñ¿¡", "pt": "ãõ", "fr": "œèùûëï",
}
_LATIN_WORDS: dict[str, str] = {
    "en": "the a an is are i you to of and in my need please thank thanks yes no have want "
          "where what how this it do can with for card here",
    "vi": "tôi không là có của và được cho này người bạn muốn xin cảm ơn ở đâu",
    "tl": "ang ng mga sa po ako ikaw ka ko mo hindi oo salamat magandang kailangan gusto saan "
          "ano na ay siya kami namin opo paano",
    "pt": "o os as de que e em é não sim obrigado obrigada por favor preciso eu um uma com "
          "para onde você tenho meu minha bom dia",
    "es": "el la los las de que y en es por favor gracias quiero necesito no sí mi un una con "
          "para dónde cómo tengo buenos días",
    "fr": "je le la les de des et est un une ne pas vous merci bonjour oui non voudrais avec "
          "pour où suis j'ai s'il plaît",
    "id": "saya tidak ini itu dan yang di ke dari ada apa terima kasih tolong mau ingin bisa "
          "dengan untuk selamat pagi bagaimana mana anda kami sudah belum perlu butuh karena "
          "saja uang kantor",
    "ms": "saya tidak ini itu dan yang di ke dari ada apa terima kasih tolong mahu ingin boleh "
          "dengan untuk selamat pagi bagaimana mana anda kami sudah belum perlukan kerana "
          "sahaja wang pejabat tak encik",
    "de": "ich und der die das ist nicht ein eine bitte danke ja nein haben habe brauche mit zu "
          "wie wo mein meine guten tag hilfe",
    "it": "il lo la gli di che e è non un una per grazie sono ho mi buongiorno voglio bisogno "
          "dove come con questo prego aiuto",
    "nl": "ik de het een en is niet van dat je u ja nee dank bedankt alstublieft heb hulp "
          "nodig wil waar met voor goedemorgen mijn",
    "pl": "nie jest się w z na do że czy proszę dziękuję mam jak to dzień dobry pomocy",
    "tr": "bir ve bu için ne var yok mi mı ben lütfen teşekkür ederim evet hayır nasıl "
          "yardım nerede",
}
_WORD_SETS = {code: set(words.split()) for code, words in _LATIN_WORDS.items()}
_LINGUA_NAMES = {"en": "ENGLISH", "vi": "VIETNAMESE", "tl": "TAGALOG", "pt": "PORTUGUESE",
                 "es": "SPANISH", "fr": "FRENCH", "id": "INDONESIAN", "ms": "MALAY",
                 "de": "GERMAN", "it": "ITALIAN", "nl": "DUTCH", "pl": "POLISH", "tr": "TURKISH"}
_PUNCTUATION = "।॥.,;:!?¿¡\"()[]«»“”—-"


def _words(text: str) -> list[str]:
    """Whitespace words without punctuation (regex \\w would split Indic vowel signs)."""
    return [word for raw in text.split() if (word := raw.strip(_PUNCTUATION))]


def _script(char: str) -> str | None:
    point = ord(char)
    for low, high, name in _BLOCKS:
        if low <= point <= high:
            return name if char.isalpha() or name != "latin" else None
    return None


def _decided(code: str) -> dict[str, float]:
    return {code: 1.0}


def _han(text: str, has_kana: bool) -> dict[str, float]:
    if has_kana:
        return _decided("ja")
    votes = {"zh": sum(c in _SIMPLIFIED for c in text),
             "zh-Hant": sum(c in _TRADITIONAL for c in text),
             "ja": sum(c in _KANJI_ONLY for c in text)}
    if not any(votes.values()):
        return {"zh": 0.5, "zh-Hant": 0.25, "ja": 0.25}
    return _normalized({code: count + 0.1 for code, count in votes.items()})


def _arabic(text: str) -> dict[str, float]:
    if any(c in _URDU_LETTERS for c in text):
        return {"ur": 0.9, "fa": 0.05, "ar": 0.05}
    if any(c in _PERSIAN_LETTERS for c in text):
        return {"fa": 0.85, "ur": 0.1, "ar": 0.05}
    return {"ar": 0.9, "fa": 0.05, "ur": 0.05}


def _cyrillic(text: str) -> dict[str, float]:
    lowered = text.lower()
    if any(c in _UKRAINIAN_LETTERS for c in lowered):
        return {"uk": 0.95, "ru": 0.05}
    if any(c in _MONGOLIAN_LETTERS for c in lowered):
        return {"mn": 0.95, "ru": 0.05}
    words = set(_words(lowered))
    # Long vowels written double are everyday Mongolian and rare in Russian.
    mongolian = len(words & _MONGOLIAN_WORDS) + len(re.findall(r"(аа|оо|уу|ээ|ий)\b", lowered))
    return _normalized({"ru": len(words & _RUSSIAN_WORDS) + 0.85, "uk": 0.1,
                        "mn": mongolian + 0.05})


def _devanagari(text: str) -> dict[str, float]:
    words = set(_words(text))
    nepali, hindi = len(words & _NEPALI_WORDS), len(words & _HINDI_WORDS)
    return _normalized({"hi": hindi + 0.6, "ne": nepali + 0.4})


def _latin_builtin(text: str) -> dict[str, float]:
    lowered = text.lower()
    scores = Counter({"en": 0.2})
    for code, letters in _LATIN_LETTERS.items():
        scores[code] += 2 * sum(lowered.count(letter) for letter in letters)
    for word in _words(lowered):
        owners = [code for code, words in _WORD_SETS.items() if word in words]
        for code in owners:
            scores[code] += 1 / len(owners)
    scores["id"] += 0.01  # Indonesian/Malay ties: Indonesian is far more common in Japan
    return _normalized(scores)


@functools.lru_cache(maxsize=1)
def _lingua_detector():
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:
        return None
    wanted = [getattr(Language, name) for name in _LINGUA_NAMES.values()]
    return LanguageDetectorBuilder.from_languages(*wanted).build()


def _latin(text: str, use_lingua: bool) -> dict[str, float]:
    detector = _lingua_detector() if use_lingua else None
    if detector is None:
        return _latin_builtin(text)
    ours = {name: code for code, name in _LINGUA_NAMES.items()}
    found = {ours[value.language.name]: value.value
             for value in detector.compute_language_confidence_values(text)}
    return _normalized(found) if any(found.values()) else _latin_builtin(text)


def _normalized(scores: dict[str, float]) -> dict[str, float]:
    total = sum(scores.values())
    return {code: value / total for code, value in scores.items() if value > 0}


def detect_text_language(text: str, *, use_lingua: bool = False) -> list[tuple[str, float]]:
    """Our language codes with probabilities, most likely first ([] for no letters).

    Mixed text is weighed by how many letters each script contributes, so a
    Japanese sentence with "ID" in it stays Japanese.
    """
    text = unicodedata.normalize("NFC", text)
    counts = Counter(script for char in text if (script := _script(char)))
    total = sum(counts.values())
    if not total:
        return []
    has_kana = counts["kana"] > 0
    result: Counter[str] = Counter()
    for script, count in counts.items():
        if script == "kana":
            share = _decided("ja")
        elif script in _SINGLE_SCRIPT:
            share = _decided(_SINGLE_SCRIPT[script])
        elif script == "han":
            share = _han(text, has_kana)
        elif script == "arabic":
            share = _arabic(text)
        elif script == "cyrillic":
            share = _cyrillic(text)
        elif script == "devanagari":
            share = _devanagari(text)
        else:
            share = _latin(text, use_lingua)
        for code, probability in share.items():
            result[code] += probability * count / total
    return sorted(result.items(), key=lambda item: (-item[1], item[0]))
