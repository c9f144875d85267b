"""Damaged, hand-edited and future settings files: the app always starts.

Each input goes through the real entry points: `counter_app.cli.main`, a
subprocess `python -m counter_app`, and `counter_app.app.run` (offscreen, with
the event loop stubbed) for the GUI start-up path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from counter_app import cli, config

BROKEN = {  # input -> what the file holds
    "json-list": b"[1]",
    "json-null": b"null",
    "garbage": b"{not json at all",
    "not-utf8": b"\xff\xfe\x00garbage\x81",
    "empty": b"",
}
INVALID = {  # input -> (file, dropped field)
    "version-abc": ({"version": "abc", "ui_language": "en"}, "version"),
    "version-0": ({"version": 0, "ui_language": "en"}, "version"),
    "font-scale-big": ({"conversation": {"font_scale": "big", "speech_speed": 1.5}},
                       "conversation.font_scale"),
    "section-not-object": ({"captions": [1, 2], "ui_language": "en"}, "captions"),
    "bool-as-int": ({"engines": {"threads": True}}, "engines.threads"),
    "unknown-staff-language": ({"conversation": {"staff_language": "xx"}},
                               "conversation.staff_language"),
    "unknown-resident-language": ({"conversation": {"resident_language": "zz-Klingon"}},
                                  "conversation.resident_language"),
    "unknown-ui-language": ({"ui_language": "de"}, "ui_language"),
    "catalog-not-http": ({"catalogs": {"vosk": "file:///etc/passwd"}}, "catalogs.vosk"),
}


@pytest.fixture()
def settings_path(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "config" / "settings.json"
    path.parent.mkdir()
    monkeypatch.setenv(config.ENV_CONFIG, str(path))
    return path


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".bad-*"))


@pytest.mark.parametrize("name", BROKEN)
def test_broken_file_is_moved_aside_and_cli_starts(settings_path, tmp_path, name, caplog):
    settings_path.write_bytes(BROKEN[name])
    assert cli.main(["models", "--store", str(tmp_path / "store"), "list"]) == 0
    [backup] = backups(settings_path)
    assert backup.read_bytes() == BROKEN[name]
    assert not settings_path.exists()  # moved, so the first save cannot destroy it
    assert "damaged" in caplog.text and str(backup) in caplog.text
    config.save(config.Settings())
    assert backup.read_bytes() == BROKEN[name]
    caplog.clear()
    assert config.load_report().problems == []  # said once


@pytest.mark.parametrize("name", INVALID)
def test_invalid_values_take_defaults_and_the_rest_is_kept(settings_path, name):
    data, dropped = INVALID[name]
    raw = json.dumps(data).encode()
    settings_path.write_bytes(raw)
    report = config.load_report()
    [problem] = report.problems
    assert problem.kind == "repaired" and dropped in problem.fields
    assert problem.backup.read_bytes() == raw  # the original is kept aside
    settings = report.settings
    if "ui_language" in data and dropped != "ui_language":
        assert settings.ui_language == "en"
    if name == "font-scale-big":
        assert settings.conversation.font_scale == 1.0
        assert settings.conversation.speech_speed == 1.5
    assert settings.conversation.staff_language == "ja"
    assert settings.conversation.resident_language == "en"
    assert config.load_report().problems == []  # repaired on disk: said once
    assert config.load() == settings


def test_language_aliases_are_normalized(settings_path):
    settings_path.write_text(json.dumps({"conversation": {"resident_language": "ko"}}))
    assert config.load().conversation.resident_language == "ko"


@pytest.mark.parametrize("argv", [["models", "--store", "{store}", "list"], ["languages"]])
def test_cli_subprocess_never_shows_a_traceback(settings_path, tmp_path, argv):
    settings_path.write_text('{"version": 0, "conversation": {"font_scale": "big", '
                             '"staff_language": "xx"}}')
    env = {**os.environ, "COUNTER_APP_MODELS": str(tmp_path / "store")}
    args = [a.replace("{store}", str(tmp_path / "store")) for a in argv]
    done = subprocess.run([sys.executable, "-m", "counter_app", *args], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "invalid values" in done.stderr and len(backups(settings_path)) == 1


def test_newer_file_is_read_but_never_overwritten(settings_path, caplog):
    raw = json.dumps({"version": 99, "ui_language": "en", "hologram": {"depth": 3},
                      "conversation": {"speech_speed": 1.5, "font_scale": "huge"}}).encode()
    settings_path.write_bytes(raw)
    report = config.load_report()
    [problem] = report.problems
    assert problem.kind == "newer" and problem.version == 99
    assert report.settings.ui_language == "en"
    assert report.settings.conversation.speech_speed == 1.5
    assert "newer version" in caplog.text
    with pytest.raises(config.SettingsError, match="newer version") as refused:
        config.save(report.settings)
    assert refused.value.reason == "newer"
    assert settings_path.read_bytes() == raw and backups(settings_path) == []
    assert cli.main(["models", "--store", str(settings_path.parent / "s"), "list"]) == 0
    assert settings_path.read_bytes() == raw


def test_save_is_atomic_when_the_disk_refuses(settings_path, monkeypatch):
    config.save(config.Settings())
    before = settings_path.read_bytes()

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(config.os, "replace", full)
    changed = config.Settings(ui_language="en")
    with pytest.raises(config.SettingsError, match="No space left") as refused:
        config.save(changed)
    assert refused.value.reason == "disk"
    assert settings_path.read_bytes() == before
    assert sorted(p.name for p in settings_path.parent.iterdir()) == ["settings.json"]


def test_unreadable_path_gives_defaults(settings_path):
    settings_path.mkdir()  # a folder where the file should be
    report = config.load_report()
    assert report.settings == config.Settings()
    assert report.problems[0].kind == "unreadable"


# --- the GUI start-up path ------------------------------------------------------------

@pytest.fixture()
def start_app(qtbot, monkeypatch, tmp_path):
    """Run counter_app.app.run() up to the event loop; returns the counter window."""
    pytest.importorskip("PySide6")
    from PySide6.QtWidgets import QApplication

    from counter_app import app
    from counter_app.phrasebook import library

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # usage counts
    real_library = library.Library  # phrasebooks are not under test here: an empty one
    monkeypatch.setattr(library, "Library", lambda: real_library(
        tmp_path / "library", shipped_dir=tmp_path / "no-shipped-phrasebook"))

    def start(models_dir: Path | None = None):
        built = []

        def recording(*args, **kwargs):
            built.append(app_build(*args, **kwargs))
            qtbot.addWidget(built[-1])
            return built[-1]

        app_build = app.compose_window
        monkeypatch.setattr(app, "compose_window", recording)
        monkeypatch.setattr(QApplication, "exec", lambda *a: 0)
        assert app.run(models_dir=str(models_dir or tmp_path / "models")) == 0
        monkeypatch.setattr(app, "compose_window", app_build)
        return built[0]

    return start


def test_gui_starts_on_a_broken_file_and_says_so_in_japanese(settings_path, start_app):
    settings_path.write_bytes(b"[1]")
    window = start_app()
    [backup] = backups(settings_path)
    status = window.staff.status.text()
    assert "設定ファイルが壊れていた" in status and str(backup) in status
    assert not window.staff.status.isHidden()
    assert "壊れていた" not in window.resident.status.text()


def test_gui_repaired_file_speaks_the_ui_language(settings_path, start_app):
    settings_path.write_text(json.dumps({"ui_language": "en", "conversation": {
        "font_scale": "big", "staff_language": "xx", "resident_language": "qq"}}))
    window = start_app()
    status = window.staff.status.text()
    assert "Some values in the settings file were invalid" in status
    assert "conversation.font_scale" in status
    assert window.settings.conversation.staff_language == "ja"
    assert window.settings.conversation.resident_language == "en"


def test_gui_refuses_to_save_over_a_newer_file_and_says_so(settings_path, start_app):
    raw = json.dumps({"version": 99, "conversation": {"resident_language": "ko"}}).encode()
    settings_path.write_bytes(raw)
    window = start_app()
    assert "新しいバージョン" in window.staff.status.text()
    window.set_resident_language("vi")  # staff picks a language: the app saves settings
    assert "保存されませんでした" in window.staff.status.text()
    assert settings_path.read_bytes() == raw


# --- a damaged admin PIN fails closed ---------------------------------------------------

def test_damaged_admin_pin_keeps_the_cli_working_and_the_file_untouched(settings_path,
                                                                         tmp_path):
    raw = json.dumps({"admin_pin": "1234", "ui_language": "en"}).encode()  # a bare PIN
    settings_path.write_bytes(raw)
    assert cli.main(["models", "--store", str(tmp_path / "store"), "list"]) == 0
    assert settings_path.read_bytes() == raw and backups(settings_path) == []


def test_gui_with_a_damaged_admin_pin_keeps_settings_locked_and_says_how_to_repair(
        settings_path, start_app):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from counter_app.admin_pin import BROKEN
    from counter_app.ui.admin_pin import PinPad

    settings_path.write_text(json.dumps({"admin_pin": ["not", "a", "hash"]}))
    window = start_app()
    assert window.settings.admin_pin == BROKEN
    shown: list[str] = []

    def read_pad() -> None:
        pad = QApplication.activeModalWidget()
        if not isinstance(pad, PinPad):
            QTimer.singleShot(20, read_pad)
            return
        shown.append(pad.message.text())
        shown.append("keys on" if pad.submit_button.isEnabled() else "keys off")
        pad.cancel_button.click()

    QTimer.singleShot(20, read_pad)
    window.settings_button.click()  # returns once the pad is cancelled: nothing else opened
    assert QApplication.activeModalWidget() is None
    assert "壊れている" in shown[0] and str(settings_path) in shown[0]
    assert shown[1] == "keys off"
    window.set_resident_language("vi")  # a save on the way keeps the lock
    assert config.load().admin_pin == BROKEN
