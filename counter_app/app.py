"""GUI start-up: the one place that joins the core and Qt."""

from __future__ import annotations

import os
import sys

from counter_app import config
from counter_app.pipeline.audio import MicrophoneSource, SpeakerSink
from counter_app.pipeline.factory import EngineFactory
from counter_app.pipeline.heap import limit_heap_retention
from counter_app.session import CounterSession, open_session
from counter_app.stats import UsageStats


def build_window(settings: config.Settings, factory: EngineFactory,
                 source_factory=None, sink_factory=None, stats: UsageStats | None = None,
                 verified=None, library=None):
    """The counter window on a new session (tests call this).

    `verified`: a VerifiedPhrases (phrasebook translations instead of MT);
    `library`: the phrasebook Library, whose term dictionary corrects recognized
    text and is enforced in translations, and whose phrases fill the phrase panel."""
    session = CounterSession(settings, factory, library=library, verified=verified, stats=stats)
    return compose_window(session, source_factory, sink_factory)


def compose_window(session: CounterSession, source_factory=None, sink_factory=None):
    """The one builder of the counter screen: window, bridge, tools, admin actions."""
    from PySide6.QtWidgets import QPushButton

    from counter_app.ui.bridge import CoreBridge
    from counter_app.ui.conversation import ConversationWindow
    from counter_app.ui.i18n import set_language, tr

    settings, library = session.settings, session.library
    set_language(settings.ui_language)
    bridge = CoreBridge()
    session.subscribe(bridge.post)
    conv = settings.conversation
    window = ConversationWindow(
        session, bridge,
        source_factory or (lambda side: MicrophoneSource(conv.microphone)),
        sink_factory or (lambda: SpeakerSink(conv.speaker)),
        save_settings=lambda changed: save_settings(window, changed))
    restyle(window)
    admin_actions = [(tr("mm_open"), lambda: open_models(window))]
    window.captions_button = QPushButton("字 " + tr("captions"))
    window.captions_button.clicked.connect(lambda: open_captions(window))
    window.add_tool(window.captions_button)
    if library is not None:
        from counter_app.ui.phrases import attach_phrase_panel

        attach_phrase_panel(window, library)
        admin_actions.append((tr("phrase_admin"), lambda: open_phrase_admin(window, library)))
    admin_actions.append((tr("notices"), lambda: show_notices(window)))
    window.settings_button = QPushButton("⚙ " + tr("settings"))
    window.settings_button.clicked.connect(lambda: open_settings(window, admin_actions))
    window.add_admin_tool(window.settings_button)
    from counter_app.ui.language_id import attach_language_detection

    attach_language_detection(window)
    window.setup_requested.connect(lambda: open_first_start(window))  # the banner's button
    from counter_app.ui.kpi_question import attach_kpi_question

    attach_kpi_question(window)  # the weekly continued-use question on the staff half
    from counter_app.ui.fleet_schedule import attach_daily_sync

    attach_daily_sync(window)  # the office mirror once a day, when nobody is at the counter
    return window


def open_phrase_admin(window, library) -> None:
    """Phrasebook admin (its file readers are imported when first opened)."""
    from counter_app.ui.phrase_admin import open_phrase_admin as open_admin

    open_admin(window, library)


def open_models(window):
    """The model manager (imported when first opened: start-up stays light)."""
    from counter_app.ui.models import open_model_manager

    return open_model_manager(window, window.session.store, window.settings)


def open_first_start(window):
    """The first-start flow: install, import or continue (imported when needed)."""
    from counter_app.ui.first_start import open_first_start as open_flow

    return open_flow(window)


def open_captions(window) -> None:
    """Caption mode full screen over the counter screen; closing it returns here."""
    captions = build_caption_window(window.session)
    window.caption_window = captions  # keep it alive
    captions.showFullScreen()
    captions.start()


def build_caption_window(session: CounterSession,
                         speakers: dict[str, tuple[str, object]] | None = None):
    """Caption mode.  `speakers`: label -> (language, source factory); default is the
    staff microphone in the staff language (or both microphones, labelled)."""
    from counter_app.ui.captions import CaptionWindow
    from counter_app.ui.i18n import tr

    conv, caps = session.settings.conversation, session.settings.captions
    pause_change = None  # named sources label their own lines
    if speakers is None and caps.resident_microphone is not None:  # labelled by microphone
        speakers = {
            tr("staff"): (conv.staff_language, lambda: MicrophoneSource(conv.microphone)),
            tr("resident"): (conv.resident_language,
                             lambda: MicrophoneSource(caps.resident_microphone))}
    elif speakers is None:  # one microphone: a long pause marks a speaker change
        speakers = {tr("caption_speaker"): (conv.staff_language,
                                            lambda: MicrophoneSource(conv.microphone))}
        pause_change = caps.speaker_change_seconds or None
    return CaptionWindow(caps, lambda lines, emit: session.caption_runners(
        lines, speakers, emit, pause_speaker_change=pause_change))


