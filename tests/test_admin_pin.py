"""The admin PIN: stored as a salted hash, checked on a touch pad before the
settings open, wrong tries slowed down, a damaged record failing closed."""

from __future__ import annotations

import json

import pytest

from counter_app import admin_pin, config
from counter_app.admin_pin import AttemptLimiter, hash_pin, is_broken, verify_pin


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_record_is_a_salted_hash_never_the_pin():
    first, second = hash_pin("2580"), hash_pin("2580")
    assert first != second  # a fresh salt each time
    assert "2580" not in first and first.startswith("pbkdf2_sha256$")
    assert verify_pin("2580", first) and verify_pin("2580", second)
    assert not verify_pin("2581", first) and not verify_pin("", first)
    assert not is_broken(first) and not is_broken(None)


@pytest.mark.parametrize("pin", ["123", "123456789", "12a4", "１２３４", ""])
def test_a_pin_is_four_to_eight_ascii_digits(pin):
    with pytest.raises(ValueError):
        hash_pin(pin)


@pytest.mark.parametrize("record", ["broken", "", "pbkdf2_sha256$10$00$00", "md5$1$2$3",
                                    "pbkdf2_sha256$120000$zz$" + "0" * 64])
def test_a_damaged_record_matches_no_pin(record):
    assert is_broken(record)
    assert not verify_pin("1234", record)
    with pytest.raises(ValueError):
        admin_pin.check_stored(record)


def test_limiter_makes_wrong_tries_wait_and_a_right_one_resets():
    clock = FakeClock()
    limiter = AttemptLimiter(free_tries=3, wait_seconds=30, clock=clock)
    for _ in range(2):
        limiter.record_failure()
    assert limiter.wait_remaining() == 0
    limiter.record_failure()
    assert limiter.wait_remaining() == 30
    clock.now += 31
    assert limiter.wait_remaining() == 0
    limiter.record_failure()  # still failing: every further try waits again
    assert limiter.wait_remaining() == 30
    limiter.record_success()
    assert limiter.wait_remaining() == 0 and limiter.failures == 0


# --- settings file ---------------------------------------------------------------------

def test_pin_round_trips_through_the_settings_file_as_a_hash(tmp_path):
    path = tmp_path / "settings.json"
    settings = config.Settings()
    settings.admin_pin = hash_pin("4711")
    config.save(settings, path)
    assert "4711" not in path.read_text()
    assert verify_pin("4711", config.load(path).admin_pin)
    assert config.load(tmp_path / "none.json").admin_pin is None  # default: no PIN


@pytest.mark.parametrize("damaged", ["not-a-hash", 1234, ["x"], {"pin": "1234"}])
def test_a_damaged_pin_keeps_the_settings_locked(tmp_path, damaged):
    """Fail closed: a damaged PIN never silently becomes 'no PIN'."""
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"admin_pin": damaged, "ui_language": "en"}))
    report = config.load_report(path)
    assert report.settings.admin_pin == admin_pin.BROKEN
    assert report.settings.ui_language == "en"
    assert report.problems == []  # the file is left as it is, for the admin to repair
    assert json.loads(path.read_text())["admin_pin"] == damaged


def test_a_damaged_pin_stays_locked_when_other_fields_are_repaired(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"admin_pin": "x", "conversation": {"font_scale": "big"}}))
    [problem] = config.load_report(path).problems
    assert problem.fields == ("conversation.font_scale",)
    assert config.load(path).admin_pin == admin_pin.BROKEN  # the repaired file is still locked


def test_null_pin_means_no_pin(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"admin_pin": None}))
    assert config.load(path).admin_pin is None


# --- the pad ---------------------------------------------------------------------------

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from counter_app.ui.admin_pin import PinPad, admin_allowed  # noqa: E402
from counter_app.ui.i18n import set_language  # noqa: E402
from counter_app.ui.settings_dialog import SettingsDialog  # noqa: E402

RECORD = hash_pin("2580")


def type_pin(qtbot, pad: PinPad, pin: str) -> None:
    for digit in pin:
        qtbot.mouseClick(pad.digit_buttons[digit], Qt.MouseButton.LeftButton)


@pytest.fixture()
def pad(qtbot):
    def make(stored=RECORD, limiter=None) -> PinPad:
        pad = PinPad(stored=stored, limiter=limiter or AttemptLimiter(clock=FakeClock()))
        qtbot.addWidget(pad)
        pad.show()
        return pad
    return make


def test_right_pin_by_touch_opens(qtbot, pad):
    dialog = pad()
    type_pin(qtbot, dialog, "258")
    assert dialog.display.text() == "258"
    assert dialog.display.echoMode() == dialog.display.EchoMode.Password  # masked
    qtbot.mouseClick(dialog.backspace_button, Qt.MouseButton.LeftButton)
    type_pin(qtbot, dialog, "80")
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == PinPad.DialogCode.Accepted


def test_keys_are_large_touch_targets(pad):
    dialog = pad()
    for button in [*dialog.digit_buttons.values(), dialog.backspace_button,
                   dialog.clear_button, dialog.submit_button, dialog.cancel_button]:
        assert button.height() >= 44 and button.width() >= 44, button.text()
    assert min(b.height() for b in dialog.digit_buttons.values()) >= 64


