"""Phrase panel for the counter screen: browse, search, favourites, tap to say.

`attach_phrase_panel(window, library)` adds the "定型文" button and a side
drawer to a ConversationWindow; a tapped phrase goes to `window.show_phrase`,
which shows it on both halves and speaks it in the resident's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from counter_app import languages
from counter_app.phrasebook.library import DEFAULT_OFFICE, Library
from counter_app.phrasebook.model import SOURCE_LANGUAGE, Phrase, Phrasebook
from counter_app.phrasebook.search import search
from counter_app.ui.i18n import current_language, tr
from counter_app.ui.phrase_admin import PhraseAdminDialog
from counter_app.ui.widgets import TOUCH_MIN

__all__ = ["PhraseAdminDialog", "PhrasePanel", "PhraseRow", "ShownText", "attach_phrase_panel",
           "shown_text"]

FAVOURITES = "★"  # pseudo-category id of the favourites list
FALLBACK_LANGUAGES = ("en", SOURCE_LANGUAGE)
PANEL_STYLE = """
QFrame#phrase { background: #ffffff; border: 1px solid #c7ccd6; border-radius: 10px; }
QFrame#phrase[pressed="true"] { background: #dde3ee; }
QLabel#translation { color: #1e3a8a; }
QLabel#mark { color: #6b7280; }
QLabel#fallback { color: #92400e; }
QPushButton#star { min-height: 0px; padding: 0px; border: none; background: transparent;
                   font-size: 30px; color: #9ca3af; }
QPushButton#star:checked { color: #d97706; background: transparent; }
QListWidget#categories { background: #ffffff; border: 1px solid #c7ccd6; border-radius: 8px; }
QListWidget#categories::item { padding: 6px; border-bottom: 1px solid #eef0f4; }
QListWidget#categories::item:selected { background: #1d4ed8; color: white; }
"""


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


class PhrasePanel(QWidget):
    """Categories on the left, phrases on the right, a search box on top."""

    phrase_chosen = Signal(object)  # Phrase

    def __init__(self, library: Library, language: str, office: str = DEFAULT_OFFICE,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.library, self.language, self.office = library, language, office
        self.book: Phrasebook | None = None
        self.category: str | None = None
        self.setStyleSheet(PANEL_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("🔍 " + tr("phrase_search"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.textChanged.connect(lambda _text: self._fill())
        layout.addWidget(self.search_box)
        body = QHBoxLayout()
        layout.addLayout(body, 1)
        self.categories = QListWidget()
        self.categories.setObjectName("categories")
        self.categories.setWordWrap(True)
        self.categories.setFixedWidth(190)
        self.categories.currentItemChanged.connect(self._category_picked)
        self.categories.itemClicked.connect(self._category_clicked)
        body.addWidget(self.categories)
        right = QVBoxLayout()
        body.addLayout(right, 1)
        self.heading = QLabel()
        self.heading.setObjectName("note")
        right.addWidget(self.heading)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        right.addWidget(self.scroll, 1)
        self.reload()

    # --- public ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Pick up a newly imported or rolled-back phrasebook (cheap when unchanged)."""
        book = self.library.phrasebook()
        if book is self.book:
            return
        self.book = book
        self.categories.blockSignals(True)
        self.categories.clear()
        ui = current_language()
        for ident, name in [(FAVOURITES, "★ " + tr("favourites"))] + [
                (c.id, c.name(ui)) for c in book.categories]:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, ident)
            item.setSizeHint(QSize(0, TOUCH_MIN))
            self.categories.addItem(item)
        self.categories.blockSignals(False)
        start = FAVOURITES if self.favourites() else (
            book.categories[0].id if book.categories else FAVOURITES)
        self.show_category(self.category if book.category(self.category or "") else start)

    def set_language(self, language: str) -> None:
        if language != self.language:
            self.language = language
            self._fill()

    def show_category(self, category: str) -> None:
        self.search_box.blockSignals(True)
        self.search_box.clear()
        self.search_box.blockSignals(False)
        self.categories.blockSignals(True)
        for index in range(self.categories.count()):
            item = self.categories.item(index)
            if item.data(Qt.ItemDataRole.UserRole) == category:
                self.categories.setCurrentItem(item)
        self.categories.blockSignals(False)
        self.category = category
        self._fill()

    def favourites(self) -> list[str]:
        return self.library.favourites(self.office)

    def set_favourite(self, phrase_id: str, favourite: bool) -> None:
        self.library.set_favourite(phrase_id, favourite, self.office)
        if self.category == FAVOURITES and not self.search_box.text().strip():
            self._fill()

    def rows(self) -> list[PhraseRow]:
        inner = self.scroll.widget()
        return inner.findChildren(PhraseRow) if inner else []

    def visible_phrases(self) -> list[Phrase]:
        return [row.phrase for row in self.rows()]

    # --- internals ------------------------------------------------------------------------

    def _category_picked(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is None:
            return
        self.category = item.data(Qt.ItemDataRole.UserRole)
        if self.search_box.text():
            self.search_box.clear()  # -> _fill
        else:
            self._fill()

    def _category_clicked(self, item: QListWidgetItem) -> None:
        if self.search_box.text():  # back from search results to the tapped category
            self._category_picked(item)

    def _current_phrases(self) -> tuple[str, list[Phrase]]:
        assert self.book is not None
        favourites = self.favourites()
        query = self.search_box.text().strip()
        if query:
            codes = list(dict.fromkeys([SOURCE_LANGUAGE, self.language, "en"]))
            hits = search(self.book, query, codes, limit=40)
            return tr("search_results") + f"「{query}」", [hit.phrase for hit in hits]
        if self.category == FAVOURITES:
            found = [self.book.get(i) for i in favourites]
            return "★ " + tr("favourites"), [p for p in found if p is not None]
        category = self.book.category(self.category or "")
        phrases = self.book.in_category(self.category or "")
        starred = set(favourites)
        phrases.sort(key=lambda p: p.id not in starred)  # favourites first, stable
        return (category.name(current_language()) if category else ""), phrases

    def _fill(self) -> None:
        if self.book is None:
            return
        title, phrases = self._current_phrases()
        searching = bool(self.search_box.text().strip())
        current = self.categories.currentItem()
        if current is not None:
            current.setSelected(not searching)  # results span every category
        self.heading.setText(f"{title}　({len(phrases)})")
        starred = set(self.favourites())
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 6, 0)
        column.setSpacing(6)
        for phrase in phrases:
            row = PhraseRow(phrase, self.language, phrase.id in starred)
            row.clicked.connect(lambda p=phrase: self.phrase_chosen.emit(p))
            row.favourite_toggled.connect(lambda on, p=phrase: self.set_favourite(p.id, on))
            column.addWidget(row)
        if not phrases:
            empty = QLabel(tr("no_favourites") if self.category == FAVOURITES
                           and not self.search_box.text().strip() else tr("no_phrases"))
            empty.setObjectName("note")
            empty.setWordWrap(True)
            column.addWidget(empty)
        column.addStretch(1)
        self.scroll.setWidget(inner)  # deletes the previous list

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.reload()


