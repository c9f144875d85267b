"""The command line gives the counter screen's results: same session, same wiring.

An admin who checks a term dictionary with `counter-app translate` or
`counter-app interpret` must see what staff see.  The same text and the same
Japanese speech go through the CLI and through the real counter window (both
on the same store, library and settings file); the results must be identical.
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6")

from counter_app import config  # noqa: E402
from counter_app.app import build_window  # noqa: E402
from counter_app.cli import main  # noqa: E402
from counter_app.phrasebook.library import Library  # noqa: E402
from counter_app.phrasebook.verified import VerifiedPhrases  # noqa: E402
from counter_app.pipeline.audio import MemorySink, WavFileSource  # noqa: E402
from counter_app.pipeline.factory import EngineFactory  # noqa: E402
from counter_app.store import ModelStore  # noqa: E402

TYPED = [
    "マイナンバーカードはお持ちですか。",  # a forced term of the shipped dictionary
    "住民票の写しをください。",
    "番号札をお取りください。",  # a phrasebook phrase: verified translation
    "少々お待ちください。",
]


@pytest.fixture()
def setup(tmp_path, monkeypatch, full_store_root):
    """One settings file, one library, one store: for the CLI and the window alike."""
    monkeypatch.setenv("COUNTER_APP_CONFIG", str(tmp_path / "settings.json"))
    settings = config.Settings()
    settings.conversation.staff_language = "ja"
    settings.conversation.resident_language = "en"
    settings.conversation.speak_translations = False
    config.save(settings)
    library_dir = tmp_path / "library"
    Library(library_dir)  # the shipped phrasebook and term dictionary, active
    return settings, library_dir, full_store_root


def _window(qtbot, settings, library_dir, store_root, wav=None):
    library = Library(library_dir)
    window = build_window(settings, EngineFactory(ModelStore(store_root), settings.engines),
                          source_factory=lambda side: WavFileSource(wav),
                          sink_factory=MemorySink, verified=VerifiedPhrases(library.phrasebook),
                          library=library)
    qtbot.addWidget(window)
    return window


def _texts(panel) -> list[str]:
    return [bubble.text_label.text() for bubble in panel.history.bubbles()]


@pytest.mark.parametrize("text", TYPED)
def test_typed_text_translates_the_same(text, setup, qtbot, capsys):
    settings, library_dir, store_root = setup
    assert main(["--models", str(store_root), "translate", "--from", "ja", "--to", "en",
                 "--library", str(library_dir), text]) == 0
    cli_translation = capsys.readouterr().out.strip()
    window = _window(qtbot, settings, library_dir, store_root)
    window.send_text("staff", text)
    qtbot.waitUntil(lambda: bool(_texts(window.resident)), timeout=20_000)
    assert _texts(window.resident) == [cli_translation]


def test_forced_term_and_phrase_reach_the_cli(setup, capsys):
    """Not parity by accident: the CLI really uses the dictionary and the phrasebook."""
    _, library_dir, store_root = setup
    assert main(["--models", str(store_root), "-v", "translate", "--from", "ja", "--to", "en",
                 "--library", str(library_dir), "番号札をお取りください。"]) == 0
    captured = capsys.readouterr()
    assert "mark: mark_checked" in captured.err or "mark: mark_unreviewed_phrase" in captured.err
    assert main(["--models", str(store_root), "translate", "--from", "ja", "--to", "en",
                 "--library", str(library_dir), "マイナンバーカードはお持ちですか。"]) == 0
    assert "My Number Card" in capsys.readouterr().out


@pytest.mark.slow
def test_japanese_speech_is_recognized_and_translated_the_same(setup, qtbot, capsys, speech):
    settings, library_dir, store_root = setup
    wav = speech.openjtalk("住民票の写しをください。")
    assert main(["--models", str(store_root), "interpret", "--from", "ja", "--to", "en",
                 "--in", str(wav), "--json", "--library", str(library_dir)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "住民票" in report["recognized"]  # Whisper's 住民兵 corrected by the dictionary
    window = _window(qtbot, settings, library_dir, store_root, wav)
    window.staff.talk.begin()
    qtbot.waitUntil(lambda: bool(_texts(window.resident)), timeout=120_000)
    assert _texts(window.staff) == [report["recognized"]]
    assert _texts(window.resident) == [report["translation"]]
