"""The settings dialog: Japanese standard buttons, touch-sized check boxes, the
text size with a live preview that reaches the conversation on OK, the display
language note, and setting or removing the admin PIN."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtGui import QFontInfo  # noqa: E402
from PySide6.QtWidgets import QApplication, QCheckBox, QDialogButtonBox  # noqa: E402

from counter_app import config  # noqa: E402
from counter_app.admin_pin import hash_pin, verify_pin  # noqa: E402
from counter_app.ui.admin_pin import PinPad  # noqa: E402
from counter_app.ui.i18n import set_language  # noqa: E402
from counter_app.ui.settings_dialog import SettingsDialog  # noqa: E402
from counter_app.ui.style import bubble_px  # noqa: E402


def px(label) -> int:
    return QFontInfo(label.font()).pixelSize()


@pytest.fixture()
def window(qtbot, tmp_path, monkeypatch):
    from counter_app.app import build_window
    from counter_app.pipeline.audio import MemorySink
    from counter_app.stats import UsageStats
    from tests.fakes import FakeFactory, GatedSource, add_choices

    monkeypatch.setenv(config.ENV_CONFIG, str(tmp_path / "settings.json"))
    settings = config.Settings()
    settings.conversation.resident_language = "ko"
    window = build_window(settings, add_choices(FakeFactory("hello")),
                          source_factory=lambda side: GatedSource(5),
                          sink_factory=MemorySink, stats=UsageStats(tmp_path / "usage.json"))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


@pytest.fixture()
def dialog(qtbot):
    set_language("ja")  # as the app does at start (Qt's own texts follow)

    def make(settings: config.Settings | None = None) -> SettingsDialog:
        dialog = SettingsDialog(settings or config.Settings())
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog
    return make


def run_modal(action, then) -> None:
    """Call `then(modal)` on the next modal dialog `action` opens."""
    def step() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(20, step)
        else:
            then(modal)
    QTimer.singleShot(20, step)
    action()


def test_ok_and_cancel_are_in_the_ui_language(dialog):
    texts = [b.text() for b in dialog().buttons.buttons()]
    assert sorted(texts) == ["OK", "キャンセル"]
    set_language("en")
    try:
        assert sorted(b.text() for b in dialog().buttons.buttons()) == ["Cancel", "OK"]
    finally:
        set_language("ja")


def test_ok_and_cancel_in_japanese_from_the_counter_window(window):
    seen: list[str] = []

    def read_and_close(modal) -> None:
        seen.extend(b.text() for b in modal.buttons.buttons())
        modal.reject()

    run_modal(window.settings_button.click, read_and_close)
    assert sorted(seen) == ["OK", "キャンセル"]


def test_the_dialog_fits_a_1024x768_screen_at_the_largest_text_size(dialog):
    settings = config.Settings()
    settings.conversation.font_scale = 3.0
    needs = dialog(settings).minimumSizeHint()
    assert needs.width() <= 1000 and needs.height() <= 700  # each tab scrolls


def test_check_boxes_and_steppers_are_touch_sized(dialog):
    settings_dialog = dialog()
    boxes = settings_dialog.findChildren(QCheckBox)
    assert len(boxes) == 4
    for box in boxes:
        assert box.height() >= 44
        indicator = box.style().subElementRect(
            box.style().SubElement.SE_CheckBoxIndicator, _option(box), box)
        assert indicator.height() >= 44 and indicator.width() >= 44
    for stepper_button in (settings_dialog.font_scale.parent().up,
                           settings_dialog.font_scale.parent().down):
        assert stepper_button.height() >= 44 and stepper_button.width() >= 44


def _option(box: QCheckBox):
    from PySide6.QtWidgets import QStyleOptionButton

    option = QStyleOptionButton()
    box.initStyleOption(option)
    return option


def test_a_checkbox_toggles_by_tapping_its_label(qtbot, dialog):
    from PySide6.QtCore import QPoint, Qt

    settings_dialog = dialog()
    box = settings_dialog.phrase_mode
    assert not box.isChecked()
    text_x = box.style().subElementRect(box.style().SubElement.SE_CheckBoxIndicator,
                                        _option(box), box).right() + 60  # on the words
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(text_x, box.height() // 2))
    assert box.isChecked()


def test_bubble_text_renders_at_its_size_and_the_other_side_larger(qtbot, window):
    own = window.staff.add_own("受付番号をお取りください", None, [])
    other = window.staff.add_other("I need a certificate", [])
    resident_other = window.resident.add_other("번호표를 뽑아 주세요", [])
    qtbot.waitUntil(resident_other.isVisible, timeout=2000)  # laid out and styled
    assert px(own.text_label) == bubble_px(1.0, own=True) > 18  # not the body text size
    assert px(other.text_label) == px(resident_other.text_label) == bubble_px(1.0, own=False)
    assert px(other.text_label) / px(own.text_label) == pytest.approx(1.25, abs=0.03)


def test_text_size_preview_follows_the_stepper(qtbot, dialog):
    settings_dialog = dialog()
    settings_dialog.tabs.setCurrentIndex(1)
    preview = settings_dialog.preview
    assert px(preview.own.text_label) == bubble_px(1.0)
    height_before = preview.own.text_label.height()
    qtbot.mouseClick(settings_dialog.font_scale.parent().up, _left())
    qtbot.mouseClick(settings_dialog.font_scale.parent().up, _left())
    assert settings_dialog.font_scale.value() == 120
    assert px(preview.own.text_label) == bubble_px(1.2)
    assert px(preview.other.text_label) == bubble_px(1.2, own=False)
    label = preview.other.text_label  # the bubbles grow with their text: nothing is cut off
    assert preview.own.text_label.height() > height_before
    assert label.height() >= label.heightForWidth(label.width())
    assert settings_dialog.apply().conversation.font_scale == 1.2


def _left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_text_size_reaches_the_conversation_on_ok(qtbot, window, shots_dir):
    before = window.staff.add_own("こんにちは", None, [])
    other = window.resident.add_other("안녕하세요", [])
    qtbot.waitUntil(other.isVisible, timeout=2000)

    def choose_larger(modal) -> None:
        assert isinstance(modal, SettingsDialog)
        modal.tabs.setCurrentIndex(1)
        modal.font_scale.setValue(150)
        assert px(modal.preview.own.text_label) == bubble_px(1.5)
        modal.resize(880, 700)
        modal.grab().save(str(shots_dir / "settings.png"))
        modal.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    run_modal(window.settings_button.click, choose_larger)
    assert window.settings.conversation.font_scale == 1.5
    assert config.load().conversation.font_scale == 1.5  # saved
    assert px(before.text_label) == bubble_px(1.5)  # bubbles already shown resize too
    assert px(other.text_label) == bubble_px(1.5, own=False)
    after = window.staff.add_own("次の文", None, [])
    qtbot.waitUntil(after.isVisible, timeout=2000)
    assert px(after.text_label) == bubble_px(1.5)


def test_display_language_note_says_restart_in_both_languages(dialog):
    for language in ("ja", "en"):
        set_language(language)
        try:
            note = dialog().restart_note
            assert "再起動後" in note.text() and "after the app restarts" in note.text()
            assert note.isVisible() is False or note.text()
        finally:
            set_language("ja")


def test_language_choice_is_saved_and_the_screen_keeps_its_language(window):
    from counter_app.ui.i18n import current_language

    def choose_english(modal) -> None:
        modal.ui_language.setCurrentIndex(modal.ui_language.findData("en"))
        modal.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    run_modal(window.settings_button.click, choose_english)
    assert config.load().ui_language == "en"
    assert current_language() == "ja"  # applies after the restart, as the note says


def test_set_and_remove_the_pin_from_the_dialog(qtbot, dialog):
    settings = config.Settings()
    settings_dialog = dialog(settings)
    assert settings_dialog.pin_status.text().startswith("なし")
    assert not settings_dialog.pin_remove_button.isEnabled()

    def enter_twice(pad) -> None:
        assert isinstance(pad, PinPad)
        for _ in range(2):
            for digit in "13579":
                pad.digit_buttons[digit].click()
            pad.submit_button.click()

    run_modal(settings_dialog.pin_set_button.click, enter_twice)
    assert settings_dialog.pin_status.text() == "新しいPINは「OK」で保存されます。"
    assert settings.admin_pin is None  # not before OK
    assert verify_pin("13579", settings_dialog.apply().admin_pin)

    settings_dialog = dialog(settings)
    assert settings_dialog.pin_set_button.text() == "PINを変更…"
    qtbot.mouseClick(settings_dialog.pin_remove_button, _left())
    assert settings_dialog.apply().admin_pin is None


def test_cancelled_pin_choice_keeps_the_old_pin(dialog):
    settings = config.Settings()
    settings.admin_pin = old = hash_pin("2468")
    settings_dialog = dialog(settings)
    run_modal(settings_dialog.pin_set_button.click, lambda pad: pad.cancel_button.click())
    assert settings_dialog.apply().admin_pin == old


def test_city_report_fields_are_checked_and_saved(qtbot, dialog, tmp_path, monkeypatch):
    """Ward and upload address: a value the settings file would refuse keeps the
    dialog open with the reason on its tab; good values are saved and reload."""
    monkeypatch.setenv(config.ENV_CONFIG, str(tmp_path / "settings.json"))
    box = dialog()
    city = box.city
    city.ward.setText("新宿 1")  # a space and kanji: not an id the file accepts
    box.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert box.isVisible() and box.tabs.currentWidget().widget() is city
    assert city.message.text().startswith("区・窓口の ID に使えるのは")
    city.ward.setText("shinjuku-1")
    city.url.setText("ftp://hall/counts")
    box.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert box.isVisible() and "http://" in city.message.text()
    city.url.setText("http://hall.example/counts/")
    city.user.setText("ward1")
    assert "暗号化されません" in city.message.text()  # plain http with a password
    city.password_file.setText("/etc/counter-app/report-password")
    box.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert not box.isVisible()
    config.save(box.apply())
    reports = config.load().reports
    assert (reports.ward, reports.url, reports.user, reports.password_file) == (
        "shinjuku-1", "http://hall.example/counts/", "ward1", "/etc/counter-app/report-password")
    for field in (city.ward, city.url, city.user, city.password_file):
        assert field.height() >= 44


def test_the_office_mirror_tab_and_an_applied_set_reload_the_settings(qtbot, window):
    """Settings → 市の配信: the enrolment panel is a tab; when a sync applies an
    office set, the dialog closes without saving over it and the counter takes the
    new settings in place."""
    from counter_app.app import open_settings
    from counter_app.fleet.sync import SyncResult
    from counter_app.ui.fleet_sync import FleetPanel

    conv = window.settings.conversation
    fresh = config.Settings()
    fresh.conversation.resident_language = "ko"
    fresh.conversation.idle_timeout_minutes = 7  # what the office set says
    fresh.conversation.speak_translations = not conv.speak_translations
    config.save(fresh)
    seen = {}

    def inside(modal) -> None:
        titles = [modal.tabs.tabText(i) for i in range(modal.tabs.count())]
        seen["titles"] = titles
        panel = modal.tabs.widget(titles.index("市の配信")).widget()
        assert isinstance(panel, FleetPanel)
        assert panel.enroll_button.height() >= 44 and not panel.sync_button.isEnabled()
        panel.applied.emit(SyncResult("ok", "Office set 3 applied.", changes=["settings"],
                                      serial=3))

    run_modal(lambda: open_settings(window), inside)
    assert "市の配信" in seen["titles"]
    assert window.settings.conversation is conv  # the same object, updated in place
    assert conv.idle_timeout_minutes == 7 and conv.speak_translations == fresh.conversation.\
        speak_translations
    assert config.load().conversation.idle_timeout_minutes == 7  # not saved over
    assert window.staff.status.text() == "✔ 市の配信（第 3 版）を取り込みました。"
