"""The counter screen driving complete turns through the real pipeline:
WAV-file speech instead of the microphone, real Vosk ko, Whisper base, the tiny
MT fixtures, Open JTalk and Piper.  Saves the screenshots in docs/screenshots."""

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from counter_app.app import build_window  # noqa: E402
from counter_app.config import Settings  # noqa: E402
from counter_app.pipeline.audio import MemorySink, WavFileSource  # noqa: E402
from counter_app.pipeline.factory import EngineFactory  # noqa: E402
from counter_app.store import ModelStore  # noqa: E402

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
KOREAN = {row.split("\t")[0]: row.split("\t")[2] for row in
          (ROOT / "tools/mt_fixture_phrases.tsv").read_text(encoding="utf-8").splitlines()[1:]}


@pytest.fixture(scope="module")
def factory(full_store_root):
    import onnxruntime

    onnxruntime.set_seed(0)
    return EngineFactory(ModelStore(full_store_root))


@pytest.fixture()
def window(qtbot, factory, speech, tmp_path, monkeypatch):
    monkeypatch.setenv("COUNTER_APP_CONFIG", str(tmp_path / "settings.json"))
    settings = Settings()
    settings.conversation.resident_language = "ko"
    settings.conversation.phrase_mode = True
    wavs = {"resident": speech.espeak("여기에 서명해 주세요.", "ko"),
            "staff": speech.openjtalk("少々お待ちください。")}
    sinks = []

    def sink():
        sinks.append(MemorySink())
        return sinks[-1]

    window = build_window(settings, factory,
                          source_factory=lambda side: WavFileSource(wavs[side]),
                          sink_factory=sink)
    window.phrases_for = lambda language: KOREAN if language == "ko" else None
    window.sinks = sinks
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


def _texts(panel):
    return [b.text_label.text() for b in panel.history.bubbles()]


def test_resident_speaks_korean_staff_reads_japanese(window, qtbot, shots_dir):
    partials = []
    window.bridge.event.connect(lambda e: partials.append(e) if type(e).__name__ ==
                                "TranscriptEvent" and not e.transcript.is_final else None)
    window.resident.talk.begin()
    qtbot.waitUntil(lambda: bool(_texts(window.staff)), timeout=60_000)
    assert partials, "live partial captions while speaking"
    assert _texts(window.resident) == ["여기에 서명해 주세요."]
    assert _texts(window.staff) == ["ここに署名してください。"]  # ko -> en -> ja
    own = window.resident.history.bubbles()[0]
    assert own.note_label.text() == "↩ 여기에 서명해 주세요."  # back-translation ja -> ko
    # machine translation through English, flagged in the resident's language
    assert own.hint_label.text() == "⚙⇄ 영어를 거친 기계 번역 (오류가 있을 수 있음)"
    staff_mark = window.staff.history.bubbles()[0].hint_label.text()
    assert staff_mark == "⚙⇄ 英語経由の機械翻訳（精度が下がることがあります）"
    qtbot.waitUntil(lambda: window.staff.replay_button.isEnabled(), timeout=60_000)
    assert sum(c.seconds for c in window.sinks[0].chunks) > 1.0  # Open JTalk spoke
    qtbot.waitUntil(lambda: not window.resident.talk.active, timeout=10_000)

    window.staff.talk.begin()  # staff answers in Japanese (Whisper base)
    qtbot.waitUntil(lambda: len(_texts(window.resident)) == 2, timeout=90_000)
    assert _texts(window.resident)[1] == "잠시만 기다려 주세요."
    qtbot.waitUntil(lambda: not window.staff.talk.active, timeout=10_000)
    assert window.grab().save(str(shots_dir / "conversation.png"))
    window.rotate_button.setChecked(True)
    qtbot.wait(50)
    assert window.grab().save(str(shots_dir / "conversation-rotated.png"))

    window.next_customer()
    qtbot.waitUntil(lambda: not window.staff.history.bubbles()
                    and not window.resident.history.bubbles(), timeout=5000)
    assert window.conversation.exchanges == []


def test_edit_then_send_and_english_voice(window, qtbot):
    window.settings.conversation.edit_before_translate = True
    window.set_resident_language("en")
    window.staff.talk.begin()
    qtbot.waitUntil(lambda: window.staff.edit_row.isVisible(), timeout=90_000)
    window.staff.edit_box.setText("お名前を教えてください。")  # staff corrects the text
    window.staff._send_edit()
    qtbot.waitUntil(lambda: bool(_texts(window.resident)), timeout=60_000)
    assert _texts(window.resident) == ["Please tell me your name."]
    qtbot.waitUntil(lambda: window.resident.replay_button.isEnabled(), timeout=60_000)
    assert window.sinks[-1].chunks[0].rate == 22050  # the Piper joe voice
