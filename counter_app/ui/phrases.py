"""Phrase panel for the counter screen: browse, search, favourites, tap to say.

`attach_phrase_panel(window, library)` adds the "定型文" button and a drawer to
a ConversationWindow; a tapped phrase goes to `window.show_phrase`, which shows
it on both halves and speaks it in the resident's language.  The drawer lies
over the staff half only: the window keeps its width and the resident's half
stays in view (a dock widget used to widen a 1280 px window to 1481 px).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from counter_app.phrasebook.library import DEFAULT_OFFICE, Library
from counter_app.phrasebook.model import SOURCE_LANGUAGE, Phrase, Phrasebook
from counter_app.ui.i18n import add_strings, current_language, tr
from counter_app.ui.phrase_rows import PhraseRow, ShownText, shown_text
from counter_app.ui.tasks import run_task
from counter_app.ui.widgets import TOUCH_MIN

__all__ = ["PhraseDrawer", "PhrasePanel", "PhraseRow", "ShownText",
           "attach_phrase_panel", "shown_text"]

add_strings({"phrase_drawer_close": ("✕ 閉じる", "✕ Close")})

PHRASEBOOK_DELAY_MS = 1500  # after start-up, before the phrasebook is read in a worker
FAVOURITES = "★"  # pseudo-category id of the favourites list
PANEL_STYLE = """
QFrame#phrase { background: #ffffff; border: 1px solid #c7ccd6; border-radius: 10px; }
QFrame#phrase[pressed="true"] { background: #dde3ee; }
QLabel#translation { color: #1e3a8a; }
QLabel#mark { color: #6b7280; }
QLabel#fallback { color: #92400e; }
QPushButton#star { min-height: 64px; padding: 0px; border: none; background: transparent;
                   font-size: 30px; color: #9ca3af; }
