"""Caption screen on the real Vosk Korean model, fed from WAV files (offscreen)."""


import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QRect, Qt, QTimer  # noqa: E402

from counter_app.app import build_caption_window  # noqa: E402
from counter_app.config import Settings  # noqa: E402
from counter_app.events import AudioChunk  # noqa: E402
from counter_app.pipeline.audio import WavFileSource, write_wav  # noqa: E402
from counter_app.pipeline.factory import EngineFactory  # noqa: E402
from counter_app.session import CounterSession  # noqa: E402
from counter_app.store import ModelStore  # noqa: E402

SAID = ["번호표를 뽑아 주세요", "이 서류를 작성해 주세요"]
LEAD = 1.5  # seconds of silence before each sentence


@pytest.fixture(scope="module")
def factory(test_store_root):
    return EngineFactory(ModelStore(test_store_root))


@pytest.fixture(scope="module")
def recording(speech, tmp_path_factory):
    """Two Korean sentences with silence around them, and where each one starts."""
    silence = AudioChunk(bytes(int(16000 * LEAD) * 2), 16000)
    parts, onsets, t = [], [], 0.0
    for sentence in SAID:
        spoken = WavFileSource(speech.espeak(sentence, "ko")).audio
        parts += [silence, spoken]
        onsets.append(t + LEAD + 0.3)  # SpeechMaker pads 0.3 s before the voice
        t += LEAD + spoken.seconds
    parts.append(silence)
    path = tmp_path_factory.mktemp("captions") / "two.wav"
    write_wav(path, parts)
    return path, onsets


def _window(qtbot, factory, recording, translation=None, **caption_settings):
    settings = Settings()
    settings.captions.translation_language = translation
    for key, value in caption_settings.items():
        setattr(settings.captions, key, value)
    path, _ = recording
    window = build_caption_window(CounterSession(settings, factory), speakers={
        "職員": ("ko", lambda: WavFileSource(path, chunk_seconds=0.1))})
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


@pytest.mark.slow
def test_partials_then_finals_with_audio_timestamps(qtbot, factory, recording, tmp_path):
    window = _window(qtbot, factory, recording)
    partials = []
    window.bridge.event.connect(
        lambda e: partials.append(e.text) if type(e).__name__ == "CaptionPartial" else None)
    window.start()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=60_000)
    window.stop()
    assert partials, "partials shown before the finals"
    lines = window.model.lines
    assert all(any("\uac00" <= ch <= "\ud7a3" for ch in line.text) for line in lines)
    assert window.partial.text() == ""  # the partial line was replaced by the final
    _, onsets = recording
    for line, onset in zip(lines, onsets, strict=True):
        assert abs(line.start - onset) < 0.6, (line.start, onset)
        assert line.end > line.start
    srt = window.session.to_srt()
    assert srt.startswith("1\n00:00:0")
    first = lines[0]
    window.correct_line(window.model.index(0), "번호표를 뽑아 주세요")
    exported = window.session.export(tmp_path / "shift.srt").read_text(encoding="utf-8")
    assert "職員: 번호표를 뽑아 주세요" in exported
    assert window.model.lines[0].corrected and window.model.lines[0].id == first.id


@pytest.mark.slow
def test_translation_line_and_themes(qtbot, factory, recording, shots_dir):
    window = _window(qtbot, factory, recording, translation="en", font_size=64)
    window.start()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2
                    and all(line.translation for line in window.model.lines), timeout=60_000)
    window.stop()
    service = factory.translation_service()
    line = window.model.lines[0]
    assert line.translation == service.translate(line.text, "ko", "en", back=False).text
    for theme in ("white-on-black", "black-on-white", "yellow-on-black"):
        window.set_theme(theme)
        window.partial.setText("職員: 잠시만 기다려")  # how a live partial looks
        qtbot.wait(50)
        assert window.grab().save(str(shots_dir / f"captions-{theme}.png"))
    window.step_font(+1)
    assert window.font_px == 80
    window.search_box.setText("서류")
    found = window.find_next()
    assert found is None or "서류" in found.text


