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
    """Every language in its own script, with what works for it.  The counter keeps
    one picker and refreshes it for each customer (`refresh`) instead of building
    thirty buttons again."""

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
        self.voice_ready, self.path = voice_ready, path
        self._painted: dict[str, tuple[str, bool]] = {}  # code: (label, ready) shown
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
            button = QPushButton()
            button.setMinimumWidth(190)
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, c=code: self._choose(c))
            grid.addWidget(button, index // columns, index % columns)
            self.buttons[code] = button
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        layout.addWidget(scroll, 1)
        self._detect = detect
        self.detect_button = QPushButton("🌍 " + tr("detect_by_speech"))
        self.detect_button.setMinimumHeight(64)
        self.detect_button.clicked.connect(self._detect_clicked)
        layout.addWidget(self.detect_button)
        self.refresh(current, detect)
        self.resize(width, height)

    def refresh(self, current: str | None, detect: Callable[[], None] | None = None) -> None:
        """Paths and readiness as they are now (models may have been installed), the
        current language checked, 🌍 offered when `detect` is given.  Only what changed
        is repainted."""
        self.chosen = None
        self._detect = detect
        self.detect_button.setVisible(detect is not None)
        for code, button in self.buttons.items():
            label, ready = self._label(code)
            if self._painted.get(code) != (label, ready):
                self._painted[code] = (label, ready)
                button.setText(label)
                tall = 112 if self.path is not None else 88  # three lines (two without)
                faded = "" if ready else " color: #6b7280; border-style: dashed;"
                button.setStyleSheet(f"font-size: 20px; min-height: {tall}px;{faded}")
                button.setProperty("voice_ready", ready)
            button.setChecked(code == current)

    def _label(self, code: str) -> tuple[str, bool]:
        lang = languages.get(code)
        ready = self.voice_ready(code)
        english = lang.english.split(" (")[0]  # the native name carries the variant
        label = f"{lang.native}\n{english}"
        if self.path is not None:
            steps = self.path(code)
            marks = [("◉", steps.speak), ("⇄", steps.read), ("🔊", steps.hear)]
            label += "\n" + "  ".join(sign if ok else f"{sign}✗" for sign, ok in marks)
        elif not ready:
            label += f"\n⌨ {tr('missing_models')}"
        return label, ready

    def fit(self, parent: QWidget | None) -> None:
        self.resize(*self._size_for(parent))

    @staticmethod
    def _size_for(parent: QWidget | None) -> tuple[int, int]:
        """1100×760, or a little inside the parent window (1024×768 tablets)."""
        width, height = 1100, 760
        if parent is not None and parent.isVisible():
            width, height = min(width, parent.width() - 24), min(height, parent.height() - 24)
        return width, height

    def _detect_clicked(self) -> None:
        detect = self._detect
        self.reject()
        if detect is not None:
            detect()

    def _choose(self, code: str) -> None:
        self.chosen = code
        self.accept()
