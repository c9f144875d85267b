"""The model manager for admins: per-language availability, installed models,
installs from the catalogs, imports of offline packs and loose model files.

Every store operation runs on a worker thread; results, errors and download
progress come back as Qt signals, so the screen never freezes.  Only
"Refresh catalogs" and a confirmed download use the network; everything else
reads the store and the cached catalogs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app import languages
from counter_app.config import Settings
from counter_app.errors import CounterAppError, DownloadError
from counter_app.store.availability import (
    LanguageAvailability,
    Overview,
    gather,
    human_size,
)
from counter_app.store.catalog import Catalog, CatalogEntry, CatalogSources, load_catalogs
from counter_app.store.health import CATALOG_CACHE
from counter_app.store.install import Installer
from counter_app.store.local import InstalledModel, ModelStore
from counter_app.store.resolve import Plan, plan
from counter_app.ui.i18n import tr
from counter_app.ui.style import stylesheet
from counter_app.ui.tasks import Task

log = logging.getLogger(__name__)

IMPORT_PATTERNS = "*.zip *.argosmodel *.onnx *.onnx.json *.tar.gz *.tgz *.tar"
_EXTRA_STYLE = """
QLabel#mmStatus[error="true"] { color: #b91c1c; font-weight: bold; }
QLabel#mmStatus[error="false"] { color: #065f46; }
QTableWidget, QListWidget { background: white; }
QPushButton:disabled, QPushButton#next:disabled { color: #6b7280; background: #e5e7eb;
                                                  border: 2px solid #d1d5db; }
