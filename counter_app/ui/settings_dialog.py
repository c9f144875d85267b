"""Settings that counter staff may change; saved to the one settings file.

Every control is a touch target of 44 px or more; the text size shows a live
preview; a display-language change applies after a restart, and says so in
both languages.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QScroller,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.config import Settings
from counter_app.errors import CounterAppError
from counter_app.ui.admin_pin import choose_new_pin
from counter_app.ui.i18n import add_strings, tr
from counter_app.ui.settings_city import CityPage
from counter_app.ui.style import TOUCH_PX, stylesheet
from counter_app.ui.widgets import Bubble

add_strings({
    "settings_admin": ("管理", "Administration"),
    "settings_counter": ("窓口", "Counter"),
    "settings_display": ("表示", "Display"),
    "preview_own": ("こんにちは。ご用件をお伺いします。", "Hello. How can I help you?"),
    "preview_other": ("住民票を1通お願いします。", "One residence certificate, please."),
    # said in both languages: whoever switches may read only the other one
    "restart_note": ("表示言語の変更は、アプリの再起動後に反映されます。\n"
                     "The display language changes after the app restarts.",
                     "The display language changes after the app restarts.\n"
                     "表示言語の変更は、アプリの再起動後に反映されます。"),
    "admin_pin": ("管理者PIN", "Admin PIN"),
    "pin_status_on": ("設定あり：設定を開くときにPINを尋ねます。",
                      "Set: the PIN is asked before the settings open."),
    "pin_status_off": ("なし：誰でも設定を開けます。", "None: anyone can open the settings."),
    "pin_status_new": ("新しいPINは「OK」で保存されます。", "The new PIN is saved with OK."),
    "pin_status_removed": ("PINは「OK」で解除されます。", "The PIN is removed with OK."),
    "pin_set": ("PINを設定…", "Set PIN…"),
    "pin_change": ("PINを変更…", "Change PIN…"),
    "pin_remove": ("PINを解除", "Remove PIN"),
})


def _devices(kind: str) -> list[str]:
    try:
        from counter_app.pipeline.audio import list_devices

        return [name for _, name in list_devices(kind)]
    except CounterAppError:
        return []


def _form(page: QWidget) -> QFormLayout:
    form = QFormLayout(page)
    form.setVerticalSpacing(10)
    return form


def _label(text: str) -> QLabel:
    """A row's name, centred on its (touch-tall) control."""
    label = QLabel(text)
    label.setMinimumHeight(TOUCH_PX + 8)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return label


class Stepper(QWidget):
    """A number with large − and + keys (a spin box's own arrows are too small to hit)."""

    def __init__(self, box: QAbstractSpinBox):
        super().__init__()
        self.box = box
        box.setButtonSymbols(QAbstractSpinBox.ButtonSymbols.NoButtons)
        box.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.setFixedWidth(150)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.down = QPushButton("−")
        self.down.clicked.connect(box.stepDown)
        self.up = QPushButton("+")
        self.up.clicked.connect(box.stepUp)
        for button in (self.down, self.up):
            button.setObjectName("step")
            button.setFixedWidth(64)
            button.setAutoDefault(False)
        row.addWidget(self.down)
        row.addWidget(box)
        row.addWidget(self.up)
        row.addStretch(1)


class TextPreview(QScrollArea):
    """Two sample bubbles drawn with the style sheet of a text size."""

    def __init__(self, scale: float):
        super().__init__()
        self.setWidgetResizable(True)
        self.setMinimumHeight(230)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        column = QVBoxLayout(inner)
        self.own = Bubble(tr("preview_own"), own=True)
        self.other = Bubble(tr("preview_other"), own=False)
        column.addWidget(self.own)
        column.addWidget(self.other)
        column.addStretch(1)
        self.setWidget(inner)
        self.set_scale(scale)

    def set_scale(self, scale: float) -> None:
        self.scale = scale
        self.widget().setStyleSheet(stylesheet(scale))
        self.widget().layout().activate()  # the bubbles grow or shrink with their text now


