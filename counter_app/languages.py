"""The single language registry: which languages the app offers, how each is
written, and which engine families can serve each one.

Whether a model is *installed* is the store's business; this table says what
exists upstream, under which code, and why a gap is a gap.
"""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.errors import UnknownLanguageError


@dataclass(frozen=True, slots=True)
class Script:
    """How a language is written: what joining, splitting and matching text need."""

    spaced: bool = True  # words are separated by spaces
    ends: str = ".!?"  # marks that end a sentence
    sentence_gap: str = " "  # written between two sentences
    joiner: str = ", "  # between the items of a list (phrases in a Whisper prompt)
    # Compare and join text by characters, ignoring spaces (always so when unspaced).
    by_characters: bool = False
    han: bool = False  # written with Han characters (numbers also as 三百)


SPACED = Script()  # Latin, Cyrillic, Sinhala; also any code the registry does not know
_JAPANESE = Script(spaced=False, ends="。！？", sentence_gap="", joiner="、", by_characters=True,
                   han=True)
_CHINESE = Script(spaced=False, ends="。！？", sentence_gap="", joiner="，", by_characters=True,
                  han=True)
# Hangul is spaced, but ASR and writers place spaces freely and particles attach to the
# word before them: phrase search and term matching/joining go by characters.
_HANGUL = Script(by_characters=True)
# Thai has no full stop (a space ends a statement); Thai and Khmer separate phrases
# with a space.
_THAI = Script(spaced=False, ends="?!", joiner=" ", by_characters=True)
_KHMER = Script(spaced=False, ends="។៕?!", joiner=" ", by_characters=True)
_BURMESE = Script(spaced=False, ends="။", joiner="၊ ", by_characters=True)
_DANDA = Script(ends="।?!")  # Hindi, Nepali, Bengali
_ARABIC = Script(ends=".؟!", joiner="، ")  # Arabic, Persian
_URDU = Script(ends="۔؟!", joiner="، ")


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # our code (BCP 47 style)
    english: str
    native: str  # the name in its own script, for the resident's picker
    japanese: str  # the name in Japanese (日本語名), for staff
    voice: bool  # one of the 11 voice languages (speech in and out)
    rtl: bool = False
    argos: str | None = None  # code in the Argos package index
    nllb: str | None = None  # NLLB-200 code, for CTranslate2 NLLB models
    vosk: str | None = None  # "lang" in the Vosk model list
    whisper: str | None = None  # Whisper language token
    piper: str | None = None  # Piper voice locale prefix, e.g. "en_US"
    espeak: str | None = None  # espeak-ng voice
    openjtalk: bool = False
    script: Script = SPACED
    gaps: tuple[tuple[str, str], ...] = ()  # (engine kind, reason) for missing coverage

    @property
    def gap_reasons(self) -> dict[str, str]:
        return dict(self.gaps)


def _lang(code, english, native, japanese, voice, **kw) -> Language:
    return Language(code, english, native, japanese, voice, **kw)


