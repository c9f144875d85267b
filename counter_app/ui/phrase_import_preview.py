"""Before a phrasebook import is applied: what it adds, changes and removes; merge or replace.

The admin sees the counts for the chosen mode and every phrase that would be
lost (id and Japanese), picks Merge (the default: nothing is removed) or
Replace, then Apply or Cancel.  Cancel applies nothing.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.phrasebook.merge import MERGE, REPLACE, ImportPlan, Mode
from counter_app.ui.i18n import add_strings, tr
from counter_app.ui.widgets import TOUCH_MIN

STRINGS = {
    "pbimport_title": ("読み込む前の確認", "Check before importing"),
    "pbimport_file": ("{file}：{count}件の定型文。取り込み方を選んでください。",
                      "{file}: {count} phrases. Choose how to import them."),
    "pbimport_merge": ("統合する（おすすめ）：追加と更新だけ。今の定型文は消えません",
                       "Merge (recommended): add and update only; no phrase is removed"),
    "pbimport_replace": ("置き換える：ファイルにない定型文は削除されます",
                         "Replace: phrases not in the file are removed"),
    "pbimport_counts": ("追加 {added}件・変更 {changed}件・削除 {removed}件"
                        "（{before}件 → {after}件）",
                        "{added} added, {changed} changed, {removed} removed "
                        "({before} → {after} phrases)"),
    "pbimport_lost": ("削除される定型文（{count}件）：「一つ前に戻す」で戻せます",
                      "Phrases that will be removed ({count}); \"Roll back\" restores them"),
    "pbimport_nothing_lost": ("削除される定型文はありません。", "No phrase will be removed."),
    "pbimport_warnings": ("注意（読み込みは可能です）：", "Warnings (the file can be imported):"),
    "pbimport_apply": ("適用する", "Apply"),
    "pbimport_cancel": ("取り消す", "Cancel"),
}
add_strings(STRINGS)

LOST_STYLE = "QListWidget#lost { color: #991b1b; }"


class ImportPreviewDialog(QDialog):
    """Counts and lost phrases of `plan` per mode; accept() means Apply in `mode()`."""

    def __init__(self, plan: ImportPlan, file_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle(tr("pbimport_title") + " – " + file_name)
        self.setMinimumSize(760, 560)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("pbimport_file").format(file=file_name, count=len(plan.incoming)))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.merge_button = QRadioButton(tr("pbimport_merge"))
        self.replace_button = QRadioButton(tr("pbimport_replace"))
        self.modes = QButtonGroup(self)
        for button in (self.merge_button, self.replace_button):
            button.setMinimumHeight(TOUCH_MIN)
            self.modes.addButton(button)
            layout.addWidget(button)
        self.merge_button.setChecked(True)
        self.counts = QLabel()
        self.counts.setObjectName("pbimport_counts")
        self.counts.setStyleSheet("font-size: 22px; font-weight: bold;")
        layout.addWidget(self.counts)
        self.lost_heading = QLabel()
        self.lost_heading.setWordWrap(True)
        layout.addWidget(self.lost_heading)
        self.lost = QListWidget()
        self.lost.setObjectName("lost")
        self.lost.setStyleSheet(LOST_STYLE)
        self.lost.setAlternatingRowColors(True)
        self.lost.setWordWrap(True)
        layout.addWidget(self.lost, 1)
        self.warnings = QListWidget()
        self.warnings.setWordWrap(True)
        self.warnings.addItems(["⚠ " + str(w) for w in plan.warnings])
        self.warnings.setMaximumHeight(120)
        warnings_heading = QLabel(tr("pbimport_warnings"))
        for widget in (warnings_heading, self.warnings):
            widget.setVisible(bool(plan.warnings))
            layout.addWidget(widget)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton(tr("pbimport_cancel"))
        self.apply_button = QPushButton(tr("pbimport_apply"))
        self.apply_button.setDefault(True)
        for button in (self.cancel_button, self.apply_button):
            button.setMinimumHeight(TOUCH_MIN)
            row.addWidget(button)
        layout.addLayout(row)
        self.cancel_button.clicked.connect(self.reject)
        self.apply_button.clicked.connect(self.accept)
        self.modes.buttonToggled.connect(lambda _button, on: on and self._show_mode())
        self._show_mode()

    def mode(self) -> Mode:
        return REPLACE if self.replace_button.isChecked() else MERGE

    def _show_mode(self) -> None:
        mode = self.mode()
        added, changed, removed = self.plan.diff(mode).counts
        self.counts.setText(tr("pbimport_counts").format(
            added=added, changed=changed, removed=removed, before=len(self.plan.current),
            after=len(self.plan.result(mode))))
        lost = self.plan.lost(mode)
        self.lost_heading.setText(tr("pbimport_lost").format(count=len(lost)) if lost
                                  else tr("pbimport_nothing_lost"))
        self.lost.clear()
        self.lost.addItems([f"{phrase.id}　{phrase.source_text}" for phrase in lost])
        self.lost.setVisible(bool(lost))
        self.lost_heading.setStyleSheet("color: #991b1b; font-weight: bold;" if lost else "")

    def lost_lines(self) -> list[str]:
        return [self.lost.item(i).text() for i in range(self.lost.count())]