def _resident_language(window) -> str:
    return window.settings.conversation.resident_language


def say_phrase(window, phrase: Phrase) -> ShownText:
    """Show `phrase` on both halves of `window` and speak it to the resident."""
    shown = shown_text(phrase, _resident_language(window))
    window.show_phrase(phrase.id, phrase.source_text, shown.text, shown.language, shown.reviewed)
    return shown


def attach_phrase_panel(window, library: Library, office: str = DEFAULT_OFFICE) -> PhrasePanel:
    """Add the "定型文" toolbar button and a phrase drawer (left, staff side) to `window`.

    Sets `window.phrase_panel`, `window.phrase_drawer` and `window.phrase_button`.
    """
    panel = PhrasePanel(library, _resident_language(window), office)
    panel.setMinimumWidth(600)
    drawer = QDockWidget(tr("phrases"), window)
    drawer.setObjectName("phrase_drawer")
    drawer.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable)
    drawer.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea)
    drawer.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, drawer)
    drawer.hide()

    button = QPushButton("☰ " + tr("phrases"))
    button.setCheckable(True)
    button.toggled.connect(drawer.setVisible)
    drawer.visibilityChanged.connect(button.setChecked)

    def opened(visible: bool) -> None:
        if visible:
            panel.set_language(_resident_language(window))

    drawer.visibilityChanged.connect(opened)

    def chosen(phrase: Phrase) -> None:
        panel.set_language(_resident_language(window))
        say_phrase(window, phrase)

    panel.phrase_chosen.connect(chosen)
    window.add_tool(button)
    window.phrase_panel, window.phrase_drawer, window.phrase_button = panel, drawer, button
    return panel