def test_wrong_pin_says_so_and_nothing_opens(qtbot, pad, shots_dir):
    dialog = pad()
    type_pin(qtbot, dialog, "1111")
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() != PinPad.DialogCode.Accepted
    assert dialog.message.text() == "PINが違います。もう一度入力してください。"
    assert dialog.display.text() == ""
    type_pin(qtbot, dialog, "25")
    dialog.grab().save(str(shots_dir / "pin-pad.png"))


def test_wrong_pin_message_in_english(qtbot, pad):
    set_language("en")
    try:
        dialog = pad()
        type_pin(qtbot, dialog, "1111")
        dialog.submit()
        assert dialog.message.text() == "Wrong PIN. Please try again."
        assert dialog.submit_button.text() == "OK"
    finally:
        set_language("ja")


def test_repeated_wrong_tries_wait_then_the_pad_comes_back(qtbot, pad):
    clock = FakeClock()
    dialog = pad(limiter=AttemptLimiter(free_tries=3, wait_seconds=30, clock=clock))
    for _ in range(3):
        type_pin(qtbot, dialog, "0000")
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == "間違いが続いたため、30秒お待ちください。"
    assert not dialog.submit_button.isEnabled() and not dialog.digit_buttons["2"].isEnabled()
    dialog.press("2")  # even the right PIN is not checked during the wait
    dialog.submit()
    assert dialog.result() != PinPad.DialogCode.Accepted
    clock.now += 31
    qtbot.waitUntil(dialog.submit_button.isEnabled, timeout=3000)
    assert dialog.message.text() == "設定を開くには管理者PINを入力してください。"
    type_pin(qtbot, dialog, "2580")
    qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == PinPad.DialogCode.Accepted


def test_a_damaged_record_locks_with_a_repair_hint(qtbot, pad, tmp_path, monkeypatch):
    monkeypatch.setenv(config.ENV_CONFIG, str(tmp_path / "settings.json"))
    dialog = pad(stored=admin_pin.BROKEN)
    assert "壊れている" in dialog.message.text() and str(tmp_path) in dialog.message.text()
    assert '"admin_pin"' in dialog.message.text()
    assert not dialog.submit_button.isEnabled() and not dialog.digit_buttons["0"].isEnabled()
    assert dialog.cancel_button.isEnabled()


def test_choosing_a_new_pin_asks_twice(qtbot, pad):
    dialog = pad(stored=None)
    type_pin(qtbot, dialog, "12")
    dialog.submit()
    assert dialog.message.text() == "PINは4〜8桁の数字です。"
    type_pin(qtbot, dialog, "1234")
    dialog.submit()
    assert dialog.message.text().startswith("確認のため")
    type_pin(qtbot, dialog, "1235")
    dialog.submit()
    assert dialog.message.text().startswith("2回の入力が違いました")
    for _ in range(2):
        type_pin(qtbot, dialog, "9876")
        dialog.submit()
    assert dialog.result() == PinPad.DialogCode.Accepted
    assert verify_pin("9876", dialog.new_record)


def test_hardware_keyboard_digits_and_enter(qtbot, pad):
    dialog = pad()
    qtbot.keyClicks(dialog, "2580")
    assert dialog.display.text() == "2580"
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.result() == PinPad.DialogCode.Accepted


# --- the counter window: the ⚙ button asks first ------------------------------------

@pytest.fixture()
def window(qtbot, tmp_path, monkeypatch):
    from counter_app.app import build_window
    from counter_app.pipeline.audio import MemorySink
    from counter_app.stats import UsageStats
    from tests.fakes import FakeFactory, GatedSource, add_choices

    monkeypatch.setenv(config.ENV_CONFIG, str(tmp_path / "settings.json"))
    settings = config.Settings()
    settings.admin_pin = RECORD
    window = build_window(settings, add_choices(FakeFactory("hello")),
                          source_factory=lambda side: GatedSource(5),
                          sink_factory=MemorySink, stats=UsageStats(tmp_path / "usage.json"))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


def _answer_modals(pin: str, seen: list[str]) -> None:
    """Runs inside the modal loops: types `pin` into the pad; closes the settings."""
    def step() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, PinPad) and "pad" not in seen:
            seen.append("pad")
            for digit in pin:
                modal.digit_buttons[digit].click()
            modal.submit_button.click()
            if modal.isVisible():  # wrong PIN: the pad stays; give up
                seen.append("refused:" + modal.message.text())
                modal.cancel_button.click()
                return
        elif isinstance(modal, SettingsDialog):
            seen.append("settings")
            modal.reject()
            return
        QTimer.singleShot(20, step)
    QTimer.singleShot(20, step)


def test_settings_button_asks_for_the_pin_and_a_wrong_one_opens_nothing(window, monkeypatch):
    import counter_app.ui.admin_pin as ui_pin

    monkeypatch.setattr(ui_pin, "_shared_limiter", AttemptLimiter(clock=FakeClock()))
    seen: list[str] = []
    _answer_modals("1111", seen)
    window.settings_button.click()
    assert seen == ["pad", "refused:PINが違います。もう一度入力してください。"]

    seen.clear()
    _answer_modals("2580", seen)
    window.settings_button.click()
    assert seen == ["pad", "settings"]


def test_no_pin_opens_the_settings_directly(window):
    window.settings.admin_pin = None
    assert admin_allowed(window)
