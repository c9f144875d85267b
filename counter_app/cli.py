"""Headless commands for admins and scripting.  Never imports the UI, except
`counter-app` / `counter-app gui`, which hands over to counter_app.app."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
from pathlib import Path

from counter_app import config, languages
from counter_app.errors import CounterAppError

# Modules that add their own sub-commands through add_commands(subparsers).
_COMMAND_MODULES = ("counter_app.store.cli", "counter_app.phrasebook.cli", "counter_app.stats",
                    "counter_app.langid_cli", "counter_app.fleet.cli")


def lang_code(value: str) -> str:
    """argparse type: a language code of the registry (aliases accepted)."""
    try:
        return languages.get(value).code
    except CounterAppError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _factory(args, settings: config.Settings | None = None):
    from counter_app.pipeline.factory import EngineFactory
    from counter_app.store import ModelStore

    settings = settings or config.load()
    root = args.models or settings.models_dir
    return EngineFactory(ModelStore(root), settings.engines)


def _session(args, settings: config.Settings | None = None):
    """The same session the counter screen runs: active phrasebook and term dictionary
    included, so the command line gives the screen's results."""
    from counter_app.phrasebook.library import Library
    from counter_app.session import open_session

    settings = settings or config.load()
    library = Library(args.library) if getattr(args, "library", None) else True
    return open_session(settings, args.models, library=library)


def _phrases(args) -> list[str] | None:
    phrases = list(args.phrase or [])
    if args.phrases:
        lines = Path(args.phrases).read_text(encoding="utf-8").splitlines()
        phrases += [line.strip() for line in lines if line.strip()]
    return phrases or None


def cmd_transcribe(args) -> int:
    """Print the recognized text; exit 1 with a calm line on stderr (in the UI language)
    when nothing was heard or the recognizer rejected its own output."""
    from counter_app.pipeline.audio import WavFileSource
    from counter_app.pipeline.interpreter import NOTHING_HEARD, join_finals
    from counter_app.pipeline.wav_messages import WavFileError

    settings = config.load()
    phrases = _phrases(args)
    try:  # the file is read as it is recognized: memory stays flat for any length
        source = WavFileSource(args.file)
        session = _session(args, settings)
        recognizer = session.factory.recognizer(args.lang)
        finals = recognizer.transcribe(source.chunks(), phrases, continuous=True)
    except WavFileError as exc:  # what is wrong with the file, in the UI language
        print(f"error: {exc.in_language(settings.ui_language)}", file=sys.stderr)
        if settings.ui_language != "en":  # and the English original, for bug reports
            print(f"       {exc}", file=sys.stderr)
        return 2
    text = join_finals([t.text for t in finals], args.lang)
    if text.strip() and session.terms.postprocess and not phrases:
        text = session.terms.postprocess(text, args.lang)  # the term dictionary's corrections
    if not text.strip():
        print(NOTHING_HEARD.get(settings.ui_language, NOTHING_HEARD["en"]), file=sys.stderr)
        return 1
    print(text)
    return 0


def cmd_translate(args) -> int:
    """Typed text as the counter screen translates it: a phrasebook phrase when it is
    one, else machine translation with the term dictionary enforced."""
    from counter_app.marks import mark_for
    from counter_app.pipeline.interpreter import TurnRequest

    session = _session(args)
    try:
        result = session.interpreter.run(TurnRequest(args.source, args.target,
                                                     text=" ".join(args.text)))
    finally:
        session.shutdown()
    if result.error or result.translation is None:
        raise CounterAppError(result.error or "Nothing to translate.")
    print(result.translation.text)
    if args.verbose:
        print(f"back-translation: {result.translation.back_translation}", file=sys.stderr)
        print(f"path: {' -> '.join(result.translation.path)}", file=sys.stderr)
        print(f"mark: {mark_for(result.translation).value}", file=sys.stderr)
    return 0


def cmd_speak(args) -> int:
    from counter_app.pipeline.audio import SpeakerSink, WavFileSink

    synthesizer = _factory(args).synthesizer(args.lang)
    sink = WavFileSink(args.output) if args.output else SpeakerSink()
    for chunk in synthesizer.synthesize(" ".join(args.text), args.speed):
        sink.play(chunk)
    sink.close()
    if args.output:
        print(f"wrote {args.output} ({synthesizer.engine}, {synthesizer.quality.value} quality)")
    return 0


