"""Counter screen flows (pytest-qt, offscreen) with scripted engines; the same
screen on real models is in test_ui_real.py."""

import threading

import pytest

pytest.importorskip("PySide6")

from counter_app.app import build_window  # noqa: E402
from counter_app.config import Settings  # noqa: E402
from counter_app.errors import AudioDeviceError  # noqa: E402
from counter_app.pipeline.audio import MemorySink  # noqa: E402
from tests.fakes import GatedSource  # noqa: E402


def _bubbles(panel):
    return [b.text_label.text() for b in panel.history.bubbles()]


def test_voice_turn_lands_on_both_halves(make_window, qtbot):
    window = make_window("번호표 를 뽑아")
    window.resident.talk.begin()
    qtbot.waitUntil(lambda: bool(_bubbles(window.staff)), timeout=5000)
    assert _bubbles(window.resident) == ["번호표 를 뽑아"]  # speaker sees own words
    assert _bubbles(window.staff) == ["ja:번호표 를 뽑아"]  # listener sees translation
    note = window.resident.history.bubbles()[0].note_label.text()
    assert note == "↩ ko:JA:번호표 를 뽑아"  # back-translation for the speaker
    qtbot.waitUntil(lambda: window.staff.replay_button.isEnabled(), timeout=5000)
    assert window.sinks and window.sinks[0].chunks
    qtbot.waitUntil(lambda: not window.resident.talk.active, timeout=5000)
    assert window.stats.rows()[0][1:] == ("ko", "voice", 1)


def test_partials_show_while_listening(make_window, qtbot):
    held = GatedSource(limit=1000)
    window = make_window("one two three four", source_factory=lambda side: held)
    window.staff.talk.begin()
    qtbot.waitUntil(lambda: window.staff.partial.text() != "", timeout=5000)
    assert window.staff.talk.active
    window.staff.talk.finish()  # release: final and translation follow
    qtbot.waitUntil(lambda: bool(_bubbles(window.resident)), timeout=5000)
    assert window.staff.partial.text() == ""


def test_each_stage_shows_on_both_halves_in_their_languages(make_window, qtbot):
    """Never a blank wait: 聞いています… → 認識中… → 翻訳中… → 再生中…, and the
    resident reads the same stages in Korean."""
    held = GatedSource(limit=1000)
    window = make_window("one two three", source_factory=lambda side: held)
    seen = {"staff": [], "resident": []}
    for role, panel in window.panels.items():
        original = panel.show_stage

        def spy(stage, original=original, role=role, panel=panel):
            original(stage)
            if stage:
                seen[role].append(panel.stage.text())
        panel.show_stage = spy
    window.staff.talk.begin()
    qtbot.waitUntil(lambda: window.staff.stage.isVisible(), timeout=5000)
    assert window.staff.stage.text() == "◉ 聞いています…"
    assert window.resident.stage.text() == "◉ 듣는 중…"
    qtbot.waitUntil(lambda: window.staff.partial.text() != "", timeout=5000)
    window.staff.talk.finish()
    qtbot.waitUntil(lambda: bool(_bubbles(window.resident)), timeout=5000)
    qtbot.waitUntil(lambda: not window.staff.stage.isVisible(), timeout=5000)
    assert seen["staff"] == ["◉ 聞いています…", "⏳ 認識中…", "⏳ 翻訳中…", "🔊 再生中…"]
    assert seen["resident"] == ["◉ 듣는 중…", "⏳ 인식 중…", "⏳ 번역 중…", "🔊 재생 중…"]
    assert not window.resident.stage.isVisible() and window.staff.partial.text() == ""


def test_recognized_text_stays_while_translating(make_window, qtbot):
    window = make_window("kept words")
    shown = []
    window.staff.show_stage = lambda stage, show=window.staff.show_stage: (
        show(stage), shown.append((stage, window.staff.partial.text())))
    window.staff.text_box.setText("typed words")
    window.staff._send_text()
    qtbot.waitUntil(lambda: bool(_bubbles(window.resident)), timeout=5000)
    assert ("translating", "") in shown  # typed text has no partial; the stage still shows
    window.staff.talk.begin()
    qtbot.waitUntil(lambda: len(_bubbles(window.resident)) == 2, timeout=5000)
    assert ("translating", "kept words") in shown  # the final stays visible meanwhile