QPushButton#star:checked { color: #d97706; background: transparent; }
QListWidget#categories { background: #ffffff; border: 1px solid #c7ccd6; border-radius: 8px; }
QListWidget#categories::item { padding: 6px; border-bottom: 1px solid #eef0f4; }
QListWidget#categories::item:selected { background: #1d4ed8; color: white; }
"""
DRAWER_STYLE = """
QFrame#phrase_drawer { background: #f3f4f6; border-right: 2px solid #8a94a6; }
QLabel#drawer_title { font-size: 22px; font-weight: bold; }
"""
CATEGORY_WIDTH = (140, 210)  # px: the category list's narrowest and widest
CATEGORY_PADDING = 36  # px: item padding, frame and the scroll bar beside the names


class PhrasePanel(QWidget):
    """Categories on the left, phrases on the right, a search box on top."""

    phrase_chosen = Signal(object)  # Phrase

    def __init__(self, library: Library, language: str, office: str = DEFAULT_OFFICE,
                 parent: QWidget | None = None, load: bool = True):
        """`load=False`: the book is read later (`reload`, or when the panel shows)."""
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
        self.categories.setFixedWidth(CATEGORY_WIDTH[1])
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
        if load:
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
            self.categories.addItem(item)
        self.categories.blockSignals(False)
        self._fit_categories()
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
            from counter_app.phrasebook.search import search  # at the first search

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

    def resizeEvent(self, event) -> None:  # noqa: N802
        """Narrow windows (1024 px) leave the phrases most of the room."""
        super().resizeEvent(event)
        narrow, wide = CATEGORY_WIDTH
        width = max(narrow, min(wide, self.width() // 3))
        if width != self.categories.width():
            self.categories.setFixedWidth(width)
            self._fit_categories()

    def _fit_categories(self) -> None:
        """Each category a touch target, tall enough for its whole name (wrapped)."""
        metrics = self.categories.fontMetrics()
        room = self.categories.width() - CATEGORY_PADDING
        for index in range(self.categories.count()):
            item = self.categories.item(index)
            text = metrics.boundingRect(0, 0, room, 10_000, Qt.TextFlag.TextWordWrap,
                                        item.text())
            item.setSizeHint(QSize(0, max(TOUCH_MIN, text.height() + 16)))


def _resident_language(window) -> str:
    return window.settings.conversation.resident_language


def say_phrase(window, phrase: Phrase) -> ShownText:
    """Show `phrase` on both halves of `window` and speak it to the resident."""
    shown = shown_text(phrase, _resident_language(window))
    window.show_phrase(phrase.id, phrase.source_text, shown.text, shown.language, shown.reviewed)
    return shown


class PhraseDrawer(QFrame):
    """The phrase panel laid over the staff half, with a title and a large close button.

    It is a child of the window's central widget outside any layout, so opening
    it never changes the window's size; it follows the staff half's geometry."""

    visibility_changed = Signal(bool)

    def __init__(self, panel: PhrasePanel, cover: QWidget, parent: QWidget):
        super().__init__(parent)
        self.panel, self.cover = panel, cover
        self.setObjectName("phrase_drawer")
        self.setStyleSheet(DRAWER_STYLE)
        self.setAutoFillBackground(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)
        header = QHBoxLayout()
        title = QLabel(tr("phrases"))
        title.setObjectName("drawer_title")
        header.addWidget(title, 1)
        self.close_button = QPushButton(tr("phrase_drawer_close"))
        self.close_button.setObjectName("drawer_close")
        self.close_button.setMinimumSize(TOUCH_MIN * 2, TOUCH_MIN)
        self.close_button.clicked.connect(self.hide)
        header.addWidget(self.close_button)
        layout.addLayout(header)
        layout.addWidget(panel, 1)
        cover.installEventFilter(self)
        self.hide()

    def follow_cover(self) -> None:
        """Lie exactly over the staff half."""
        top_left = self.cover.mapTo(self.parentWidget(), QPoint(0, 0))
        self.setGeometry(top_left.x(), top_left.y(), self.cover.width(), self.cover.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if watched is self.cover and event.type() in (QEvent.Type.Resize, QEvent.Type.Move):
            self.follow_cover()
        return False

    def showEvent(self, event) -> None:  # noqa: N802
        self.follow_cover()
        self.raise_()
        super().showEvent(event)
        self.visibility_changed.emit(True)

    def hideEvent(self, event) -> None:  # noqa: N802
        super().hideEvent(event)
        self.visibility_changed.emit(False)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
        else:
            super().keyPressEvent(event)


def attach_phrase_panel(window, library: Library, office: str = DEFAULT_OFFICE) -> PhrasePanel:
    """Add the "定型文" toolbar button and a phrase drawer (over the staff half) to `window`.

    Sets `window.phrase_panel`, `window.phrase_drawer` and `window.phrase_button`.
    """
    # The book (0.3-0.6 s of YAML for 166 phrases x 30 languages) is read in a worker
    # once the counter screen shows: a worker at start-up would still hold Python's
    # GIL against the window.  Opening the drawer earlier reads it then.
    panel = PhrasePanel(library, _resident_language(window), office, load=False)

    def load_later() -> None:
        window.phrase_loading = run_task(lambda task: library.phrasebook(),
                                         on_done=lambda _book: panel.reload(),
                                         on_failed=lambda exc: None, parent=window)

    QTimer.singleShot(PHRASEBOOK_DELAY_MS, window, load_later)
    drawer = PhraseDrawer(panel, window.staff, window.centralWidget())

    button = QPushButton("☰ " + tr("phrases"))
    button.setCheckable(True)
    button.toggled.connect(drawer.setVisible)
    drawer.visibility_changed.connect(button.setChecked)

    def opened(visible: bool) -> None:
        if visible:
            panel.set_language(_resident_language(window))

    drawer.visibility_changed.connect(opened)

    def chosen(phrase: Phrase) -> None:
        panel.set_language(_resident_language(window))
        say_phrase(window, phrase)

    panel.phrase_chosen.connect(chosen)
    window.add_tool(button)
    window.phrase_panel, window.phrase_drawer, window.phrase_button = panel, drawer, button
    return panel
