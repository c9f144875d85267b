"""The model manager for admins: availability, installed models, catalog installs,
offline packs.  Store work runs as a Task off the GUI thread (the screen never
freezes); only "Refresh catalogs" and a confirmed download use the network.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.config import Settings
from counter_app.errors import CounterAppError
from counter_app.store import licences
from counter_app.store.availability import (
    LanguageAvailability,
    Overview,
    gather,
)
from counter_app.store.catalog import Catalog, CatalogEntry, CatalogSources, load_catalogs
from counter_app.store.health import CATALOG_CACHE
from counter_app.store.install import Installer
from counter_app.store.local import InstalledModel, ModelStore
from counter_app.store.resolve import Plan, plan
from counter_app.ui import import_language
from counter_app.ui.download_messages import StatusLine, explain
from counter_app.ui.i18n import tr
from counter_app.ui.install_job import InstallJob
from counter_app.ui.model_tables import (  # noqa: F401 (LanguageChooser re-exported)
    _EXTRA_STYLE,
    LanguageChooser,
    OverviewPage,
    PlanPage,
    PlanProgress,  # noqa: F401 (re-exported)
    ProgressBox,
    _download_text,
    _item,
    _size,
    _table,
    fill_languages,
    fill_models,
    install_entries,
    kind_label,
    missing_label,
    missing_text,
    model_languages,
)
from counter_app.ui.style import stylesheet
from counter_app.ui.tasks import Task

log = logging.getLogger(__name__)

IMPORT_PATTERNS = "*.zip *.argosmodel *.onnx *.onnx.json *.tar.gz *.tgz *.tar"


def _ignore(result: object) -> None:
    pass


class ModelManagerDialog(InstallJob, QDialog):
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

        overview = OverviewPage()
        self.languages_table, self.models_table = overview.languages, overview.models
        self.remove_button = overview.remove_button
        self.remove_button.clicked.connect(self.remove_selected)
        self.pages = QStackedWidget()
        self.pages.addWidget(overview)
        self.plan_page = PlanPage()
        self.plan_page.back_button.clicked.connect(self.show_overview)
        self.plan_page.confirm_button.clicked.connect(self.start_install)
        self.confirm_button, self.plan_total = self.plan_page.confirm_button, self.plan_page.total
        self.pages.addWidget(self.plan_page)
        layout.addWidget(self.pages, 1)

        progress = ProgressBox()
        self.progress_box, self.progress_label = progress, progress.label
        self.progress, self.cancel_button = progress.bar, progress.cancel_button
        self.cancel_button.clicked.connect(self.cancel)
        layout.addWidget(progress)

        self.status_line = StatusLine()
        self.status = self.status_line.label  # the sentence; its detail behind 詳細
        layout.addWidget(self.status_line)

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
        self.plan_page.update_confirm()

    def _job_finished(self, result: object) -> None:
        on_done, self._on_done = self._on_done, _ignore  # no cycle back to self
        self._idle()
        if self._close_when_idle:
            super().reject()
            return
        on_done(result)

    def _job_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, CounterAppError):  # a bug: tell the admin, keep the app alive
            log.error("Model manager task failed: %s", type(exc).__name__)
        self._on_done = _ignore
        cancelled = bool(self._task and self._task.cancelled)
        self._idle()
        if self._close_when_idle:
            super().reject()
            return
        if cancelled:
            self.show_status(tr("mm_cancelled"))
        else:  # what happened and what to do; the raw error behind 詳細
            failure = explain(exc)
            self.show_status(f"{tr('mm_failed')}: {failure.message}", True, failure.detail)
        self.reload(keep_status=True)

    def show_status(self, text: str, error: bool = False, detail: str = "") -> None:
        self.status_line.show_message(text, error, detail)

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
        fill_languages(self.languages_table, overview.rows, overview.catalog is not None)
        fill_models(self.models_table, overview.models)

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
        self.plan_page.show_plan(wanted)
        self.pages.setCurrentIndex(1)

    def start_install(self) -> bool:
        """Download and install the shown plan, with progress and Cancel; refused
        while a non-commercial licence in it is not accepted (the plan's tick box)."""
        if not self.plan or not self.plan.entries:
            return False
        entries, total = list(self.plan.entries), self.plan.total_size
        accepted = self.plan_page.accepted_licences()
        if licences.pending(entries, accepted):
            self.show_status(tr("lic_refused"), error=True)
            return False
        self.show_status("")
        started = self._start(tr("mm_installing"),
                              lambda: self._install(entries, total, accepted),
                              self._installed, cancellable=True)
        if started:
            self.progress_label.setText(f"{tr('mm_installing')}…")
        return started

    def _install(self, entries: list[CatalogEntry], total: int,
                 accepted: list[str]) -> list[InstalledModel]:
        """Worker thread: one entry after another, stopping at the first failure."""
        return install_entries(self.store, entries, total, self._task, accepted)

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
        if (chosen := import_language.ask_missing(self, paths)) is None:
            return False  # a model of unknown language, and staff cancelled its chooser

        def work() -> list[InstalledModel]:
            installer = Installer(store)
            return [model for path in paths
                    for model in installer.import_path(path, language=chosen.get(str(path)))]

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