def test_edit_before_translate(make_window, qtbot):
    window = make_window("mistaken words", edit_before_translate=True)
    window.staff.talk.begin()
    qtbot.waitUntil(lambda: window.staff.edit_row.isVisible(), timeout=5000)
    assert window.staff.edit_box.text() == "mistaken words"
    window.staff.edit_box.setText("corrected words")
    window.staff._send_edit()
    qtbot.waitUntil(lambda: bool(_bubbles(window.resident)), timeout=5000)
    assert _bubbles(window.resident) == ["ko:CORRECTED WORDS"]


def test_typed_text_and_next_customer_clears_everything(make_window, qtbot):
    window = make_window()
    window.resident.text_box.setText("typed by resident")
    window.resident._send_text()
    qtbot.waitUntil(lambda: bool(_bubbles(window.staff)), timeout=5000)
    assert window.conversation.exchanges[0].mode == "text"
    window.next_customer()
    qtbot.waitUntil(lambda: not window.staff.history.bubbles(), timeout=2000)
    assert not window.resident.history.bubbles()
    assert window.conversation.exchanges == [] and window.last_speech == {}
    assert not window.staff.replay_button.isEnabled()


def test_rotation_toggle(make_window):
    window = make_window()
    window.rotate_button.setChecked(True)
    assert window.resident_host.transform().m11() == -1  # turned 180°
    window.rotate_button.setChecked(False)
    assert window.resident_host.transform().isIdentity()


def test_missing_models_are_explained_and_typing_still_works(make_window, qtbot, shots_dir):
    window = make_window(no_asr=("ja", "ko"))
    window.grab().save(str(shots_dir / "no-models.png"))
    assert window.banner.isVisible()  # names what is missing, and leads to the setup
    assert "日本語：音声認識がありません" in window.banner.text()
    assert "韓国語：音声認識がありません" in window.banner.text()
    assert window.banner.setup_button.height() >= 44
    with qtbot.waitSignal(window.setup_requested, timeout=1000):
        window.banner.setup_button.click()
    assert not window.staff.talk.isEnabled()
    window.staff.text_box.setText("still works")
    window.staff._send_text()
    qtbot.waitUntil(lambda: bool(_bubbles(window.resident)), timeout=5000)


def test_banner_names_what_is_missing_and_updates_live(make_window, monkeypatch):
    window = make_window()
    assert not window.banner.isVisible()  # everything works: no banner
    monkeypatch.setattr(window.session.store, "can_translate", lambda s, t: False)
    window.refresh_readiness()  # e.g. after a model was removed
    assert window.banner.isVisible()
    assert "韓国語：翻訳がありません" in window.banner.text()
    assert "モデルが入っていません" not in window.banner.text()  # some models exist
    monkeypatch.setattr(window.session.store, "can_translate", lambda s, t: True)
    window.refresh_readiness()  # after an import
    assert not window.banner.isVisible()


def test_microphone_missing_gives_message_and_app_keeps_working(make_window, qtbot):
    calls = []

    def no_mic(side):
        calls.append(side)
        if len(calls) == 1:
            raise AudioDeviceError("No usable microphone was found.")
        return GatedSource(5)

    window = make_window(source_factory=no_mic)
    window.staff.talk.begin()
    assert "No usable microphone" in window.staff.status.toolTip()
    assert "マイクまたはスピーカーが使えません" in window.staff.status.text()
    assert not window.staff.talk.active
    window.staff.talk.begin()  # device is back
    qtbot.waitUntil(lambda: bool(_bubbles(window.resident)), timeout=5000)
    assert window.staff.status.text() == ""


def test_device_lost_mid_turn_cancels_cleanly(make_window, qtbot):
    class Unplugged(GatedSource):
        def chunks(self):
            yield from list(super().chunks())[:2]
            raise AudioDeviceError("The microphone stopped delivering audio (unplugged?).")

    window = make_window(source_factory=lambda side: Unplugged(10))
    window.staff.talk.begin()
    qtbot.waitUntil(lambda: "unplugged" in window.staff.status.toolTip(), timeout=5000)
    assert "マイクまたはスピーカーが使えません" in window.staff.status.text()
    qtbot.waitUntil(lambda: not window.staff.talk.active, timeout=5000)
    assert not window.active and not _bubbles(window.resident)


