"""The readiness banner over the counter screen: what is missing, and one tap
to the first-start flow that installs or imports it.

It says "no models" only when the store holds none; otherwise it names the
languages whose speech, translation or voice is missing.  The window refreshes
it after every install or import (`ConversationWindow.refresh_readiness`)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from counter_app import languages
from counter_app.ui.i18n import add_strings, current_language, tr

add_strings({
    "banner_nothing_title": ("モデルが入っていません", "No models installed"),
    "banner_nothing_body": (
        "音声認識・翻訳・音声合成はまだ使えません。文字入力と定型文は使えます。",
        "Speech, translation and voices are not available yet. Typing and phrases work."),
    "banner_missing_title": ("一部のモデルがありません", "Some models are missing"),
    "banner_setup": ("モデルを入れる…", "Get models…"),
    "part_speak": ("音声認識", "speech recognition"),
    "part_read": ("翻訳", "translation"),
    "part_hear": ("音声合成", "voice"),
    "banner_missing_line": ("{language}：{parts}がありません", "{language}: no {parts}"),
})

STYLE = """
QFrame#banner { background: #fff7ed; border: 2px solid #f59e0b; border-radius: 10px; }
QLabel#bannerText { background: transparent; border: none; }
QPushButton#bannerSetup { background: #b45309; color: white; border: none; font-weight: bold; }
"""


@dataclass(frozen=True, slots=True)
class Gap:
    """One language and the parts of its path that are missing."""

    code: str
    speak: bool
    read: bool
    hear: bool

    @property
    def missing(self) -> list[str]:
        return [part for part, ok in (("speak", self.speak), ("read", self.read),
                                      ("hear", self.hear)) if not ok]


def _name(code: str) -> str:
    lang = languages.get(code)
    return lang.japanese if current_language() == "ja" else lang.english


def banner_text(nothing_installed: bool, gaps: list[Gap]) -> str:
    """Rich text for the banner, or "" when nothing is missing."""
    if nothing_installed:
        return f"<b>{tr('banner_nothing_title')}</b><br>{tr('banner_nothing_body')}"
    lines = []
    for gap in gaps:
        if gap.missing:
            joiner = "・" if current_language() == "ja" else ", "
            parts = joiner.join(tr(f"part_{part}") for part in gap.missing)
            lines.append(tr("banner_missing_line").format(language=_name(gap.code), parts=parts))
    if not lines:
        return ""
    return f"<b>{tr('banner_missing_title')}</b><br>" + "<br>".join(lines)


class ReadinessBanner(QFrame):
    """A bar under the toolbar; its button asks for the first-start flow."""

    setup_requested = Signal()

    def __init__(self):
        super().__init__()
        self.setObjectName("banner")
        self.setStyleSheet(STYLE)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.label = QLabel()
        self.label.setObjectName("bannerText")
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self.setup_button = QPushButton("⬇ " + tr("banner_setup"))
        self.setup_button.setObjectName("bannerSetup")
        self.setup_button.clicked.connect(self.setup_requested)
        layout.addWidget(self.setup_button)
        self.hide()

    def text(self) -> str:
        return self.label.text()

    def show_readiness(self, nothing_installed: bool, gaps: list[Gap]) -> None:
        text = banner_text(nothing_installed, gaps)
        self.label.setText(text)
        self.setVisible(bool(text))

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 (Qt name): the whole bar is a target
        super().mouseReleaseEvent(event)
        self.setup_requested.emit()