def test_line_spacing_changes_row_height(qtbot, factory, recording):
    window = _window(qtbot, factory, recording)
    window.session.add("職員", "番号札をお取りください", 0, 1)
    window.model.append(window.session.lines()[0])
    delegate, index = window.view.itemDelegate(), window.model.index(0)
    heights = []
    for _ in range(3):
        heights.append(delegate.sizeHint(None, index).height())
        window.cycle_line_spacing()
    assert window.settings.line_spacing == 1.3  # 1.3 -> 1.6 -> 1.0 -> 1.3
    assert heights[1] > heights[0] > heights[2]


def test_clear_wipes_memory(qtbot, factory, recording):
    window = _window(qtbot, factory, recording)
    window.session.add("職員", "テスト", 0, 1)
    window.model.append(window.session.lines()[0])
    window.clear()
    assert window.model.rowCount() == 0 and window.session.lines() == []


def test_term_corrections_apply_to_captions(qtbot, factory, recording, tmp_path):
    from counter_app.phrasebook.library import Library

    path, _ = recording
    settings = Settings()
    library = Library(tmp_path / "library")  # the shipped term dictionary
    window = build_caption_window(CounterSession(settings, factory, library=library), speakers={
        "職員": ("ja", lambda: WavFileSource(path))})
    qtbot.addWidget(window)
    runner = window.runners[0]
    assert runner.postprocess("住民兵の写し") == "住民票の写し"


def test_lines_are_labelled_by_microphone_or_by_pauses(qtbot, factory):
    settings = Settings()
    one_mic = build_caption_window(CounterSession(settings, factory))
    qtbot.addWidget(one_mic)
    (runner,) = one_mic.runners
    assert runner.speaker == "話者" and runner.pause_speaker_change == 2.0
    settings.captions.resident_microphone = "USB mic"
    two_mics = build_caption_window(CounterSession(settings, factory))
    qtbot.addWidget(two_mics)
    assert [r.speaker for r in two_mics.runners] == ["職員", "来庁者"]
    assert all(r.pause_speaker_change is None for r in two_mics.runners)


# --- exit, confirmed clearing and the live line at the largest size (issue 14) ------------

class _Runner:
    """Stands in for a CaptionRunner: records start/stop."""

    def __init__(self):
        self.started = self.stopped = False

    def start(self):
        self.started = True

    def stop(self):
        self.stopped = True

    def pause(self):
        """Paused runners keep their microphone; nothing to record."""

    resume = pause


JA_LONG = "住民票の写しを取得するには本人確認書類が必要ですので運転免許証をお持ちください"


def _fake_window(qtbot, width=1280, height=800, font_size=48):
    from counter_app.config import CaptionSettings
    from counter_app.ui.captions import CaptionWindow

    runners = [_Runner(), _Runner()]
    window = CaptionWindow(CaptionSettings(font_size=font_size), lambda _s, _e: runners)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    window.start()
    return window, runners


def _final(window, text, speaker="職員", translation=None):
    from counter_app.captions import CaptionFinal

    line = window.session.add(speaker, text, 0, 1)
    if translation:
        line = window.session.update(line.id, translation=translation) or line
    window.bridge.post(CaptionFinal(line))


def _in_window(window, widget):
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def test_close_button_stops_runners_and_closes(qtbot):
    window, runners = _fake_window(qtbot)
    button = window.close_button
    assert button.isVisible() and button.height() >= 44
    assert button.text() == "✕ 字幕を閉じる"
    assert window.rect().contains(_in_window(window, button))  # on screen, not clipped
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not window.isVisible() and not window.running  # back to the counter at once
    qtbot.waitUntil(lambda: all(r.started and r.stopped for r in runners))