def test_language_picker_marks_missing_languages(make_window, qtbot):
    from counter_app.ui.language_picker import LanguagePicker

    window = make_window(no_asr=("th",))
    picker = LanguagePicker(window.voice_ready, "ko", window)
    assert len(picker.buttons) == 29  # every language but the staff's own
    assert picker.buttons["th"].property("voice_ready") is False
    assert "ไทย" in picker.buttons["th"].text()
    picker.buttons["vi"].click()
    assert picker.chosen == "vi"
    window.set_resident_language("vi")
    assert window.resident.language_button.text() == "Tiếng Việt"


def test_phrase_shows_on_both_halves_and_is_spoken(make_window, qtbot):
    window = make_window()
    window.show_phrase("reception.take_ticket", "番号札をお取りください。",
                       "번호표를 뽑아 주세요.", "ko", reviewed=False)
    qtbot.waitUntil(lambda: bool(_bubbles(window.resident)), timeout=5000)
    assert _bubbles(window.staff) == ["番号札をお取りください。"]
    assert _bubbles(window.resident) == ["번호표를 뽑아 주세요."]
    resident_hint = window.resident.history.bubbles()[0].hint_label.text()
    staff_hint = window.staff.history.bubbles()[0].hint_label.text()
    # a phrasebook phrase whose translation nobody reviewed: no tick on either half
    assert resident_hint == "◐ 정형 문구 (번역 미확인)"
    assert staff_hint == "◐ 定型文（翻訳は未確認）"
    qtbot.waitUntil(lambda: window.resident.replay_button.isEnabled(), timeout=5000)
    assert window.conversation.exchanges[0].mode == "phrase"
    assert window.conversation.exchanges[0].verified


def test_hands_free_listens_again_after_each_utterance(make_window, qtbot):
    starts = []

    def source(side):
        starts.append(side)
        return GatedSource(limit=1000)

    window = make_window(source_factory=source)
    window.hands_free_button.setChecked(True)
    window.staff.talk.begin()
    gate = next(iter(window.active.values())).turn.request.audio
    assert type(gate).__name__ == "EndOfSpeechGate"  # ends the turn by itself on silence
    assert gate.source.started.wait(5)
    threading.Event().wait(0.05)  # a few chunks "heard"
    gate.stop()  # what the gate does when speech is followed by silence
    qtbot.waitUntil(lambda: bool(_bubbles(window.resident)) and len(starts) == 2, timeout=5000)
    assert window.staff.talk.active  # listening for the next utterance, no tap needed
    window.staff.talk.finish()
    next(iter(window.active.values())).turn.request.audio.stop()
    qtbot.waitUntil(lambda: not window.active, timeout=5000)
    assert len(starts) == 2 and not window.staff.talk.active


def test_idle_timeout_clears_the_customer(make_window, qtbot):
    window = make_window(idle_timeout_minutes=1)
    window.staff.text_box.setText("hello")
    window.staff._send_text()
    qtbot.waitUntil(lambda: bool(_bubbles(window.resident)), timeout=5000)
    qtbot.waitUntil(lambda: not window.active, timeout=5000)
    window._check_idle()
    assert window.conversation.exchanges  # not idle long enough yet
    window.conversation.last_activity -= 61
    window._check_idle()
    assert not window.conversation.exchanges and not window.resident.history.bubbles()


def test_licences_and_credits_are_shown(make_window):
    from PySide6.QtWidgets import QTextBrowser

    from counter_app.app import show_notices

    window = make_window()
    show_notices(window)
    text = window.notices_dialog.findChild(QTextBrowser).toPlainText()
    assert "Mei" in text and "CC BY 3.0" in text and "GPL-3.0" in text


def test_replay_plays_the_last_translation_again(make_window, qtbot):
    window = make_window("two sentences. here")
    window.staff.text_box.setText("two sentences. here")
    window.staff._send_text()
    qtbot.waitUntil(lambda: window.resident.replay_button.isEnabled(), timeout=5000)
    spoken = list(window.sinks[0].chunks)
    window.resident.replay_button.click()
    qtbot.waitUntil(lambda: len(window.sinks) == 2 and window.sinks[1].closed, timeout=5000)
    assert window.sinks[1].chunks == spoken and len(spoken) == 2


def test_level_meter_decays_and_then_sleeps(qtbot):
    from counter_app.ui.widgets import LevelMeter

    meter = LevelMeter()
    qtbot.addWidget(meter)
    assert not meter._decay.isActive()  # idle: no timer calls at all
    meter.set_level(0.2)
    assert meter.value() > 0 and meter._decay.isActive()
    qtbot.waitUntil(lambda: meter.value() == 0, timeout=5000)
    assert not meter._decay.isActive()