def cmd_interpret(args) -> int:
    from counter_app.pipeline.audio import WavFileSink, WavFileSource
    from counter_app.pipeline.interpreter import TurnRequest

    request = TurnRequest(args.source, args.target, audio=WavFileSource(args.input),
                          phrases=_phrases(args),
                          sink=WavFileSink(args.output) if args.output else None,
                          speed=args.speed)
    session = _session(args)
    try:
        result = session.interpreter.run(request)
    finally:
        session.shutdown()
    if result.error:
        raise CounterAppError(result.error)
    report = {
        "recognized": result.transcript.text if result.transcript else "",
        "translation": result.translation.text if result.translation else "",
        "back_translation": result.translation.back_translation if result.translation else None,
        "path": list(result.translation.path) if result.translation else [],
        "timings": {k: round(v, 3) for k, v in result.timings.items()},
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0


def cmd_languages(args) -> int:
    """Per language: the engines that would serve it now, what is missing, and the
    download size to complete it (from cached catalogs; no network)."""
    from counter_app.store.availability import (
        cached_catalogs,
        human_size,
        language_availability,
    )
    from counter_app.store.catalog import CatalogSources

    settings = config.load()
    factory = _factory(args, settings)
    store = factory.store
    try:
        sources = CatalogSources.from_settings(settings.catalogs)
    except CounterAppError:
        sources = None
    catalogs = cached_catalogs(store, sources) if sources else None
    rows = {row.code: row for row in language_availability(store, catalogs)}
    print(f"{'code':8} {'language':30} {'voice':5} {'asr':8} {'tts':9} {'missing':28} "
          f"{'download':9} native")
    for lang in languages.LANGUAGES.values():
        row = rows[lang.code]
        asr = _try(lambda code=lang.code: factory.choose_recognizer(code).engine)
        tts = _try(lambda code=lang.code: factory.choose_synthesizer(code).engine)
        missing = ", ".join(row.missing) or "-"
        size = "-" if not row.missing else human_size(row.download_size)
        print(f"{lang.code:8} {lang.english[:30]:30} {'yes' if lang.voice else '':5} {asr:8} "
              f"{tts:9} {missing[:28]:28} {size:9} {lang.native}")
        if args.verbose:
            for reason in lang.gap_reasons.values():
                print(f"{'':8} - {reason}")
    return 0


def _try(fn) -> str:
    try:
        return fn()
    except CounterAppError:
        return "-"


def cmd_gui(args) -> int:
    from counter_app.app import run

    return run(models_dir=args.models)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="counter-app", description=__doc__)
    parser.add_argument("--models", help="model store folder (default: $COUNTER_APP_MODELS "
                        "or the app's store)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command")

    def phrase_options(p) -> None:
        p.add_argument("--phrase", action="append", help="restrict recognition to this sentence "
                       "(repeatable)")
        p.add_argument("--phrases", help="file with one allowed sentence per line")

    def library_option(p) -> None:
        p.add_argument("--library", help="phrasebook library folder (default: the app's, "
                       "whose active term dictionary and phrases the screen uses)")

    p = sub.add_parser("transcribe", help="recognize speech in a WAV file")
    p.add_argument("file")
    p.add_argument("--lang", required=True, type=lang_code)
    phrase_options(p)
    library_option(p)
    p.set_defaults(func=cmd_transcribe)

    p = sub.add_parser("translate", help="translate text")
    p.add_argument("--from", dest="source", required=True, type=lang_code)
    p.add_argument("--to", dest="target", required=True, type=lang_code)
    p.add_argument("text", nargs="+")
    library_option(p)
    p.set_defaults(func=cmd_translate)

    p = sub.add_parser("speak", help="say text with the language's voice")
    p.add_argument("--lang", required=True, type=lang_code)
    p.add_argument("-o", "--output", help="WAV file to write (default: play it)")
    p.add_argument("--speed", type=float, default=1.0)
    p.add_argument("text", nargs="+")
    p.set_defaults(func=cmd_speak)

    p = sub.add_parser("interpret", help="speech in one language to speech in another")
    p.add_argument("--from", dest="source", required=True, type=lang_code)
    p.add_argument("--to", dest="target", required=True, type=lang_code)
    p.add_argument("--in", dest="input", required=True, help="WAV file")
    p.add_argument("--out", dest="output", help="WAV file for the spoken translation")
    p.add_argument("--speed", type=float, default=1.0)
    p.add_argument("--json", action="store_true")
    phrase_options(p)
    library_option(p)
    p.set_defaults(func=cmd_interpret)

    p = sub.add_parser("languages", help="which languages are ready on this machine")
    p.set_defaults(func=cmd_languages)

    p = sub.add_parser("gui", help="start the counter screen (the default)")
    p.set_defaults(func=cmd_gui)

    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        module.add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    func = getattr(args, "func", cmd_gui)
    if args.command == "models":  # settings reach the store commands as arguments
        settings = config.load()
        args.store_root = args.store_root or args.models or settings.models_dir
        from counter_app.store.catalog import CatalogSources

        args.catalogs = CatalogSources.from_settings(settings.catalogs)
    try:
        return func(args) or 0
    except CounterAppError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `counter-app languages | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
