"""Translators on multilingual CTranslate2 models (NLLB-200, M2M-100) from the
store's `mt/ct2/<name>/` folders, for languages Argos Translate lacks.

A folder holds the CTranslate2 model (`model.bin`, `config.json`, vocabulary;
directly or in `model/`), its SentencePiece model (`*.model`) and our
`counter-model.json`:

    {"name": "nllb-200-distilled-600M-int8", "engine": "ct2", "format": "nllb",
     "languages": ["ja", "vi", ...], "pairs": "any", "license": "CC-BY-NC-4.0",
     "language_tokens": {"ja": "jpn_Jpan"}}          # optional overrides

One loaded model serves every pair of its languages: source tokens are
`[source token] + pieces + ["</s>"]`, the target token is forced as the first
output (`target_prefix`) and stripped again.  Language tokens come from the
registry (`Language.nllb`, e.g. `vie_Latn`) for format "nllb", and are
`__xx__` (ISO 639-1, e.g. `__vi__`) for format "m2m100": M2M-100 418M (MIT) is
the permissive default for Vietnamese (docs/mt_models.md).  Its CTranslate2
conversion keeps the vocabulary as `shared_vocabulary.txt` and ends it with
`madeupword0..7`; any language token or made-up word in an output is dropped.
Sentences are split by our offline splitter and decoded like mt_argos (beam 4,
length penalty 0.2).
"""

from __future__ import annotations

import json
import re
import threading
import time
import weakref
from collections.abc import Sequence
from pathlib import Path

from counter_app import languages
from counter_app.errors import EngineUnavailableError, ModelLoadError, ModelNotFoundError
from counter_app.pipeline.base import Translator
from counter_app.pipeline.ct2 import load_translator, read_json_object
from counter_app.pipeline.sentences import SentenceSplitter, translate_by_sentence

DESCRIPTION = "counter-model.json"
FORMATS = ("nllb", "m2m100")
EOS = "</s>"
BEAM_SIZE = 4
LENGTH_PENALTY = 0.2
MAX_BATCH_TOKENS = 32
# Tokens never shown: any language token of either layout, M2M-100's made-up words.
_NOT_TEXT = re.compile(r"__[a-z]{2,3}__|[a-z]{3}_[A-Z][a-z]{3}|madeupword\d+")
_VOCABULARIES = ("shared_vocabulary.json", "shared_vocabulary.txt", "source_vocabulary.json",
                 "source_vocabulary.txt")


class Ct2Model:
    """One multilingual CTranslate2 model folder, loaded once; `pair()` gives translators.

    `threads`: CTranslate2 intra-op threads; 1 by default because ASR and TTS
    share the 2-core target machine.  Thread-safe.
    """

    engine = "ct2"

    def __init__(self, model_dir: str | Path, compute_type: str = "int8", threads: int = 1):
        started = time.perf_counter()
        self.path = Path(model_dir)
        self.description = read_description(self.path)
        self.name = str(self.description.get("name") or self.path.name)
        self.license = str(self.description.get("license", ""))
        self.format = self.description.get("format", "nllb")
        if self.format not in FORMATS:
            raise ModelLoadError(f"{self.path / DESCRIPTION}: unknown format {self.format!r} "
                                 f"(counter-app reads {', '.join(FORMATS)} models).")
        self.languages = _our_codes(self.description, self.path)
        self._tokens = {code: self._language_token(code) for code in self.languages}
        self._sentencepiece = _open_sentencepiece(self.path)
        ct2_dir = self.path / "model" if (self.path / "model" / "model.bin").is_file() \
            else self.path
        _check_vocabulary(ct2_dir, self._tokens)
        self._translator = _load_ct2(ct2_dir, compute_type, threads)
        self._specials = {EOS, *self._tokens.values()}
        self._pairs: dict[tuple[str, str, Path | None], Ct2Translator] = {}
        self._lock = threading.Lock()
        self.load_seconds = time.perf_counter() - started

    def __repr__(self) -> str:
        return f"Ct2Model({self.name}, {self.format}, {len(self.languages)} languages)"

    def serves(self, source: str, target: str) -> bool:
        return source != target and {source, target} <= set(self.languages)

    def pair(self, source: str, target: str, sbd_model: Path | None = None) -> Ct2Translator:
        """The translator for one direction (cached; all share this loaded model)."""
        source, target = languages.get(source).code, languages.get(target).code
        if not self.serves(source, target):
            raise ModelNotFoundError("translation", f"{source}→{target}", hint=(
                f"The model {self.name} translates only between "
                f"{', '.join(self.languages)}."))
        key = (source, target, Path(sbd_model) if sbd_model else None)
        with self._lock:
            if key not in self._pairs:
                self._pairs[key] = Ct2Translator(self.path, source, target, sbd_model,
                                                 model=self)
            return self._pairs[key]

    def translate_sentences(self, sentences: Sequence[str], source: str,
                            target: str) -> list[str]:
        """Translate single sentences (no splitting) in one CTranslate2 call."""
        if not sentences:
            return []
        source_token, target_token = self._tokens[source], self._tokens[target]
        batch = [[source_token, *self._sentencepiece.encode(s, out_type=str), EOS]
                 for s in sentences]
        results = self._translator.translate_batch(
            batch, target_prefix=[[target_token]] * len(batch), beam_size=BEAM_SIZE,
            length_penalty=LENGTH_PENALTY, replace_unknowns=True,
            max_batch_size=MAX_BATCH_TOKENS, batch_type="tokens")
        return [self._decode(result.hypotheses[0], target_token) for result in results]

    def _decode(self, tokens: list[str], target_token: str) -> str:
        if tokens[:1] == [target_token]:
            tokens = tokens[1:]
        pieces = [t for t in tokens if t not in self._specials and not _NOT_TEXT.fullmatch(t)]
        return self._sentencepiece.decode_pieces(pieces).strip()

    def _language_token(self, code: str) -> str:
        overrides = self.description.get("language_tokens") or {}
        if not isinstance(overrides, dict):
            raise ModelLoadError(f"{self.path / DESCRIPTION}: 'language_tokens' must map "
                                 "language codes to model tokens.")
        if code in overrides:
            return str(overrides[code])
        if self.format == "m2m100":
            return f"__{code.split('-')[0]}__"
        token = languages.get(code).nllb
        if not token:
            raise ModelLoadError(f"{self.path / DESCRIPTION}: no NLLB code is known for "
                                 f"{code!r}; add it under 'language_tokens'.")
        return token


