"""One half of the face-to-face screen: a speaker's own side of the counter."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app import languages
from counter_app.marks import resident_text
from counter_app.ui.i18n import add_strings, tr
from counter_app.ui.widgets import Bubble, BubbleList, LevelMeter, TalkButton

add_strings({  # staff's words for a turn's stages; the resident's are in resident-strings
    "stage_listening": ("聞いています…", "Listening…"),
    "stage_recognizing": ("認識中…", "Recognizing…"),
    "stage_translating": ("翻訳中…", "Translating…"),
    "stage_speaking": ("再生中…", "Speaking…"),
})
STAGE_ICONS = {"listening": "◉", "recognizing": "⏳", "translating": "⏳", "speaking": "🔊"}


class SidePanel(QWidget):
    """History, live caption, edit box, typing box and talk button of one side."""

    talk_started = Signal()
    talk_stopped = Signal()
    text_submitted = Signal(str)
    edit_submitted = Signal(str)
    edit_cancelled = Signal()
    replay_requested = Signal()
    language_clicked = Signal()

    def __init__(self, role: str, language: str, point_size: int = 20):
        super().__init__()
        self.role = role
        self.point_size = point_size
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)

        header = QHBoxLayout()
        self.language_button = QPushButton()
        self.language_button.setObjectName("language")
        self.language_button.clicked.connect(self.language_clicked)
        header.addWidget(self.language_button, 1)
        self.replay_button = QPushButton()
        self.replay_button.setEnabled(False)
        self.replay_button.clicked.connect(self.replay_requested)
        header.addWidget(self.replay_button)
        layout.addLayout(header)
        self._header = header
        self.notice_area = QVBoxLayout()  # suggestion bars and the like, under the header
        self.notice_area.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.notice_area)

        self.hint = QLabel()
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.hint.hide()
        layout.addWidget(self.hint)

        self.history = BubbleList()
        layout.addWidget(self.history, 1)

        self.stage = QLabel()  # 認識中… → 翻訳中… → 再生中…: never a blank wait
        self.stage.setObjectName("stage")
        self.stage.setStyleSheet("color: #1d4ed8; font-weight: bold;")
        self.stage.hide()
        layout.addWidget(self.stage)

        self.partial = QLabel()
        self.partial.setObjectName("partial")
        self.partial.setWordWrap(True)
        self.partial.setMinimumHeight(40)
        layout.addWidget(self.partial)

        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.hide()
        layout.addWidget(self.status)

        self.edit_row = QWidget()
        edit_layout = QHBoxLayout(self.edit_row)
        edit_layout.setContentsMargins(0, 0, 0, 0)
        self.edit_box = QLineEdit()
        self.edit_box.returnPressed.connect(self._send_edit)
        edit_layout.addWidget(self.edit_box, 1)
        self.edit_send = QPushButton()
        self.edit_send.clicked.connect(self._send_edit)
        edit_layout.addWidget(self.edit_send)
        self.edit_cancel = QPushButton()
        self.edit_cancel.clicked.connect(self._cancel_edit)
        edit_layout.addWidget(self.edit_cancel)
        self.edit_row.hide()
        layout.addWidget(self.edit_row)

        type_row = QHBoxLayout()
        self.text_box = QLineEdit()
        self.text_box.returnPressed.connect(self._send_text)
        type_row.addWidget(self.text_box, 1)
        self.send_button = QPushButton("➤")
        self.send_button.setMinimumWidth(72)
        self.send_button.clicked.connect(self._send_text)
        type_row.addWidget(self.send_button)
        layout.addLayout(type_row)

        self.meter = LevelMeter()
        layout.addWidget(self.meter)
        self.talk = TalkButton("", "")
        self.talk.started.connect(self.talk_started)
        self.talk.stopped.connect(self.talk_stopped)
        layout.addWidget(self.talk)
        self.set_language(language)

    # --- slots for other screens (composition, never layout indexes) ---------------

    def add_header_button(self, button: QWidget) -> None:
        """A button right after the language button (e.g. the 🌍 language check)."""
        self._header.insertWidget(self._header.indexOf(self.language_button) + 1, button)

    def add_notice(self, widget: QWidget) -> None:
        """A bar right under the header (e.g. a language suggestion)."""
        self.notice_area.addWidget(widget)

    # --- state ---------------------------------------------------------------------

    def set_language(self, code: str, voice_ready: bool = True) -> None:
        self.language = languages.get(code)
        self.language_button.setText(self.language.native)
        direction = Qt.LayoutDirection.RightToLeft if self.language.rtl \
            else Qt.LayoutDirection.LeftToRight
        self.text_box.setLayoutDirection(direction)
        if self.role == "resident":  # Arabic, Persian, Urdu: the whole half reads right to left
            self.setLayoutDirection(direction)
        self.text_box.setPlaceholderText("⌨ " + self.language.native)
        self.replay_button.setText("🔊 " + self.local("replay"))
        self.edit_box.setPlaceholderText(self.local("edit_hint"))
        self.edit_send.setText(self.local("send"))
        self.edit_cancel.setText(self.local("cancel"))
        if self.role == "staff":
            self.talk.set_texts("◉ " + tr("hold_to_talk"), "● " + tr("tap_to_stop"))
        else:  # the resident may read neither Japanese nor English: icons + own script
            self.talk.set_texts("◉ " + self.language.native, "● …")
        self.talk.setEnabled(voice_ready)

    def local(self, key: str) -> str:
        """A string for this half: the UI language for staff, the resident's own
        language for the resident (who may read neither Japanese nor English)."""
        if self.role == "staff":
            return tr(key)
        return resident_text(key, self.language.code)[0]

    def show_partial(self, text: str) -> None:
        self.partial.setText(text)

    def show_stage(self, stage: str) -> None:
        """A running turn's stage ("listening", "recognizing", "translating",
        "speaking") in this half's language, with an icon any reader knows; "" hides it."""
        self.stage.setText(f"{STAGE_ICONS[stage]} {self.local('stage_' + stage)}" if stage else "")
        self.stage.setVisible(bool(stage))

    def show_status(self, message: str) -> None:
        self.status.setText(message)
        self.status.setVisible(bool(message))

    def show_hint(self, message: str) -> None:
        self.hint.setText(message)
        self.hint.setVisible(bool(message))

    def begin_edit(self, text: str) -> None:
        self.edit_box.setText(text)
        self.edit_row.show()
        self.edit_box.setFocus()

    def add_own(self, text: str, back_translation: str | None, hints: list[str]) -> Bubble:
        note = f"↩ {back_translation}" if back_translation else ""
        return self.history.add_line(text, note, own=True, hint=" · ".join(hints),
                                     point_size=self.point_size, rtl=self.language.rtl)

    def add_other(self, translation: str, hints: list[str]) -> Bubble:
        return self.history.add_line(translation, own=False, hint=" · ".join(hints),
                                     point_size=int(self.point_size * 1.25),
                                     rtl=self.language.rtl)

    def clear(self) -> None:
        self.history.clear()
        self.partial.clear()
        self.show_stage("")
        self.text_box.clear()
        self.edit_box.clear()
        self.edit_row.hide()
        self.show_status("")
        self.replay_button.setEnabled(False)
        self.talk.reset()
        self.meter.setValue(0)

    # --- private -------------------------------------------------------------------

    def _send_text(self) -> None:
        text = self.text_box.text().strip()
        if text:
            self.text_box.clear()
            self.text_submitted.emit(text)

    def _send_edit(self) -> None:
        self.edit_row.hide()
        self.edit_submitted.emit(self.edit_box.text().strip())

    def _cancel_edit(self) -> None:
        self.edit_row.hide()
        self.edit_cancelled.emit()
