"""Resident language identification at the counter.

`attach_language_detection(window, factory)` adds a 🌍 button to the resident's
header.  A tap listens to a few seconds of the resident's speech in a worker
thread and asks the multilingual Whisper model which language it is; typed
resident text is checked by the offline text detector.  The guess appears as a
one-tap suggestion on both halves: in the resident's own script on theirs, in
the staff UI language on the staff half.  Nothing changes until someone confirms.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from counter_app import languages
from counter_app.errors import CounterAppError
from counter_app.langid import detect_text_language
from counter_app.spoken_language import find_whisper_model, record_speech
from counter_app.ui.i18n import current_language, tr
from counter_app.ui.tasks import Task, run_task
from counter_app.ui.widgets import TOUCH_MIN

log = logging.getLogger(__name__)

GLOBE = "🌍"  # U+1F30D renders with Noto Sans Symbols2; U+1F310 has no font here
SHOW_MIN = 0.05  # candidates below this probability are not offered
ALTERNATIVE_MIN = 0.10  # further candidates offered as one-tap corrections
TEXT_MIN_PROBABILITY = 0.8  # typed text must be this clearly another language
TEXT_MIN_LETTERS = 4  # "ok" or "no" alone says little

BAR_STYLE = """
QFrame#languageSuggestion { background: #ecfdf5; border: 2px solid #059669; border-radius: 12px; }
QLabel#suggestionTitle { font-weight: bold; color: #064e3b; }
QPushButton#suggestionConfirm { background: #047857; color: white; border: none;
                                font-weight: bold; }
"""


def staff_name(code: str) -> str:
    """A language's name for staff: Japanese (with its own script) or English."""
    lang = languages.get(code)
    if current_language() == "ja":
        return f"{lang.japanese}（{lang.native}）"
    return lang.english if lang.native == lang.english else f"{lang.english} ({lang.native})"


