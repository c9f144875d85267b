"""Admin screen: import, validate, export and roll back the phrasebook and term dictionary.

Imports are validated in a worker thread (kana readings take ~1-4 ms a phrase)
with a progress bar; a rejected file lists every problem with its file, row and
cell, and the previously active version stays in use.  A valid phrasebook is
not applied at once: a preview (phrase_import_preview.py) shows what it adds,
changes and removes and lets the admin merge (default) or replace, or cancel.
Term dictionaries are installed as they are (replace; rollback restores).
Warnings of an accepted import (e.g. Excel's '?' for characters Shift_JIS
cannot hold) are listed too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.errors import CounterAppError
from counter_app.phrasebook.files import save_phrasebook
from counter_app.phrasebook.library import Library, Version
from counter_app.phrasebook.merge import MERGE, REPLACE, ImportPlan, Mode
from counter_app.phrasebook.problems import ImportValidationError, Progress
from counter_app.phrasebook.terms import save_terms
from counter_app.ui.i18n import add_strings, tr
from counter_app.ui.phrase_import_preview import ImportPreviewDialog
from counter_app.ui.tasks import Task, run_task

log = logging.getLogger(__name__)

add_strings({
    "pbimport_merged": ("{file} を統合しました（{label}）：追加 {added}件・変更 {changed}件。",
                        "Merged {file} as {label}: {added} added, {changed} changed."),
    "pbimport_replaced": ("{file} で置き換えました（{label}）：削除 {removed}件。"
                          "「一つ前に戻す」で以前の定型文に戻せます。",
                          "Replaced the phrasebook with {file} ({label}): {removed} removed. "
                          "\"Roll back\" restores the previous one."),
    "pbimport_cancelled": ("{file} の読み込みを取り消しました。何も変わっていません。",
                           "Import of {file} cancelled. Nothing was changed."),
})

EXPORT_FILTERS = {"CSV (Excel, UTF-8) (*.csv)": ".csv", "Excel (*.xlsx)": ".xlsx",
                  "YAML (*.yaml)": ".yaml"}
PHRASEBOOK, TERMS = "phrasebook", "terms"
# Share of the progress bar per import stage (start, end), in percent.
STAGES = {"reading": (0, 15), "cells": (15, 30), "checking": (30, 40), "readings": (40, 95),
          "saving": (95, 100)}


def overall_percent(stage: str, done: int, total: int) -> int:
    """One bar for the whole import: each stage fills its own stretch."""
    start, end = STAGES.get(stage, (0, 100))
    return start + (end - start) * min(done, total) // max(total, 1)


@dataclass(frozen=True)
class _Kind:
    """How the dialog reads and changes one kind of library file."""

    title: str
    versions: Callable[[], list[Version]]
    active: Callable[[], Any]
    install: Callable[[Path, Progress], Version]  # validate and apply (merge for phrases)
    rollback: Callable[[], Version]
    export: Callable[[Any, Path], None]
    describe: Callable[[Any, str], str]


def _kinds(library: Library) -> dict[str, _Kind]:
    return {
        PHRASEBOOK: _Kind(
            tr("phrasebook"), library.phrasebooks.versions, library.phrasebook,
            lambda path, progress: library.import_phrasebook(path, progress=progress,
                                                             mode=MERGE),
            library.rollback_phrasebook, save_phrasebook,
            lambda book, label: tr("active_phrasebook").format(
                label=label, name=book.name, version=book.version, count=len(book),
                languages=len(book.languages))),
        TERMS: _Kind(
            tr("term_dictionary"), library.term_versions.versions, library.terms,
            lambda path, progress: library.import_terms(path, progress=progress),
            library.rollback_terms, save_terms,
            lambda terms, label: tr("active_terms" if len(terms) else "no_terms").format(
                label=label, name=terms.name, version=terms.version, count=len(terms))),
    }


def _label(version: Version) -> str:
    if version.number == 0:
        return tr("shipped_default")
    return f"{version.label}  {version.imported_at:%Y-%m-%d %H:%M}"


class _Section(QGroupBox):
    """Active version, kept versions and the three buttons of one kind."""

    def __init__(self, kind: _Kind):
        super().__init__(kind.title)
        self.kind = kind
        layout = QVBoxLayout(self)
        self.active_label = QLabel()
        self.active_label.setWordWrap(True)
        self.active_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.active_label)
        self.versions = QListWidget()
        self.versions.setMaximumHeight(150)
        layout.addWidget(self.versions)
        buttons = QHBoxLayout()
        self.import_button = QPushButton(tr("import_file"))
        self.rollback_button = QPushButton(tr("roll_back"))
        self.export_button = QPushButton(tr("export_file"))
        for button in (self.import_button, self.rollback_button, self.export_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)

    def refresh(self) -> None:
        versions = self.kind.versions()
        active = next(v for v in versions if v.active)
        self.active_label.setText(self.kind.describe(self.kind.active(), _label(active)))
        self.versions.clear()
        for version in reversed(versions):
            self.versions.addItem(("✔ " if version.active else "　 ") + _label(version))
        self.rollback_button.setEnabled(active.number != 0)


class PhraseAdminDialog(QDialog):
    """Settings screen for admins: versions, Import…, Roll back, Export…"""

    import_done = Signal(str, bool)  # kind, applied (False: rejected or cancelled)
    changed = Signal(str)  # kind whose active version changed
    preview_shown = Signal(object)  # ImportPreviewDialog of a valid phrasebook file

    def __init__(self, library: Library, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self.setWindowTitle(tr("phrase_admin"))
        self.setMinimumSize(980, 640)
        if parent is None:
            from counter_app.ui.style import stylesheet

            self.setStyleSheet(stylesheet())
        self.kinds = _kinds(library)
        layout = QVBoxLayout(self)
        sections = QHBoxLayout()
        self.sections: dict[str, _Section] = {}
        for key, kind in self.kinds.items():
            section = _Section(kind)
            section.import_button.clicked.connect(lambda _=False, k=key: self.choose_import(k))
            section.rollback_button.clicked.connect(lambda _=False, k=key: self.rollback(k))
            section.export_button.clicked.connect(lambda _=False, k=key: self.choose_export(k))
            sections.addWidget(section, 1)
            self.sections[key] = section
        layout.addLayout(sections)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.hide()
        layout.addWidget(self.progress)
        self.problems = QListWidget()
        self.problems.setWordWrap(True)
        self.problems.setSpacing(3)
        self.problems.setAlternatingRowColors(True)
        self.problems.setObjectName("problems")
        self.problems.setStyleSheet("QListWidget#problems { color: #991b1b; }")
        self.problems.hide()
        layout.addWidget(self.problems, 1)
        layout.addStretch(0)
        close = QPushButton(tr("close"))
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self._task: Task | None = None
        self.preview: ImportPreviewDialog | None = None  # open while the admin decides
        self.refresh()

    def refresh(self) -> None:
        for section in self.sections.values():
            section.refresh()

    def _say(self, text: str, problems: list[str] | None = None, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setObjectName("status" if error else "")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.problems.clear()
        self.problems.addItems(["⚠ " + p for p in problems or []])
        self.problems.setVisible(bool(problems))

    # --- import -----------------------------------------------------------------------

    def choose_import(self, kind: str) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.kinds[kind].title + " – "
                                              + tr("import_file"), "", tr("file_types"))
        if path:
            self.start_import(kind, Path(path))

    def start_import(self, kind: str, path: str | Path, preview: bool = True) -> None:
        """Validate `path` in a worker, then apply it; `import_done` tells how it went.

        A valid phrasebook is first shown in an ImportPreviewDialog (`preview_shown`);
        with `preview=False` it is merged at once.  Term dictionaries are installed
        as they are."""
        path = Path(path)
        self._set_busy(True)
        self._say(tr("importing").format(file=path.name))
        direct = kind != PHRASEBOOK or not preview

        def work(task: Task) -> object:
            report = self._reporter(task)
            if direct:
                return self.kinds[kind].install(path, report)
            return self.library.plan_phrasebook_import(path, progress=report)

        def finished(result: object) -> None:
            if isinstance(result, ImportPlan):
                self._show_preview(result, path.name)
            else:
                self._imported(kind, path.name, result)

        self._run(work, finished, kind, path.name)

    def _reporter(self, task: Task) -> Progress:
        shown = [-1]

        def report(stage: str, done: int, total: int) -> None:  # on the worker thread
            percent = overall_percent(stage, done, total)
            if percent != shown[0]:
                shown[0] = percent
                task.report(percent)

        return report

    def _run(self, work: Callable[[Task], object], finished: Callable[[object], None],
             kind: str, name: str) -> None:
        self.progress.setValue(0)
        self.progress.show()

        def failed(error: BaseException) -> None:  # reported in the dialog, never lost
            if not isinstance(error, CounterAppError | OSError):
                log.error("Import of %s failed: %s", name, type(error).__name__)
            self._imported(kind, name, error)

        self._task = run_task(work, finished, failed, self.progress.setValue, parent=self)

    def _show_preview(self, plan: ImportPlan, name: str) -> None:
        self.progress.hide()
        preview = ImportPreviewDialog(plan, name, self)
        self.preview = preview
        preview.finished.connect(lambda result: self._previewed(preview, name, bool(result)))
        preview.open()  # window-modal, without a nested event loop
        self.preview_shown.emit(preview)

    def _previewed(self, preview: ImportPreviewDialog, name: str, apply: bool) -> None:
        self.preview = None
        preview.deleteLater()
        if not apply:
            self._set_busy(False)
            self._say(tr("pbimport_cancelled").format(file=name))
            self.import_done.emit(PHRASEBOOK, False)
            return
        plan, mode = preview.plan, preview.mode()
        self._run(lambda task: self.library.apply_phrasebook_import(
                      plan, mode, self._reporter(task)),
                  lambda version: self._imported(PHRASEBOOK, name, version, plan, mode),
                  PHRASEBOOK, name)

    def _imported(self, kind: str, name: str, result: object, plan: ImportPlan | None = None,
                  mode: Mode = MERGE) -> None:
        self._set_busy(False)
        self.progress.hide()
        if isinstance(result, Version):
            self._say(self._applied_text(name, result, plan, mode),
                      [str(w) for w in result.warnings])
            self.changed.emit(kind)
            self.import_done.emit(kind, True)
            return
        if isinstance(result, ImportValidationError):
            problems = [str(p) for p in result.problems]
            if result.truncated:
                problems.append("…")
            self._say(tr("import_failed").format(file=name, count=len(result.problems)),
                      problems, error=True)
        else:
            self._say(tr("import_failed").format(file=name, count=1), [str(result)],
                      error=True)
        self.import_done.emit(kind, False)

    @staticmethod
    def _applied_text(name: str, version: Version, plan: ImportPlan | None, mode: Mode) -> str:
        if plan is None:
            return tr("imported").format(file=name, label=version.label)
        added, changed, removed = plan.diff(mode).counts
        key = "pbimport_replaced" if mode == REPLACE else "pbimport_merged"
        return tr(key).format(file=name, label=version.label, added=added, changed=changed,
                              removed=removed)

    def _set_busy(self, busy: bool) -> None:
        for section in self.sections.values():
            for button in (section.import_button, section.rollback_button,
                           section.export_button):
                button.setEnabled(not busy)
        if not busy:
            self.refresh()  # re-evaluates Roll back

    # --- rollback and export ------------------------------------------------------------

    def rollback(self, kind: str) -> Version | None:
        try:
            version = self.kinds[kind].rollback()
        except CounterAppError as error:
            self._say(str(error), error=True)
            return None
        self.refresh()
        self._say(tr("rolled_back").format(label=_label(version)))
        self.changed.emit(kind)
        return version

    def choose_export(self, kind: str) -> None:
        name = "phrasebook.csv" if kind == PHRASEBOOK else "terms.csv"
        path, chosen = QFileDialog.getSaveFileName(
            self, self.kinds[kind].title + " – " + tr("export_file"), name,
            ";;".join(EXPORT_FILTERS))
        if path:
            if not Path(path).suffix:
                path += EXPORT_FILTERS.get(chosen, ".csv")
            self.export_file(kind, Path(path))

    def export_file(self, kind: str, path: str | Path) -> bool:
        path = Path(path)
        try:
            self.kinds[kind].export(self.kinds[kind].active(), path)
        except (CounterAppError, OSError) as error:
            self._say(str(error), error=True)
            return False
        self._say(tr("exported").format(file=path))
        return True


def open_phrase_admin(parent: QWidget, library: Library) -> PhraseAdminDialog:
    """Show the admin dialog modally; an open phrase panel picks up changes."""
    dialog = PhraseAdminDialog(library, parent)
    panel = getattr(parent, "phrase_panel", None)
    if panel is not None:
        dialog.changed.connect(lambda _kind: panel.reload())
    dialog.exec()
    return dialog
