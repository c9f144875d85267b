"""Resident language picker: every language in its own script; languages
without voice models are marked, never hidden."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from counter_app import languages
from counter_app.ui.i18n import CHOOSE_LANGUAGE, add_strings, tr

add_strings({"detect_by_speech": ("話してもらって言語を判定", "Speak to detect the language")})


class LanguagePicker(QDialog):
    def __init__(self, voice_ready: Callable[[str], bool], current: str | None = None,
                 parent: QWidget | None = None, columns: int = 5,
                 path: Callable[[str], object] | None = None,
                 detect: Callable[[], None] | None = None):
        """`path(code)` (a session.LanguagePath) adds what works per language:
        ◉ speak, ⇄ read (translation both ways), 🔊 hear; ✗ marks a gap.
        `detect`: offered as 🌍 — the resident speaks and the language is guessed."""
        super().__init__(parent)
        self.setWindowTitle(tr("choose_language"))
        self.chosen: str | None = None
        width, height = self._size_for(parent)
        columns = min(columns, max(3, (width - 60) // 205))  # no sideways scrolling
        layout = QVBoxLayout(self)
        title = QLabel("  ·  ".join(CHOOSE_LANGUAGE.values()))
        title.setWordWrap(True)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setStyleSheet("font-size: 17px; color: #1f2937;")
        layout.addWidget(title)

        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setSpacing(10)
        self.buttons: dict[str, QPushButton] = {}
        codes = [c for c in languages.TEXT_LANGUAGES if c != languages.STAFF_LANGUAGE]
        for index, code in enumerate(codes):
            lang = languages.get(code)
            ready = voice_ready(code)
            english = lang.english.split(" (")[0]  # the native name carries the variant
            label = f"{lang.native}\n{english}"
            if path is not None:
                steps = path(code)
                marks = [("◉", steps.speak), ("⇄", steps.read), ("🔊", steps.hear)]
                label += "\n" + "  ".join(sign if ok else f"{sign}✗" for sign, ok in marks)
            elif not ready:
                label += f"\n⌨ {tr('missing_models')}"
            button = QPushButton(label)
            tall = 112 if path is not None else 88  # three lines (two without the path)
            button.setMinimumWidth(190)
            button.setStyleSheet(f"font-size: 20px; min-height: {tall}px;")
            button.setCheckable(True)
            button.setChecked(code == current)
            button.setProperty("voice_ready", ready)
            if not ready:
                button.setStyleSheet(f"font-size: 20px; min-height: {tall}px; color: #6b7280; "
                                     "border-style: dashed;")
            button.clicked.connect(lambda _=False, c=code: self._choose(c))
            grid.addWidget(button, index // columns, index % columns)
            self.buttons[code] = button
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        layout.addWidget(scroll, 1)
        self.detect_button = None
        if detect is not None:
            self.detect_button = QPushButton("🌍 " + tr("detect_by_speech"))
            self.detect_button.setMinimumHeight(64)
            self.detect_button.clicked.connect(lambda: (self.reject(), detect()))
            layout.addWidget(self.detect_button)
        self.resize(width, height)

    @staticmethod
    def _size_for(parent: QWidget | None) -> tuple[int, int]:
        """1100×760, or a little inside the parent window (1024×768 tablets)."""
        width, height = 1100, 760
        if parent is not None and parent.isVisible():
            width, height = min(width, parent.width() - 24), min(height, parent.height() - 24)
        return width, height

    def _choose(self, code: str) -> None:
        self.chosen = code
        self.accept()
