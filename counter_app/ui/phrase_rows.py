"""One phrase of the phrase panel: Japanese, the resident's text, review mark, star."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout

from counter_app import languages
from counter_app.phrasebook.model import SOURCE_LANGUAGE, Phrase
from counter_app.ui.i18n import tr
from counter_app.ui.widgets import TOUCH_MIN

FALLBACK_LANGUAGES = ("en", SOURCE_LANGUAGE)


@dataclass(frozen=True, slots=True)
class ShownText:
    """What the resident gets for a phrase: their language, else English, else Japanese."""

    text: str
    language: str
    reviewed: bool
    fallback: bool  # True when `language` is not the one asked for


def shown_text(phrase: Phrase, language: str) -> ShownText:
    for code in (language, *FALLBACK_LANGUAGES):
        text = phrase.text(code)
        if text:
            return ShownText(text, code, phrase.is_reviewed(code), code != language)
    raise AssertionError("a phrase always has Japanese text")


def _language_name(code: str) -> str:
    return languages.get(code).native


class PhraseRow(QFrame):
    """One tappable phrase: Japanese, the resident's text, review mark, star."""

    clicked = Signal()
    favourite_toggled = Signal(bool)

    def __init__(self, phrase: Phrase, language: str, favourite: bool):
        super().__init__()
        self.phrase = phrase
        self.shown = shown_text(phrase, language)
        self.setObjectName("phrase")
        self.setMinimumHeight(TOUCH_MIN)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 4, 8)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        row.addLayout(texts, 1)
        self.source_label = self._label(phrase.source_text, "source", 1.1, bold=True)
        texts.addWidget(self.source_label)
        self.translation_label = self._label(self.shown.text, "translation", 0.95)
        self.translation_label.setVisible(self.shown.language != SOURCE_LANGUAGE)
        if languages.get(self.shown.language).rtl:
            self.translation_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        texts.addWidget(self.translation_label)
        self.fallback_label = self._label(
            tr("no_translation").format(language=_language_name(language),
                                        fallback=_language_name(self.shown.language)),
            "fallback", 0.75)
        self.fallback_label.setVisible(self.shown.fallback)
        texts.addWidget(self.fallback_label)
        self.mark_label = self._label("△ " + tr("unreviewed_mark"), "mark", 0.7)
        self.mark_label.setToolTip(tr("unreviewed_hint"))
        self.mark_label.setVisible(not self.shown.reviewed)
        texts.addWidget(self.mark_label)
        self.star = QPushButton()
        self.star.setObjectName("star")
        self.star.setCheckable(True)
        self.star.setFixedSize(TOUCH_MIN, TOUCH_MIN)
        self.star.setToolTip(tr("favourite_toggle"))
        self.star.setChecked(favourite)
        self._paint_star()
        self.star.toggled.connect(self._star_toggled)
        row.addWidget(self.star, 0, Qt.AlignmentFlag.AlignTop)

    def _label(self, text: str, name: str, scale: float, bold: bool = False) -> QLabel:
        label = QLabel(text)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        font = QFont(self.font())
        font.setPixelSize(max(10, int(18 * scale)))
        font.setBold(bold)
        label.setFont(font)
        return label

    @property
    def favourite(self) -> bool:
        return self.star.isChecked()

    def _paint_star(self) -> None:
        self.star.setText("★" if self.star.isChecked() else "☆")

    def _star_toggled(self, on: bool) -> None:
        self._paint_star()
        self.favourite_toggled.emit(on)

    def _set_pressed(self, pressed: bool) -> None:
        self.setProperty("pressed", pressed)
        self.style().unpolish(self)
        self.style().polish(self)

    def mousePressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self._set_pressed(True)
        event.accept()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        self._set_pressed(False)
        if self.rect().contains(event.position().toPoint()):
            self.clicked.emit()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
        else:
            super().keyPressEvent(event)