def test_machine_translation_is_marked_on_both_halves(make_window, qtbot):
    window = make_window("번호표 를 뽑아")
    window.resident.talk.begin()
    qtbot.waitUntil(lambda: bool(_bubbles(window.staff)), timeout=5000)
    own = window.resident.history.bubbles()[0].hint_label.text()
    other = window.staff.history.bubbles()[0].hint_label.text()
    assert own == "⚙ 기계 번역 (오류가 있을 수 있음)"  # the resident's language
    assert other == "⚙ 機械翻訳"  # staff read Japanese
    assert "✔" not in own + other


def test_resident_half_speaks_the_residents_language(make_window, qtbot):
    """No Japanese and no technical English on the resident's half."""
    from counter_app.errors import AudioDeviceError

    def broken_microphone(side):
        raise AudioDeviceError("No usable microphone was found (device -1).")

    window = make_window(source_factory=broken_microphone)
    assert window.resident.replay_button.text() == "🔊 다시 듣기"
    assert window.staff.replay_button.text() == "🔊 もう一度再生"
    assert window.resident.edit_box.placeholderText() == "확인하거나 고친 후 보내 주세요"
    window.resident.talk.begin()
    assert window.resident.status.text() == "마이크가 작동하지 않습니다. 직원에게 알려 주세요."
    assert window.staff.status.text().startswith("⚠ マイクが使えません")  # staff: Japanese
    assert "device -1" in window.staff.status.toolTip()  # details for an admin only
    assert "device" not in window.resident.status.text()
    window.set_resident_language("vi")
    assert window.resident.replay_button.text() == "🔊 Phát lại"


@pytest.mark.parametrize(("side", "reason"), [
    ("resident", "⚠ 번역하지 못했습니다. 직원에게 보여 주세요."),
    ("staff", "⚠ 翻訳できませんでした: "),
])
def test_typed_message_stays_when_translation_fails(make_window, qtbot, side, reason):
    from counter_app.errors import ModelNotFoundError

    window = make_window()

    def no_model(source, target):
        raise ModelNotFoundError("translation", f"{source}->{target}", "install it")

    window.session.factory.translator = no_model
    window.send_text(side, "주소를 써 주세요" if side == "resident" else "住所を書いてください")
    panel = getattr(window, side)
    qtbot.waitUntil(lambda: bool(panel.history.bubbles()), timeout=5000)
    bubble = panel.history.bubbles()[0]
    assert bubble.text_label.text() in ("주소를 써 주세요", "住所を書いてください")
    assert bubble.hint_label.text().startswith(reason)
    if side == "resident":  # plain words only; the details are the staff's
        assert "install" not in bubble.hint_label.text()
        assert "install" in window.staff.status.toolTip()
        assert window.staff.status.text() == (
            "⚠ 韓国語→日本語の翻訳モデルがありません。文字入力の内容はそのまま残っています。"
            "「⬇ モデルを入れる…」から入れてください。")


def test_picker_shows_the_whole_path_per_language(qtbot, tmp_path, monkeypatch, test_store_root):
    """Speak, read, hear per language, from the store alone (Vietnamese: no MT here)."""
    from counter_app.pipeline.factory import EngineFactory
    from counter_app.store import ModelStore
    from counter_app.ui.language_picker import LanguagePicker

    monkeypatch.setenv("COUNTER_APP_CONFIG", str(tmp_path / "settings.json"))
    settings = Settings()
    window = build_window(settings, EngineFactory(ModelStore(test_store_root)),
                          source_factory=lambda side: GatedSource(1), sink_factory=MemorySink)
    qtbot.addWidget(window)
    path = window.session.path
    assert path("ko").read and path("ko").hear  # ja<->ko through English; espeak-ng voice
    assert not path("vi").read  # no Vietnamese translation model in this store
    picker = LanguagePicker(window.voice_ready, "ko", window, path=path)
    assert "⇄✗" in picker.buttons["vi"].text() and "⇄✗" not in picker.buttons["ko"].text()


def test_qt_dialogs_speak_the_ui_language(qtbot):
    """File dialogs and standard buttons in the Japanese UI are in Japanese."""
    from PySide6.QtCore import QCoreApplication

    from counter_app.ui.i18n import set_language

    set_language("ja")
    assert QCoreApplication.translate("QFileDialog", "File &name:") == "ファイル名(&N):"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "キャンセル"
    set_language("en")
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
    set_language("ja")
