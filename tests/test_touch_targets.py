"""Every screen, walked widget by widget at 1280×800 and 1024×768: each visible, enabled thing a
finger must hit (buttons, check boxes and their boxes, radio buttons, text
fields, combo boxes and their drop-down rows, spin boxes) is at least 44 px high,
and buttons 44 px wide."""

from __future__ import annotations

from collections.abc import Callable

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QTabWidget,
    QWidget,
)

from counter_app.admin_pin import hash_pin  # noqa: E402
from counter_app.ui.style import TOUCH_PX  # noqa: E402

CONTROLS = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox)
SIZES = [(1280, 800), (1024, 768)]


def _describe(widget: QWidget, problem: str) -> str:
    text = widget.text() if isinstance(widget, (QAbstractButton, QLineEdit)) else ""
    text = text or (widget.currentText() if isinstance(widget, QComboBox) else "")
    text = text or (widget.placeholderText() if isinstance(widget, QLineEdit) else "")
    owner = widget.parentWidget()  # the nearest of the app's own widgets, to find the code
    while owner is not None and not type(owner).__module__.startswith("counter_app"):
        owner = owner.parentWidget()
    where = f"{type(owner).__module__}.{type(owner).__name__}" if owner is not None else "-"
    return (f"{type(widget).__name__}#{widget.objectName()} {text!r} in {where}: "
            f"{problem}")


def _indicator(box: QCheckBox | QRadioButton):
    option = QStyleOptionButton()
    box.initStyleOption(option)
    element = (QStyle.SubElement.SE_CheckBoxIndicator if isinstance(box, QCheckBox)
               else QStyle.SubElement.SE_RadioButtonIndicator)
    return box.style().subElementRect(element, option, box)


def controls(*roots: QWidget) -> list[QWidget]:
    """The visible, enabled controls under `roots`."""
    return [w for root in roots for w in [root, *root.findChildren(QWidget)]
            if isinstance(w, CONTROLS) and w.isVisible() and w.isEnabled()]


def small_targets(*roots: QWidget) -> list[str]:
    """Every visible, enabled control under `roots` smaller than a fingertip."""
    found: list[str] = []
    seen: set[int] = set()
    for root in roots:
        for widget in [root, *root.findChildren(QWidget)]:
            if id(widget) in seen or not isinstance(widget, CONTROLS):
                continue
            seen.add(id(widget))
            if not widget.isVisible() or not widget.isEnabled():
                continue
            if isinstance(widget, QLineEdit) and isinstance(widget.parentWidget(),
                                                            QAbstractSpinBox | QComboBox):
                continue  # the text part of a spin or combo box, which is checked itself
            size = widget.size()
            if size.height() < TOUCH_PX or (isinstance(widget, QAbstractButton)
                                            and size.width() < TOUCH_PX):
                found.append(_describe(widget, f"{size.width()}×{size.height()} px"))
            if isinstance(widget, QComboBox) and widget.count():
                row = widget.view().sizeHintForRow(0)  # the rows of its drop-down list
                if row < TOUCH_PX:
                    found.append(_describe(widget, f"drop-down rows {row} px"))
            if isinstance(widget, QCheckBox | QRadioButton):
                box = _indicator(widget)
                if box.height() < TOUCH_PX or box.width() < TOUCH_PX:
                    found.append(_describe(widget, f"indicator {box.width()}×{box.height()} px"))
    return found


def _show(qtbot, widget: QWidget, size: tuple[int, int] | None = None) -> QWidget:
    """Show a screen: windows at the screen size, dialogs at their own size."""
    qtbot.addWidget(widget)
    if not isinstance(widget, QDialog):
        widget.resize(*(size or widget.window().size().toTuple()))
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.wait(30)  # layouts settle
    return widget


# --- the screens -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def library(tmp_path_factory):
    from counter_app.phrasebook.library import Library

    return Library(tmp_path_factory.mktemp("library"))


@pytest.fixture(params=SIZES, ids=lambda size: "{}x{}".format(*size))
def window(request, make_window):
    window = make_window()
    window.resize(*request.param)
    return window


def screen_counter(qtbot, window, library, tmp_path) -> list[QWidget]:
    return [window, window.resident]  # the resident half lives in a graphics scene


def screen_language_suggestion(qtbot, window, library, tmp_path) -> list[QWidget]:
    detection = window.language_detection
    detection.suggest([("vi", 0.6), ("th", 0.25), ("km", 0.1)], "speech")
    qtbot.waitUntil(detection.resident_bar.isVisible, timeout=2000)
    return [detection.resident_bar, detection.staff_bar]


def screen_phrase_panel(qtbot, window, library, tmp_path) -> list[QWidget]:
    from counter_app.ui.phrases import attach_phrase_panel

    attach_phrase_panel(window, library)
    qtbot.waitUntil(window.phrase_button.isVisible, timeout=2000)
    window.phrase_button.click()
    qtbot.waitUntil(window.phrase_drawer.isVisible, timeout=2000)
    qtbot.wait(50)
    return [window.phrase_drawer]