class SettingsDialog(QDialog):
    """Three tabs: the counter's devices and behaviour, display (text size with a
    live preview, language), and administration (admin screens, PIN, model folder).
    Each tab scrolls, so the dialog fits small screens and large text sizes."""

    def __init__(self, settings: Settings, parent: QWidget | None = None,
                 admin_actions: list[tuple[str, Callable[[], None]]] = ()):
        """`admin_actions`: (label, callback) buttons for admin screens (models, phrasebooks)."""
        super().__init__(parent)
        self.setWindowTitle(tr("settings"))
        if parent is None:
            self.setStyleSheet(stylesheet(settings.conversation.font_scale))
        self.settings = settings
        self.pin_record = settings.admin_pin  # applied on OK
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._page(self._counter_page()), tr("settings_counter"))
        self.tabs.addTab(self._page(self._display_page()), tr("settings_display"))
        self.tabs.addTab(self._page(self._admin_page(admin_actions)), tr("settings_admin"))
        self.city = CityPage(settings.reports)
        self.tabs.addTab(self._page(self.city), tr("settings_city"))
        layout.addWidget(self.tabs, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(880, 700)

    def add_tab(self, content: QWidget, title: str) -> None:
        """A further tab (e.g. the office mirror), scrolling like the others."""
        self.tabs.addTab(self._page(content), title)

    @staticmethod
    def _page(content: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setWidget(content)
        QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        return area

    def _counter_page(self) -> QWidget:
        conv = self.settings.conversation
        page = QWidget()
        form = _form(page)
        self.microphone = self._device_box("input", conv.microphone)
        form.addRow(_label(tr("microphone")), self.microphone)
        self.speaker = self._device_box("output", conv.speaker)
        form.addRow(_label(tr("speaker")), self.speaker)
        self.speak = self._check(tr("speak_translations"), conv.speak_translations)
        form.addRow(self.speak)
        self.speed = QDoubleSpinBox(minimum=0.5, maximum=2.0, singleStep=0.1,
                                    value=conv.speech_speed, decimals=1)
        form.addRow(_label(tr("speed")), Stepper(self.speed))
        self.idle = QSpinBox(minimum=0, maximum=120, value=conv.idle_timeout_minutes)
        form.addRow(_label(tr("idle_timeout")), Stepper(self.idle))
        self.edit_first = self._check(tr("edit_before_translate"), conv.edit_before_translate)
        form.addRow(self.edit_first)
        self.phrase_mode = self._check(tr("phrase_mode"), conv.phrase_mode)
        form.addRow(self.phrase_mode)
        self.counting = self._check(tr("usage_statistics"), self.settings.usage_statistics)
        form.addRow(self.counting)
        return page

    def _display_page(self) -> QWidget:
        page = QWidget()
        form = _form(page)
        self.font_scale = QSpinBox(minimum=80, maximum=300, singleStep=10, suffix=" %",
                                   value=round(self.settings.conversation.font_scale * 100))
        form.addRow(_label(tr("font_size")), Stepper(self.font_scale))
        self.preview = TextPreview(self.font_scale.value() / 100)
        self.font_scale.valueChanged.connect(lambda value: self.preview.set_scale(value / 100))
        form.addRow(self.preview)
        self.ui_language = QComboBox()
        self.ui_language.addItem("日本語", "ja")
        self.ui_language.addItem("English", "en")
        self.ui_language.setCurrentIndex(0 if self.settings.ui_language == "ja" else 1)
        form.addRow(_label(tr("ui_language")), self.ui_language)
        self.restart_note = QLabel(tr("restart_note"))
        self.restart_note.setObjectName("hint")
        self.restart_note.setWordWrap(True)
        form.addRow(self.restart_note)
        return page

    def _admin_page(self, admin_actions: list[tuple[str, Callable[[], None]]]) -> QWidget:
        page = QWidget()
        form = _form(page)
        self.admin_buttons = []
        for label, action in admin_actions:
            button = QPushButton(label)
            button.setAutoDefault(False)
            button.clicked.connect(action)
            form.addRow(button)
            self.admin_buttons.append(button)
        self.pin_status = QLabel()
        self.pin_status.setWordWrap(True)
        form.addRow(_label(tr("admin_pin")), self.pin_status)
        pin_row = QHBoxLayout()
        self.pin_set_button = QPushButton()
        self.pin_set_button.setAutoDefault(False)
        self.pin_set_button.clicked.connect(self._choose_pin)
        pin_row.addWidget(self.pin_set_button)
        self.pin_remove_button = QPushButton(tr("pin_remove"))
        self.pin_remove_button.setAutoDefault(False)
        self.pin_remove_button.clicked.connect(self._remove_pin)
        pin_row.addWidget(self.pin_remove_button)
        form.addRow(pin_row)
        self._show_pin("pin_status_on" if self.pin_record else "pin_status_off")
        self.models_dir = QLineEdit(self.settings.models_dir or "")
        form.addRow(_label(tr("model_store")), self.models_dir)
        return page

    def _check(self, label: str, checked: bool) -> QCheckBox:
        """A check box whose whole row, label included, is the touch target."""
        box = QCheckBox(label)
        box.setChecked(checked)
        return box

    def _device_box(self, kind: str, current: str | None) -> QComboBox:
        box = QComboBox()
        box.addItem(tr("system_default"), None)
        for name in _devices(kind):
            box.addItem(name, name)
        if current:
            index = box.findData(current)
            box.setCurrentIndex(max(index, 0))
        return box

    # --- admin PIN ---------------------------------------------------------------------

    def _choose_pin(self) -> None:
        if record := choose_new_pin(self):
            self.pin_record = record
            self._show_pin("pin_status_new")

    def _remove_pin(self) -> None:
        self.pin_record = None
        self._show_pin("pin_status_removed")

    def _show_pin(self, status: str) -> None:
        self.pin_status.setText(tr(status))
        self.pin_set_button.setText(tr("pin_change" if self.pin_record else "pin_set"))
        self.pin_remove_button.setEnabled(self.pin_record is not None)

    def apply(self) -> Settings:
        """Copy the widgets' values into the settings object and return it."""
        conv = self.settings.conversation
        conv.microphone = self.microphone.currentData()
        conv.speaker = self.speaker.currentData()
        conv.speak_translations = self.speak.isChecked()
        conv.speech_speed = round(self.speed.value(), 2)
        conv.font_scale = round(self.font_scale.value() / 100, 2)
        conv.idle_timeout_minutes = self.idle.value()
        conv.edit_before_translate = self.edit_first.isChecked()
        conv.phrase_mode = self.phrase_mode.isChecked()
        self.settings.ui_language = self.ui_language.currentData()
        self.settings.usage_statistics = self.counting.isChecked()
        self.settings.models_dir = self.models_dir.text().strip() or None
        self.settings.admin_pin = self.pin_record
        self.city.apply(self.settings.reports)
        return self.settings

    def accept(self) -> None:
        """OK: refused, with the reason on its tab, while a value would be refused."""
        if self.city.problem():
            self.tabs.setCurrentIndex(self.tabs.count() - 1)
            return
        super().accept()

