"""The model manager's tables and small dialogs: what each cell says, in the UI language.

Kept apart from the dialog (`ui/models.py`), which runs the store work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app import languages
from counter_app.errors import DownloadError
from counter_app.store import licences
from counter_app.store.availability import LanguageAvailability, human_size
from counter_app.store.catalog import CatalogEntry
from counter_app.store.install import Installer
from counter_app.store.local import InstalledModel, ModelStore
from counter_app.store.resolve import Plan
from counter_app.ui.download_messages import StatusLine
from counter_app.ui.i18n import add_strings, tr
from counter_app.ui.style import TOUCH_PX
from counter_app.ui.tasks import Task

add_strings({
    "lic_non_commercial": ("⚠ 非商用ライセンス", "⚠ Non-commercial licence"),
    "lic_unknown": ("不明", "unknown"),
    "lic_accept": ("非商用ライセンス {licences} に同意します（{models}。営利目的には使えません）",
                   "I accept the non-commercial licence {licences} ({models}; not for "
                   "commercial use)"),
    "lic_refused": ("ライセンスに同意していないため、ダウンロードしませんでした。",
                    "Nothing was downloaded: the licence was not accepted."),
})

_EXTRA_STYLE = """
QLabel#mmStatus[error="true"] { color: #b91c1c; font-weight: bold; }
QLabel#mmStatus[error="false"] { color: #065f46; }
QTableWidget, QListWidget { background: white; }
QPushButton:disabled, QPushButton#next:disabled { color: #6b7280; background: #e5e7eb;
                                                  border: 2px solid #d1d5db; }
