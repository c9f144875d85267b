"""The real counter window on real engines, as the UI benchmarks drive it.

The resident speaks Korean (espeak-ng, paced in real time) in phrase mode with
the tiny MT fixtures' phrases; engines come from the fixture store.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAY = "여기에 서명해 주세요."  # verified by phrase mode with a wide margin


def counter_window(prefix: str):
    """(QApplication, ConversationWindow, temp folder), the window shown at 1280×800."""
    from PySide6.QtWidgets import QApplication

    from bench.pipeline import fixture_store
    from counter_app.app import build_window
    from counter_app.config import Settings
    from counter_app.pipeline.audio import MemorySink, WavFileSource
    from counter_app.pipeline.factory import EngineFactory
    from tests.speech import SpeechMaker

    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    wav = SpeechMaker(tmp / "speech").espeak(SAY, "ko")
    rows = (ROOT / "tools/mt_fixture_phrases.tsv").read_text(encoding="utf-8").splitlines()[1:]
    phrases = {row.split("\t")[0]: row.split("\t")[2] for row in rows}
    settings = Settings()
    settings.conversation.resident_language = "ko"
    settings.conversation.phrase_mode = True
    os.environ["COUNTER_APP_CONFIG"] = str(tmp / "settings.json")
    window = build_window(settings, EngineFactory(fixture_store(tmp / "store")),
                          source_factory=lambda side: WavFileSource(wav, realtime=True),
                          sink_factory=MemorySink)
    window.phrases_for = lambda language: phrases if language == "ko" else None
    window.resize(1280, 800)
    window.show()
    return app, window, tmp