def test_escape_closes_captions(qtbot):
    window, runners = _fake_window(qtbot)
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert not window.isVisible()
    qtbot.waitUntil(lambda: all(r.stopped for r in runners))


def test_closing_ends_the_real_listening_threads(qtbot, factory, recording):
    import threading

    window = _window(qtbot, factory, recording)
    window.start()
    qtbot.waitUntil(lambda: window.status.text() == "" and any(
        t.name.startswith("captions-") for t in threading.enumerate()), timeout=10_000)
    window.close_button.click()
    assert not window.isVisible()
    qtbot.waitUntil(lambda: not any(t.name.startswith("captions-") and t.is_alive()
                                    for t in threading.enumerate()), timeout=10_000)


def test_clear_asks_first_and_only_clears_on_yes(qtbot):
    window, _ = _fake_window(qtbot)
    for text in ("一行目", "二行目"):
        _final(window, text)
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    window.partial.setText("職員: 話している途中")
    questions = []
    window.ask = lambda q: questions.append(q) or False  # staff answer "no"
    window.clear_button.click()
    assert questions == ["表示中の字幕をすべて消去しますか？\n元に戻せません。"]
    assert window.model.rowCount() == 2 and len(window.session.lines()) == 2
    assert window.partial.text() == "職員: 話している途中"
    window.ask = lambda q: True
    window.clear_button.click()
    assert window.model.rowCount() == 0 and window.session.lines() == []
    assert window.partial.text() == ""


@pytest.mark.parametrize("answer,kept", [("消去しない", 1), ("消去する", 0)])
def test_clear_confirmation_dialog_is_large_and_in_japanese(qtbot, answer, kept):
    from PySide6.QtWidgets import QApplication, QMessageBox

    window, _ = _fake_window(qtbot)
    _final(window, "番号札をお取りください")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    seen = {}

    def answer_dialog():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer_dialog)
            return
        buttons = {b.text(): b for b in box.buttons()}
        seen["buttons"] = sorted(buttons)
        seen["heights"] = [b.height() for b in buttons.values()]
        buttons[answer].click()

    QTimer.singleShot(0, answer_dialog)
    window.clear_button.click()
    assert seen["buttons"] == ["消去しない", "消去する"]
    assert min(seen["heights"]) >= 44
    assert window.model.rowCount() == kept and len(window.session.lines()) == kept


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_live_line_stays_on_screen_at_160px(qtbot, shots_dir, size):
    from counter_app.captions import CaptionPartial

    width, height = size
    window, _ = _fake_window(qtbot, width, height, font_size=128)
    window.step_font(+1)
    assert window.font_px == 160
    min_size = window.minimumSizeHint()
    assert min_size.width() <= width and min_size.height() <= height  # full screen fits
    for number in range(11):
        _final(window, f"{number + 1}番の番号札をお持ちの方", translation=f"Ticket {number + 1}")
    _final(window, "こちらへどうぞ")
    qtbot.waitUntil(lambda: window.model.rowCount() == 12)
    said = ""
    for piece in ("住民票の写しと", "印鑑登録証明書を", "取得するには本人確認書類が必要です",
                  "マイナンバーカードをお持ちください"):
        said += piece
        window.bridge.post(CaptionPartial("職員", said))
        qtbot.waitUntil(lambda s=said: window.partial.text() == f"職員: {s}")
        qtbot.wait(30)  # the layout settles
        live = _in_window(window, window.partial)
        assert window.rect().contains(live), (live, window.rect())
        shown = window.partial.shown_text()  # the newest words show, the oldest may not
        assert len(shown) >= 8 and f"職員: {said}".endswith(shown)
        last = window.view.visualRect(window.model.index(11))
        assert window.view.viewport().rect().intersects(last)  # history follows too
    assert window.partial.height() > 2 * window.font_px  # it wrapped to several lines
    assert window.partial.width() <= width
    qtbot.wait(50)
    assert window.grab().save(str(shots_dir / f"captions-160px-{width}x{height}.png"))


