"""Offline sentence splitting for the 30 text languages.

Machine translation works sentence by sentence.  A MiniSBD model (ONNX) is used
when one is on disk (inside an Argos package's `minisbd/` folder or in the
store's `sbd/minisbd/`); otherwise rules that know each script's sentence
punctuation.  Nothing here downloads anything: MiniSBD is only ever given the
absolute path of an existing file.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from counter_app import languages

log = logging.getLogger(__name__)

MAX_SENTENCE_CHARS = 300  # longer runs are cut at spaces so MT never sees a wall of text

# Marks that end a sentence wherever they stand: every non-ASCII sentence end in the
# registry (CJK full stops, dandas, Burmese, Arabic question mark, Urdu full stop, Khmer
# khan), and variants (half-width ｡, double danda, Ethiopic ።, doubled ‼⁇⁈⁉).
_HARD_ENDS = "".join(sorted({mark for lang in languages.LANGUAGES.values()
                             for mark in lang.script.ends if not mark.isascii()})) + "｡॥።‼⁇⁈⁉"
# ASCII marks end a sentence only before a space, the end, or a CJK/Hangul letter.
_SOFT_ENDS = ".!?…"
_CLOSERS = "\"'”’»)]}」』）】〕〉》"
_CJK_OR_HANGUL = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff01-\uff5e"
_CLOSER_CLASS = f"[{re.escape(_CLOSERS)}]*"
_END = re.compile(
    rf"[{_HARD_ENDS}]+{_CLOSER_CLASS}"
    rf"|[{re.escape(_SOFT_ENDS)}]+{_CLOSER_CLASS}(?=\s|$|[{_CJK_OR_HANGUL}])"
)
_HIRAGANA = re.compile("[\u3041-\u309f]")
_LETTER_INITIALS = re.compile(r"^(?:[^\W\d_]\.)+$")  # "J." "e.g." "U.S."
_WORD_BEFORE = re.compile(r"(\S+)$")

# Lower-case, without the final dot.  A dot after these does not end a sentence.
ABBREVIATIONS = frozenset([
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "approx", "dept",
    "fax", "inc", "ltd", "co", "corp", "jan", "feb", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "tue", "thu", "fri", "ave", "blvd", "rd", "apt", "cf", "al", "ibid",
    "viz", "z.b", "usw", "bzw", "ggf", "evtl", "str", "hr", "s.o", "u.a", "d.h", "mme", "mlle",
    "cie", "env", "av", "sra", "srta", "dra", "ud", "uds", "p.ej", "pág", "núm", "sig", "dott",
    "ecc", "bijv", "mevr", "dhr", "itd", "itp", "np", "ul", "т.е", "т.к", "т.д", "т.п", "г",
    "гг", "ул", "др", "стр",
])
# Abbreviations only before a number ("No. 5", "p. 12"); elsewhere ordinary words.
NUMBER_ABBREVIATIONS = frozenset(["no", "nos", "nr", "p", "pp", "vol", "ch", "fig", "tel", "art"])


def split_rules(text: str, language: str = "") -> list[str]:
    """Split one paragraph into sentences by punctuation rules (any script)."""
    sentences: list[str] = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        if match.group()[0] == "." and not _ends_sentence(text, match.start(), end):
            continue
        if match.group()[-1] in "」』）" and _HIRAGANA.match(text, end):
            continue  # 「はい。」と言った: the quotation goes on
        sentences.append(text[start:end])
        start = end
    sentences.append(text[start:])
    return _tidy(sentences)


def _ends_sentence(text: str, dot: int, end: int) -> bool:
    """A full stop ends a sentence unless it closes an abbreviation or initial,
    or a lower-case word follows ("e.g. this", "approx. ten")."""
    word = _WORD_BEFORE.search(text[:dot + 1])
    token = word.group(1).lower().lstrip("\"'“‘(«[") if word else ""
    stem = token.rstrip(".")
    following = text[end:].lstrip()
    if stem in ABBREVIATIONS or (_LETTER_INITIALS.match(token) and stem != "i"):
        return False
    if stem in NUMBER_ABBREVIATIONS and following[:1].isdigit():
        return False
    return not (following and following[0].islower())


def _tidy(sentences: list[str]) -> list[str]:
    return [piece for raw in sentences if (text := raw.strip()) for piece in _cut_long(text)]


def _cut_long(sentence: str, limit: int = MAX_SENTENCE_CHARS) -> list[str]:
    """Cut an over-long sentence (e.g. Thai, which has no full stop) at spaces."""
    if len(sentence) <= limit:
        return [sentence]
    pieces, current = [], ""
    for word in sentence.split():
        if current and len(current) + 1 + len(word) > limit:
            pieces.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        pieces.append(current)
    return pieces


def join_sentences(sentences: list[str], language: str) -> str:
    """Join translated sentences the way the target language writes them."""
    return languages.sentence_gap(language).join(s for s in sentences if s)


class SentenceSplitter:
    """Splits text of one language; MiniSBD if a local model is given, else rules.

    Thread-safe.  Implements argostranslate.sbd.ISentenceBoundaryDetectionModel's
    `split_sentences`, so it can stand in for Argos' own (downloading) splitter.
    """

    def __init__(self, language: str, minisbd_model: Path | None = None):
        self.language = language
        self.minisbd_model = Path(minisbd_model).resolve() if minisbd_model else None
        self._detector = None
        self._failed = False
        self._lock = threading.Lock()

    @property
    def engine(self) -> str:
        return "minisbd" if self.minisbd_model and not self._failed else "rules"

    def split(self, text: str) -> list[str]:
        """Sentences of one paragraph, stripped, without empty ones."""
        if not text.strip():
            return []
        detector = self._load_detector()
        if detector is None:
            return split_rules(text, self.language)
        with self._lock:
            found = detector.sentences(text)
        return _tidy(found)

    split_sentences = split

    def _load_detector(self):
        if self.minisbd_model is None or self._failed:
            return None
        with self._lock:
            if self._detector is None and not self._failed:
                self._detector = self._open_minisbd(self.minisbd_model)
                self._failed = self._detector is None
            return self._detector

    @staticmethod
    def _open_minisbd(model: Path):
        """SBDetect on a local file.  minisbd downloads when given a model *name*
        or URL; an absolute path to an existing file is opened directly."""
        if not model.is_file() or model.suffix != ".onnx":
            log.warning("MiniSBD model %s not found; using rule-based splitting", model)
            return None
        try:
            from minisbd import SBDetect

            return SBDetect(str(model), use_gpu=False, max_threads=1)
        except Exception as exc:  # a broken model must not stop translation
            log.warning("Cannot load MiniSBD model %s (%s); using rule-based splitting",
                        model, exc)
            return None


def find_minisbd_model(folder: Path) -> Path | None:
    """The first .onnx file in a MiniSBD folder (Argos `minisbd/`, store `sbd/minisbd/x/`)."""
    if not folder.is_dir():
        return None
    return next(iter(sorted(folder.glob("*.onnx"))), None)


_LINE_BREAK = re.compile(r"\r?\n")


def translate_by_sentence(texts: Sequence[str], splitter: SentenceSplitter, target: str,
                          translate_sentences: Callable[[list[str]], list[str]]) -> list[str]:
    """Split texts into lines and sentences, translate all sentences in one call, and
    put every text back together: line breaks kept, empty lines empty, "" for "".
    Shared by the MT adapters (Argos packages and other CTranslate2 models)."""
    layout: list[list[list[int]]] = []  # text -> line -> indices into `sentences`
    sentences: list[str] = []
    for text in texts:
        lines = []
        for line in _LINE_BREAK.split(text or ""):
            found = splitter.split(line)
            lines.append(list(range(len(sentences), len(sentences) + len(found))))
            sentences += found
        layout.append(lines)
    translated = translate_sentences(sentences) if sentences else []
    return ["\n".join(join_sentences([translated[i] for i in line], target)
                      for line in lines).strip("\n") if any(lines) else ""
            for lines in layout]
