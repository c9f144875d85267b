"""Caption mode: huge, high-contrast, continuously updated text with scrollback.

Finished lines live in a list model (no widget per line, so an 8-hour shift
stays light); the line being spoken sits below them, underlined and dimmer,
replaced in place as recognition refines it and always on screen
(counter_app/ui/caption_view.py draws both).  New text scrolls the history to
the newest line unless staff scrolled back or searched; "⤓" returns to it.
"✕ 字幕を閉じる" (or Escape) stops the microphones and closes the window;
"消去…" wipes the captions only after a confirmation.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QAction, QActionGroup, QFont
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
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
from counter_app.ui.caption_view import (  # noqa: F401 (THEMES & co. were defined here)
    FONT_SIZES,
    LINE_SPACINGS,
    THEMES,
    CaptionDelegate,
    CaptionModel,
    LiveLine,
)
from counter_app.ui.i18n import add_strings, tr
from counter_app.ui.tasks import Task, run_task

add_strings({
    "caption_close": ("✕ 字幕を閉じる", "✕ Close captions"),
    "caption_clear": ("消去…", "Clear…"),
    "caption_clear_question": ("表示中の字幕をすべて消去しますか？\n元に戻せません。",
                               "Clear all captions?\nThis cannot be undone."),
    "caption_clear_yes": ("消去する", "Clear"),
    "caption_clear_no": ("消去しない", "Keep"),
    "caption_live": ("⤓ 最新", "⤓ Live"),
    "caption_export": ("⇩ 保存", "⇩ Save"),
    "caption_search": ("🔍 検索", "🔍 Search"),
    "caption_view": ("Aa 表示", "Aa View"),
    "caption_line_spacing": ("行間", "Line spacing"),
})
LIVE_SHARE = 0.6  # the live line may take up to this share of the window's height


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
        self.running = False
        self.stopping: Task | None = None  # the runners being stopped after a close
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
        bar.addWidget(self._view_menu_button())
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(tr("caption_search"))
        self.search_box.setMinimumWidth(120)
        self.search_box.returnPressed.connect(self.find_next)
        bar.addWidget(self.search_box, 1)
        self.live_button = QPushButton(tr("caption_live"))
        self.live_button.clicked.connect(self.jump_to_live)
        bar.addWidget(self.live_button)
        self.export_button = QPushButton(tr("caption_export"))
        export_menu = QMenu(self.export_button)
        for suffix in ("txt", "srt", "vtt"):
            action = export_menu.addAction(f".{suffix}")
            action.triggered.connect(lambda _=False, s=suffix: self.export_dialog(s))
        self.export_button.setMenu(export_menu)
        bar.addWidget(self.export_button)
        self.clear_button = QPushButton(tr("caption_clear"))
        self.clear_button.clicked.connect(self.confirm_clear)
        bar.addWidget(self.clear_button)
        self.close_button = QPushButton(tr("caption_close"))
        self.close_button.setObjectName("closeCaptions")
        self.close_button.clicked.connect(self.close)
        bar.addWidget(self.close_button)

        self.model = CaptionModel(self.settings.max_lines)
        self.view = QListView()
        self.view.setModel(self.model)
        self.view.setItemDelegate(CaptionDelegate(self))
        self.view.setWordWrap(True)
        self.view.setUniformItemSizes(False)
        self.view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.clicked.connect(self.correct_line)
        self.partial = LiveLine()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.partial)
        layout.addWidget(self.status)
        self.following = True
        scroll = self.view.verticalScrollBar()
        scroll.valueChanged.connect(self._user_scrolled)
        scroll.rangeChanged.connect(lambda *_: self._keep_live())
        self.apply_style()

    def _view_menu_button(self) -> QPushButton:
        """Colours and line spacing, chosen rarely, share one menu (the bar fits 1024 px)."""
        self.view_button = QPushButton(tr("caption_view"))
        menu = QMenu(self.view_button)
        self.theme_actions: dict[str, QAction] = {}
        themes = QActionGroup(menu)
        for name in THEMES:
            action = themes.addAction(tr(f"theme_{name}"))
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, n=name: self.set_theme(n))
            menu.addAction(action)
            self.theme_actions[name] = action
        menu.addSeparator()
        self.spacing_actions: dict[float, QAction] = {}
        spacings = QActionGroup(menu)
        for spacing in LINE_SPACINGS:
            action = spacings.addAction(f"{tr('caption_line_spacing')} {spacing:.1f}")
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, v=spacing: self.set_line_spacing(v))
            menu.addAction(action)
            self.spacing_actions[spacing] = action
        self.view_button.setMenu(menu)
        return self.view_button

    # --- running ------------------------------------------------------------------------

    def start(self) -> None:
        self.running = True
        for runner in self.runners:
            runner.start()

    def stop(self) -> None:
        """Stop listening: every runner ends and lets go of its microphone."""
        self.running = False
        for runner in self.runners:
            runner.stop()

    def set_paused(self, paused: bool) -> None:
        for runner in self.runners:
            runner.pause() if paused else runner.resume()
        self.pause_button.setText("▶" if paused else "⏸")

    def stop_in_background(self) -> Task:
        """Stop every runner off the GUI thread (each waits for its microphone to close)."""
        self.running = False
        runners = list(self.runners)
        self.stopping = run_task(lambda _task: [runner.stop() for runner in runners])
        return self.stopping

    def closeEvent(self, event) -> None:  # noqa: N802
        """Closing (✕ or Escape) returns to the counter screen at once; listening ends."""
        self.stop_in_background()
        super().closeEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    # --- events (GUI thread) -------------------------------------------------------------

    def on_event(self, event: CaptionEvent) -> None:
        if isinstance(event, CaptionPartial):
            self.partial.setText(f"{event.speaker}: {event.text}")
            self._keep_live()
        elif isinstance(event, CaptionFinal):
            self.partial.setText("")
            self.model.append(event.line)
            self._keep_live()
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
            f"QPushButton, QComboBox, QLineEdit {{ min-height: 48px; font-size: 20px; }}"
            "QPushButton { min-width: 48px; padding: 0 12px; }"  # fits 1024 px at 160 px
            "QMenu::item { padding: 14px 32px; font-size: 22px; }"
            "QPushButton#closeCaptions { min-height: 56px; font-size: 22px; font-weight: bold;"
            " color: #ffffff; background: #b91c1c; border: 2px solid #ffffff;"
            " border-radius: 8px; padding: 0 18px; }"
            "QPushButton#closeCaptions:pressed { background: #7f1d1d; }")
        font = QFont()
        font.setPixelSize(self.font_px)
        font.setUnderline(True)
        self.partial.set_look(font, dim, background)
        self.status.setStyleSheet("color: #f87171; font-size: 22px;")
        self.theme_actions[self.theme].setChecked(True)
        spacing = min(LINE_SPACINGS, key=lambda v: abs(v - self.settings.line_spacing))
        self.spacing_actions[spacing].setChecked(True)
        self.model.layoutChanged.emit()  # row heights depend on the font
        self._keep_live()

    def set_theme(self, name: str) -> None:
        self.theme = self.settings.theme = name
        self.apply_style()

    def set_font_px(self, px: int) -> None:
        self.font_px = self.settings.font_size = max(FONT_SIZES[0], min(FONT_SIZES[-1], px))
        self.apply_style()

    def cycle_line_spacing(self) -> None:
        """1.0 -> 1.3 -> 1.6 -> 1.0 … times the text height between lines."""
        steps = LINE_SPACINGS
        current = min(range(len(steps)), key=lambda i: abs(steps[i] - self.settings.line_spacing))
        self.set_line_spacing(steps[(current + 1) % len(steps)])

    def set_line_spacing(self, spacing: float) -> None:
        self.settings.line_spacing = spacing
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

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.partial.set_max_height(int(self.height() * LIVE_SHARE))

    # --- scrollback, search, corrections ----------------------------------------------------

    def _user_scrolled(self, value: int) -> None:
        bar = self.view.verticalScrollBar()
        self._set_following(value >= bar.maximum() - 4)

    def _set_following(self, following: bool) -> None:
        self.following = following
        self.live_button.setStyleSheet(  # the way back to live stands out while away
            "" if following else "background: #2563eb; color: #ffffff; font-weight: bold;")

    def _keep_live(self) -> None:
        """While following, the newest finished line stays in view above the live one."""
        if self.following:
            self.view.scrollToBottom()

    def jump_to_live(self) -> None:
        self._set_following(True)
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
        self._set_following(False)
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

    def ask(self, question: str) -> bool:
        """A yes/no confirmation with large buttons in the UI language (tests replace it)."""
        box = QMessageBox(QMessageBox.Icon.Question, tr("captions"), question,
                          QMessageBox.StandardButton.NoButton, self)
        yes = box.addButton(tr("caption_clear_yes"), QMessageBox.ButtonRole.YesRole)
        no = box.addButton(tr("caption_clear_no"), QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        box.setStyleSheet("QLabel { font-size: 24px; color: #000000; } QMessageBox"
                          " { background: #ffffff; } QPushButton { min-height: 56px;"
                          " min-width: 160px; font-size: 22px; }")
        box.exec()
        return box.clickedButton() is yes

    def confirm_clear(self) -> bool:
        """Clear every caption, only if staff confirm; True when cleared."""
        if not self.ask(tr("caption_clear_question")):
            return False
        self.clear()
        return True

    def clear(self) -> None:
        self.session.clear()
        self.model.clear()
        self.partial.clear()