def test_long_japanese_line_wraps_by_character(qtbot):
    from PySide6.QtGui import QFontMetrics

    window, _ = _fake_window(qtbot, font_size=160)
    window.partial.setText(JA_LONG)
    qtbot.wait(30)
    one_line = QFontMetrics(window.partial._font).height()
    assert window.partial.height() > one_line * 1.5
    assert window.partial.width() <= window.width()
    assert window.partial.shown_text().endswith("お持ちください")
    _final(window, JA_LONG)  # a finished line wraps the same way in the history
    _final(window, "Bitte" + "x" * 60)  # one word wider than the screen
    qtbot.waitUntil(lambda: window.model.rowCount() == 2)
    delegate = window.view.itemDelegate()
    for row in range(2):
        hint = delegate.sizeHint(None, window.model.index(row))
        assert hint.height() > 2 * one_line and hint.width() <= window.view.viewport().width()
    assert window.minimumSizeHint().width() <= window.width()


def test_scrolled_back_history_stays_put_until_jump_to_live(qtbot):
    from counter_app.captions import CaptionPartial

    window, _ = _fake_window(qtbot, font_size=96)
    for number in range(20):
        _final(window, f"行 {number}")
    qtbot.waitUntil(lambda: window.model.rowCount() == 20)
    qtbot.wait(30)
    bar = window.view.verticalScrollBar()
    assert bar.value() == bar.maximum() > 0 and window.following
    bar.setValue(0)  # staff scroll back to read
    assert not window.following
    _final(window, "新しい行")
    window.bridge.post(CaptionPartial("職員", "話している途中"))
    qtbot.waitUntil(lambda: window.model.rowCount() == 21 and window.partial.text() != "")
    qtbot.wait(30)
    assert bar.value() == 0  # not yanked away from what they read
    assert window.rect().contains(_in_window(window, window.partial))  # live still shown
    assert window.live_button.height() >= 44
    window.live_button.click()
    qtbot.wait(30)
    assert window.following and bar.value() == bar.maximum()
    last = window.view.visualRect(window.model.index(20))
    assert window.view.viewport().rect().intersects(last)


def test_caption_controls_are_touch_sized(qtbot):
    from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton

    for width, height in ((1280, 800), (1024, 768)):
        window, _ = _fake_window(qtbot, width, height, font_size=160)
        qtbot.wait(30)
        controls = window.findChildren(QPushButton) + window.findChildren(QComboBox) \
            + window.findChildren(QLineEdit)
        for control in controls:
            assert control.height() >= 44, control.text()
            assert window.rect().contains(_in_window(window, control)), control.text()


def test_view_menu_sets_theme_and_spacing_with_large_items(qtbot):
    window, _ = _fake_window(qtbot)
    menu = window.view_button.menu()
    window.theme_actions["yellow-on-black"].trigger()
    assert window.theme == window.settings.theme == "yellow-on-black"
    window.spacing_actions[1.6].trigger()
    assert window.settings.line_spacing == 1.6
    window.cycle_line_spacing()
    assert window.spacing_actions[1.0].isChecked()
    menu.popup(window.view_button.mapToGlobal(window.view_button.rect().bottomLeft()))
    qtbot.waitExposed(menu)
    heights = [menu.actionGeometry(a).height() for a in menu.actions() if not a.isSeparator()]
    menu.close()
    assert len(heights) == 6 and min(heights) >= 44


def test_caption_controls_follow_the_english_ui(qtbot):
    from counter_app.ui.i18n import current_language, set_language

    before = current_language()
    set_language("en")
    try:
        window, _ = _fake_window(qtbot)
        questions = []
        window.ask = lambda q: questions.append(q) or False
        window.clear_button.click()
    finally:
        set_language(before)
    assert window.close_button.text() == "✕ Close captions"
    assert window.clear_button.text() == "Clear…"
    assert questions == ["Clear all captions?\nThis cannot be undone."]
