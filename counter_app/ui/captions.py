"""Caption mode: huge, high-contrast, continuously updated text with scrollback.

Finished lines live in a list model (no widget per line, so an 8-hour shift
stays light); the line being spoken is a separate label, underlined and dimmer,
replaced in place as recognition refines it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from counter_app.captions import (
    CaptionEvent,
    CaptionFinal,
    CaptionLine,
    CaptionPartial,
    CaptionRunner,
    CaptionSession,
    CaptionStatus,
    CaptionUpdated,
)
from counter_app.config import CaptionSettings
from counter_app.ui.bridge import CoreBridge
from counter_app.ui.i18n import tr

THEMES = {  # name: (text, background, dim text for partials and labels)
    "white-on-black": ("#ffffff", "#000000", "#a3a3a3"),
    "black-on-white": ("#000000", "#ffffff", "#525252"),
    "yellow-on-black": ("#ffd400", "#000000", "#b8a040"),
}
FONT_SIZES = (24, 32, 40, 48, 64, 80, 96, 128, 160)
LINE_SPACINGS = (1.0, 1.3, 1.6)  # 160 px ≈ 8–10 CJK characters across


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

    def _blocks(self, line: CaptionLine, width: int) -> list[tuple[QFont, str, QRect]]:
        small, main, translation = self._fonts()
        label = line.speaker + (" ✎" if line.corrected else "")
        parts = [(small, label), (main, line.text)]
        if line.translation:
            parts.append((translation, line.translation))
        blocks, y = [], 6
        for font, text in parts:
            metrics = QFontMetrics(font)
            rect = metrics.boundingRect(QRect(0, 0, width, 100_000),
                                        int(Qt.TextFlag.TextWordWrap), text)
            height = int(rect.height() * (self.owner.settings.line_spacing
                                          if font is main else 1.0))
            blocks.append((font, text, QRect(12, y, width, height)))
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
        for number, (font, text, rect) in enumerate(self._blocks(line, width)):
            painter.setFont(font)
            painter.setPen(QColor(text_color if number == 1 else dim))
            painter.drawText(rect.translated(option.rect.topLeft()),
                             int(Qt.TextFlag.TextWordWrap), text)
        painter.restore()


class CaptionWindow(QWidget):
    """Full-screen captions with themes, sizes, search, corrections and export."""

    def __init__(self, settings: CaptionSettings,
                 runners: Callable[[CaptionSession, Callable], list[CaptionRunner]]):
        super().__init__()
        self.settings = settings
        self.session = CaptionSession()
        self.bridge = CoreBridge(self)
        self.bridge.event.connect(self.on_event)
        self.runners = runners(self.session, self.bridge.post)
        self.theme = settings.theme if settings.theme in THEMES else "white-on-black"
        self.font_px = settings.font_size
        self.setWindowTitle(tr("captions"))
        self._build()
        self.grabGesture(Qt.GestureType.PinchGesture)

    def _build(self) -> None:
        bar = QHBoxLayout()
        self.pause_button = QPushButton("⏸")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self.set_paused)
        bar.addWidget(self.pause_button)
        for label, step in (("A−", -1), ("A+", +1)):
            button = QPushButton(label)
            button.clicked.connect(lambda _=False, s=step: self.step_font(s))
            bar.addWidget(button)
        self.spacing_button = QPushButton(f"↕ {self.settings.line_spacing:.1f}")
        self.spacing_button.clicked.connect(self.cycle_line_spacing)
        bar.addWidget(self.spacing_button)
        self.theme_box = QComboBox()
        for name in THEMES:
            self.theme_box.addItem(tr(f"theme_{name}"), name)
        self.theme_box.setCurrentIndex(list(THEMES).index(self.theme))
        self.theme_box.currentIndexChanged.connect(
            lambda i: self.set_theme(self.theme_box.itemData(i)))
        bar.addWidget(self.theme_box)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("🔍")
        self.search_box.returnPressed.connect(self.find_next)
        bar.addWidget(self.search_box, 1)
        self.live_button = QPushButton("⤓ LIVE")
        self.live_button.clicked.connect(self.jump_to_live)
        bar.addWidget(self.live_button)
        for suffix in ("txt", "srt", "vtt"):
            button = QPushButton(f"⇩ .{suffix}")
            button.clicked.connect(lambda _=False, s=suffix: self.export_dialog(s))
            bar.addWidget(button)
        self.clear_button = QPushButton("✕")
        self.clear_button.clicked.connect(self.clear)
        bar.addWidget(self.clear_button)

        self.model = CaptionModel(self.settings.max_lines)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(CaptionDelegate(self))
        self.view.setWordWrap(True)
        self.view.setUniformItemSizes(False)
        self.view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.view.clicked.connect(self.correct_line)
        self.partial = QLabel()
        self.partial.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.partial)
        layout.addWidget(self.status)
        self._following = True
        self.view.verticalScrollBar().valueChanged.connect(self._user_scrolled)
        self.apply_style()

    # --- running ------------------------------------------------------------------------

    def start(self) -> None:
        for runner in self.runners:
            runner.start()

    def stop(self) -> None:
        for runner in self.runners:
            runner.stop()

    def set_paused(self, paused: bool) -> None:
        for runner in self.runners:
            runner.pause() if paused else runner.resume()
        self.pause_button.setText("▶" if paused else "⏸")

    def closeEvent(self, event) -> None:  # noqa: N802
        self.stop()
        super().closeEvent(event)

    # --- events (GUI thread) -------------------------------------------------------------

    def on_event(self, event: CaptionEvent) -> None:
        if isinstance(event, CaptionPartial):
            self.partial.setText(f"{event.speaker}: {event.text}")
        elif isinstance(event, CaptionFinal):
            self.partial.setText("")
            self.model.append(event.line)
            if self._following:
                self.view.scrollToBottom()
        elif isinstance(event, CaptionUpdated):
            self.model.replace(event.line)
        elif isinstance(event, CaptionStatus):
            self.status.setText(event.message)
            self.status.setVisible(bool(event.message))

    # --- reading comfort ---------------------------------------------------------------

    def apply_style(self) -> None:
        text, background, dim = THEMES[self.theme]
        self.setStyleSheet(
            f"CaptionWindow, QListView {{ background: {background}; color: {text}; }}"
            f"QPushButton, QComboBox, QLineEdit {{ min-height: 48px; font-size: 20px; }}")
        font = QFont()
        font.setPixelSize(self.font_px)
        font.setUnderline(True)
        self.partial.setFont(font)
        self.partial.setStyleSheet(f"color: {dim}; background: {background};")
        self.status.setStyleSheet("color: #f87171; font-size: 22px;")
        self.model.layoutChanged.emit()  # row heights depend on the font

    def set_theme(self, name: str) -> None:
        self.theme = self.settings.theme = name
        self.theme_box.blockSignals(True)
        self.theme_box.setCurrentIndex(list(THEMES).index(name))
        self.theme_box.blockSignals(False)
        self.apply_style()

    def set_font_px(self, px: int) -> None:
        self.font_px = self.settings.font_size = max(FONT_SIZES[0], min(FONT_SIZES[-1], px))
        self.apply_style()

    def cycle_line_spacing(self) -> None:
        """1.0 -> 1.3 -> 1.6 -> 1.0 … times the text height between lines."""
        steps = LINE_SPACINGS
        current = min(range(len(steps)), key=lambda i: abs(steps[i] - self.settings.line_spacing))
        self.settings.line_spacing = steps[(current + 1) % len(steps)]
        self.spacing_button.setText(f"↕ {self.settings.line_spacing:.1f}")
        self.apply_style()

    def step_font(self, step: int) -> None:
        sizes = list(FONT_SIZES)
        current = min(range(len(sizes)), key=lambda i: abs(sizes[i] - self.font_px))
        self.set_font_px(sizes[max(0, min(len(sizes) - 1, current + step))])

    def event(self, event) -> bool:
        if event.type() == event.Type.Gesture:
            pinch = event.gesture(Qt.GestureType.PinchGesture)
            if pinch is not None:
                self.set_font_px(int(self.font_px * pinch.scaleFactor()))
                return True
        return super().event(event)

    # --- scrollback, search, corrections ----------------------------------------------------

    def _user_scrolled(self, value: int) -> None:
        bar = self.view.verticalScrollBar()
        self._following = value >= bar.maximum() - 4

    def jump_to_live(self) -> None:
        self._following = True
        self.view.scrollToBottom()

    def find_next(self) -> CaptionLine | None:
        hits = {line.id for line in self.session.search(self.search_box.text())}
        if not hits:
            return None
        current = self.view.currentIndex().row()
        rows = [row for row, line in enumerate(self.model.lines) if line.id in hits]
        row = next((r for r in rows if r > current), rows[0]) if rows else None
        if row is None:
            return None
        self._following = False
        index = self.model.index(row)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        return self.model.lines[row]

    def correct_line(self, index: QModelIndex, text: str | None = None) -> None:
        line = self.model.lines[index.row()]
        if text is None:
            text, ok = QInputDialog.getText(self, "✎", line.speaker, text=line.text)
            if not ok:
                return
        if text.strip() and text != line.text:
            updated = self.session.correct(line.id, text.strip())
            if updated:
                self.model.replace(updated)

    def export_dialog(self, suffix: str) -> None:
        from pathlib import Path

        path, _ = QFileDialog.getSaveFileName(self, "", f"captions.{suffix}")
        if path:
            self.session.export(Path(path))

    def clear(self) -> None:
        self.session.clear()
        self.model.clear()
        self.partial.clear()