def screen_settings(qtbot, window, library, tmp_path) -> list[QWidget]:
    from counter_app.ui.settings_dialog import SettingsDialog

    actions = [("モデル管理", lambda: None), ("定型文・用語辞書の管理", lambda: None),
               ("ライセンスと謝辞", lambda: None)]
    return [_show(qtbot, SettingsDialog(window.settings, window, actions))]


def screen_model_manager(qtbot, window, library, tmp_path) -> list[QWidget]:
    from counter_app.config import CatalogSettings
    from counter_app.store import ModelStore
    from counter_app.ui.models import ModelManagerDialog

    window.settings.catalogs = CatalogSettings(vosk="", argos="", piper="", ct2="off")
    dialog = ModelManagerDialog(ModelStore(tmp_path / "store"), window.settings, window)
    _show(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    return [dialog]


def screen_phrase_admin(qtbot, window, library, tmp_path) -> list[QWidget]:
    from counter_app.ui.phrase_admin import PhraseAdminDialog

    return [_show(qtbot, PhraseAdminDialog(library, window))]


def screen_captions(qtbot, window, library, tmp_path) -> list[QWidget]:
    from counter_app.app import build_caption_window
    from tests.fakes import GatedSource

    captions = build_caption_window(window.session,
                                    speakers={"職員": ("ja", lambda: GatedSource(5))})
    return [_show(qtbot, captions, window.size().toTuple())]


def screen_language_picker(qtbot, window, library, tmp_path) -> list[QWidget]:
    return [_show(qtbot, window._language_picker("ko", asking_next=False))]


def screen_first_start(qtbot, window, library, tmp_path) -> list[QWidget]:
    from counter_app.config import CatalogSettings
    from counter_app.store import ModelStore
    from counter_app.ui.first_start import FirstStartDialog

    window.settings.catalogs = CatalogSettings(vosk="", argos="", piper="", ct2="off")
    store = ModelStore(tmp_path / "store", include_packages=False)
    return [_show(qtbot, FirstStartDialog(store, window.settings, window))]


def screen_pin_pad(qtbot, window, library, tmp_path) -> list[QWidget]:
    from counter_app.ui.admin_pin import PinPad

    return [_show(qtbot, PinPad(window, stored=hash_pin("2580")))]


SCREENS: dict[str, Callable[..., list[QWidget]]] = {
    "counter": screen_counter,
    "language-suggestion": screen_language_suggestion,
    "phrase-panel": screen_phrase_panel,
    "settings": screen_settings,
    "model-manager": screen_model_manager,
    "phrase-admin": screen_phrase_admin,
    "captions": screen_captions,
    "language-picker": screen_language_picker,
    "first-start": screen_first_start,
    "pin-pad": screen_pin_pad,
}


def _pages(qtbot, roots: list[QWidget]):
    """Each root as it is, then every other tab of its tab widgets and every page of
    the first-start flow that needs no download (choice, languages, import)."""
    from counter_app.ui.first_start import CHOICE, IMPORT, LANGUAGES, FirstStartDialog

    yield None
    for root in roots:
        for tabs in root.findChildren(QTabWidget):
            for index in range(1, tabs.count()):
                tabs.setCurrentIndex(index)
                qtbot.wait(20)
                yield f"tab {tabs.tabText(index)}"
        if isinstance(root, FirstStartDialog):
            for page in (CHOICE, LANGUAGES, IMPORT):
                root.go(page)
                qtbot.wait(20)
                yield f"page {page}"


def test_a_small_control_is_found(qtbot):
    from PySide6.QtWidgets import QPushButton, QVBoxLayout

    host = QWidget()
    column = QVBoxLayout(host)
    tiny, hidden, disabled = QPushButton("×"), QPushButton("h"), QPushButton("d")
    for button in (tiny, hidden, disabled):
        button.setFixedSize(12, 12)
        column.addWidget(button)
    column.addWidget(QCheckBox("small box"))
    hidden.hide()
    disabled.setEnabled(False)
    _show(qtbot, host, (300, 200))
    found = small_targets(host)
    assert len(found) == 3, found  # the tiny button; the check box without a style sheet
    assert found[0].startswith("QPushButton# '×'") and "12×12 px" in found[0]
    assert "indicator 14×14" in found[2]


@pytest.mark.parametrize("screen", SCREENS)
def test_every_control_is_a_touch_target(qtbot, window, library, tmp_path, screen):
    roots = SCREENS[screen](qtbot, window, library, tmp_path)
    qtbot.wait(50)  # the window's layout at its size
    problems = []
    for page in _pages(qtbot, roots):
        assert len(controls(*roots)) >= 3  # the screen is really there
        problems += [f"{page}: {p}" if page else p for p in small_targets(*roots)]
    assert sorted(set(problems)) == [], "\n".join(sorted(set(problems)))
