"""The face-to-face counter screen: staff half and resident half.

The window only paints and forwards taps; turns run in the Interpreter's
workers and come back as events through the CoreBridge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.config import Settings
from counter_app.conversation import Exchange
from counter_app.errors import CounterAppError
from counter_app.events import (
    AudioChunk,
    AudioLevel,
    PipelineError,
    Quality,
    SpeechEvent,
    StageChanged,
    TranscriptEvent,
    TranslationEvent,
    TurnStage,
)
from counter_app.marks import mark_for
from counter_app.pipeline.base import AudioSink, AudioSource
from counter_app.pipeline.interpreter import Turn
from counter_app.pipeline.vad import EndOfSpeechGate
from counter_app.session import CounterSession
from counter_app.ui.banner import Gap, ReadinessBanner
from counter_app.ui.bridge import CoreBridge
from counter_app.ui.i18n import tr
from counter_app.ui.language_picker import LanguagePicker
from counter_app.ui.panel import SidePanel
from counter_app.ui.problems import show_problem
from counter_app.ui.rotatable import RotatableHost
from counter_app.ui.tasks import Task, run_task

SourceFactory = Callable[[str], AudioSource]  # side -> microphone (or file in tests)
SinkFactory = Callable[[], AudioSink]


_SHOWN_STAGES = (TurnStage.LISTENING, TurnStage.RECOGNIZING, TurnStage.TRANSLATING,
                 TurnStage.SPEAKING)


@dataclass
class _ActiveTurn:
    side: str
    turn: Turn
    mode: str  # voice | text


class ConversationWindow(QMainWindow):
    """The face-to-face counter screen.  Parts added by the app's builder (app.py)
    are declared here, so the window's whole interface is in one place."""

    phrase_panel = None  # ui.phrases.PhrasePanel, with its drawer and toolbar button
    phrase_drawer = None
    phrase_button = None
    phrase_loading = None  # the worker reading the phrasebook at start-up
    language_detection = None  # ui.language_id.LanguageDetection (the 🌍 button)
    settings_button = None
    captions_button = None
    caption_window = None  # caption mode while it is open
    next_language_picker = None  # the one language picker (次のお客様, a tap on the language)
    _asking_next_language = False
    notices_dialog = None  # licences and credits while open
    first_start = None  # ui.first_start: install / import / continue, opened by the banner
    daily_sync = None  # ui.fleet_schedule.DailySync: the office mirror once a day
    setup_requested = Signal()  # the banner was tapped: show the first-start flow

    def __init__(self, session: CounterSession, bridge: CoreBridge,
                 source_factory: SourceFactory, sink_factory: SinkFactory,
                 save_settings: Callable[[Settings], None] = lambda s: None):
        super().__init__()
        self.session = session
        self.interpreter = session.interpreter
        self.settings = session.settings
        self.source_factory = source_factory
        self.sink_factory = sink_factory
        self.stats = session.stats
        self.voice_ready = session.voice_ready
        self.save_settings = save_settings
        self.phrases_for = session.phrases_for
        self.conversation = session.conversation
        self.bridge = bridge
        self.active: dict[int, _ActiveTurn] = {}
        self.hands_free_side: str | None = None
        self.last_speech: dict[str, tuple[AudioChunk, ...]] = {}
        bridge.event.connect(self.on_event)
        self.setWindowTitle(tr("app_title"))
        self._build()
        self._idle_timer = QTimer(self, interval=10_000, timeout=self._check_idle)
        self._idle_timer.start()

    # --- layout --------------------------------------------------------------------

    def _build(self) -> None:
        conv = self.settings.conversation
        size = int(24 * conv.font_scale)
        self.staff = SidePanel("staff", conv.staff_language, size)
        self.resident = SidePanel("resident", conv.resident_language, size)
        self.panels = {"staff": self.staff, "resident": self.resident}
        self.resident_host = RotatableHost(self.resident)
        self.resident_host.set_rotated(conv.rotate_resident_half)

        toolbar = QHBoxLayout()
        self.next_button = QPushButton("⟳ " + tr("next_customer"))
        self.next_button.setObjectName("next")
        self.next_button.clicked.connect(lambda: self.next_customer())
        toolbar.addWidget(self.next_button)
        self.rotate_button = QPushButton("⇅ " + tr("rotate"))
        self.rotate_button.setCheckable(True)
        self.rotate_button.setChecked(conv.rotate_resident_half)
        self.rotate_button.toggled.connect(self.set_rotated)
        toolbar.addWidget(self.rotate_button)
        self.hands_free_button = QPushButton(tr("hands_free"))
        self.hands_free_button.setCheckable(True)
        self.hands_free_button.setChecked(conv.hands_free)
        toolbar.addWidget(self.hands_free_button)
        self._tools = QHBoxLayout()  # captions, phrases: add_tool()
        toolbar.addLayout(self._tools)
        toolbar.addStretch(1)
        self._admin_tools = QHBoxLayout()  # settings: add_admin_tool()
        toolbar.addLayout(self._admin_tools)

        self.banner = ReadinessBanner()
        self.banner.setup_requested.connect(self.setup_requested)

        halves = QHBoxLayout()
        halves.setSpacing(0)
        halves.addWidget(self.staff, 1)
        divider = QFrame()
        divider.setFrameShape(QFrame.Shape.VLine)
        halves.addWidget(divider)
        halves.addWidget(self.resident_host, 1)

        root = QWidget()
        layout = QVBoxLayout(root)
        layout.addLayout(toolbar)
        layout.addWidget(self.banner)
        layout.addLayout(halves, 1)
        self.setCentralWidget(root)

        for side, panel in self.panels.items():
            panel.talk_started.connect(lambda s=side: self.start_talking(s))
            panel.talk_stopped.connect(lambda s=side: self.stop_talking(s))
            panel.text_submitted.connect(lambda text, s=side: self.send_text(s, text))
            panel.edit_submitted.connect(lambda text, s=side: self._submit_edit(s, text))
            panel.edit_cancelled.connect(lambda s=side: self._cancel_edit(s))
            panel.replay_requested.connect(lambda s=side: self.replay(s))
        self.resident.language_clicked.connect(self.pick_language)
        self.refresh_readiness()

    def add_tool(self, button: QWidget) -> None:
        """A staff tool in the toolbar, after the built-in ones (captions, phrases)."""
        self._tools.addWidget(button)

    def add_admin_tool(self, button: QWidget) -> None:
        """A tool at the toolbar's far end, away from the staff's (settings)."""
        self._admin_tools.addWidget(button)

    # --- user actions ----------------------------------------------------------------

    def languages_for(self, side: str) -> tuple[str, str]:
        return self.session.languages_for(side)

    def start_talking(self, side: str) -> None:
        if any(t.side == side and t.mode == "voice" for t in self.active.values()):
            return
        panel = self.panels[side]
        panel.show_status("")
        try:
            source = self.source_factory(side)
        except CounterAppError as exc:  # details for staff; plain words for the resident
            self.staff.show_status(f"⚠ {tr('mic_error')}: {tr('problem_AudioDeviceError')}")
            self.staff.status.setToolTip(str(exc))  # the device's own words, for an admin
            if panel is self.resident:
                panel.show_status(panel.local("mic_problem"))
            panel.talk.reset()
            return
        if self.hands_free_button.isChecked():
            source = EndOfSpeechGate(source)
            self.hands_free_side = side
        phrases = None
        if self.settings.conversation.phrase_mode and self.phrases_for:
            phrases = self.phrases_for(self.languages_for(side)[0])
        request = self.session.voice_request(side, source, self.sink_factory(), phrases)
        turn = self.interpreter.start(request)
        self.active[turn.id] = _ActiveTurn(side, turn, "voice")

    def stop_talking(self, side: str) -> None:
        if self.hands_free_side == side:
            self.hands_free_side = None
        for active in self.active.values():
            if active.side == side and active.mode == "voice":
                active.turn.release()

    def send_text(self, side: str, text: str) -> None:
        turn = self.interpreter.start(self.session.text_request(side, text, self.sink_factory()))
        self.active[turn.id] = _ActiveTurn(side, turn, "text")

    def show_phrase(self, phrase_id: str, ja: str, text: str, language: str,
                    reviewed: bool = True) -> None:
        """A phrasebook entry chosen by staff: show it on both halves and speak it."""
        turn = self.interpreter.start(self.session.phrase_request(
            phrase_id, ja, text, language, reviewed, self.sink_factory()))
        self.active[turn.id] = _ActiveTurn("staff", turn, "phrase")

    def replay(self, side: str) -> None:
        chunks = self.last_speech.get(side)
        if not chunks:
            return
        sink = self.sink_factory()

        def play(task: Task) -> None:
            for chunk in chunks:
                if task.cancelled:
                    break
                sink.play(chunk)
            sink.close()

        # a failure (no speaker) already shows when a turn speaks: nothing more to say
        self._replay = run_task(play, on_failed=lambda exc: None, parent=self)

    def set_rotated(self, rotated: bool) -> None:
        self.resident_host.set_rotated(rotated)
        self.settings.conversation.rotate_resident_half = rotated

    def pick_language(self) -> str | None:
        picker = self._language_picker(self.resident.language.code, asking_next=False)
        if picker.exec() and picker.chosen:
            self.set_resident_language(picker.chosen)
        return picker.chosen

    def ask_next_language(self) -> LanguagePicker:
        """After 次のお客様: ask the new resident's language (a tap, or 🌍 to detect
        it from speech; typed text is checked as the resident types).  Closing the
        picker keeps the previous language."""
        picker = self._language_picker(None, asking_next=True)
        picker.show()
        picker.raise_()
        return picker

    def _language_picker(self, current: str | None, asking_next: bool) -> LanguagePicker:
        """The one picker of this window, refreshed: readiness may have changed."""
        detection = self.language_detection
        detect = None if detection is None or detection.unavailable_reason else detection.listen
        picker = self.next_language_picker
        if picker is None:
            picker = LanguagePicker(self.voice_ready, current, self, path=self.session.path,
                                    detect=detect)
            picker.accepted.connect(self._next_language_chosen)
            self.next_language_picker = picker
        else:
            picker.refresh(current, detect)
            picker.fit(self)
        self._asking_next_language = asking_next
        return picker

    def _next_language_chosen(self) -> None:
        picker = self.next_language_picker
        if self._asking_next_language and picker.chosen:
            self.set_resident_language(picker.chosen)

    def set_resident_language(self, code: str) -> None:
        self.settings.conversation.resident_language = code
        self.save_settings(self.settings)
        self.refresh_readiness()

    def conversation_open(self) -> bool:
        """A turn runs or this customer's words are on screen (no syncing meanwhile)."""
        return bool(self.active or self.conversation.exchanges)

    def refresh_readiness(self) -> None:
        conv = self.settings.conversation
        staff_ok = self.voice_ready(conv.staff_language)
        resident_ok = self.voice_ready(conv.resident_language)
        self.staff.set_language(conv.staff_language, staff_ok)
        self.resident.set_language(conv.resident_language, resident_ok)
        self.resident.show_hint("" if resident_ok else "⌨ " + self.resident.local("no_voice"))
        staff, resident = (self.session.path(conv.staff_language),
                           self.session.path(conv.resident_language))
        nothing = not (staff.speak or resident.speak or resident.read)
        self.banner.show_readiness(nothing and not self.session.store.models(), [
            Gap(conv.staff_language, staff.speak, True, staff.hear),
            Gap(conv.resident_language, resident.speak, resident.read, resident.hear)])

    def next_customer(self, ask_language: bool = True) -> None:
        """One tap: cancel running turns, wipe every trace of this customer, and ask
        the next one's language (not after an idle timeout: nobody is there)."""
        for active in list(self.active.values()):
            active.turn.cancel()
        self.active.clear()
        self.hands_free_side = None
        self.session.next_customer()
        self.last_speech.clear()
        for panel in self.panels.values():
            panel.clear()
        if ask_language:
            self.ask_next_language()

    # --- events from the core (GUI thread) ------------------------------------------------

    def on_event(self, event) -> None:
        active = self.active.get(event.turn_id)
        if active is None:
            return  # a turn of a previous customer
        panel = self.panels[active.side]
        other = self.panels["resident" if active.side == "staff" else "staff"]
        if isinstance(event, AudioLevel):
            panel.meter.set_level(event.level)
        elif isinstance(event, TranscriptEvent):
            transcript = event.transcript
            panel.show_partial("" if transcript.is_final and
                               active.turn.request.edit_before_translate else transcript.text)
            if transcript.is_final and active.turn.request.edit_before_translate:
                panel.begin_edit(transcript.text)
        elif isinstance(event, TranslationEvent):
            self._show_translation(active, event, panel, other)
        elif isinstance(event, SpeechEvent):
            self.last_speech[other.role] = event.chunks
            other.replay_button.setEnabled(True)
            if event.quality is Quality.LOW:  # staff should know; the resident just listens
                self.staff.show_hint(f"🔈 {other.language.native}: {tr('low_voice_hint')}")
        elif isinstance(event, PipelineError):
            show_problem(self, event, active.turn.request.text if active.mode == "text"
                         else None, panel, other)
        elif isinstance(event, StageChanged) and event.stage in _SHOWN_STAGES:
            for half in (panel, other):  # both halves, each in its own language
                half.show_stage(event.stage.value)
        elif isinstance(event, StageChanged) and event.stage in (
                TurnStage.DONE, TurnStage.CANCELLED, TurnStage.FAILED):
            self._finish(event.turn_id, active, panel)

    def _show_translation(self, active: _ActiveTurn, event: TranslationEvent,
                          panel: SidePanel, other: SidePanel) -> None:
        translation = event.translation
        panel.show_partial("")
        mark = mark_for(translation)  # each half reads it in its own language
        own_mark = f"{mark.icon} {panel.local(mark.value)}"
        other_mark = f"{mark.icon} {other.local(mark.value)}"
        panel.add_own(translation.source_text, translation.back_translation, [own_mark])
        other.add_other(translation.text, [other_mark])
        mode = "phrase" if translation.phrase_id else active.mode
        self.conversation.add(Exchange(
            active.side, translation.source, translation.target, translation.source_text,
            translation.text, translation.back_translation, mode, translation.pivoted,
            bool(translation.phrase_id)))
        self.session.record_use(mode)

    def _finish(self, turn_id: int, active: _ActiveTurn, panel: SidePanel) -> None:
        self.active.pop(turn_id, None)
        if not self.active:
            for half in self.panels.values():
                half.show_stage("")
        panel.show_partial("")
        if active.mode != "voice":
            return
        panel.meter.setValue(0)
        if self.hands_free_side == active.side:
            self.start_talking(active.side)  # hands-free: listen for the next utterance
        else:
            panel.talk.reset()

    def _submit_edit(self, side: str, text: str) -> None:
        for active in self.active.values():
            if active.side == side and active.mode == "voice":
                self.panels[side].show_partial("")
                active.turn.submit(text)

    def _cancel_edit(self, side: str) -> None:
        for active in self.active.values():
            if active.side == side:
                active.turn.cancel()
        self.panels[side].show_partial("")

    def _check_idle(self) -> None:
        minutes = self.settings.conversation.idle_timeout_minutes
        if minutes and self.conversation.exchanges and not self.active \
                and self.conversation.idle_seconds() > minutes * 60:
            self.next_customer(ask_language=False)