def percent(probability: float) -> str:
    return f"{round(probability * 100)}%"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A language guess waiting for a tap.  `origin`: "speech" or "text"."""

    code: str
    probability: float
    origin: str
    alternatives: tuple[tuple[str, float], ...] = ()


def make_suggestion(ranked: list[tuple[str, float]], origin: str,
                    exclude: frozenset[str] = frozenset()) -> Suggestion | None:
    """The best candidate not in `exclude` (the staff language), with close runners-up."""
    candidates = [(code, p) for code, p in ranked if code not in exclude and p >= SHOW_MIN]
    if not candidates:
        return None
    (code, probability), rest = candidates[0], candidates[1:3]
    alternatives = tuple((c, p) for c, p in rest if p >= ALTERNATIVE_MIN)
    return Suggestion(code, probability, origin, alternatives)


def typed_language_suggestion(text: str, current: str, staff: str) -> Suggestion | None:
    """A suggestion when typed text is clearly in another resident language, else None."""
    if sum(char.isalpha() for char in text) < TEXT_MIN_LETTERS:
        return None
    ranked = detect_text_language(text)
    if not ranked or ranked[0][0] in (current, staff) or ranked[0][1] < TEXT_MIN_PROBABILITY:
        return None
    return make_suggestion(ranked, "text", frozenset({staff}))


class SuggestionBar(QFrame):
    """The one-tap suggestion on one half: resident (own script) or staff (UI language)."""

    chosen = Signal(str)
    other_requested = Signal()
    dismissed = Signal()

    def __init__(self, audience: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.audience = audience
        self.setObjectName("languageSuggestion")
        self.setStyleSheet(BAR_STYLE)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 12, 8)
        self.title = QLabel()
        self.title.setObjectName("suggestionTitle")
        self.title.setWordWrap(True)
        column.addWidget(self.title)
        actions = QHBoxLayout()
        column.addLayout(actions)
        self.confirm_button = QPushButton()
        self.confirm_button.setObjectName("suggestionConfirm")
        self.confirm_button.clicked.connect(self._confirm)
        actions.addWidget(self.confirm_button, 1)
        resident = audience == "resident"
        self.other_button = QPushButton("☰ …" if resident else tr("langid_other"))
        self.other_button.clicked.connect(self.other_requested)
        actions.addWidget(self.other_button)
        close = QPushButton("✕")
        close.setFixedWidth(TOUCH_MIN)
        close.clicked.connect(self.dismissed)
        actions.addWidget(close)
        # Runners-up on their own row, so the bar never widens its half of the screen.
        self.alternatives_row = QWidget()
        self.alternatives = QHBoxLayout(self.alternatives_row)
        self.alternatives.setContentsMargins(0, 0, 0, 0)
        self.alternatives.addStretch(1)
        column.addWidget(self.alternatives_row)
        self.alternative_buttons: list[QPushButton] = []
        self.suggestion: Suggestion | None = None
        self.hide()

    def show_suggestion(self, suggestion: Suggestion, point_size: int) -> None:
        self.suggestion = suggestion
        lang = languages.get(suggestion.code)
        resident = self.audience == "resident"
        if resident:  # the resident may read neither Japanese nor English
            self.title.setText(f"{GLOBE} {lang.native}  {percent(suggestion.probability)}")
            self.title.setStyleSheet(f"font-size: {int(point_size * 1.4)}px;")
            self.confirm_button.setText(f"✔ {lang.native}")
        else:
            origin = tr("langid_from_speech" if suggestion.origin == "speech"
                        else "langid_from_text")
            self.title.setText(GLOBE + " " + tr("langid_suggestion").format(
                origin=origin, name=staff_name(suggestion.code),
                percent=percent(suggestion.probability)))
            self.confirm_button.setText("✔ " + tr("langid_confirm"))
        self.title.setLayoutDirection(Qt.LayoutDirection.RightToLeft if resident and lang.rtl
                                      else Qt.LayoutDirection.LeftToRight)
        for button in self.alternative_buttons:
            self.alternatives.removeWidget(button)
            button.deleteLater()
        self.alternative_buttons = []
        for index, (code, probability) in enumerate(suggestion.alternatives):
            name = languages.get(code).native if resident else staff_name(code)
            button = QPushButton(f"{name} {percent(probability)}")
            button.clicked.connect(lambda _=False, c=code: self.chosen.emit(c))
            self.alternatives.insertWidget(index, button)
            self.alternative_buttons.append(button)
        self.alternatives_row.setVisible(bool(suggestion.alternatives))
        self.show()

    def _confirm(self) -> None:
        if self.suggestion is not None:
            self.chosen.emit(self.suggestion.code)

    def clear(self) -> None:
        self.suggestion = None
        self.hide()


class LanguageDetection(QObject):
    """The 🌍 button, the two suggestion bars and the worker that listens."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.listening = False
        self._discard = False  # next customer while listening: drop the late result
        self._source = None
        self._task: Task | None = None
        self.unavailable_reason = self._check_available()

        self.button = QPushButton(GLOBE)
        self.button.setObjectName("languageDetect")
        self.button.setCheckable(True)
        self.button.setMinimumSize(int(TOUCH_MIN * 1.4), TOUCH_MIN)
        self.button.setStyleSheet("font-size: 40px; padding: 0px 10px;")
        self.button.setEnabled(self.unavailable_reason is None)
        self.button.setToolTip(self.unavailable_reason or tr("langid_tip"))
        self.button.clicked.connect(self.toggle)
        window.resident.add_header_button(self.button)

        self.resident_bar = SuggestionBar("resident")
        self.staff_bar = SuggestionBar("staff")
        for panel, bar in ((window.resident, self.resident_bar), (window.staff, self.staff_bar)):
            panel.add_notice(bar)
            bar.chosen.connect(self.confirm)
            bar.other_requested.connect(self.choose_other)
            bar.dismissed.connect(self.dismiss)
        window.resident.text_submitted.connect(self.check_typed)
        window.next_button.clicked.connect(self.reset)

    # --- state ----------------------------------------------------------------------------

    def _check_available(self) -> str | None:
        """None when spoken identification can run, else what to install (tooltip)."""
        if importlib.util.find_spec("faster_whisper") is None:
            return tr("langid_no_model") + "\npip install faster-whisper"
        try:
            find_whisper_model(self.session.store)
        except CounterAppError:
            return tr("langid_no_model")
        return None

    @property
    def suggestion(self) -> Suggestion | None:
        return self.staff_bar.suggestion

    # --- actions --------------------------------------------------------------------------

    def toggle(self) -> None:
        if self.listening:
            self.stop_listening()
        else:
            self.listen()

    def listen(self) -> None:
        """Record the resident (worker thread) and identify the language."""
        window = self.window
        busy = any(t.side == "resident" and t.mode == "voice" for t in window.active.values())
        if self.listening or busy or self.unavailable_reason:
            self.button.setChecked(self.listening)
            return
        try:
            source = window.source_factory("resident")
        except CounterAppError as exc:
            window.staff.show_status(f"{tr('mic_error')}: {exc}")
            self.button.setChecked(False)
            return
        self.dismiss()
        window.staff.show_status("")
        self._source = source
        self._discard = False
        self.listening = True
        self.button.setChecked(True)
        self.button.setText("● " + GLOBE)
        # Load the model while the resident speaks (the factory's cache lock makes
        # the identification wait for this load instead of loading twice).
        run_task(lambda task: self.session.language_identifier(),
                 on_failed=lambda exc: None, parent=self)  # the listener reports it
        self._task = run_task(lambda task: self._work(task, source), on_done=self._finished,
                              on_failed=self._failed, on_progress=self._level, parent=self)

    def stop_listening(self) -> None:
        """Stop recording early; what was heard so far is still identified."""
        if self._source is not None:
            self._source.stop()

    def suggest(self, ranked: list[tuple[str, float]], origin: str) -> Suggestion | None:
        staff = self.window.settings.conversation.staff_language
        suggestion = make_suggestion(ranked, origin, frozenset({staff}))
        if suggestion is None:
            self.dismiss()
            self.window.staff.show_status(tr("langid_unsure"))
        else:
            self._show(suggestion)
        return suggestion

    def check_typed(self, text: str) -> Suggestion | None:
        """After the resident typed: suggest their language if it is clearly another one."""
        conv = self.window.settings.conversation
        suggestion = typed_language_suggestion(text, conv.resident_language, conv.staff_language)
        if suggestion is not None:
            self._show(suggestion)
        return suggestion

    def confirm(self, code: str) -> None:
        self.dismiss()
        if code != self.window.settings.conversation.resident_language:
            self.window.set_resident_language(code)

    def choose_other(self) -> None:
        self.dismiss()
        self.window.pick_language()

    def dismiss(self) -> None:
        self.resident_bar.clear()
        self.staff_bar.clear()

    def reset(self) -> None:
        """Next customer: forget the suggestion and stop listening."""
        self._discard = self.listening
        self.stop_listening()
        self.dismiss()

    def _show(self, suggestion: Suggestion) -> None:
        size = self.window.resident.point_size
        self.resident_bar.show_suggestion(suggestion, size)
        self.staff_bar.show_suggestion(suggestion, size)

    # --- worker (a Task off the GUI thread) ---------------------------------------------

    def _work(self, task: Task, source) -> list[tuple[str, float]]:
        audio = record_speech(source, on_chunk=lambda chunk: task.report(chunk.level()))
        recognizer = self.session.language_identifier()
        return recognizer.detect_language(audio) if audio is not None else []

    def _level(self, value: float) -> None:
        self.window.resident.meter.set_level(value)

    def _stopped(self) -> bool:
        """Back to idle; True when the result belongs to a previous customer."""
        self.listening = False
        self._source = None
        self._task = None
        self.button.setChecked(False)
        self.button.setText(GLOBE)
        self.window.resident.meter.setValue(0)
        return self._discard

    def _finished(self, ranked: list[tuple[str, float]]) -> None:
        if self._stopped():
            return
        if not ranked:
            self.window.staff.show_status(tr("nothing_heard"))
        else:
            self.suggest(ranked, "speech")

    def _failed(self, exc: BaseException) -> None:
        if self._stopped():
            return
        if not isinstance(exc, CounterAppError):  # never leave the button stuck
            log.error("Language identification failed: %s", type(exc).__name__)
        self.window.staff.show_status(f"{tr('langid_failed')}: {exc}")


def attach_language_detection(window) -> LanguageDetection:
    """Add spoken and typed language identification to a ConversationWindow (once)."""
    existing = getattr(window, "language_detection", None)
    if existing is not None:
        return existing
    detection = LanguageDetection(window)
    window.language_detection = detection
    return detection
