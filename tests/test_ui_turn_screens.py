"""What the counter looks like mid-turn and after a failed turn, at the two tablet
sizes, with the screenshots the issue asks for (docs/screenshots/)."""

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from counter_app.errors import ModelNotFoundError  # noqa: E402
from counter_app.marks import resident_text  # noqa: E402
from tests.fakes import GatedSource  # noqa: E402

SIZES = [(1280, 800), (1024, 768)]


def _at(window, qtbot, size):
    window.resize(*size)
    qtbot.waitUntil(lambda: window.width() == size[0] and window.height() == size[1],
                    timeout=2000)


def _inside(widget, window) -> bool:
    """The widget's whole rectangle is inside the window (not clipped off-screen)."""
    top_left = widget.mapTo(window, widget.rect().topLeft())
    return window.rect().contains(top_left) and window.rect().contains(
        top_left + widget.rect().bottomRight())


@pytest.mark.parametrize("size", SIZES)
def test_a_turn_in_progress_shows_its_stage_and_words_on_both_halves(
        make_window, qtbot, size, shots_dir):
    held = GatedSource(limit=1000)
    window = make_window("住民票 の 写し を ください", source_factory=lambda side: held)
    _at(window, qtbot, size)
    window.staff.talk.begin()
    qtbot.waitUntil(lambda: window.staff.partial.text() != "", timeout=5000)
    assert window.staff.stage.text() == "◉ 聞いています…"
    assert window.resident.stage.text() == "◉ 듣는 중…"
    for widget in (window.staff.partial, window.staff.stage, window.staff.talk):
        assert widget.isVisible() and _inside(widget, window)
    window.grab().save(str(shots_dir / f"turn-in-progress-{size[0]}x{size[1]}.png"))
    window.staff.talk.finish()
    qtbot.waitUntil(lambda: bool(window.resident.history.bubbles()), timeout=5000)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("language", "typed"), [("vi", "Tôi muốn đăng ký địa chỉ"),
                                                 ("ar", "أريد تسجيل عنواني")])
def test_a_failed_turn_speaks_the_residents_language(make_window, qtbot, size, language,
                                                     typed, shots_dir):
    """The typed message stays with a plain reason in the resident's language (right
    to left for Arabic); the technical reason goes to staff in Japanese."""
    window = make_window()
    window.set_resident_language(language)
    _at(window, qtbot, size)

    def no_model(source, target):
        raise ModelNotFoundError("translation", f"{source}->{target}", "install it")

    window.session.factory.translator = no_model
    window.resident.text_box.setText(typed)
    window.resident.send_button.click()
    qtbot.waitUntil(lambda: bool(window.resident.history.bubbles()), timeout=5000)
    bubble = window.resident.history.bubbles()[0]
    assert bubble.text_label.text() == typed
    assert bubble.hint_label.text() == "⚠ " + resident_text("not_translated", language)[0]
    names = {"vi": "ベトナム語→日本語", "ar": "アラビア語→日本語"}
    assert window.staff.status.text().startswith(f"⚠ {names[language]}の翻訳モデルがありません")
    assert "install" in window.staff.status.toolTip()  # the engine's words, for an admin
    assert "install" not in window.staff.status.text()
    for label in window.resident.findChildren(type(bubble.hint_label)):
        assert "install" not in label.text() and "翻訳" not in label.text()
    rtl = language == "ar"
    assert (window.resident.layoutDirection() == Qt.LayoutDirection.RightToLeft) == rtl
    assert (bubble.hint_label.layoutDirection() == Qt.LayoutDirection.RightToLeft) == rtl
    assert window.resident.replay_button.text() == "🔊 " + resident_text("replay", language)[0]
    qtbot.waitUntil(lambda: _inside(bubble, window.resident), timeout=2000)
    window.grab().save(str(shots_dir / f"failed-turn-{language}-{size[0]}x{size[1]}.png"))
