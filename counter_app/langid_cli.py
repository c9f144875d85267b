"""`counter-app detect-language "text"` or `counter-app detect-language --wav FILE.wav`.

Spoken language identification lives in `spoken_language`, typed in `langid`.
"""

from __future__ import annotations

import json
from pathlib import Path

from counter_app import config, languages
from counter_app.errors import CounterAppError
from counter_app.spoken_language import (  # noqa: F401 (re-exported for older callers)
    WHISPER_HINT,
    Ranked,
    detect_spoken_language,
    find_whisper_model,
    language_identifier,
    record_speech,
    trim_to_speech,
)
from counter_app.store import ModelStore


def add_commands(subparsers) -> None:
    p = subparsers.add_parser(
        "detect-language", help="which of our languages a text or a WAV recording is in")
    p.add_argument("text", nargs="*", help="typed text (omit with --wav)")
    p.add_argument("--wav", type=Path, help="speech recording (WAV) instead of text")
    p.add_argument("--top", type=int, default=5, help="how many candidates to print")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_detect_language)


def cmd_detect_language(args) -> int:
    if bool(args.wav) == bool(args.text):
        raise CounterAppError("Give either some text or --wav FILE.wav (not both).")
    if args.wav:
        ranked = _detect_wav(args.wav, getattr(args, "models", None))
    else:
        from counter_app.langid import detect_text_language

        ranked = detect_text_language(" ".join(args.text))
        if not ranked:
            raise CounterAppError("The text has no letters to identify a language from.")
    ranked = ranked[:max(1, args.top)]
    if args.json:
        print(json.dumps([{"code": code, "probability": round(p, 4),
                           "name": languages.get(code).english,
                           "native": languages.get(code).native} for code, p in ranked],
                         ensure_ascii=False))
    else:
        for code, probability in ranked:
            lang = languages.get(code)
            print(f"{code:8} {probability:6.1%}  {lang.english:32} {lang.native}")
    return 0


def _detect_wav(path: Path, models: str | None) -> Ranked:
    from counter_app.pipeline.asr_whisper import WhisperRecognizer
    from counter_app.pipeline.audio import read_wav

    settings = config.load()
    store = ModelStore(models or settings.models_dir)
    recognizer = WhisperRecognizer(find_whisper_model(store).path,
                                   threads=settings.engines.threads)
    ranked = detect_spoken_language(recognizer, read_wav(path))
    if not ranked:
        raise CounterAppError(f"No speech was heard in {path}.")
    return ranked