_TABLE: tuple[Language, ...] = (
    _lang("ja", "Japanese", "日本語", "日本語", True,
          script=_JAPANESE, argos="ja", nllb="jpn_Jpan", vosk="ja",
          whisper="ja", espeak="ja", openjtalk=True,
          gaps=(("piper", "Piper has no Japanese voice; Open JTalk speaks Japanese."),)),
    _lang("en", "English", "English", "英語", True, argos="en", nllb="eng_Latn", vosk="en-us",
          whisper="en", piper="en_US", espeak="en-us"),
    _lang("zh", "Chinese (Mandarin, Simplified)", "中文（简体）", "中国語（簡体字）", True,
          script=_CHINESE, argos="zh", nllb="zho_Hans", vosk="cn", whisper="zh", piper="zh_CN",
          espeak="cmn"),
    _lang("ko", "Korean", "한국어", "韓国語", True,
          script=_HANGUL, argos="ko", nllb="kor_Hang", vosk="ko",
          whisper="ko", espeak="ko",
          gaps=(("piper", "Piper has no Korean voice; espeak-ng speaks it (low quality)."),)),
    _lang("vi", "Vietnamese", "Tiếng Việt", "ベトナム語", True, nllb="vie_Latn", vosk="vn",
          whisper="vi", piper="vi_VN", espeak="vi",
          gaps=(("argos", "No Argos package for Vietnamese; M2M-100 (MIT) translates it."),)),
    _lang("tl", "Filipino", "Filipino", "フィリピノ語", True,
          argos="tl", nllb="tgl_Latn", vosk="tl-ph", whisper="tl",
          gaps=(("piper", "Piper has no Filipino voice."),
                ("espeak", "espeak-ng has no Filipino voice."))),
    _lang("pt", "Portuguese (Brazil)", "Português (Brasil)", "ポルトガル語", True, argos="pb",
          nllb="por_Latn", vosk="pt", whisper="pt", piper="pt_BR", espeak="pt-br"),
    _lang("es", "Spanish", "Español", "スペイン語", True, argos="es", nllb="spa_Latn", vosk="es",
          whisper="es", piper="es_ES", espeak="es"),
    _lang("fr", "French", "Français", "フランス語", True, argos="fr", nllb="fra_Latn", vosk="fr",
          whisper="fr", piper="fr_FR", espeak="fr-fr"),
    _lang("ru", "Russian", "Русский", "ロシア語", True, argos="ru", nllb="rus_Cyrl", vosk="ru",
          whisper="ru", piper="ru_RU", espeak="ru"),
    _lang("hi", "Hindi", "हिन्दी", "ヒンディー語", True,
          script=_DANDA, argos="hi", nllb="hin_Deva", vosk="hi",
          whisper="hi", piper="hi_IN", espeak="hi"),
    # Text languages (typing, phrasebooks, captions' translation line).
    _lang("zh-Hant", "Chinese (Traditional)", "中文（繁體）", "中国語（繁体字）", False,
          script=_CHINESE, argos="zt", nllb="zho_Hant", whisper="zh", espeak="cmn"),
    _lang("th", "Thai", "ไทย", "タイ語", False,
          script=_THAI, argos="th", nllb="tha_Thai", whisper="th",
          espeak="th", gaps=(("vosk", "No Vosk model for Thai; Whisper recognizes it."),)),
    _lang("id", "Indonesian", "Bahasa Indonesia", "インドネシア語", False,
          argos="id", nllb="ind_Latn", whisper="id", piper="id_ID", espeak="id",
          gaps=(("vosk", "No Vosk model for Indonesian; Whisper recognizes it."),)),
    _lang("ne", "Nepali", "नेपाली", "ネパール語", False,
          script=_DANDA, nllb="npi_Deva", whisper="ne", piper="ne_NP",
          espeak="ne", gaps=(("argos",
                               "No Argos package for Nepali; NLLB-200 (licence: non-commercial)."),
                             ("vosk", "No Vosk model for Nepali; Whisper recognizes it."))),
    _lang("my", "Burmese", "မြန်မာဘာသာ", "ミャンマー語", False,
          script=_BURMESE, nllb="mya_Mymr", whisper="my",
          espeak="my", gaps=(("argos",
                               "No Argos package for Burmese; NLLB-200 (licence: non-commercial)."),
                             ("vosk", "No Vosk model for Burmese; Whisper recognizes it."))),
    _lang("ms", "Malay", "Bahasa Melayu", "マレー語", False,
          argos="ms", nllb="zsm_Latn", whisper="ms", espeak="ms"),
    _lang("de", "German", "Deutsch", "ドイツ語", False, argos="de", nllb="deu_Latn", vosk="de",
          whisper="de", piper="de_DE", espeak="de"),
    _lang("it", "Italian", "Italiano", "イタリア語", False, argos="it", nllb="ita_Latn", vosk="it",
          whisper="it", piper="it_IT", espeak="it"),
    _lang("nl", "Dutch", "Nederlands", "オランダ語", False, argos="nl", nllb="nld_Latn", vosk="nl",
          whisper="nl", piper="nl_NL", espeak="nl"),
    _lang("pl", "Polish", "Polski", "ポーランド語", False, argos="pl", nllb="pol_Latn", vosk="pl",
          whisper="pl", piper="pl_PL", espeak="pl"),
    _lang("uk", "Ukrainian", "Українська", "ウクライナ語", False,
          argos="uk", nllb="ukr_Cyrl", vosk="ua", whisper="uk", piper="uk_UA", espeak="uk"),
    _lang("tr", "Turkish", "Türkçe", "トルコ語", False, argos="tr", nllb="tur_Latn", vosk="tr",
          whisper="tr", piper="tr_TR", espeak="tr"),
    _lang("ar", "Arabic", "العربية", "アラビア語", False,
          script=_ARABIC, rtl=True, argos="ar", nllb="arb_Arab",
          vosk="ar", whisper="ar", piper="ar_JO", espeak="ar"),
    _lang("fa", "Persian", "فارسی", "ペルシャ語", False,
          script=_ARABIC, rtl=True, argos="fa", nllb="pes_Arab",
          vosk="fa", whisper="fa", piper="fa_IR", espeak="fa"),
    _lang("ur", "Urdu", "اردو", "ウルドゥー語", False,
          script=_URDU, rtl=True, argos="ur", nllb="urd_Arab", whisper="ur", espeak="ur"),
    _lang("bn", "Bengali", "বাংলা", "ベンガル語", False,
          script=_DANDA, argos="bn", nllb="ben_Beng", whisper="bn", espeak="bn"),
    _lang("km", "Khmer", "ខ្មែរ", "クメール語", False, script=_KHMER, nllb="khm_Khmr", whisper="km",
          gaps=(("argos", "No Argos package for Khmer; NLLB-200 (licence: non-commercial)."),
                ("espeak", "espeak-ng has no Khmer voice."))),
    _lang("mn", "Mongolian", "Монгол", "モンゴル語", False, nllb="khk_Cyrl", whisper="mn",
          gaps=(("argos", "No Argos package for Mongolian; NLLB-200 (licence: non-commercial)."),
                ("espeak", "espeak-ng has no Mongolian voice."))),
    _lang("si", "Sinhala", "සිංහල", "シンハラ語", False, nllb="sin_Sinh", whisper="si", espeak="si",
          gaps=(("argos", "No Argos package for Sinhala; NLLB-200 (licence: non-commercial)."),)),
)