"""


def install_entries(store: ModelStore, entries: Sequence[CatalogEntry], total: int,
                    task: Task, accepted: Sequence[str] = ()) -> list[InstalledModel]:
    """Worker thread: install catalog entries one after another with summed progress
    (reported as (done, total, label)), stopping at the first failure or a cancel.
    A non-commercial licence not among `accepted` refuses the whole plan before any
    download (licences.LicenceNotAcceptedError); an accepted one is recorded."""
    licences.check_accepted(entries, accepted)
    licences.record_acceptance(store.root, entries, via="gui")
    installer = Installer(store)
    progress = PlanProgress(total, lambda *value: task.report(value))
    installed = []
    for entry in entries:
        if task.cancelled:
            raise DownloadError("Install cancelled.")
        installed.append(installer.install(entry, progress=progress,
                                           cancel=lambda: task.cancelled))
    return installed


class PlanProgress:
    """Per-file progress from the Installer summed over a whole plan."""

    def __init__(self, total: int, emit: Callable[[int, int, str], None]):
        self.total, self.emit, self.files = total, emit, {}

    def __call__(self, done: int, total: int, label: str) -> None:
        self.files[label] = done
        overall = sum(self.files.values())
        self.emit(overall, max(self.total, overall), label)


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


def plan_gaps(missing: Sequence[str]) -> str:
    """A plan's "asr ko", "mt ja->ko", "tts vi" gaps, one group per kind:
    "音声認識 ko, vi ・ 翻訳 ja⇄ko"."""
    by_kind: dict[str, list[str]] = {}
    for gap in missing:
        kind, _, detail = gap.partition(" ")
        source, _, target = detail.partition("->")
        both = kind == "mt" and f"mt {target}->{source}" in missing
        text = f"{source}⇄{target}" if both else detail.replace("->", "→")
        shown = by_kind.setdefault(kind, [])
        if text not in shown and f"{target}⇄{source}" not in shown:
            shown.append(text)
    return " ・ ".join(f"{kind_label(kind)} {', '.join(details)}"
                       for kind, details in by_kind.items())


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


def licence_text(licence: str) -> str:
    """A licence cell: the name, flagged when it forbids commercial use."""
    if licences.needs_acceptance(licence):
        return f"{tr('lic_non_commercial')} · {licence}"
    kind = licences.classify(licence)
    shown = licence.strip() or tr("lic_unknown")
    return shown if kind in (licences.PERMISSIVE, licences.ATTRIBUTION) or not licence.strip() \
        else f"{shown} ({tr('lic_unknown')})"


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



def fill_languages(table: QTableWidget, rows: Sequence[LanguageAvailability],
                   have_catalog: bool) -> None:
    """One row per language: engines installed, what is missing, size to complete."""
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

def fill_models(table: QTableWidget, models: Sequence[tuple[InstalledModel, int]]) -> None:
    """One row per installed model (read-only ones greyed)."""
    table.setRowCount(len(models))
    for i, (model, size) in enumerate(models):
        origin = (f"{tr('mm_read_only_short')} · {model.source}" if model.read_only
                  else str(model.meta.get("source") or model.source))
        licence = licences.installed_licence(model)
        cells = [kind_label(model.kind), model.engine, model.name, model_languages(model),
                 human_size(size), origin, licence_text(licence)]
        for column, text in enumerate(cells):
            item = _item(text, str(model.path))
            if model.read_only:
                item.setForeground(Qt.GlobalColor.darkGray)
            if column == len(cells) - 1 and licences.needs_acceptance(licence):
                item.setForeground(Qt.GlobalColor.darkRed)
            table.setItem(i, column, item)



class PlanPage(QGroupBox):
    """What an install would download: models, sizes, licences, and the confirm button."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(tr("mm_plan_title"), parent)
        layout = QVBoxLayout(self)
        self.table = _table([tr("mm_kind"), tr("mm_engine"), tr("mm_name"),
                             tr("mm_language"), tr("mm_size"), tr("mm_licence")])
        layout.addWidget(self.table, 1)
        self.accept_box = QCheckBox()  # shown when a licence needs acceptance
        self.accept_box.setStyleSheet(f"QCheckBox {{ min-height: {TOUCH_PX}px; color: #b91c1c;"
                                      f" font-weight: bold; }} QCheckBox::indicator {{ "
                                      f"width: {TOUCH_PX}px; height: {TOUCH_PX}px; }}")
        self.accept_box.toggled.connect(lambda _: self.update_confirm())
        self.accept_box.hide()
        self.needs: dict[str, list[str]] = {}  # licence -> models needing its acceptance
        self.has_entries = False
        layout.addWidget(self.accept_box)
        self.notes = StatusLine("note")  # gaps in the UI language; the store's notes: 詳細
        layout.addWidget(self.notes)
        self.total = QLabel()
        layout.addWidget(self.total)
        buttons = QHBoxLayout()
        self.back_button = QPushButton(tr("mm_back"))
        self.confirm_button = QPushButton(tr("mm_confirm_download"))
        self.confirm_button.setObjectName("next")
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.confirm_button)
        layout.addLayout(buttons)

    def show_plan(self, wanted: Plan) -> None:
        table = self.table
        table.setRowCount(len(wanted.entries))
        for i, entry in enumerate(wanted.entries):
            cells = [kind_label(entry.kind), entry.engine, entry.name,
                     "→".join(entry.languages) if entry.kind == "mt" and not entry.pairs
                     else ", ".join(entry.languages), _size(entry.size),
                     licence_text(entry.license)]
            for column, text in enumerate(cells):
                table.setItem(i, column, _item(text))
                if licences.needs_acceptance(entry.license):
                    table.item(i, column).setForeground(Qt.GlobalColor.darkRed)
        self.needs = licences.needing_acceptance(wanted.entries)
        self.accept_box.setChecked(False)
        self.accept_box.setVisible(bool(self.needs))
        self.accept_box.setText(tr("lic_accept").format(
            licences=", ".join(sorted({e.license for e in wanted.entries
                                       if licences.needs_acceptance(e.license)})),
            models=", ".join(name for names in self.needs.values() for name in names)))
        gaps = plan_gaps(wanted.missing)
        self.notes.show_message(f"{tr('mm_plan_missing')}: {gaps}" if gaps else "",
                                detail="\n".join(wanted.notes))
        size = human_size(wanted.total_size)
        if wanted.entries:
            unknown = (f" + {wanted.unknown_sizes} {tr('mm_plan_unknown')}"
                       if wanted.unknown_sizes else "")
            self.total.setText(f"<b>{tr('mm_plan_total')}: {size}{unknown}</b>")
            self.confirm_button.setText(f"{tr('mm_confirm_download')} "
                                        f"({size}{' + ?' if wanted.unknown_sizes else ''})")
        else:
            self.total.setText(f"<b>{tr('mm_plan_nothing')}</b>")
            self.confirm_button.setText(tr("mm_confirm_download"))
        self.has_entries = bool(wanted.entries)
        self.update_confirm()

    def accepted_licences(self) -> list[str]:
        """The licences the admin accepted on this plan (none unless the box is ticked)."""
        return list(self.needs) if self.accept_box.isChecked() else []

    def update_confirm(self) -> None:
        """Download only with something to download and every licence accepted."""
        self.confirm_button.setEnabled(self.has_entries and (
            not self.needs or self.accept_box.isChecked()))


class OverviewPage(QSplitter):
    """Languages (what works, what is missing) above the installed models."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Vertical, parent)
        self.languages = _table([tr("mm_language"), tr("mm_asr"), tr("mm_mt"),
                                 tr("mm_tts"), tr("mm_missing"), tr("mm_to_download")])
        self.models = _table([tr("mm_kind"), tr("mm_engine"), tr("mm_name"),
                              tr("mm_language"), tr("mm_size"), tr("mm_origin"),
                              tr("mm_licence")])
        self.remove_button = QPushButton(tr("mm_remove"))
        models_box = QGroupBox(tr("mm_installed"))
        models_layout = QVBoxLayout(models_box)
        models_layout.addWidget(self.models, 1)
        remove_row = QHBoxLayout()
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_button)
        models_layout.addLayout(remove_row)
        languages_box = QGroupBox(tr("mm_languages"))
        QVBoxLayout(languages_box).addWidget(self.languages)
        self.addWidget(languages_box)
        self.addWidget(models_box)
        self.setSizes([460, 300])


class ProgressBox(QWidget):
    """A label, a bar and Cancel: shown while store work runs."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        row = QHBoxLayout(self)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setMinimumHeight(28)
        self.cancel_button = QPushButton(tr("mm_cancel"))
        row.addWidget(self.label)
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        self.hide()
