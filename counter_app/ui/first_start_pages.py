"""The pages of the first-start flow (ui/first_start.py): the three choices, the
languages to install, the import from a USB stick or folder, and "ready"; and
what they show: default languages, sizes per language, what a folder holds.

Touch-sized: every button and checkbox is at least 44 px high.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from PySide6.QtCore import QStorageInfo, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from counter_app import languages
from counter_app.config import Settings
from counter_app.store.availability import human_size, language_availability
from counter_app.store.catalog import Catalog
from counter_app.store.local import ModelStore
from counter_app.store.manifest import PACK_MANIFEST
from counter_app.store.resolve import plan
from counter_app.ui.i18n import add_strings, current_language, tr

STRINGS: dict[str, tuple[str, str]] = {
    "fs_title": ("はじめての準備", "Getting started"),
    "fs_intro": ("音声認識・翻訳・音声合成のモデルがまだ入っていません。"
                 "次のどれかを選んでください。あとから設定 → モデル管理でも変えられます。",
                 "Speech recognition, translation and voice models are not installed yet. "
                 "Choose one of the following; you can change this later in Settings → "
                 "Models."),
    "fs_intro_some": ("一部の言語で音声認識・翻訳・音声合成のモデルが足りません。"
                      "次のどれかを選んでください。あとから設定 → モデル管理でも変えられます。",
                      "Some languages lack speech recognition, translation or voice models. "
                      "Choose one of the following; you can change this later in Settings → "
                      "Models."),
    "fs_install": ("⬇  この窓口の言語をダウンロード\n"
                   "インターネットから。先に必要な容量を表示します",
                   "⬇  Download this office's languages\n"
                   "From the internet. Sizes are shown before anything is downloaded"),
    "fs_import": ("⏏  USB メモリ・フォルダーから取り込み\n"
                  "管理者が用意したモデルパック（インターネット不要）",
                  "⏏  Import from a USB stick or folder\n"
                  "A model pack prepared by an administrator (no internet needed)"),
    "fs_later": ("⌨  文字入力と定型文で続ける\n"
                 "音声なしで今すぐ使えます。上の案内からいつでも戻れます",
                 "⌨  Continue with typing and phrasebooks\n"
                 "Works now, without speech. The notice at the top brings you back"),
    "fs_languages_title": ("入れる言語を選んでください", "Choose the languages to install"),
    "fs_defaults": ("あらかじめ選んだ言語：職員の言語（{staff}）、"
                    "設定中のお客様の言語（{resident}）、窓口でよく使われる言語（{usual}）。",
                    "Preselected: the staff language ({staff}), the resident language in "
                    "the settings ({resident}) and languages often needed at ward office "
                    "counters ({usual})."),
    "fs_staff_always": ("職員の言語（常に必要）", "staff language, always needed"),
    "fs_check_sizes": ("必要な容量を確認 →", "Show download sizes →"),
    "fs_fetching": ("モデルの一覧（カタログ）を取得しています…", "Fetching the model catalogs…"),
    "fs_import_title": ("USB メモリ・フォルダーから取り込み", "Import from a USB stick or folder"),
    "fs_import_help": ("USB メモリを差し込み、モデルパック（例: office-pack.zip）が入った"
                       "フォルダーか、パックのファイルを選んでください。"
                       "パックは管理者がインターネットにつながるパソコンで "
                       "counter-app models pack で作れます。",
                       "Plug in the USB stick and choose the folder holding the model pack "
                       "(e.g. office-pack.zip), or the pack file itself. An administrator "
                       "makes a pack on a connected computer with counter-app models pack."),
    "fs_choose_folder": ("フォルダーを選ぶ…", "Choose a folder…"),
    "fs_choose_file": ("パックのファイルを選ぶ…", "Choose a pack file…"),
    "fs_done_title": ("準備ができました", "Ready"),
    "fs_done_installed": ("入ったモデル", "Installed models"),
    "fs_start": ("閉じて使い始める", "Close and start"),
    "fs_resume": ("⟳  続きから再開", "⟳  Resume"),
    "fs_to_import": ("⏏  USB メモリ・フォルダーから取り込み", "⏏  Import from USB or folder"),
    "fs_close": ("閉じる（文字入力と定型文で続ける）", "Close (continue with typing)"),
    "fs_installed": ("✓ 導入済み", "✓ installed"),
    "fs_partly": ("一部なし", "partly missing"),
    "fs_resuming": ("中断したダウンロードの続きから再開します…",
                    "Resuming the interrupted download…"),
}
add_strings(STRINGS)

OFFICE_USUAL = languages.OFFICE_USUAL  # the README's own example set, plus Chinese
_PACK_SUFFIXES = (".zip", ".argosmodel", ".tar.gz", ".tgz", ".tar", ".onnx")


def default_languages(settings: Settings) -> list[str]:
    """Staff language, the configured resident language, then OFFICE_USUAL."""
    conv = settings.conversation
    return list(dict.fromkeys([conv.staff_language, conv.resident_language, *OFFICE_USUAL]))


def import_targets(folder: Path) -> list[Path]:
    """What to import from a chosen folder: the packs in it (a USB stick's root), else
    loose model files in it, else the folder itself (a model folder)."""
    files = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.name.lower().endswith(_PACK_SUFFIXES))
    packs = [p for p in files if zipfile.is_zipfile(p) and _has_manifest(p)]
    return packs or files or [folder]


def _has_manifest(path: Path) -> bool:
    with zipfile.ZipFile(path) as zf:
        return PACK_MANIFEST in zf.namelist()


def usb_folder() -> Path:
    """Where to start looking: the first removable-looking volume, else home."""
    for volume in QStorageInfo.mountedVolumes():
        root = volume.rootPath()
        if volume.isValid() and volume.isReady() and root.startswith(
                ("/media/", "/run/media/", "/mnt/", "/Volumes/")):
            return Path(root)
    return Path.home()


def language_sizes(store: ModelStore, catalog: Catalog, staff: str) -> dict[str, str]:
    """Per language, what adding it downloads beyond what the staff language needs
    (the staff language: its own), from the catalogs; "✓ installed" when complete."""
    base = plan([], catalog, store, staff)
    shared = {(e.engine, e.name) for e in base.entries}
    sizes = {}
    for row in language_availability(store, catalog, staff):
        if not row.missing:
            sizes[row.code] = tr("fs_installed")
            continue
        wanted = base if row.code == staff else plan([row.code], catalog, store, staff)
        extra = [e for e in wanted.entries
                 if row.code == staff or (e.engine, e.name) not in shared]
        gaps = [m for m in wanted.missing if row.code in m]
        if not extra:
            sizes[row.code] = tr("mm_not_in_catalog") if gaps else "—"
            continue
        known = [e.size for e in extra if e.size is not None]
        unknown = " + ?" if len(known) < len(extra) else ""
        size = (f"{'' if row.code == staff else '+'}{human_size(sum(known))}{unknown}"
                if known else tr("mm_size_unknown"))
        sizes[row.code] = (size
                           + (f"・{tr('fs_partly')}" if gaps else ""))
    return sizes


TOUCH = 44  # px: the smallest touch target
PAGE_STYLE = """
QPushButton#choice { min-height: 96px; text-align: left; padding: 10px 22px; }
QCheckBox { min-height: 64px; spacing: 12px; }
QCheckBox::indicator { width: 44px; height: 44px; }
QLabel#fsTitle { font-size: 26px; font-weight: bold; }
"""


def language_name(code: str) -> str:
    """A language as staff read it: its name in the UI language, then its own."""
    lang = languages.get(code)
    local = lang.japanese if current_language() == "ja" else lang.english
    return local if lang.native == local else f"{local}  {lang.native}"


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("fsTitle")
    label.setWordWrap(True)
    return label


def _note(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def _footer(layout: QVBoxLayout, left: QPushButton | None, *right: QPushButton) -> None:
    """A row of buttons under a page: `left` (Back) apart from the ones going on."""
    row = QHBoxLayout()
    if left is not None:
        row.addWidget(left)
    row.addStretch(1)
    for button in right:
        row.addWidget(button)
    layout.addLayout(row)


def _button(text: str, object_name: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setMinimumHeight(TOUCH)
    if object_name:
        button.setObjectName(object_name)
    return button


class ChoicePage(QWidget):
    """Three ways on: download, import, or continue without speech."""

    def __init__(self, some_installed: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(_title(tr("fs_title")))
        self.intro = _note(tr("fs_intro_some" if some_installed else "fs_intro"))
        layout.addWidget(self.intro)
        self.install_button = _button(tr("fs_install"), "choice")
        self.import_button = _button(tr("fs_import"), "choice")
        self.later_button = _button(tr("fs_later"), "choice")
        for button in (self.install_button, self.import_button, self.later_button):
            button.setMinimumHeight(96)
            layout.addWidget(button)
        layout.addStretch(1)


class LanguagePage(QWidget):
    """Every language as a big checkbox; the staff language is always included."""

    def __init__(self, staff: str, chosen: Iterable[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.staff = staff
        layout = QVBoxLayout(self)
        layout.addWidget(_title(tr("fs_languages_title")))
        self.defaults_note = _note()
        self.defaults_note.setObjectName("note")
        layout.addWidget(self.defaults_note)
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        self.boxes: dict[str, QCheckBox] = {}
        chosen = set(chosen)
        for i, code in enumerate(languages.LANGUAGES):
            box = QCheckBox(language_name(code))
            box.setMinimumHeight(TOUCH)
            box.setChecked(code in chosen or code == staff)
            if code == staff:
                box.setEnabled(False)
                box.setToolTip(tr("fs_staff_always"))
            self.boxes[code] = box
            grid.addWidget(box, i // 3, i % 3)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        layout.addWidget(scroll, 1)
        self.sizes_button = _button(tr("fs_check_sizes"), "next")
        self.back_button = _button(tr("mm_back"))
        _footer(layout, self.back_button, self.sizes_button)

    def codes(self) -> list[str]:
        """The ticked languages, staff language first."""
        return [code for code, box in self.boxes.items() if box.isChecked()]

    def show_sizes(self, sizes: Mapping[str, str]) -> None:
        """Append what completing each language would download (from the catalogs)."""
        for code, box in self.boxes.items():
            size = sizes.get(code)
            # LRM: "+60 MB" stays left to right under a right-to-left name
            box.setText(language_name(code) + (f"\n\u200e{size}" if size else ""))


class ImportPage(QWidget):
    """What an office pack is, and where to pick it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(_title(tr("fs_import_title")))
        layout.addWidget(_note(tr("fs_import_help")))
        self.folder_button = _button(tr("fs_choose_folder"), "choice")
        self.file_button = _button(tr("fs_choose_file"), "choice")
        for button in (self.folder_button, self.file_button):
            layout.addWidget(button)
        layout.addStretch(1)
        self.back_button = _button(tr("mm_back"))
        _footer(layout, self.back_button)


class DonePage(QWidget):
    """What was installed; closing returns to the counter screen."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addWidget(_title("✓ " + tr("fs_done_title")))
        self.summary = _note()
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        self.start_button = _button(tr("fs_start"), "next")
        _footer(layout, None, self.start_button)
