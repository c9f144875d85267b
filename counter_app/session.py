"""The counter's working session: one Qt-free object that screens, CLI and benchmarks drive.

`open_session()` builds it from the settings: the engine factory on the model
store, the phrasebook library (verified phrases and the term dictionary), the
interpreter with the term wiring, the conversation record and usage counts.
Screens observe it through `subscribe()`; the CLI calls the same methods, so
what an admin checks on the command line is what staff see on the screen.

Imports run one way: screens -> session -> pipeline, store, phrasebook -> events.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from counter_app import config, languages
from counter_app.conversation import Conversation
from counter_app.errors import CounterAppError
from counter_app.events import Translation
from counter_app.pipeline.base import AudioSink, AudioSource
from counter_app.pipeline.factory import EngineFactory
from counter_app.pipeline.interpreter import Interpreter, Postprocess, TurnRequest
from counter_app.pipeline.translation import TranslationService
from counter_app.stats import UsageStats
from counter_app.store import ModelStore

log = logging.getLogger(__name__)

Listener = Callable[[object], None]  # receives every core event (turns and captions)
_PROMPT_TERMS = 60  # Whisper's prompt holds ~224 tokens: the first terms are enough


@dataclass(frozen=True, slots=True)
class TermWiring:
    """The term dictionary's uses, shared by turns, captions and the CLI (the third,
    office vocabulary for Whisper's prompt, is set on the factory)."""

    postprocess: Postprocess | None  # corrects recognized text (heard_as rules)
    translation_service: Callable[[], TranslationService]  # enforces forced terms


def wire_terms(factory: EngineFactory, library=None) -> TermWiring:
    """Corrections, enforced translations and the Whisper prompt from the library's
    active term dictionary (read at each use, so an import takes effect at once)."""
    if library is None:
        return TermWiring(None, factory.translation_service)

    def prompt(language: str) -> str:
        terms = list(library.terms().vocabulary(language))[:_PROMPT_TERMS]
        return languages.joiner(language).join(terms)

    def postprocess(text: str, language: str) -> str:
        return library.terms().apply_asr_corrections(text, language)

    def service() -> TranslationService:
        from counter_app.phrasebook.terms import TermTranslationService  # at the first turn

        return TermTranslationService(factory.translator, library.terms())

    factory.vocabulary_prompt = prompt
    return TermWiring(postprocess, service)


@dataclass(frozen=True, slots=True)
class LanguagePath:
    """The whole path for one language: recognized (speak), translated both ways
    with the staff language (read), spoken (hear)."""

    speak: bool
    read: bool
    hear: bool