"""


class PlanProgress:
    """Per-file progress from the Installer summed over a whole plan."""

    def __init__(self, total: int, emit: Callable[[int, int, str], None]):
        self.total, self.emit, self.files = total, emit, {}

    def __call__(self, done: int, total: int, label: str) -> None:
        self.files[label] = done
        overall = sum(self.files.values())
        self.emit(overall, max(self.total, overall), label)


def _ignore(result: object) -> None:
    pass


# --- small display helpers ------------------------------------------------------------

def kind_label(kind: str) -> str:
    return {"asr": tr("mm_asr"), "mt": tr("mm_mt"), "tts": tr("mm_tts")}.get(kind, kind)


def missing_label(gap: str) -> str:
    """"asr" / "tts" / "mt ja->ko" in the UI language."""
    kind, _, detail = gap.partition(" ")
    return kind_label(kind) + (" " + detail.replace("->", "→") if detail else "")


def missing_text(gaps: Sequence[str]) -> str:
    """The gaps of one language, both MT directions of a pair shown once as a⇄b."""
    shown, done = [], set()
    for gap in gaps:
        kind, _, detail = gap.partition(" ")
        source, _, target = detail.partition("->")
        if kind == "mt" and f"mt {target}->{source}" in gaps:
            if frozenset((source, target)) not in done:
                done.add(frozenset((source, target)))
                shown.append(f"{kind_label('mt')} {source}⇄{target}")
        else:
            shown.append(missing_label(gap))
    return ", ".join(shown)


def _size(size: int | None) -> str:
    return tr("mm_size_unknown") if size is None else human_size(size)


def model_languages(model: InstalledModel) -> str:
    if model.kind == "mt" and len(model.languages) == 2 and model.meta.get("pairs") != "any":
        return "→".join(model.languages)
    return ", ".join(model.languages)


def _download_text(row: LanguageAvailability, have_catalog: bool) -> str:
    """What completing a language costs, and whether the catalogs can complete it."""
    if not have_catalog:
        return tr("mm_unknown_size")
    gaps = any(note.startswith("not in any catalog") for note in row.notes)
    if row.download_size is None:
        size = _size(None)
    elif row.download_size == 0:
        return tr("mm_not_in_catalog")
    else:
        size = human_size(row.download_size)
    return f"{size} ({tr('mm_partly_in_catalog')})" if gaps else size


def _item(text: str, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if tooltip:
        item.setToolTip(tooltip)
    return item


def _table(headers: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


class LanguageChooser(QDialog):
    """Tick the languages to install; each row says what it lacks."""

    def __init__(self, rows: Sequence[LanguageAvailability], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("mm_choose_languages"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("mm_choose_languages")))
        self.list = QListWidget()
        for row in rows:
            lang = languages.get(row.code)
            state = "✓ " + tr("mm_complete") if not row.missing else missing_text(row.missing)
            item = QListWidgetItem(f"{lang.native} — {lang.english} ({lang.code})   [{state}]")
            item.setData(Qt.ItemDataRole.UserRole, row.code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        layout.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        self.ok_button = QPushButton(tr("mm_show_plan"))
        self.ok_button.clicked.connect(self.accept)
        cancel = QPushButton(tr("cancel"))
        cancel.clicked.connect(self.reject)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.ok_button)
        layout.addLayout(buttons)
        self.resize(720, 640)

    def codes(self) -> list[str]:
        items = (self.list.item(i) for i in range(self.list.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items
                if item.checkState() == Qt.CheckState.Checked]


class ModelManagerDialog(QDialog):
    """Languages, installed models, and the actions that change the store."""

    def __init__(self, store: ModelStore, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.settings = settings
        self.sources = CatalogSources.from_settings(settings.catalogs)
        self.staff = settings.conversation.staff_language
        self.models: list[InstalledModel] = []
        self.rows: list[LanguageAvailability] = []
        self.catalog: Catalog | None = None
        self.plan: Plan | None = None
        self.changed = False  # models were installed, imported or removed
        self.busy = False
        self._task: Task | None = None
        self._on_done: Callable[[object], None] = _ignore
        self._close_when_idle = False
        self.setWindowTitle(tr("mm_title"))
        self.setStyleSheet((stylesheet(settings.conversation.font_scale) if parent is None
                            else "") + _EXTRA_STYLE)
        self._build()
        self.resize(1180, 820)
        self.reload()

    # --- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        intro = QLabel(tr("mm_intro"))
        intro.setObjectName("note")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.languages_table = _table([tr("mm_language"), tr("mm_asr"), tr("mm_mt"),
                                       tr("mm_tts"), tr("mm_missing"), tr("mm_to_download")])
        self.models_table = _table([tr("mm_kind"), tr("mm_engine"), tr("mm_name"),
                                    tr("mm_language"), tr("mm_size"), tr("mm_origin")])
        self.remove_button = QPushButton(tr("mm_remove"))
        self.remove_button.clicked.connect(self.remove_selected)
        models_box = QGroupBox(tr("mm_installed"))
        models_layout = QVBoxLayout(models_box)
        models_layout.addWidget(self.models_table, 1)
        remove_row = QHBoxLayout()
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_button)
        models_layout.addLayout(remove_row)
        languages_box = QGroupBox(tr("mm_languages"))
        QVBoxLayout(languages_box).addWidget(self.languages_table)
        overview = QSplitter(Qt.Orientation.Vertical)
        overview.addWidget(languages_box)
        overview.addWidget(models_box)
        overview.setSizes([460, 300])

        self.pages = QStackedWidget()
        self.pages.addWidget(overview)
        self.pages.addWidget(self._build_plan_page())
        layout.addWidget(self.pages, 1)

        progress_row = QHBoxLayout()
        self.progress_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMinimumHeight(28)
        self.cancel_button = QPushButton(tr("mm_cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        progress_row.addWidget(self.progress_label)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_box = QWidget()
        self.progress_box.setLayout(progress_row)
        self.progress_box.hide()
        layout.addWidget(self.progress_box)

        self.status = QLabel()
        self.status.setObjectName("mmStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)

        actions = QHBoxLayout()
        self.install_button = QPushButton(tr("mm_install"))
        self.install_button.clicked.connect(self.choose_languages)
        self.import_button = QPushButton(tr("mm_import_file"))
        self.import_button.clicked.connect(self.choose_import_file)
        self.import_folder_button = QPushButton(tr("mm_import_folder"))
        self.import_folder_button.clicked.connect(self.choose_import_folder)
        self.refresh_button = QPushButton(tr("mm_refresh"))
        self.refresh_button.clicked.connect(self.refresh_catalogs)
        close = QPushButton(tr("mm_close"))
        close.clicked.connect(self.reject)
        for button in (self.install_button, self.import_button, self.import_folder_button,
                       self.refresh_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(close)
        layout.addLayout(actions)
        self._actions = (self.install_button, self.import_button, self.import_folder_button,
                         self.refresh_button, self.remove_button, self.confirm_button)

    def _build_plan_page(self) -> QWidget:
        box = QGroupBox(tr("mm_plan_title"))
        layout = QVBoxLayout(box)
        self.plan_table = _table([tr("mm_kind"), tr("mm_engine"), tr("mm_name"),
                                  tr("mm_language"), tr("mm_size"), tr("mm_licence")])
        layout.addWidget(self.plan_table, 1)
        self.plan_notes = QLabel()
        self.plan_notes.setObjectName("note")
        self.plan_notes.setWordWrap(True)
        layout.addWidget(self.plan_notes)
        self.plan_total = QLabel()
        layout.addWidget(self.plan_total)
        buttons = QHBoxLayout()
        self.back_button = QPushButton(tr("mm_back"))
        self.back_button.clicked.connect(self.show_overview)
        self.confirm_button = QPushButton(tr("mm_confirm_download"))
        self.confirm_button.setObjectName("next")
        self.confirm_button.clicked.connect(self.start_install)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.confirm_button)
        layout.addLayout(buttons)
        return box

    # --- running store work off the GUI thread ------------------------------------------

    def _start(self, message: str, work: Callable[[], object],
               on_done: Callable[[object], None], cancellable: bool = False) -> bool:
        if self.busy:
            self.show_status(tr("mm_busy"), error=True)
            return False
        self.busy = True
        self._on_done = on_done
        for button in self._actions:
            button.setEnabled(False)
        self.progress_label.setText(message)
        self.progress.setRange(0, 0 if not cancellable else 1000)  # 0..0: busy indicator
        self.progress.setValue(0)
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(cancellable)
        self.progress_box.show()
        self._task = Task(lambda task: work(), self)
        self._task.done.connect(self._job_finished)
        self._task.failed.connect(self._job_failed)
        self._task.progress.connect(lambda value: self._show_progress(*value))
        self._task.start()
        return True

    def _idle(self) -> None:
        self.busy = False
        self.progress_box.hide()
        for button in self._actions:
            button.setEnabled(True)
        self.confirm_button.setEnabled(bool(self.plan and self.plan.entries))

    def _job_finished(self, result: object) -> None:
        on_done, self._on_done = self._on_done, _ignore  # no cycle back to self
        self._idle()
        if self._close_when_idle:
            super().reject()
            return
        on_done(result)

    def _job_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CounterAppError):
            message = str(exc)
        else:  # a bug: still tell the admin, keep the app alive
            log.error("Model manager task failed: %s", type(exc).__name__)
            message = f"{type(exc).__name__}: {exc}"
        self._on_done = _ignore
        cancelled = bool(self._task and self._task.cancelled)
        self._idle()
        if self._close_when_idle:
            super().reject()
            return
        if cancelled:
            self.show_status(tr("mm_cancelled"))
        else:
            self.show_status(f"{tr('mm_failed')}: {message}", error=True)
        self.reload(keep_status=True)

    def _show_progress(self, done: int, total: int, label: str) -> None:
        if total:
            self.progress.setValue(int(1000 * min(done, total) / total))
        self.progress_label.setText(f"{tr('mm_installing')}: {label}  "
                                    f"{human_size(done)} / {_size(total or None)}")

    def cancel(self) -> None:
        """Stop the running download; the Installer removes its partial files."""
        if self._task is not None:
            self._task.cancel()
        self.cancel_button.setEnabled(False)
        self.progress_label.setText(tr("mm_cancelling"))

    def reject(self) -> None:
        """Closing while busy cancels first and closes once the worker has stopped."""
        if self.busy:
            self._close_when_idle = True
            self.cancel()
            return
        super().reject()

    def show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setProperty("error", error)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def ask(self, question: str) -> bool:
        """A yes/no confirmation (tests replace it)."""
        answer = QMessageBox.question(self, tr("mm_title"), question)
        return answer == QMessageBox.StandardButton.Yes

    def show_overview(self) -> None:
        self.pages.setCurrentIndex(0)

    # --- the overview --------------------------------------------------------------------

    def reload(self, keep_status: bool = False) -> bool:
        """Re-read the store and the cached catalogs (no network)."""
        if not keep_status:
            self.show_status("")
        store, sources = self.store, self.sources
        return self._start(tr("mm_loading"), lambda: gather(store, sources), self._apply)

    def _apply(self, overview: Overview) -> None:
        self.models = [model for model, _ in overview.models]
        self.rows = overview.rows
        self.catalog = overview.catalog
        if overview.catalog_problem:
            self.show_status(overview.catalog_problem, error=True)
        self._fill_languages(overview.rows, overview.catalog is not None)
        self._fill_models(overview.models)

    def _fill_languages(self, rows: list[LanguageAvailability], have_catalog: bool) -> None:
        table = self.languages_table
        table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            lang = languages.get(row.code)
            engines = [", ".join(row.installed.get(kind, [])) or "—"
                       for kind in ("asr", "mt", "tts")]
            if not row.missing:
                missing, size = "✓ " + tr("mm_complete"), "—"
            else:
                missing = missing_text(row.missing)
                size = _download_text(row, have_catalog)
            cells = [f"{lang.native} ({lang.code})", *engines, missing, size]
            for column, text in enumerate(cells):
                table.setItem(i, column, _item(text, "\n".join(row.notes)))

    def _fill_models(self, models: list[tuple[InstalledModel, int]]) -> None:
        table = self.models_table
        table.setRowCount(len(models))
        for i, (model, size) in enumerate(models):
            origin = (f"{tr('mm_read_only_short')} · {model.source}" if model.read_only
                      else str(model.meta.get("source") or model.source))
            cells = [kind_label(model.kind), model.engine, model.name,
                     model_languages(model), human_size(size), origin]
            for column, text in enumerate(cells):
                item = _item(text, str(model.path))
                if model.read_only:
                    item.setForeground(Qt.GlobalColor.darkGray)
                table.setItem(i, column, item)

    def model_row(self, name: str) -> int:
        """The table row of a model by name, -1 when not listed."""
        return next((i for i, m in enumerate(self.models) if m.name == name), -1)

    # --- catalogs and installs -----------------------------------------------------------

    def refresh_catalogs(self) -> bool:
        """Fetch every configured catalog (the one action that uses the network)."""
        store, sources = self.store, self.sources

        def work() -> Overview:
            load_catalogs(sources, store.root / CATALOG_CACHE, refresh=True)
            return gather(store, sources)

        def done(overview: Overview) -> None:
            self._apply(overview)
            self.show_status(tr("mm_done_refresh"))

        self.show_status("")
        return self._start(tr("mm_refreshing"), work, done)

    def choose_languages(self) -> None:
        chooser = LanguageChooser(self.rows, self)
        if chooser.exec() and chooser.codes():
            self.plan_install(chooser.codes())

    def plan_install(self, codes: list[str]) -> bool:
        """Work out what the languages need from the cached catalogs; show it."""
        if self.catalog is None:
            self.show_status(tr("mm_no_catalogs"), error=True)
            return False
        catalog, store, staff = self.catalog, self.store, self.staff
        self.show_status("")
        return self._start(tr("mm_planning"), lambda: plan(codes, catalog, store, staff),
                           self._show_plan)

    def _show_plan(self, wanted: Plan) -> None:
        self.plan = wanted
        table = self.plan_table
        table.setRowCount(len(wanted.entries))
        for i, entry in enumerate(wanted.entries):
            cells = [kind_label(entry.kind), entry.engine, entry.name,
                     "→".join(entry.languages) if entry.kind == "mt" and not entry.pairs
                     else ", ".join(entry.languages), _size(entry.size), entry.license]
            for column, text in enumerate(cells):
                table.setItem(i, column, _item(text))
        notes = list(wanted.notes)
        notes += [f"{tr('mm_plan_missing')}: {missing_label(gap)}" for gap in wanted.missing]
        self.plan_notes.setText("\n".join(notes))
        if wanted.entries:
            unknown = (f" + {wanted.unknown_sizes} {tr('mm_plan_unknown')}"
                       if wanted.unknown_sizes else "")
            self.plan_total.setText(f"<b>{tr('mm_plan_total')}: "
                                    f"{human_size(wanted.total_size)}{unknown}</b>")
            self.confirm_button.setText(f"{tr('mm_confirm_download')} "
                                        f"({human_size(wanted.total_size)}"
                                        f"{' + ?' if wanted.unknown_sizes else ''})")
        else:
            self.plan_total.setText(f"<b>{tr('mm_plan_nothing')}</b>")
            self.confirm_button.setText(tr("mm_confirm_download"))
        self.confirm_button.setEnabled(bool(wanted.entries))
        self.pages.setCurrentIndex(1)

    def start_install(self) -> bool:
        """Download and install the shown plan, with progress and Cancel."""
        if not self.plan or not self.plan.entries:
            return False
        entries, total = list(self.plan.entries), self.plan.total_size
        self.show_status("")
        started = self._start(tr("mm_installing"), lambda: self._install(entries, total),
                              self._installed, cancellable=True)
        if started:
            self.progress_label.setText(f"{tr('mm_installing')}…")
        return started

    def _install(self, entries: list[CatalogEntry], total: int) -> list[InstalledModel]:
        """Worker thread: one entry after another, stopping at the first failure."""
        installer = Installer(self.store)
        task = self._task
        progress = PlanProgress(total, lambda *value: task.report(value))
        installed = []
        for entry in entries:
            if task.cancelled:
                raise DownloadError("Install cancelled.")
            installed.append(installer.install(entry, progress=progress,
                                               cancel=lambda: task.cancelled))
        return installed

    def _installed(self, models: list[InstalledModel]) -> None:
        self.changed = True
        self.plan = None
        self.pages.setCurrentIndex(0)
        self.show_status(f"{tr('mm_done_install')}: " + ", ".join(m.name for m in models))
        self.reload(keep_status=True)

    # --- imports and removal -------------------------------------------------------------

    def choose_import_file(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, tr("mm_import_file"), str(Path.home()),
            f"{tr('mm_file_filter')} ({IMPORT_PATTERNS})")
        if paths:
            self.import_paths(paths)

    def choose_import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("mm_import_folder"), str(Path.home()))
        if folder:
            self.import_paths([folder])

    def import_paths(self, paths: Sequence[str | Path]) -> bool:
        """Install offline packs or loose model files/folders, with full checks."""
        store = self.store

        def work() -> list[InstalledModel]:
            installer = Installer(store)
            return [model for path in paths for model in installer.import_path(path)]

        def done(models: list[InstalledModel]) -> None:
            self.changed = True
            self.show_status(f"{tr('mm_done_import')}: " + ", ".join(
                f"{m.name} ({model_languages(m)})" for m in models))
            self.reload(keep_status=True)

        self.show_status("")
        return self._start(tr("mm_importing"), work, done)

    def selected_model(self) -> InstalledModel | None:
        rows = self.models_table.selectionModel().selectedRows()
        return self.models[rows[0].row()] if rows and rows[0].row() < len(self.models) else None

    def remove_selected(self) -> bool:
        model = self.selected_model()
        if model is None:
            self.show_status(tr("mm_select_model"), error=True)
            return False
        return self.remove(model)

    def remove(self, model: InstalledModel) -> bool:
        """Delete a store model after confirmation; package-shipped ones are refused."""
        if model.read_only:
            self.show_status(f"{model.name}: {tr('mm_refused_read_only')} ({model.source})",
                             error=True)
            return False
        if not self.ask(f"{tr('mm_confirm_remove')}\n{model.name} ({model_languages(model)})"):
            return False
        store, name = self.store, model.path.name

        def done(removed: InstalledModel) -> None:
            self.changed = True
            self.show_status(f"{tr('mm_done_remove')}: {removed.name}")
            self.reload(keep_status=True)

        self.show_status("")
        return self._start(tr("mm_removing"), lambda: Installer(store).remove(name), done)


def open_model_manager(window, store: ModelStore, settings: Settings) -> None:
    """Show the model manager modally; refresh the counter screen if models changed."""
    dialog = ModelManagerDialog(store, settings, window)
    dialog.exec()
    if dialog.changed and hasattr(window, "refresh_readiness"):
        window.refresh_readiness()
    dialog.deleteLater()


def attach_model_manager(window, store: ModelStore, settings: Settings) -> QPushButton:
    """Add a toolbar button opening the model manager to a ConversationWindow."""
    button = QPushButton(tr("mm_open"))
    button.clicked.connect(lambda: open_model_manager(window, store, settings))
    window.extra_toolbar.addWidget(button)
    window.model_manager_button = button
    return button
