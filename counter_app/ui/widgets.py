"""Reusable widgets sized for gloved fingers on a 10–13 inch tablet."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

TOUCH_MIN = 64  # px: minimum height of anything a finger must hit
HOLD_SECONDS = 0.4  # shorter press = tap-to-toggle; longer = press-and-hold


class TalkButton(QPushButton):
    """Push-to-talk that supports both press-and-hold and tap-to-toggle.

    Emits `started` when listening should begin and `stopped` when the speaker
    is done (release after a hold, or a second tap).
    """

    started = Signal()
    stopped = Signal()

    def __init__(self, idle_text: str, active_text: str, parent: QWidget | None = None):
        super().__init__(idle_text, parent)
        self.idle_text, self.active_text = idle_text, active_text
        self.active = False
        self._pressed_at = 0.0
        self._toggle_mode = False
        self.setMinimumHeight(TOUCH_MIN * 2)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setObjectName("talk")
        self._restyle()

    def set_texts(self, idle_text: str, active_text: str) -> None:
        self.idle_text, self.active_text = idle_text, active_text
        self.setText(active_text if self.active else idle_text)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().mousePressEvent(event)
        if self.active and self._toggle_mode:  # second tap ends a toggled turn
            self._toggle_mode = False
            self.finish()
            return
        self._pressed_at = time.monotonic()
        self.begin()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        if not self.active or self._toggle_mode:
            return
        if time.monotonic() - self._pressed_at < HOLD_SECONDS:
            self._toggle_mode = True  # a tap: keep listening until tapped again
            self.setText(self.active_text)
        else:
            self.finish()

    def begin(self) -> None:
        if not self.active:
            self.active = True
            self.setText(self.active_text)
            self._restyle()
            self.started.emit()

    def finish(self) -> None:
        if self.active:
            self.active = False
            self._toggle_mode = False
            self.setText(self.idle_text)
            self._restyle()
            self.stopped.emit()

    def reset(self) -> None:
        """Back to idle without emitting (turn ended elsewhere)."""
        self.active = False
        self._toggle_mode = False
        self.setText(self.idle_text)
        self._restyle()

    def _restyle(self) -> None:
        self.setProperty("active", self.active)
        self.style().unpolish(self)
        self.style().polish(self)


class LevelMeter(QProgressBar):
    """Microphone level; decays smoothly when events stop arriving.

    The decay timer runs only while the bar shows something: an idle counter
    screen makes no timer calls at all.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRange(0, 100)
        self.setTextVisible(False)
        self.setFixedHeight(14)
        self._decay = QTimer(self, interval=100, timeout=self._fall)

    def set_level(self, rms: float) -> None:
        # speech RMS ~0.02–0.3: show on a rough log scale
        value = 0 if rms <= 1e-4 else min(100, int((math.log10(rms) + 4) / 3.5 * 100))
        self.setValue(max(value, self.value()))
        if self.value() > 0 and not self._decay.isActive():
            self._decay.start()

    def _fall(self) -> None:
        self.setValue(max(0, self.value() - 8))
        if self.value() == 0:
            self._decay.stop()


class Bubble(QFrame):
    """One line of the conversation: main text plus an optional small note.

    Under the app's style sheet the text size comes from style.bubble_px (the
    other side's words 1.25× one's own), so a text-size change resizes every
    bubble; `point_size` is the size where no style sheet is set.  A bubble is
    refilled (`fill`) when BubbleList reuses it for a later customer.
    """

    def __init__(self, text: str, note: str = "", own: bool = False, hint: str = "",
                 point_size: int = 20, rtl: bool = False):
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        self.text_label = QLabel()
        self.text_label.setObjectName("bubble_text")
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text_label)
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setObjectName("note")
        layout.addWidget(self.note_label)
        self.hint_label = QLabel()
        self.hint_label.setObjectName("hint")
        layout.addWidget(self.hint_label)
        self._point_size = 0
        self._rtl: bool | None = None
        self.fill(text, note, own, hint, point_size, rtl)

    def fill(self, text: str, note: str = "", own: bool = False, hint: str = "",
             point_size: int = 20, rtl: bool = False) -> Bubble:
        """Show this content.  Only what changed is set: each Qt call with an object
        or enum argument costs PySide6 6.11 a reference to None (see
        tests/test_refcount_guard.py), and a reused bubble should cost none."""
        name = "own" if own else "other"
        if self.objectName() != name:
            self.setObjectName(name)
            self.style().unpolish(self)
            self.style().polish(self)
        if point_size != self._point_size:
            self._point_size = point_size
            font = QFont()
            font.setPointSize(point_size)
            self.text_label.setFont(font)
        if rtl != self._rtl:
            self._rtl = rtl
            self.text_label.setLayoutDirection(
                Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight)
            self.text_label.setAlignment(
                Qt.AlignmentFlag.AlignRight if rtl
                else Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.text_label.setText(text)
        self.note_label.setText(note)
        self.note_label.setVisible(bool(note))
        self.hint_label.setText(hint)
        self.hint_label.setVisible(bool(hint))
        return self

    def empty(self) -> None:
        """Forget the content (a wiped customer's words stay nowhere)."""
        for label in (self.text_label, self.note_label, self.hint_label):
            label.clear()


class BubbleList(QScrollArea):
    """Scrollable history that follows the newest line.

    Bubbles of a wiped customer are emptied and hidden where they are, and the next
    customer's lines fill them from the top: a working day builds no new widgets
    once the first customers are served, and never moves one in the layout (each
    such Qt call costs PySide6 6.11 a reference to None)."""

    SPARE_MAX = 200

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        self._layout = QVBoxLayout(inner)
        self._layout.addStretch(1)
        self.setWidget(inner)
        self._all: list[Bubble] = []  # in layout order; the first `_shown` are in use
        self._shown = 0
        self.verticalScrollBar().rangeChanged.connect(
            lambda _lo, hi: self.verticalScrollBar().setValue(hi))

    def add(self, bubble: Bubble) -> Bubble:
        """A bubble built elsewhere, as the newest line."""
        self._layout.insertWidget(1 + self._shown, bubble)  # after the stretch
        self._all.insert(self._shown, bubble)
        self._shown += 1
        return bubble

    def add_line(self, text: str, note: str = "", own: bool = False, hint: str = "",
                 point_size: int = 20, rtl: bool = False) -> Bubble:
        """A new line at the bottom, in the next emptied bubble when there is one."""
        if self._shown < len(self._all):
            bubble = self._all[self._shown].fill(text, note, own, hint, point_size, rtl)
            bubble.show()
            self._shown += 1
            return bubble
        return self.add(Bubble(text, note, own, hint, point_size, rtl))

    def bubbles(self) -> list[Bubble]:
        """The lines in use, oldest first."""
        return self._all[:self._shown]

    def clear(self) -> None:
        for bubble in self.bubbles():
            bubble.empty()
            bubble.hide()
        self._shown = 0
        while len(self._all) > self.SPARE_MAX:
            extra = self._all.pop()
            self._layout.removeWidget(extra)
            extra.deleteLater()