class CounterSession:
    """Interpreter, captions, language checks and the record of one counter."""

    def __init__(self, settings: config.Settings, factory: EngineFactory, *,
                 library=None, verified=None, stats: UsageStats | None = None):
        self.settings = settings
        self.factory = factory
        self.library = library
        self.verified = verified
        self.stats = stats
        self.conversation = Conversation()
        self.terms = wire_terms(factory, library)
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self.interpreter = Interpreter(
            factory, self.emit, verified_lookup=verified.lookup if verified else None,
            postprocess=self.terms.postprocess,
            translation_service=self.terms.translation_service)

    @property
    def store(self) -> ModelStore:
        return self.factory.store

    # --- events ------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Receive every event (from worker threads); returns the unsubscribe call."""
        with self._lock:
            self._listeners.append(listener)
        return lambda: self._unsubscribe(listener)

    def _unsubscribe(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def emit(self, event: object) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(event)

    # --- what works -------------------------------------------------------------------

    def voice_ready(self, code: str) -> bool:
        """True when speech in `code` can be recognized on this tablet."""
        try:
            self.factory.choose_recognizer(code)
            return True
        except CounterAppError:
            return False

    def path(self, code: str) -> LanguagePath:
        """What a resident speaking `code` can do here: speak, read, hear."""
        staff = self.settings.conversation.staff_language
        read = self.store.can_translate(staff, code) and self.store.can_translate(code, staff)
        try:
            self.factory.choose_synthesizer(code)
            hear = True
        except CounterAppError:
            hear = False
        return LanguagePath(self.voice_ready(code), read, hear)

    def phrases_for(self, language: str) -> dict[str, str] | None:
        """Phrasebook sentences in `language` (phrase mode recognizes only these)."""
        return self.verified.phrases_for(language) if self.verified else None

    # --- turns -------------------------------------------------------------------------

    def languages_for(self, side: str) -> tuple[str, str]:
        conv = self.settings.conversation
        staff, resident = conv.staff_language, conv.resident_language
        return (staff, resident) if side == "staff" else (resident, staff)

    def voice_request(self, side: str, audio: AudioSource, sink: AudioSink | None = None,
                      phrases: Mapping[str, str] | None = None) -> TurnRequest:
        """A spoken turn as the settings ask for it (phrase mode, voice, edit first)."""
        conv = self.settings.conversation
        source, target = self.languages_for(side)
        if phrases is None and conv.phrase_mode:
            phrases = self.phrases_for(source)
        return TurnRequest(source, target, audio=audio, phrases=phrases or None,
                           sink=sink if conv.speak_translations else None,
                           speed=conv.speech_speed,
                           edit_before_translate=conv.edit_before_translate)

    def text_request(self, side: str, text: str, sink: AudioSink | None = None) -> TurnRequest:
        conv = self.settings.conversation
        source, target = self.languages_for(side)
        return TurnRequest(source, target, text=text,
                           sink=sink if conv.speak_translations else None,
                           speed=conv.speech_speed)

    def phrase_request(self, phrase_id: str, ja: str, text: str, language: str,
                       reviewed: bool = True, sink: AudioSink | None = None) -> TurnRequest:
        """A phrasebook entry chosen by staff: shown on both halves and spoken."""
        conv = self.settings.conversation
        translation = Translation(ja, conv.staff_language, language, text,
                                  back_translation=None, path=(conv.staff_language, language),
                                  phrase_id=phrase_id, reviewed=reviewed)
        return TurnRequest(conv.staff_language, language, translation=translation,
                           sink=sink if conv.speak_translations else None,
                           speed=conv.speech_speed)

    def record_use(self, mode: str) -> None:
        """Count a turn for the resident's language (never its content)."""
        if self.stats:
            self.stats.record(self.settings.conversation.resident_language, mode)

    def next_customer(self) -> None:
        """Forget this customer's conversation (the screens wipe what they show)."""
        self.conversation.clear()

    # --- captions and language identification ------------------------------------------

    def caption_runners(self, caption_session, speakers: Mapping[str, tuple[str, Callable]],
                        emit: Listener, pause_speaker_change: float | None = None) -> list:
        """One CaptionRunner per speaker: label -> (language, audio source factory)."""
        from counter_app.captions import CaptionRunner

        target = self.settings.captions.translation_language
        service = self.terms.translation_service()

        def translator(language: str):
            if not target or target == language:
                return None
            return lambda text: service.translate(text, language, target, back=False).text

        def corrections(language: str):
            post = self.terms.postprocess
            return (lambda text: post(text, language)) if post else None

        for language, _ in speakers.values():
            if self.stats:
                self.stats.record(language, "caption")
        return [CaptionRunner(caption_session, label,
                              lambda lang=language: self.factory.recognizer(lang),
                              source, emit, translate=translator(language),
                              postprocess=corrections(language),
                              pause_speaker_change=pause_speaker_change)
                for label, (language, source) in speakers.items()]

    def language_identifier(self):
        """The multilingual Whisper recognizer, shared with recognition (loaded once)."""
        from counter_app.spoken_language import language_identifier

        return language_identifier(self.factory)

    # --- life cycle ------------------------------------------------------------------------

    def preload(self):
        """Load the engines of both halves in the background (the first turn is quick)."""
        conv = self.settings.conversation
        staff, resident = conv.staff_language, conv.resident_language
        return self.interpreter.preload(asr=[staff, resident], tts=[staff, resident],
                                        mt=[(staff, resident), (resident, staff)])

    def shutdown(self) -> None:
        self.interpreter.shutdown()


def open_session(settings: config.Settings | None = None, models_dir: str | Path | None = None,
                 *, library: bool | object = True, stats: UsageStats | None = None,
                 ) -> CounterSession:
    """The session the app, the CLI and the benchmarks all use.

    `library`: True for the active phrasebook library, False for none, or a Library."""
    settings = settings or config.load()
    factory = EngineFactory(ModelStore(models_dir or settings.models_dir), settings.engines)
    verified = None
    if library is True:
        from counter_app.phrasebook.library import Library

        library = Library()
    if library:
        from counter_app.phrasebook.verified import VerifiedPhrases

        verified = VerifiedPhrases(library.phrasebook)
    return CounterSession(settings, factory, library=library or None, verified=verified,
                          stats=stats)
