"""Settings that counter staff may change; saved to the one settings file."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from counter_app.config import Settings
from counter_app.errors import CounterAppError
from counter_app.ui.i18n import tr


def _devices(kind: str) -> list[str]:
    try:
        from counter_app.pipeline.audio import list_devices

        return [name for _, name in list_devices(kind)]
    except CounterAppError:
        return []


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None,
                 admin_actions: list[tuple[str, Callable[[], None]]] = ()):
        """`admin_actions`: (label, callback) buttons for admin screens (models, phrasebooks)."""
        super().__init__(parent)
        self.setWindowTitle(tr("settings"))
        self.settings = settings
        conv = settings.conversation
        form = QFormLayout(self)
        for label, action in admin_actions:
            button = QPushButton(label)
            button.clicked.connect(action)
            form.addRow(button)
        self.microphone = self._device_box("input", conv.microphone)
        form.addRow(tr("microphone"), self.microphone)
        self.speaker = self._device_box("output", conv.speaker)
        form.addRow(tr("speaker"), self.speaker)
        self.speak = QCheckBox()
        self.speak.setChecked(conv.speak_translations)
        form.addRow(tr("speak_translations"), self.speak)
        self.speed = QDoubleSpinBox(minimum=0.5, maximum=2.0, singleStep=0.1,
                                    value=conv.speech_speed)
        form.addRow(tr("speed"), self.speed)
        self.font_scale = QDoubleSpinBox(minimum=0.8, maximum=3.0, singleStep=0.1,
                                         value=conv.font_scale)
        form.addRow(tr("font_size"), self.font_scale)
        self.idle = QSpinBox(minimum=0, maximum=120, value=conv.idle_timeout_minutes)
        form.addRow(tr("idle_timeout"), self.idle)
        self.edit_first = QCheckBox()
        self.edit_first.setChecked(conv.edit_before_translate)
        form.addRow(tr("edit_before_translate"), self.edit_first)
        self.phrase_mode = QCheckBox()
        self.phrase_mode.setChecked(conv.phrase_mode)
        form.addRow(tr("phrase_mode"), self.phrase_mode)
        self.ui_language = QComboBox()
        self.ui_language.addItem("日本語", "ja")
        self.ui_language.addItem("English", "en")
        self.ui_language.setCurrentIndex(0 if settings.ui_language == "ja" else 1)
        form.addRow(tr("ui_language"), self.ui_language)
        self.counting = QCheckBox()
        self.counting.setChecked(settings.usage_statistics)
        form.addRow(tr("usage_statistics"), self.counting)
        self.models_dir = QLineEdit(settings.models_dir or "")
        form.addRow(tr("model_store"), self.models_dir)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _device_box(self, kind: str, current: str | None) -> QComboBox:
        box = QComboBox()
        box.addItem(tr("system_default"), None)
        for name in _devices(kind):
            box.addItem(name, name)
        if current:
            index = box.findData(current)
            box.setCurrentIndex(max(index, 0))
        return box

    def apply(self) -> Settings:
        """Copy the widgets' values into the settings object and return it."""
        conv = self.settings.conversation
        conv.microphone = self.microphone.currentData()
        conv.speaker = self.speaker.currentData()
        conv.speak_translations = self.speak.isChecked()
        conv.speech_speed = round(self.speed.value(), 2)
        conv.font_scale = round(self.font_scale.value(), 2)
        conv.idle_timeout_minutes = self.idle.value()
        conv.edit_before_translate = self.edit_first.isChecked()
        conv.phrase_mode = self.phrase_mode.isChecked()
        self.settings.ui_language = self.ui_language.currentData()
        self.settings.usage_statistics = self.counting.isChecked()
        self.settings.models_dir = self.models_dir.text().strip() or None
        return self.settings
