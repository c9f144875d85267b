"""The admin PIN pad: asked before the settings (and the admin screens they lead to)
open, and used to choose a new PIN.  Large keys for touch, the PIN masked."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app import config
from counter_app.admin_pin import (
    MAX_DIGITS,
    AttemptLimiter,
    hash_pin,
    is_broken,
    valid_pin,
    verify_pin,
)
from counter_app.ui.i18n import add_strings, tr
from counter_app.ui.style import stylesheet

add_strings({
    "pin_title": ("管理者PIN", "Admin PIN"),
    "pin_enter": ("設定を開くには管理者PINを入力してください。",
                  "Enter the admin PIN to open the settings."),
    "pin_wrong": ("PINが違います。もう一度入力してください。", "Wrong PIN. Please try again."),
    "pin_wait": ("間違いが続いたため、{seconds}秒お待ちください。",
                 "Too many wrong tries. Please wait {seconds} seconds."),
    "pin_broken": ("管理者PINの設定が壊れているため、設定は開けません（安全のため）。\n"
                   "管理者は設定ファイル {path} の \"admin_pin\" を null にしてアプリを"
                   "再起動し、PINを設定し直してください。",
                   "The admin PIN in the settings file is damaged, so the settings stay "
                   "locked (to be safe).\nAn admin can set \"admin_pin\" to null in {path}, "
                   "restart the app and choose a new PIN."),
    "pin_new": ("新しいPIN（4〜8桁の数字）を入力してください。",
                "Enter a new PIN (4 to 8 digits)."),
    "pin_again": ("確認のため、同じPINをもう一度入力してください。",
                  "Enter the same PIN again to confirm."),
    "pin_mismatch": ("2回の入力が違いました。新しいPINを最初から入力してください。",
                     "The two entries differ. Enter the new PIN again from the start."),
    "pin_length": ("PINは4〜8桁の数字です。", "A PIN is 4 to 8 digits."),
    "pin_clear": ("全消去", "Clear"),
    "pin_backspace": ("1文字消す", "Delete one digit"),
    "pin_submit": ("決定", "OK"),
    "pin_cancel": ("キャンセル", "Cancel"),
})

PAD_STYLE = """
QPushButton#pin_key { font-size: 30px; font-weight: bold; min-width: 104px; min-height: 76px; }
QLineEdit#pin_display { font-size: 34px; min-height: 64px; letter-spacing: 6px; }
QLabel#pin_message { font-size: 20px; }
QLabel#pin_message[error="true"] { color: #b91c1c; font-weight: bold; }
"""

_shared_limiter = AttemptLimiter()  # wrong tries count across openings of the pad


class PinPad(QDialog):
    """A numeric pad.  With `stored` (a PIN record) it checks a PIN and accepts only
    the right one; without, it asks for a new PIN twice and then holds its record
    in `new_record`."""

    def __init__(self, parent: QWidget | None = None, stored: str | None = None,
                 limiter: AttemptLimiter | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("pin_title"))
        self.setStyleSheet(PAD_STYLE if parent is not None else stylesheet() + PAD_STYLE)
        self.stored = stored
        self.limiter = limiter or _shared_limiter
        self.new_record: str | None = None
        self._first_entry: str | None = None  # choosing: the entry to confirm
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        self.message = QLabel()
        self.message.setObjectName("pin_message")
        self.message.setWordWrap(True)
        self.message.setMinimumWidth(380)
        layout.addWidget(self.message)
        self.display = QLineEdit()
        self.display.setObjectName("pin_display")
        self.display.setEchoMode(QLineEdit.EchoMode.Password)
        self.display.setReadOnly(True)
        self.display.setMaxLength(MAX_DIGITS)
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.display.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.display)
        layout.addLayout(self._keys())
        actions = QHBoxLayout()
        self.cancel_button = QPushButton(tr("pin_cancel"))
        self.cancel_button.clicked.connect(self.reject)
        actions.addWidget(self.cancel_button)
        self.submit_button = QPushButton(tr("pin_submit"))
        self.submit_button.setObjectName("next")  # the green primary action
        self.submit_button.clicked.connect(self.submit)
        actions.addWidget(self.submit_button)
        layout.addLayout(actions)
        self._wait_timer = QTimer(self, interval=250, timeout=self._update_wait)
        if stored is not None and is_broken(stored):
            self._say(tr("pin_broken").format(path=config.config_path()), error=True)
            self._set_keys_enabled(False)
        else:
            self._say(tr("pin_new") if stored is None else tr("pin_enter"))
            self._update_wait()

    def _keys(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setSpacing(10)
        self.digit_buttons: dict[str, QPushButton] = {}
        for index, digit in enumerate("1234567890"):
            button = self._key(digit, lambda _=False, d=digit: self.press(d))
            self.digit_buttons[digit] = button
            row, column = divmod(index, 3) if digit != "0" else (3, 1)
            grid.addWidget(button, row, column)
        self.backspace_button = self._key("⌫", self.backspace)
        self.backspace_button.setToolTip(tr("pin_backspace"))
        self.backspace_button.setAccessibleName(tr("pin_backspace"))
        grid.addWidget(self.backspace_button, 3, 0)
        self.clear_button = self._key(tr("pin_clear"), self.display.clear)
        grid.addWidget(self.clear_button, 3, 2)
        return grid

    def _key(self, text: str, action) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("pin_key")
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setAutoDefault(False)
        button.clicked.connect(action)
        return button

    # --- input ---------------------------------------------------------------------

    def press(self, digit: str) -> None:
        if len(self.display.text()) < MAX_DIGITS:
            self.display.setText(self.display.text() + digit)

    def backspace(self) -> None:
        self.display.setText(self.display.text()[:-1])

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        """A hardware keyboard works too: digits, Backspace, Enter; Esc cancels."""
        if not self.submit_button.isEnabled() and event.key() != Qt.Key.Key_Escape:
            return
        if event.text().isdigit() and event.text().isascii():
            self.press(event.text())
        elif event.key() == Qt.Key.Key_Backspace:
            self.backspace()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
        else:
            super().keyPressEvent(event)

    def submit(self) -> None:
        entry = self.display.text()
        self.display.clear()
        if self.stored is None:
            self._choose(entry)
        else:
            self._check(entry)

    # --- the two modes -------------------------------------------------------------

    def _check(self, entry: str) -> None:
        if self.limiter.wait_remaining() > 0:
            self._update_wait()
            return
        if verify_pin(entry, self.stored or ""):
            self.limiter.record_success()
            self.accept()
            return
        self.limiter.record_failure()
        self._say(tr("pin_wrong"), error=True)
        self._update_wait()

    def _choose(self, entry: str) -> None:
        if self._first_entry is None:
            if not valid_pin(entry):
                self._say(tr("pin_length"), error=True)
                return
            self._first_entry = entry
            self._say(tr("pin_again"))
            return
        if entry != self._first_entry:
            self._first_entry = None
            self._say(tr("pin_mismatch"), error=True)
            return
        self.new_record = hash_pin(entry)
        self.accept()

    # --- state ---------------------------------------------------------------------

    def _update_wait(self) -> None:
        """While the limiter makes us wait: keys off and a countdown; then back on."""
        if self.stored is None:
            return
        remaining = self.limiter.wait_remaining()
        if remaining > 0:
            self._say(tr("pin_wait").format(seconds=max(1, round(remaining))), error=True)
            self._set_keys_enabled(False)
            self._wait_timer.start()
        elif self._wait_timer.isActive():
            self._wait_timer.stop()
            self._set_keys_enabled(True)
            self._say(tr("pin_enter"))

    def _set_keys_enabled(self, enabled: bool) -> None:
        for button in [*self.digit_buttons.values(), self.backspace_button, self.clear_button,
                       self.submit_button]:
            button.setEnabled(enabled)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)


def admin_allowed(window, limiter: AttemptLimiter | None = None) -> bool:
    """True when no admin PIN is set, or the right PIN was entered on the pad."""
    stored = window.settings.admin_pin
    if stored is None:
        return True
    return bool(PinPad(window, stored=stored, limiter=limiter).exec())


def choose_new_pin(parent: QWidget | None = None) -> str | None:
    """Ask for a new PIN twice; its record (hash) to store, or None when cancelled."""
    pad = PinPad(parent)
    return pad.new_record if pad.exec() else None