def show_notices(window) -> None:
    """Licences and attributions of the engines and voices (e.g. the Mei voice, CC BY 3.0)."""
    from importlib.resources import files

    from PySide6.QtWidgets import QDialog, QTextBrowser, QVBoxLayout

    from counter_app.ui.i18n import tr

    dialog = QDialog(window)
    dialog.setWindowTitle(tr("notices"))
    browser = QTextBrowser()
    browser.setMarkdown((files("counter_app") / "data" / "NOTICES.md").read_text(encoding="utf-8"))
    QVBoxLayout(dialog).addWidget(browser)
    dialog.resize(900, 640)
    window.notices_dialog = dialog
    dialog.open()


def save_settings(window, settings: config.Settings) -> None:
    """Save; a refusal (newer file, full disk) is said on the staff half."""
    from counter_app.ui.notices import save_failed

    try:
        config.save(settings)
    except config.SettingsError as exc:
        window.staff.show_status("⚠ " + save_failed(exc))


def restyle(window) -> None:
    """The style sheet at the settings' text size, on the window and on the resident
    half (which lives in a graphics scene, outside the window's style)."""
    from counter_app.ui.style import stylesheet

    sheet = stylesheet(window.settings.conversation.font_scale)
    window.setStyleSheet(sheet)
    window.resident.setStyleSheet(sheet)


def reload_settings(window, result=None) -> None:
    """Settings changed on disk (an office set was applied): take them in place, so
    everything holding the settings sees them, and show the result on the staff half."""
    from dataclasses import fields, is_dataclass

    from counter_app.ui.fleet_sync import show_sync_result

    fresh, current = config.load(), window.settings
    for item in fields(current):
        value = getattr(fresh, item.name)
        if is_dataclass(value):
            vars(getattr(current, item.name)).update(vars(value))
        else:
            setattr(current, item.name, value)
    restyle(window)
    if window.phrase_panel is not None:
        window.phrase_panel.reload()
    window.refresh_readiness()
    show_sync_result(window, result)


def open_settings(window, admin_actions=()) -> None:
    from counter_app.ui.admin_pin import admin_allowed
    from counter_app.ui.fleet_sync import FleetPanel
    from counter_app.ui.i18n import tr
    from counter_app.ui.settings_dialog import SettingsDialog

    if not admin_allowed(window):  # the admin PIN, when one is set
        return
    dialog = SettingsDialog(window.settings, window, list(admin_actions))
    mirror = FleetPanel(store_root=window.session.store.root, library=window.session.library,
                        busy=window.conversation_open)
    mirror.applied.connect(lambda result: (dialog.reject(), reload_settings(window, result)))
    dialog.add_tab(mirror, tr("fleet_title"))
    if dialog.exec():
        settings = dialog.apply()
        save_settings(window, settings)
        restyle(window)
        window.refresh_readiness()


def run(models_dir: str | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    limit_heap_retention()  # before Qt and the engines allocate
    app = QApplication.instance() or QApplication(sys.argv)
    report = config.load_report()
    settings = report.settings
    from counter_app.fleet.state import fleet_dir, load_state

    fleet = None  # the office mirror first (enrolled tablets only), before any conversation
    if "enrollment" in load_state(fleet_dir()):
        from counter_app.ui.fleet_sync import sync_before_start

        fleet = sync_before_start(store_root=models_dir or settings.models_dir)
    if fleet is not None and fleet.changes:
        report = config.load_report()
        settings = report.settings
    session = open_session(settings, models_dir,
                           stats=UsageStats(enabled=settings.usage_statistics))
    window = compose_window(session)
    session.preload()
    from counter_app.ui.notices import show_startup_notices

    if fleet is not None:
        from counter_app.ui.fleet_sync import show_sync_result

        show_sync_result(window, fleet)
    show_startup_notices(window, report.problems, session.store.root)  # these matter more
    window.resize(1280, 800)
    window.show()
    if not session.store.models():  # nothing installed: install, import or type
        from counter_app.ui.first_start import show_first_start_if_empty

        show_first_start_if_empty(window)
    code = app.exec()
    session.shutdown()
    return code
