"""What caption mode draws: the finished lines (a list model and its delegate) and
the live line being spoken.

Text wraps at word boundaries where the script has spaces and between any two
characters where it has none (Japanese, Chinese), so no line ever runs off the
side of the screen, even at 160 px.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QTextLayout, QTextOption
from PySide6.QtWidgets import QSizePolicy, QStyledItemDelegate, QWidget

from counter_app.captions import CaptionLine

if TYPE_CHECKING:
    from counter_app.ui.captions import CaptionWindow

THEMES = {  # name: (text, background, dim text for partials and labels)
    "white-on-black": ("#ffffff", "#000000", "#a3a3a3"),
    "black-on-white": ("#000000", "#ffffff", "#525252"),
    "yellow-on-black": ("#ffd400", "#000000", "#b8a040"),
}
FONT_SIZES = (24, 32, 40, 48, 64, 80, 96, 128, 160)
LINE_SPACINGS = (1.0, 1.3, 1.6)  # 160 px ≈ 8–10 CJK characters across
Block = tuple[QFont, str, QRect, float | None]  # font, text, where, line step


def wrapped(text: str, font: QFont, width: int, step: float | None = None) -> QTextLayout:
    """`text` laid out in lines at most `width` px wide: word wrap, or character
    wrap where a script has no spaces or a word is wider than the line.  Lines
    advance by `step` px when given (wider or tighter than the font's own)."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    y = 0.0
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(1, width))
        line.setPosition(QPointF(0, y))
        y += step or line.height()
    layout.endLayout()
    return layout


def wrapped_height(text: str, font: QFont, width: int, step: float | None = None) -> int:
    """Height of `text` wrapped at `width` (one line's height when empty)."""
    if not text:
        return QFontMetrics(font).height()
    return int(wrapped(text, font, width, step).boundingRect().height() + 0.999)


class CaptionModel(QAbstractListModel):
    """The newest `max_lines` finished lines (the session may hold more)."""

    def __init__(self, max_lines: int):
        super().__init__()
        self.max_lines = max_lines
        self.lines: list[CaptionLine] = []

    def rowCount(self, parent: QModelIndex | None = None) -> int:  # noqa: N802 (Qt name)
        return 0 if parent is not None and parent.isValid() else len(self.lines)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return line.text
        if role == Qt.ItemDataRole.UserRole:
            return line
        return None

    def append(self, line: CaptionLine) -> None:
        if len(self.lines) >= self.max_lines:
            self.beginRemoveRows(QModelIndex(), 0, 0)
            self.lines.pop(0)
            self.endRemoveRows()
        self.beginInsertRows(QModelIndex(), len(self.lines), len(self.lines))
        self.lines.append(line)
        self.endInsertRows()

    def replace(self, line: CaptionLine) -> None:
        for row, old in enumerate(self.lines):
            if old.id == line.id:
                self.lines[row] = line
                self.dataChanged.emit(self.index(row), self.index(row))
                return

    def clear(self) -> None:
        self.beginResetModel()
        self.lines.clear()
        self.endResetModel()


