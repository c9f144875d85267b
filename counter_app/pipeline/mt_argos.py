"""Translator for one unpacked Argos Translate package, run on CTranslate2.

Reads the package as `argostranslate.package.Package` does, with the
tokenizers of the torch-free `argos-translate-lt` distribution, and calls
CTranslate2 the way `argostranslate.translate.apply_packaged_translation`
does (beam 4, length penalty 0.2, replace_unknowns, target prefix, token
batches).  Sentences are split by our own offline splitter: Argos' default
MiniSBD splitter downloads a model on first use, so that path is never taken.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

from counter_app import languages
from counter_app.errors import EngineUnavailableError, ModelLoadError
from counter_app.pipeline.base import Translator
from counter_app.pipeline.ct2 import load_translator, read_json_object
from counter_app.pipeline.sentences import (
    SentenceSplitter,
    find_minisbd_model,
    translate_by_sentence,
)

BEAM_SIZE = 4
LENGTH_PENALTY = 0.2
MAX_BATCH_TOKENS = 32  # Argos' default batch_size, counted in tokens


class ArgosTranslator(Translator):
    """One Argos package, one direction.  `translate_batch` is thread-safe.

    `sbd_model`: a MiniSBD .onnx file (default: the package's own `minisbd/`, if
    any; else rule-based splitting).  `threads`: CTranslate2 intra-op threads;
    1 by default because ASR and TTS share the 2-core target machine (on the
    tiny fixture model 2 threads were 5x slower on a busy machine).
    """

    engine = "argos"

    def __init__(self, package_path: str | Path, sbd_model: Path | None = None,
                 compute_type: str = "int8", threads: int = 1):
        started = time.perf_counter()
        self.package_path = Path(package_path)
        self.metadata = _read_metadata(self.package_path)
        self.source = _our_code(self.metadata, "from_code", self.package_path)
        self.target = _our_code(self.metadata, "to_code", self.package_path)
        self.name = self.metadata.get("name") or self.package_path.name
        self._tokenizer = _open_tokenizer(self.package_path, self.metadata)
        self._target_prefix = self.metadata.get("target_prefix") or ""
        self._token_lock = threading.Lock()  # BPE tokenizers (sacremoses) are plain Python
        sbd_model = sbd_model or find_minisbd_model(self.package_path / "minisbd")
        self.splitter = SentenceSplitter(self.source, sbd_model)
        self._translator = _load_ct2(self.package_path / "model", compute_type, threads)
        self.load_seconds = time.perf_counter() - started

    def __repr__(self) -> str:
        return f"ArgosTranslator({self.source}->{self.target}, {self.package_path})"

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        """Translate texts sentence by sentence in one CTranslate2 call."""
        return translate_by_sentence(texts, self.splitter, self.target,
                                     self._translate_sentences)

    def _translate_sentences(self, sentences: list[str]) -> list[str]:
        if not sentences:
            return []
        pieces = [self._encode(sentence) for sentence in sentences]
        prefix = [[self._target_prefix]] * len(pieces) if self._target_prefix else None
        results = self._translator.translate_batch(
            pieces, target_prefix=prefix, beam_size=BEAM_SIZE, length_penalty=LENGTH_PENALTY,
            replace_unknowns=True, max_batch_size=MAX_BATCH_TOKENS, batch_type="tokens")
        return [self._decode(result.hypotheses[0]) for result in results]

    def _encode(self, sentence: str) -> list[str]:
        with self._token_lock:
            return self._tokenizer.encode(sentence)

    def _decode(self, tokens: list[str]) -> str:
        with self._token_lock:
            value = self._tokenizer.decode(tokens)
        if self._target_prefix and value.startswith(self._target_prefix):
            value = value[len(self._target_prefix):]
        return value.strip()


def _read_metadata(path: Path) -> dict:
    metadata_file = path / "metadata.json"
    if not path.is_dir():
        raise ModelLoadError(f"Argos package folder {path} does not exist.")
    if not metadata_file.is_file():
        raise ModelLoadError(f"{path} is not an Argos package: metadata.json is missing.")
    metadata = read_json_object(metadata_file)
    if metadata.get("type", "translate") != "translate":
        raise ModelLoadError(f"{path} is an Argos {metadata['type']!r} package, "
                             "not a translation package.")
    return metadata


def _our_code(metadata: dict, key: str, path: Path) -> str:
    code = metadata.get(key)
    if not code:
        raise ModelLoadError(f"{path / 'metadata.json'} has no {key!r}.")
    language = languages.from_argos(code)
    if language is None:
        raise ModelLoadError(f"Argos package {path} translates {key[:-5]} language {code!r}, "
                             "which counter-app does not offer.")
    return language.code


def _open_tokenizer(path: Path, metadata: dict):
    """The package's tokenizer, as argostranslate.package.Package picks it.

    Only `argostranslate.tokenizer` is imported: `argostranslate.package` imports
    its settings module, which creates folders in the user's home directory.
    """
    try:
        from argostranslate.tokenizer import BPETokenizer, SentencePieceTokenizer
    except ImportError as exc:
        raise EngineUnavailableError(
            "Translation needs the 'argos-translate-lt' package: pip install argos-translate-lt"
        ) from exc
    if (path / "sentencepiece.model").is_file():
        tokenizer = SentencePieceTokenizer(path / "sentencepiece.model")
    elif (path / "bpe.model").is_file():
        tokenizer = BPETokenizer(path / "bpe.model", metadata["from_code"], metadata["to_code"])
    else:
        raise ModelLoadError(f"Argos package {path} has no tokenizer "
                             "(sentencepiece.model or bpe.model).")
    try:
        tokenizer.encode("")  # load it now, on one thread, and fail early
    except (OSError, RuntimeError, ValueError) as exc:
        raise ModelLoadError(f"Cannot load the tokenizer of Argos package {path}: {exc}") from exc
    return tokenizer


def _load_ct2(model_dir: Path, compute_type: str, threads: int):
    return load_translator(model_dir, compute_type, threads, f"Argos package {model_dir.parent}")
