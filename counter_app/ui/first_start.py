"""First start without a command line: download the office's languages (sizes first,
then progress, cancel and resume), import an office pack from a USB stick or a
folder, or continue with typing and phrasebooks.

The counter window's banner opens it (`attach_first_start`), and the app shows it
once per run when no model at all is installed (`show_first_start_if_empty`).
Planning, downloads and imports are the model manager's: store/resolve.plan,
model_tables.install_entries and Installer.import_path, run as Tasks off the GUI
thread.  An interrupted download resumes: the Installer keeps what arrived after
a network failure (`<store>/.partial/`) and the next attempt continues it with an
HTTP Range request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.config import Settings
from counter_app.errors import CounterAppError
from counter_app.store.availability import cached_catalogs
from counter_app.store.catalog import CatalogSources, load_catalogs
from counter_app.store.health import CATALOG_CACHE, PARTIAL_DIR
from counter_app.store.install import Installer
from counter_app.store.local import InstalledModel, ModelStore
from counter_app.store.resolve import Plan, plan
from counter_app.ui.download_messages import StatusLine, explain
from counter_app.ui.first_start_pages import (
    OFFICE_USUAL,
    PAGE_STYLE,
    TOUCH,
    ChoicePage,
    DonePage,
    ImportPage,
    LanguagePage,
    default_languages,
    import_targets,
    language_name,
    language_sizes,
    usb_folder,
)
from counter_app.ui.i18n import tr
from counter_app.ui.import_language import ask_missing
from counter_app.ui.install_job import InstallJob
from counter_app.ui.model_tables import (
    _EXTRA_STYLE,
    PlanPage,
    ProgressBox,
    install_entries,
    model_languages,
)
from counter_app.ui.models import IMPORT_PATTERNS
from counter_app.ui.style import stylesheet
from counter_app.ui.tasks import Task, run_task

log = logging.getLogger(__name__)

CHOICE, LANGUAGES, PLAN, IMPORT, DONE = range(5)
_shown_on_launch = False  # the automatic showing happens once per app run


class FirstStartDialog(InstallJob, QDialog):
    """The three ways to get going; emits models_changed after an install or import."""

    models_changed = Signal()

    def __init__(self, store: ModelStore, settings: Settings, parent: QWidget | None = None,
                 admin_allowed: Callable[[], bool] = lambda: True):
        super().__init__(parent)
        self.store, self.settings = store, settings
        self.admin_allowed = admin_allowed  # the admin PIN, when one is set (asked once)
        self._admin_ok = False
        self.sources = CatalogSources.from_settings(settings.catalogs)
        self.staff = settings.conversation.staff_language
        self.plan: Plan | None = None
        self.installed: list[InstalledModel] = []
        self.busy = False
        self._task: Task | None = None
        self._on_done: Callable[[object], None] = lambda result: None
        self._close_when_idle = False
        self.setWindowTitle(tr("fs_title"))
        own = stylesheet(settings.conversation.font_scale) if parent is None else ""
        self.setStyleSheet(own + _EXTRA_STYLE + PAGE_STYLE)
        self._build()
        self.resize(1000, 700)
        self.go(CHOICE)
        store_, sources, staff = store, self.sources, self.staff
        run_task(lambda task: self._cached_sizes(store_, sources, staff),
                 on_done=self._show_cached_sizes)

    # --- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        self.choice = ChoicePage(some_installed=bool(self.store.models()))
        self.choice.install_button.clicked.connect(lambda: self._as_admin(LANGUAGES))
        self.choice.import_button.clicked.connect(lambda: self._as_admin(IMPORT))
        self.choice.later_button.clicked.connect(self.reject)
        self.languages_page = LanguagePage(self.staff, default_languages(self.settings))
        self.languages_page.defaults_note.setText(self._defaults_text())
        self.languages_page.back_button.clicked.connect(lambda: self.go(CHOICE))
        self.languages_page.sizes_button.clicked.connect(self.check_sizes)
        self.plan_page = PlanPage()
        self.plan_page.back_button.clicked.connect(lambda: self.go(LANGUAGES))
        self.plan_page.confirm_button.clicked.connect(self.start_install)
        self.import_page = ImportPage()
        self.import_page.back_button.clicked.connect(lambda: self.go(CHOICE))
        self.import_page.folder_button.clicked.connect(self.choose_folder)
        self.import_page.file_button.clicked.connect(self.choose_files)
        self.done_page = DonePage()
        self.done_page.start_button.clicked.connect(self.accept)
        for page in (self.choice, self.languages_page, self.plan_page, self.import_page,
                     self.done_page):
            self.pages.addWidget(page)
        layout.addWidget(self.pages, 1)

        self.progress_box = ProgressBox()
        self.progress, self.progress_label = self.progress_box.bar, self.progress_box.label
        self.cancel_button = self.progress_box.cancel_button
        self.cancel_button.clicked.connect(self.cancel)
        layout.addWidget(self.progress_box)
        self.status_line = StatusLine()
        self.status = self.status_line.label
        layout.addWidget(self.status_line)

        row = QHBoxLayout()
        self.resume_button = QPushButton(tr("fs_resume"))
        self.resume_button.setObjectName("next")
        self.resume_button.clicked.connect(self.start_install)
        self.usb_button = QPushButton(tr("fs_to_import"))
        self.usb_button.clicked.connect(lambda: self.go(IMPORT, keep_status=True))
        self.close_button = QPushButton(tr("fs_close"))
        self.close_button.clicked.connect(self.reject)
        for button in (self.resume_button, self.usb_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.close_button)
        for button in (self.resume_button, self.usb_button, self.close_button,
                       self.cancel_button):
            button.setMinimumHeight(TOUCH)
        layout.addLayout(row)

    def _defaults_text(self) -> str:
        conv = self.settings.conversation
        return tr("fs_defaults").format(
            staff=language_name(conv.staff_language),
            resident=language_name(conv.resident_language),
            usual="・".join(language_name(c) for c in OFFICE_USUAL))

    def _as_admin(self, page: int) -> None:
        """Installing and importing are model management: the admin PIN guards them."""
        self._admin_ok = self._admin_ok or self.admin_allowed()
        if self._admin_ok:
            self.go(page)

    def go(self, page: int, keep_status: bool = False) -> None:
        """Show a page; Close shows wherever there is no better way out."""
        self.pages.setCurrentIndex(page)
        self.close_button.setVisible(page not in (CHOICE, DONE))
        if not keep_status:
            self.show_status("")
            self.resume_button.hide()
            self.usb_button.hide()

    def show_status(self, text: str, error: bool = False, detail: str = "") -> None:
        self.status_line.show_message(text, error, detail)

    # --- work off the GUI thread ---------------------------------------------------------

    def _start(self, message: str, work: Callable[[Task], object],
               on_done: Callable[[object], None], cancellable: bool = False) -> bool:
        if self.busy:
            self.show_status(tr("mm_busy"), error=True)
            return False
        self.busy, self._on_done = True, on_done
        self.pages.setEnabled(False)
        for button in (self.resume_button, self.usb_button):
            button.hide()
        self.show_status("")
        self.progress_label.setText(message)
        self.progress.setRange(0, 1000 if cancellable else 0)  # 0..0: busy indicator
        self.progress.setValue(0)
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(cancellable)
        self.progress_box.show()
        self._task = Task(work, self)
        self._task.done.connect(self._finished)
        self._task.failed.connect(self._failed)
        self._task.progress.connect(lambda value: self._show_progress(*value))
        self._task.start()
        return True

    def _idle(self) -> bool:
        """Back to idle; True when the dialog was closed meanwhile (nothing more to show)."""
        self.busy = False
        self.pages.setEnabled(True)
        self.progress_box.hide()
        if self._close_when_idle:
            super().reject()
            return True
        return False

    def _finished(self, result: object) -> None:
        on_done, self._on_done = self._on_done, lambda result: None
        if not self._idle():
            on_done(result)

    def _failed(self, exc: BaseException) -> None:
        cancelled = bool(self._task and self._task.cancelled)
        if not isinstance(exc, CounterAppError):  # a bug: say so, keep the app alive
            log.error("First-start task failed: %s", type(exc).__name__)
        if self._idle():
            return
        if cancelled:
            self.show_status(tr("mm_cancelled"))
            return
        failure = explain(exc)
        self.show_status("⚠ " + failure.message, True, failure.detail)
        self.resume_button.setVisible(failure.resumable and self.plan is not None)
        self.usb_button.setVisible(failure.network or failure.kind == "interrupted")

    # --- (a) download the office's languages ---------------------------------------------

    @staticmethod
    def _cached_sizes(store: ModelStore, sources: CatalogSources,
                      staff: str) -> dict[str, str]:
        catalog = cached_catalogs(store, sources)  # no network
        return language_sizes(store, catalog, staff) if catalog else {}

    def _show_cached_sizes(self, sizes: dict[str, str]) -> None:
        if sizes:
            self.languages_page.show_sizes(sizes)

    def check_sizes(self) -> bool:
        """Fetch the catalogs (the first network use), then show what the ticked
        languages would download, before anything is downloaded."""
        codes = self.languages_page.codes()
        store, sources, staff = self.store, self.sources, self.staff

        def work(task: Task) -> tuple[Plan, dict[str, str]]:
            catalog = load_catalogs(sources, store.root / CATALOG_CACHE, refresh=True)
            return plan(codes, catalog, store, staff), language_sizes(store, catalog, staff)

        return self._start(tr("fs_fetching"), work, self._show_plan)

    def _show_plan(self, result: tuple[Plan, dict[str, str]]) -> None:
        wanted, sizes = result
        self.plan = wanted
        self.languages_page.show_sizes(sizes)
        self.plan_page.show_plan(wanted)
        self.go(PLAN)

    def start_install(self) -> bool:
        """Download and install the shown plan; after an interruption the same call
        resumes (the store kept what had arrived)."""
        if not self.plan or not self.plan.entries:
            return False
        entries, total, store = list(self.plan.entries), self.plan.total_size, self.store
        accepted = self.plan_page.accepted_licences()  # its non-commercial licence box
        partial = store.root / PARTIAL_DIR
        resuming = partial.is_dir() and any(partial.iterdir())
        return self._start(tr("fs_resuming") if resuming else f"{tr('mm_installing')}…",
                           lambda task: install_entries(store, entries, total, task, accepted),
                           self._ready, cancellable=True)

    # --- (b) import an office pack -------------------------------------------------------

    def ask_folder(self) -> str:
        """A folder dialog in the UI language (Qt's own, translated; tests replace it)."""
        dialog = QFileDialog(self, tr("fs_choose_folder").rstrip("…"), str(usb_folder()))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        return dialog.selectedFiles()[0] if dialog.exec() and dialog.selectedFiles() else ""

    def ask_files(self) -> list[str]:
        dialog = QFileDialog(self, tr("fs_choose_file").rstrip("…"), str(usb_folder()),
                             f"{tr('mm_file_filter')} ({IMPORT_PATTERNS})")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        return dialog.selectedFiles() if dialog.exec() else []

    def choose_folder(self) -> bool:
        folder = self.ask_folder()
        return bool(folder) and self.import_paths([folder], look_inside=True)

    def choose_files(self) -> bool:
        files = self.ask_files()
        return bool(files) and self.import_paths(files)

    def import_paths(self, paths: Sequence[str | Path], look_inside: bool = False) -> bool:
        """Import packs, model files or folders with the model manager's importer;
        look_inside: a chosen folder may hold the packs (a USB stick's root)."""
        store = self.store
        targets = [t for p in paths
                   for t in (import_targets(Path(p)) if look_inside else [Path(p)])]
        languages = ask_missing(self, targets)  # a model folder that names no language
        if languages is None:
            return False

        def work(task: Task) -> list[InstalledModel]:
            installer = Installer(store)
            return [model for target in targets
                    for model in installer.import_path(target, languages.get(str(target)))]

        return self._start(tr("mm_importing"), work, self._ready)

    # --- done ----------------------------------------------------------------------------

    def _ready(self, models: list[InstalledModel]) -> None:
        self.installed += models
        self.plan = None
        self.done_page.summary.setText(f"{tr('fs_done_installed')}:\n" + "\n".join(
            f"• {m.name} ({model_languages(m)})" for m in self.installed))
        self.go(DONE)
        self.models_changed.emit()


# --- the counter window's side -----------------------------------------------------------

def open_first_start(window) -> FirstStartDialog:
    """Show the flow over the counter window (one at a time); the window's readiness
    and banner refresh after every install or import."""
    dialog = getattr(window, "first_start", None)
    if isinstance(dialog, FirstStartDialog) and dialog.isVisible():
        dialog.raise_()
        dialog.activateWindow()
        return dialog
    from counter_app.ui.admin_pin import admin_allowed

    session = window.session
    dialog = FirstStartDialog(session.store, session.settings, window,
                              admin_allowed=lambda: admin_allowed(window))
    dialog.models_changed.connect(window.refresh_readiness)
    window.first_start = dialog
    dialog.open()
    return dialog


def attach_first_start(window) -> None:
    """Tapping the counter window's banner (its `setup_requested`) opens the flow."""
    requested = getattr(window, "setup_requested", None)
    if requested is not None:
        requested.connect(lambda: open_first_start(window))


def show_first_start_if_empty(window) -> bool:
    """At start-up: show the flow when no model at all is installed, once per app run."""
    global _shown_on_launch
    if _shown_on_launch or window.session.store.models():
        return False
    _shown_on_launch = True
    open_first_start(window)
    return True