LANGUAGES: dict[str, Language] = {lang.code: lang for lang in _TABLE}
VOICE_LANGUAGES: tuple[str, ...] = tuple(lang.code for lang in _TABLE if lang.voice)
TEXT_LANGUAGES: tuple[str, ...] = tuple(LANGUAGES)
STAFF_LANGUAGE = "ja"
# What a ward-office counter needs most often after the staff language and the
# configured resident language (the first-start flow ticks these).
OFFICE_USUAL: tuple[str, ...] = ("en", "zh", "ko", "vi")
PIVOT_LANGUAGE = "en"

_ALIASES = {"zh-hans": "zh", "zh-cn": "zh", "zh-tw": "zh-Hant", "zh-hant": "zh-Hant",
            "zt": "zh-Hant", "pb": "pt", "pt-br": "pt", "fil": "tl"}


def _find(code: str) -> Language | None:
    return LANGUAGES.get(code) or LANGUAGES.get(_ALIASES.get(code.lower(), code.lower()))


def get(code: str) -> Language:
    """Look a language up by our code or a common alias (case-insensitive)."""
    found = _find(code)
    if found is None:
        raise UnknownLanguageError(code)
    return found


def from_argos(code: str) -> Language | None:
    return next((lang for lang in _TABLE if lang.argos == code), None)


def from_whisper(code: str) -> Language | None:
    """Whisper says "zh" for both scripts; prefer the voice language."""
    return next((lang for lang in _TABLE if lang.whisper == code), None)


def from_vosk(code: str) -> Language | None:
    return next((lang for lang in _TABLE if lang.vosk == code), None)


# --- how a language is written (any code: unknown codes get the spaced defaults) ----

def script(code: str | None) -> Script:
    """The writing facts of `code`; `SPACED` for None or a code not in the registry
    (a phrasebook's own column, "auto")."""
    found = _find(code) if code else None
    return found.script if found else SPACED


def is_spaced(code: str | None) -> bool:
    """Whether words are separated by spaces (not in ja, zh, zh-Hant, th, my, km)."""
    return script(code).spaced


def word_gap(code: str | None) -> str:
    """What joins two pieces of recognized speech: "" in unspaced scripts, else " "."""
    return " " if script(code).spaced else ""


def sentence_gap(code: str | None) -> str:
    """What joins two sentences: "" in Japanese and Chinese, else " "."""
    return script(code).sentence_gap


def sentence_ends(code: str | None) -> str:
    """Marks that end a sentence ("。！？" in Japanese, "।?!" in Hindi)."""
    return script(code).ends


def joiner(code: str | None) -> str:
    """The separator of a list of phrases or terms ("、" in Japanese, ", " in English)."""
    return script(code).joiner


def by_characters(code: str | None) -> bool:
    """Whether text is compared and joined by characters, spaces ignored (unspaced
    scripts and Korean)."""
    return script(code).by_characters


def uses_han(code: str | None) -> bool:
    """Whether the language is written with Han characters (ja, zh, zh-Hant)."""
    return script(code).han


def japanese_name(code: str) -> str:
    """The language's name in Japanese (ベトナム語)."""
    return get(code).japanese
