"""Resident language identification on the counter screen, on real models:
espeak-ng Vietnamese and Piper English speech from WAV files -> Whisper base
language detection -> one-tap suggestion; typed text -> offline detector."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from counter_app.app import build_window  # noqa: E402
from counter_app.config import Settings  # noqa: E402
from counter_app.pipeline.audio import MemorySink, WavFileSource  # noqa: E402
from counter_app.pipeline.factory import EngineFactory  # noqa: E402
from counter_app.store import ModelStore  # noqa: E402
from counter_app.ui.language_id import (  # noqa: E402
    GLOBE,
    attach_language_detection,
    make_suggestion,
    typed_language_suggestion,
)

VIETNAMESE = "Xin chào, tôi muốn đăng ký địa chỉ mới."
ENGLISH = "Hello, I would like to register my new address."


@pytest.fixture(scope="module")
def factory(full_store_root):
    return EngineFactory(ModelStore(full_store_root))


def _window(qtbot, factory, monkeypatch, tmp_path, resident_language, wav=None):
    monkeypatch.setenv("COUNTER_APP_CONFIG", str(tmp_path / "settings.json"))
    settings = Settings()
    settings.conversation.resident_language = resident_language
    settings.conversation.speak_translations = False
    window = build_window(settings, factory,
                          source_factory=lambda side: WavFileSource(wav),
                          sink_factory=MemorySink)
    detection = attach_language_detection(window)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window, detection


def _tap_and_wait(qtbot, detection):
    qtbot.mouseClick(detection.button, Qt.MouseButton.LeftButton)
    assert detection.listening and detection.button.isChecked()
    qtbot.waitUntil(lambda: not detection.listening, timeout=60_000)
    assert not detection.button.isChecked() and detection.button.text() == GLOBE


def test_vietnamese_speech_is_suggested_and_confirmed(qtbot, factory, speech, monkeypatch,
                                                      tmp_path, shots_dir):
    window, detection = _window(qtbot, factory, monkeypatch, tmp_path, "en",
                                speech.espeak(VIETNAMESE, "vi"))
    assert detection.button.isEnabled()
    assert detection.button.parentWidget() is window.resident  # in the resident's header
    _tap_and_wait(qtbot, detection)
    assert detection.suggestion is not None, window.staff.status.text()
    assert detection.suggestion.code == "vi"
    assert detection.suggestion.origin == "speech"
    assert detection.resident_bar.isVisible() and detection.staff_bar.isVisible()
    assert detection.resident_bar.title.text().startswith(f"{GLOBE} Tiếng Việt ")
    assert detection.resident_bar.title.text().endswith("%")
    assert "ベトナム語（Tiếng Việt）" in detection.staff_bar.title.text()
    assert "話した言葉から" in detection.staff_bar.title.text()
    assert window.settings.conversation.resident_language == "en"  # nothing changes untapped
    assert window.grab().save(str(shots_dir / "language-suggestion.png"))

    qtbot.mouseClick(detection.resident_bar.confirm_button, Qt.MouseButton.LeftButton)
    assert window.settings.conversation.resident_language == "vi"
    assert window.resident.language.code == "vi"
    assert window.resident.language_button.text() == "Tiếng Việt"
    assert not detection.resident_bar.isVisible() and not detection.staff_bar.isVisible()


def test_english_speech_from_staff_side(qtbot, factory, speech, monkeypatch, tmp_path):
    window, detection = _window(qtbot, factory, monkeypatch, tmp_path, "ko",
                                speech.piper(ENGLISH))
    _tap_and_wait(qtbot, detection)
    assert detection.suggestion.code == "en"
    assert detection.suggestion.probability > 0.8
    assert detection.resident_bar.title.text().startswith(f"{GLOBE} English ")
    assert "英語（English）" in detection.staff_bar.title.text()
    qtbot.mouseClick(detection.staff_bar.confirm_button, Qt.MouseButton.LeftButton)
    assert window.settings.conversation.resident_language == "en"
    assert not detection.staff_bar.isVisible()


class CountingSource(WavFileSource):
    """A real WAV source at real-time pace that remembers how much audio it yielded."""

    yielded = 0.0

    def chunks(self):
        for chunk in super().chunks():
            self.yielded += chunk.seconds
            yield chunk


def test_second_tap_stops_listening_early(qtbot, factory, speech, monkeypatch, tmp_path):
    wav = speech.piper(" ".join([ENGLISH] * 3))  # ~10 s of speech
    window, detection = _window(qtbot, factory, monkeypatch, tmp_path, "ko")
    sources = []
    window.source_factory = lambda side: sources.append(CountingSource(wav, realtime=True)) \
        or sources[-1]
    qtbot.mouseClick(detection.button, Qt.MouseButton.LeftButton)
    qtbot.wait(2000)
    assert detection.listening
    qtbot.mouseClick(detection.button, Qt.MouseButton.LeftButton)  # enough, thanks
    qtbot.waitUntil(lambda: not detection.listening, timeout=30_000)
    # Without the second tap it would have listened to 4 s of speech.
    assert 1.5 < sources[0].yielded < 3.9
    assert detection.suggestion is not None and detection.suggestion.code == "en"


def test_next_customer_while_listening_drops_the_result(qtbot, factory, speech, monkeypatch,
                                                        tmp_path):
    window, detection = _window(qtbot, factory, monkeypatch, tmp_path, "ko")
    window.source_factory = lambda side: WavFileSource(speech.piper(ENGLISH), realtime=True)
    qtbot.mouseClick(detection.button, Qt.MouseButton.LeftButton)
    qtbot.wait(1500)
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not detection.listening, timeout=30_000)
    qtbot.wait(100)
    assert detection.suggestion is None and not detection.staff_bar.isVisible()
    assert window.staff.status.isHidden()


def test_other_opens_the_language_picker(qtbot, factory, monkeypatch, tmp_path):
    window, detection = _window(qtbot, factory, monkeypatch, tmp_path, "en")
    opened = []
    monkeypatch.setattr(window, "pick_language", lambda: opened.append(True))
    detection.check_typed("번호표를 뽑아 주세요.")
    qtbot.mouseClick(detection.resident_bar.other_button, Qt.MouseButton.LeftButton)
    assert opened == [True]
    assert detection.suggestion is None
    assert window.settings.conversation.resident_language == "en"


def test_silence_gives_no_suggestion(qtbot, factory, monkeypatch, tmp_path):
    import wave

    silent = tmp_path / "silence.wav"
    with wave.open(str(silent), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(bytes(16000 * 2 * 2))
    window, detection = _window(qtbot, factory, monkeypatch, tmp_path, "en", silent)
    _tap_and_wait(qtbot, detection)
    assert detection.suggestion is None and not detection.resident_bar.isVisible()
    assert window.staff.status.text() == "聞き取れませんでした — もう一度どうぞ"


def test_typed_korean_suggests_korean(qtbot, factory, monkeypatch, tmp_path):
    window, detection = _window(qtbot, factory, monkeypatch, tmp_path, "en")
    window.resident.text_box.setText("번호표를 뽑아 주세요.")
    qtbot.keyClick(window.resident.text_box, Qt.Key.Key_Return)
    assert window.active, "the typed turn itself goes ahead"
    assert detection.suggestion is not None and detection.suggestion.code == "ko"
    assert detection.suggestion.origin == "text"
    assert detection.resident_bar.title.text() == f"{GLOBE} 한국어  100%"
    assert "韓国語（한국어）" in detection.staff_bar.title.text()
    assert "入力した文字から" in detection.staff_bar.title.text()
    qtbot.mouseClick(detection.resident_bar.confirm_button, Qt.MouseButton.LeftButton)
    assert window.settings.conversation.resident_language == "ko"
    assert window.resident.language_button.text() == "한국어"


def test_typing_the_current_language_suggests_nothing(qtbot, factory, monkeypatch, tmp_path):
    window, detection = _window(qtbot, factory, monkeypatch, tmp_path, "ko")
    window.resident.text_box.setText("번호표를 뽑아 주세요.")
    qtbot.keyClick(window.resident.text_box, Qt.Key.Key_Return)
    assert detection.suggestion is None and not detection.staff_bar.isVisible()


def test_next_customer_clears_the_suggestion(qtbot, factory, monkeypatch, tmp_path):
    window, detection = _window(qtbot, factory, monkeypatch, tmp_path, "en")
    detection.check_typed("Tôi cần giấy chứng nhận cư trú.")
    assert detection.suggestion.code == "vi"
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert detection.suggestion is None and not detection.resident_bar.isVisible()


def test_without_whisper_the_button_is_disabled(qtbot, test_store_root, monkeypatch, tmp_path):
    factory = EngineFactory(ModelStore(test_store_root))  # MT fixtures only
    window, detection = _window(qtbot, factory, monkeypatch, tmp_path, "en")
    assert not detection.button.isEnabled()
    assert "Whisper" in detection.button.toolTip()
    assert "counter-app models import" in detection.button.toolTip()
    detection.listen()  # e.g. a stray call: nothing starts
    assert not detection.listening
    detection.check_typed("번호표를 뽑아 주세요.")  # typed text needs no model
    assert detection.suggestion.code == "ko"


# --- pure logic -------------------------------------------------------------------------

def test_make_suggestion_skips_staff_language_and_keeps_close_alternatives():
    ranked = [("ja", 0.6), ("vi", 0.25), ("th", 0.11), ("km", 0.03)]
    suggestion = make_suggestion(ranked, "speech", frozenset({"ja"}))
    assert (suggestion.code, suggestion.probability) == ("vi", 0.25)
    assert suggestion.alternatives == (("th", 0.11),)
    assert make_suggestion([("ja", 0.97), ("zh", 0.02)], "speech", frozenset({"ja"})) is None


@pytest.mark.parametrize("text, current, expected", [
    ("번호표를 뽑아 주세요.", "en", "ko"),
    ("I need a copy of my residence certificate.", "vi", "en"),
    ("I need a copy of my residence certificate.", "en", None),  # already English
    ("ok", "ko", None),  # too short to tell
    ("住民票をください", "en", None),  # the staff language is never suggested
])
def test_typed_language_suggestion(text, current, expected):
    suggestion = typed_language_suggestion(text, current, "ja")
    assert (suggestion.code if suggestion else None) == expected