class Ct2Translator(Translator):
    """One direction of a multilingual CTranslate2 model.  `translate_batch` is thread-safe.

    Built from a folder it shares the loaded model with every other pair of the
    same folder (see `load_model`); `model=` passes a loaded Ct2Model directly.
    `sbd_model`: a MiniSBD .onnx file for sentence splitting (else rules).
    """

    engine = "ct2"

    def __init__(self, model_dir: str | Path, source: str, target: str,
                 sbd_model: Path | None = None, compute_type: str = "int8", threads: int = 1,
                 *, model: Ct2Model | None = None):
        self.model = model or load_model(model_dir, compute_type, threads)
        self.source, self.target = languages.get(source).code, languages.get(target).code
        if not self.model.serves(self.source, self.target):
            raise ModelNotFoundError("translation", f"{self.source}→{self.target}", hint=(
                f"The model {self.model.name} translates only between "
                f"{', '.join(self.model.languages)}."))
        self.name = self.model.name
        self.splitter = SentenceSplitter(self.source, sbd_model)

    def __repr__(self) -> str:
        return f"Ct2Translator({self.source}->{self.target}, {self.model.path})"

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        """Translate texts sentence by sentence in one call."""
        return translate_by_sentence(
            texts, self.splitter, self.target,
            lambda sentences: self.model.translate_sentences(sentences, self.source, self.target))


_SHARED: weakref.WeakValueDictionary[tuple, Ct2Model] = weakref.WeakValueDictionary()
_SHARED_LOCK = threading.Lock()


def load_model(model_dir: str | Path, compute_type: str = "int8", threads: int = 1) -> Ct2Model:
    """The loaded model of a folder, shared while any translator of it is alive."""
    key = (str(Path(model_dir).resolve()), compute_type, threads)
    with _SHARED_LOCK:
        model = _SHARED.get(key)
        if model is None:
            model = Ct2Model(model_dir, compute_type, threads)
            _SHARED[key] = model
        return model


def read_description(path: Path) -> dict:
    """The folder's counter-model.json, checked; ModelLoadError with what is wrong."""
    if not path.is_dir():
        raise ModelLoadError(f"CTranslate2 model folder {path} does not exist.")
    file = path / DESCRIPTION
    if not file.is_file():
        raise ModelLoadError(f"{path} is not a counter-app CTranslate2 translation model: "
                             f"{DESCRIPTION} is missing.")
    data = read_json_object(file)
    if data.get("engine", "ct2") != "ct2":
        raise ModelLoadError(f"{file} describes a {data['engine']!r} model, not a ct2 one.")
    return data


def _our_codes(description: dict, path: Path) -> tuple[str, ...]:
    codes = description.get("languages")
    if not isinstance(codes, list) or len(codes) < 2:
        raise ModelLoadError(f"{path / DESCRIPTION} must list at least two 'languages'.")
    try:
        return tuple(dict.fromkeys(languages.get(str(code)).code for code in codes))
    except Exception as exc:  # UnknownLanguageError carries the full message
        raise ModelLoadError(f"{path / DESCRIPTION}: {exc}") from exc


def _open_sentencepiece(path: Path):
    pieces = sorted(path.glob("*.model")) + sorted(path.glob("model/*.model"))
    if not pieces:
        raise ModelLoadError(f"CTranslate2 model {path} has no SentencePiece model "
                             "(e.g. sentencepiece.bpe.model).")
    try:
        import sentencepiece
    except ImportError as exc:
        raise EngineUnavailableError("Translation needs 'sentencepiece': "
                                     "pip install sentencepiece") from exc
    try:
        return sentencepiece.SentencePieceProcessor(model_file=str(pieces[0]))
    except (OSError, RuntimeError, ValueError) as exc:
        raise ModelLoadError(f"Cannot load the SentencePiece model {pieces[0]}: {exc}") from exc


def _check_vocabulary(ct2_dir: Path, tokens: dict[str, str]) -> None:
    """Every language token must be a model token (else it would decode as <unk>)."""
    file = next((ct2_dir / n for n in _VOCABULARIES if (ct2_dir / n).is_file()), None)
    if file is None:
        return  # an older layout: vocabulary inside model.bin
    try:
        text = file.read_text(encoding="utf-8")
        vocabulary = set(json.loads(text) if file.suffix == ".json" else text.splitlines())
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"Cannot read the vocabulary {file}: {exc}") from exc
    missing = sorted(f"{code} ({token})" for code, token in tokens.items()
                     if token not in vocabulary)
    if missing:
        raise ModelLoadError(f"The model in {ct2_dir} has no language token for "
                             f"{', '.join(missing)}; check 'languages' and 'format' in "
                             f"{DESCRIPTION}.")


def _load_ct2(model_dir: Path, compute_type: str, threads: int):
    return load_translator(model_dir, compute_type, threads)