class CaptionDelegate(QStyledItemDelegate):
    """Paints speaker label, caption text and the optional translation line."""

    def __init__(self, owner: CaptionWindow):
        super().__init__(owner)
        self.owner = owner

    def _fonts(self) -> tuple[QFont, QFont, QFont]:
        size = self.owner.font_px
        main = QFont()
        main.setPixelSize(size)
        small = QFont()
        small.setPixelSize(max(14, size // 3))
        translation = QFont()
        translation.setPixelSize(max(16, int(size * 0.6)))
        return small, main, translation

    def _blocks(self, line: CaptionLine, width: int) -> list[Block]:
        """Label, text, translation.  Line spacing opens the caption text's lines and
        the gap above them, so a row's bottom (what following live shows) is text."""
        small, main, translation = self._fonts()
        label = line.speaker + (" ✎" if line.corrected else "")
        parts = [(small, label), (main, line.text)]
        if line.translation:
            parts.append((translation, line.translation))
        blocks, y = [], 6
        for font, text in parts:
            step = None
            if font is main:
                natural = QFontMetrics(main).height()
                step = natural * self.owner.settings.line_spacing
                y += int(step - natural)
            height = wrapped_height(text, font, width, step)
            blocks.append((font, text, QRect(12, y, width, height), step))
            y += height + 4
        return blocks

    def sizeHint(self, option, index) -> QSize:  # noqa: N802
        line = index.data(Qt.ItemDataRole.UserRole)
        width = max(200, self.owner.view.viewport().width() - 30)
        blocks = self._blocks(line, width)
        return QSize(width, blocks[-1][2].bottom() + 14)

    def paint(self, painter, option, index) -> None:
        line = index.data(Qt.ItemDataRole.UserRole)
        text_color, background, dim = THEMES[self.owner.theme]
        painter.save()
        painter.fillRect(option.rect, QColor(background))
        width = option.rect.width() - 30
        for number, (font, text, rect, step) in enumerate(self._blocks(line, width)):
            painter.setPen(QColor(text_color if number == 1 else dim))
            wrapped(text, font, rect.width(), step).draw(
                painter, QPointF(rect.translated(option.rect.topLeft()).topLeft()))
        painter.restore()


class LiveLine(QWidget):
    """The line being spoken, replaced in place as recognition refines it.

    It wraps and grows with its text up to `max_height` (set by the window, so it
    always fits on screen); longer text shows its newest lines, never its oldest.
    """

    PAD = 8  # px around the text
    LINE_STEP = 1.3  # baseline to baseline, in font sizes: two lines fit at 160 px on 768

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._text = ""
        self._font = QFont()
        self._colors = (QColor("#a3a3a3"), QColor("#000000"))
        self._max_height = 100_000
        self.first_shown_line = 0  # lines above it scrolled away (the text is too long)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    # --- the QLabel-like part the window and tests use ------------------------------

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 (QLabel's name)
        self._text = text
        self._refit()

    def clear(self) -> None:
        self.setText("")

    def set_look(self, font: QFont, color: str, background: str) -> None:
        self._font = QFont(font)
        self._colors = (QColor(color), QColor(background))
        self._refit()

    def set_max_height(self, height: int) -> None:
        self._max_height = height
        self._refit()

    # --- geometry --------------------------------------------------------------------

    def _layout(self) -> QTextLayout:
        step = self._font.pixelSize() * self.LINE_STEP
        return wrapped(self._text, self._font, self._text_width(), step)

    def _text_width(self) -> int:
        return max(50, self.width() - 2 * self.PAD)

    def _one_line(self) -> int:
        return QFontMetrics(self._font).height() + 2 * self.PAD

    def _refit(self) -> None:
        """Height for the wrapped text: at least one line, at most `max_height`."""
        step = self._font.pixelSize() * self.LINE_STEP
        needed = wrapped_height(self._text, self._font, self._text_width(), step) + 2 * self.PAD
        height = max(self._one_line(), min(needed, self._max_height))
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, self.minimumHeight())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(50, self.minimumHeight())

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._refit()

    def shown_text(self) -> str:
        """The part of the text on screen (all of it unless it is too long)."""
        layout = self._layout()
        first = self._first_line(layout)
        if layout.lineCount() == 0:
            return ""
        return self._text[layout.lineAt(first).textStart():]

    def _first_line(self, layout: QTextLayout) -> int:
        """The first line to draw so that the last line ends inside the widget."""
        room = self.height() - self.PAD  # the text may use half the padding
        count = layout.lineCount()
        if count == 0:
            return 0
        bottom = layout.lineAt(count - 1).rect().bottom()
        first = count - 1
        while first > 0 and bottom - layout.lineAt(first - 1).rect().top() <= room:
            first -= 1
        return first

    def paintEvent(self, event) -> None:  # noqa: N802
        color, background = self._colors
        painter = QPainter(self)
        painter.fillRect(self.rect(), background)
        layout = self._layout()
        self.first_shown_line = self._first_line(layout)
        if layout.lineCount():
            top = layout.lineAt(self.first_shown_line).rect().top()
            painter.setClipRect(self.rect().adjusted(0, self.PAD // 2, 0, -(self.PAD // 2)))
            painter.setPen(color)
            layout.draw(painter, QPointF(self.PAD, self.PAD - top))
        painter.end()
