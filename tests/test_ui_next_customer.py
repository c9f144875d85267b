"""次のお客様 asks the next resident's language instead of keeping the last one's."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QScrollArea  # noqa: E402


def _next(window, qtbot):
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    picker = window.next_language_picker
    qtbot.waitUntil(picker.isVisible, timeout=2000)
    return picker


def test_next_customer_asks_the_language_and_nothing_is_preselected(make_window, qtbot):
    window = make_window()
    assert window.resident.language.code == "ko"
    picker = _next(window, qtbot)
    assert not any(button.isChecked() for button in picker.buttons.values())
    picker.buttons["vi"].click()
    assert not picker.isVisible()
    assert window.resident.language.code == "vi"
    assert window.settings.conversation.resident_language == "vi"
    assert window.resident.language_button.text() == "Tiếng Việt"


def test_closing_the_picker_keeps_the_previous_language(make_window, qtbot):
    window = make_window()
    picker = _next(window, qtbot)
    picker.reject()
    assert window.resident.language.code == "ko"


def test_an_idle_clear_opens_no_picker(make_window):
    window = make_window()
    window.next_customer(ask_language=False)  # what the idle timer does
    assert window.next_language_picker is None


def test_detection_is_offered_when_the_model_exists(make_window, qtbot, monkeypatch):
    window = make_window()
    detection = window.language_detection
    if detection.unavailable_reason is None:  # a Whisper model is installed here
        pytest.skip("needs the state without a multilingual model first")
    picker = _next(window, qtbot)
    assert picker.detect_button.isHidden()  # no model: not offered
    picker.reject()
    listened = []
    monkeypatch.setattr(detection, "unavailable_reason", None)
    monkeypatch.setattr(detection, "listen", lambda: listened.append(True))
    picker = _next(window, qtbot)
    assert picker.detect_button.height() >= 44
    picker.detect_button.click()
    assert listened == [True] and not picker.isVisible()


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_the_picker_fits_the_window_without_sideways_scrolling(make_window, qtbot, size,
                                                               shots_dir):
    window = make_window()
    window.resize(*size)
    qtbot.waitUntil(lambda: window.width() == size[0], timeout=2000)
    picker = _next(window, qtbot)
    assert picker.width() <= size[0] and picker.height() <= size[1]
    area = picker.findChild(QScrollArea)
    qtbot.waitUntil(lambda: area.widget().width() > 0, timeout=2000)
    assert area.horizontalScrollBar().maximum() == 0
    picker.grab().save(str(shots_dir / f"next-customer-picker-{size[0]}x{size[1]}.png"))


def test_one_picker_is_reused_and_refreshed(make_window, qtbot, monkeypatch):
    """Each customer gets the same picker, repainted: no pile of hidden dialogs, and
    a language whose models arrived meanwhile shows its new path."""
    window = make_window()
    first = _next(window, qtbot)
    first.buttons["vi"].click()
    assert window.resident.language.code == "vi"
    monkeypatch.setattr(window.session.store, "can_translate", lambda s, t: t != "th")
    again = _next(window, qtbot)
    assert again is first and again.chosen is None
    assert not any(button.isChecked() for button in again.buttons.values())
    assert "⇄✗" in again.buttons["th"].text() and "⇄✗" not in again.buttons["vi"].text()
    again.reject()
    assert window.resident.language.code == "vi"
