"""The single language registry: which languages the app offers and which
engine families can serve each one.

Whether a model is *installed* is the store's business; this table says what
exists upstream, under which code, and why a gap is a gap.
"""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.errors import UnknownLanguageError


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # our code (BCP 47 style)
    english: str
    native: str  # the name in its own script, for the resident's picker
    voice: bool  # one of the 11 voice languages (speech in and out)
    rtl: bool = False
    argos: str | None = None  # code in the Argos package index
    nllb: str | None = None  # NLLB-200 code, for CTranslate2 NLLB models
    vosk: str | None = None  # "lang" in the Vosk model list
    whisper: str | None = None  # Whisper language token
    piper: str | None = None  # Piper voice locale prefix, e.g. "en_US"
    espeak: str | None = None  # espeak-ng voice
    openjtalk: bool = False
    gaps: tuple[tuple[str, str], ...] = ()  # (engine kind, reason) for missing coverage

    @property
    def gap_reasons(self) -> dict[str, str]:
        return dict(self.gaps)


def _lang(code, english, native, voice, **kw) -> Language:
    return Language(code, english, native, voice, **kw)


_TABLE: tuple[Language, ...] = (
    _lang("ja", "Japanese", "日本語", True, argos="ja", nllb="jpn_Jpan", vosk="ja",
          whisper="ja", espeak="ja", openjtalk=True,
          gaps=(("piper", "Piper has no Japanese voice; Open JTalk speaks Japanese."),)),
    _lang("en", "English", "English", True, argos="en", nllb="eng_Latn", vosk="en-us",
          whisper="en", piper="en_US", espeak="en-us"),
    _lang("zh", "Chinese (Mandarin, Simplified)", "中文（简体）", True, argos="zh",
          nllb="zho_Hans", vosk="cn", whisper="zh", piper="zh_CN", espeak="cmn"),
    _lang("ko", "Korean", "한국어", True, argos="ko", nllb="kor_Hang", vosk="ko",
          whisper="ko", espeak="ko",
          gaps=(("piper", "Piper has no Korean voice; espeak-ng speaks it (low quality)."),)),
    _lang("vi", "Vietnamese", "Tiếng Việt", True, nllb="vie_Latn", vosk="vn",
          whisper="vi", piper="vi_VN", espeak="vi",
          gaps=(("argos", "No Argos package for Vietnamese; use an NLLB-200 model."),)),
    _lang("tl", "Filipino", "Filipino", True, argos="tl", nllb="tgl_Latn", vosk="tl-ph",
          whisper="tl",
          gaps=(("piper", "Piper has no Filipino voice."),
                ("espeak", "espeak-ng has no Filipino voice."))),
    _lang("pt", "Portuguese (Brazil)", "Português (Brasil)", True, argos="pb",
          nllb="por_Latn", vosk="pt", whisper="pt", piper="pt_BR", espeak="pt-br"),
    _lang("es", "Spanish", "Español", True, argos="es", nllb="spa_Latn", vosk="es",
          whisper="es", piper="es_ES", espeak="es"),
    _lang("fr", "French", "Français", True, argos="fr", nllb="fra_Latn", vosk="fr",
          whisper="fr", piper="fr_FR", espeak="fr-fr"),
    _lang("ru", "Russian", "Русский", True, argos="ru", nllb="rus_Cyrl", vosk="ru",
          whisper="ru", piper="ru_RU", espeak="ru"),
    _lang("hi", "Hindi", "हिन्दी", True, argos="hi", nllb="hin_Deva", vosk="hi",
          whisper="hi", piper="hi_IN", espeak="hi"),
    # Text languages (typing, phrasebooks, captions' translation line).
    _lang("zh-Hant", "Chinese (Traditional)", "中文（繁體）", False, argos="zt",
          nllb="zho_Hant", whisper="zh", espeak="cmn"),
    _lang("th", "Thai", "ไทย", False, argos="th", nllb="tha_Thai", whisper="th",
          espeak="th", gaps=(("vosk", "No Vosk model for Thai; Whisper recognizes it."),)),
    _lang("id", "Indonesian", "Bahasa Indonesia", False, argos="id", nllb="ind_Latn",
          whisper="id", piper="id_ID", espeak="id",
          gaps=(("vosk", "No Vosk model for Indonesian; Whisper recognizes it."),)),
    _lang("ne", "Nepali", "नेपाली", False, nllb="npi_Deva", whisper="ne", piper="ne_NP",
          espeak="ne", gaps=(("argos", "No Argos package for Nepali; use NLLB-200."),
                             ("vosk", "No Vosk model for Nepali; Whisper recognizes it."))),
    _lang("my", "Burmese", "မြန်မာဘာသာ", False, nllb="mya_Mymr", whisper="my",
          espeak="my", gaps=(("argos", "No Argos package for Burmese; use NLLB-200."),
                             ("vosk", "No Vosk model for Burmese; Whisper recognizes it."))),
    _lang("ms", "Malay", "Bahasa Melayu", False, argos="ms", nllb="zsm_Latn", whisper="ms",
          espeak="ms"),
    _lang("de", "German", "Deutsch", False, argos="de", nllb="deu_Latn", vosk="de",
          whisper="de", piper="de_DE", espeak="de"),
    _lang("it", "Italian", "Italiano", False, argos="it", nllb="ita_Latn", vosk="it",
          whisper="it", piper="it_IT", espeak="it"),
    _lang("nl", "Dutch", "Nederlands", False, argos="nl", nllb="nld_Latn", vosk="nl",
          whisper="nl", piper="nl_NL", espeak="nl"),
    _lang("pl", "Polish", "Polski", False, argos="pl", nllb="pol_Latn", vosk="pl",
          whisper="pl", piper="pl_PL", espeak="pl"),
    _lang("uk", "Ukrainian", "Українська", False, argos="uk", nllb="ukr_Cyrl", vosk="ua",
          whisper="uk", piper="uk_UA", espeak="uk"),
    _lang("tr", "Turkish", "Türkçe", False, argos="tr", nllb="tur_Latn", vosk="tr",
          whisper="tr", piper="tr_TR", espeak="tr"),
    _lang("ar", "Arabic", "العربية", False, rtl=True, argos="ar", nllb="arb_Arab",
          vosk="ar", whisper="ar", piper="ar_JO", espeak="ar"),
    _lang("fa", "Persian", "فارسی", False, rtl=True, argos="fa", nllb="pes_Arab",
          vosk="fa", whisper="fa", piper="fa_IR", espeak="fa"),
    _lang("ur", "Urdu", "اردو", False, rtl=True, argos="ur", nllb="urd_Arab", whisper="ur",
          espeak="ur"),
    _lang("bn", "Bengali", "বাংলা", False, argos="bn", nllb="ben_Beng", whisper="bn",
          espeak="bn"),
    _lang("km", "Khmer", "ខ្មែរ", False, nllb="khm_Khmr", whisper="km",
          gaps=(("argos", "No Argos package for Khmer; use NLLB-200."),
                ("espeak", "espeak-ng has no Khmer voice."))),
    _lang("mn", "Mongolian", "Монгол", False, nllb="khk_Cyrl", whisper="mn",
          gaps=(("argos", "No Argos package for Mongolian; use NLLB-200."),
                ("espeak", "espeak-ng has no Mongolian voice."))),
    _lang("si", "Sinhala", "සිංහල", False, nllb="sin_Sinh", whisper="si", espeak="si",
          gaps=(("argos", "No Argos package for Sinhala; use NLLB-200."),)),
)

LANGUAGES: dict[str, Language] = {lang.code: lang for lang in _TABLE}
VOICE_LANGUAGES: tuple[str, ...] = tuple(lang.code for lang in _TABLE if lang.voice)
TEXT_LANGUAGES: tuple[str, ...] = tuple(LANGUAGES)
STAFF_LANGUAGE = "ja"
PIVOT_LANGUAGE = "en"

_ALIASES = {"zh-hans": "zh", "zh-cn": "zh", "zh-tw": "zh-Hant", "zh-hant": "zh-Hant",
            "zt": "zh-Hant", "pb": "pt", "pt-br": "pt", "fil": "tl"}


def get(code: str) -> Language:
    """Look a language up by our code or a common alias (case-insensitive)."""
    found = LANGUAGES.get(code) or LANGUAGES.get(_ALIASES.get(code.lower(), code.lower()))
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
