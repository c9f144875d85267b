"""The admin's installed phrasebook and term dictionary, versioned, with rollback.

Layout of the library folder (default: <user data>/counter-app/phrasebooks):

    phrasebook/v0001.json ...   imported versions (same data as the YAML format, as JSON:
                                it loads ~20x faster than YAML for big books)
    phrasebook/current          name of the active version file ("shipped" = none)
    terms/v0001.json ...        same for the term dictionary
    terms/current
    */history                   activation order (JSON list of numbers, 0 = shipped): a
                                rollback returns to the version active before this one
    favourites.json             {office: [phrase id, ...]}

Imports validate the whole file first, then merge it into the active book (the
default) or replace the book (merge.py); only a valid file is written, through a
temporary file and os.replace, so a failed or interrupted import leaves the
active version untouched.  Without any import, the files shipped in the
repository's phrasebooks/ folder are active.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_data_dir

from counter_app.errors import CounterAppError
from counter_app.phrasebook.merge import MERGE, ImportPlan, Mode
from counter_app.phrasebook.model import Phrasebook

if TYPE_CHECKING:
    from counter_app.phrasebook.problems import Problem, Progress

log = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "phrasebooks"
SHIPPED_PHRASEBOOK = "phrasebook.yaml"
SHIPPED_TERMS = "terms.yaml"
SHIPPED_MASTER = "source/master.yaml"  # ja + en only; used until phrasebook.yaml exists
DEFAULT_OFFICE = "default"
_VERSION_FILE = re.compile(r"^v(\d{4,})\.json$")
MAX_HISTORY = 200  # activations remembered for rollback


def default_library_path() -> Path:
    return Path(user_data_dir("counter-app", appauthor=False)) / "phrasebooks"


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file in the same folder, then os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temp))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True, slots=True)
class Version:
    number: int  # 0 = the shipped default
    path: Path
    active: bool
    imported_at: datetime | None
    warnings: tuple[Problem, ...] = ()  # findings of its import that did not reject it

    @property
    def label(self) -> str:
        return "shipped" if self.number == 0 else f"v{self.number:04d}"


class _Versions:
    """Numbered versions of one kind of file plus a pointer to the active one."""

    def __init__(self, folder: Path, shipped: Path, load: Callable[[Path], Any],
                 save: Callable[[Any, Path], None], empty: Callable[[], Any], keep: int):
        self.folder, self.shipped = folder, shipped
        self._load, self._save, self._empty, self.keep = load, save, empty, keep
        self._cache: tuple[Path, float, Any] | None = None

    def _numbers(self) -> list[int]:
        if not self.folder.is_dir():
            return []
        return sorted(int(m.group(1)) for p in self.folder.iterdir()
                      if (m := _VERSION_FILE.match(p.name)))

    def _file(self, number: int) -> Path:
        return self.folder / f"v{number:04d}.json"

    def current_number(self) -> int:
        pointer = self.folder / "current"
        if not pointer.is_file():
            return 0
        match = _VERSION_FILE.match(pointer.read_text(encoding="utf-8").strip())
        number = int(match.group(1)) if match else 0
        return number if self._file(number).is_file() else 0

    def _point_to(self, number: int, history: list[int] | None = None) -> None:
        """Activate `number`; `history` replaces the activation history (default: append)."""
        if history is None:
            history = [*self.history(), number]
        history = [n for i, n in enumerate(history) if i == 0 or history[i - 1] != n]
        text = "shipped" if number == 0 else self._file(number).name
        atomic_write(self.folder / "history", lambda temp: temp.write_text(
            json.dumps(history[-MAX_HISTORY:]), encoding="utf-8"))
        atomic_write(self.folder / "current",
                     lambda temp: temp.write_text(text + "\n", encoding="utf-8"))
        self._cache = None

    def history(self) -> list[int]:
        """Version numbers in the order they were activated, the active one last.

        A library written before the history existed gets the numbered order."""
        current = self.current_number()
        try:
            found = json.loads((self.folder / "history").read_text(encoding="utf-8"))
            history = [int(n) for n in found]
        except (OSError, ValueError, TypeError):
            history = [0, *(n for n in self._numbers() if n < current)]
        if not history or history[-1] != current:
            history.append(current)
        return history

    def versions(self) -> list[Version]:
        current = self.current_number()
        found = [Version(0, self.shipped, current == 0, None)]
        for number in self._numbers():
            path = self._file(number)
            found.append(Version(number, path, number == current,
                                 datetime.fromtimestamp(path.stat().st_mtime)))
        return found

    def active(self) -> Any:
        number = self.current_number()
        path = self._file(number) if number else self.shipped
        if not path.is_file():
            return self._empty()
        stamp = path.stat().st_mtime
        if self._cache and self._cache[0] == path and self._cache[1] == stamp:
            return self._cache[2]
        try:
            value = self._load(path)
        except CounterAppError as error:
            if number == 0:
                raise
            log.error("Active version %s is unreadable, using the shipped one: %s", path, error)
            return self._load(self.shipped) if self.shipped.is_file() else self._empty()
        self._cache = (path, stamp, value)
        return value

    def install(self, value: Any) -> Version:
        number = (max(self._numbers(), default=0)) + 1
        path = self._file(number)
        atomic_write(path, lambda temp: self._save(value, temp))
        self._point_to(number)
        self._cache = (path, path.stat().st_mtime, value)  # no need to read back what we wrote
        # Keep the newest versions and the ones a rollback would return to.
        wanted = set(self._numbers()[-(self.keep + 1):]) | set(self.history()[-(self.keep + 1):])
        for old in self._numbers():
            if old not in wanted:
                self._file(old).unlink(missing_ok=True)
        return Version(number, path, True, datetime.now())

    def rollback(self) -> Version:
        """Return to the version that was active before the current one."""
        history = self.history()
        if history[-1] == 0:
            raise CounterAppError("Nothing to roll back: the shipped default is already active.")
        current = history.pop()
        while history and (history[-1] == current
                           or (history[-1] and not self._file(history[-1]).is_file())):
            history.pop()  # versions deleted since (only `keep` are kept)
        target = history[-1] if history else 0
        self._point_to(target, history or [0])
        return next(v for v in self.versions() if v.number == target)

    def activate(self, number: int) -> None:
        if number and not self._file(number).is_file():
            raise CounterAppError(f"Version v{number:04d} does not exist (kept versions: "
                                  f"{', '.join(v.label for v in self.versions())}).")
        self._point_to(number)


def _later(module: str, name: str) -> Callable[..., Any]:
    """A function of a phrasebook module, imported when first called: the counter
    window shows before the file readers (YAML, XLSX, encodings) are needed."""

    def call(*args: Any, **kwargs: Any) -> Any:
        target: Any = import_module(f"counter_app.phrasebook.{module}")
        for part in name.split("."):
            target = getattr(target, part)
        return target(*args, **kwargs)

    return call


class Library:
    """Installed phrasebook + term dictionary for this office, with rollback."""

    def __init__(self, folder: str | Path | None = None, shipped_dir: Path = SHIPPED_DIR,
                 keep: int = 5):
        self.folder = Path(folder) if folder is not None else default_library_path()
        self.shipped_dir = shipped_dir
        shipped = shipped_dir / SHIPPED_PHRASEBOOK
        if not shipped.is_file() and (shipped_dir / SHIPPED_MASTER).is_file():
            shipped = shipped_dir / SHIPPED_MASTER

        load_master, load_phrasebook = _later("files", "load_master"), _later(
            "files", "load_phrasebook")

        def load_any(path: Path) -> Phrasebook:
            if path == shipped and shipped.name == "master.yaml":
                return load_master(path)
            return load_phrasebook(path)

        self.phrasebooks = _Versions(self.folder / "phrasebook", shipped, load_any,
                                     _later("export", "save_json"), Phrasebook.empty, keep)
        self.term_versions = _Versions(self.folder / "terms", shipped_dir / SHIPPED_TERMS,
                                       _later("terms", "load_terms"),
                                       _later("terms", "save_terms_json"),
                                       _later("terms", "TermDictionary.empty"), keep)

    # phrasebook ---------------------------------------------------------------------
    def phrasebook(self) -> Phrasebook:
        return self.phrasebooks.active()

    def import_phrasebook(self, path: str | Path, readings: bool = True,
                          progress: Progress | None = None, mode: Mode = MERGE) -> Version:
        """Validate `path` (YAML/CSV/XLSX) and install it as a new active version.

        `mode`: MERGE (default) adds the file's phrases to the active book or updates
        them, REPLACE makes the file the whole book.  All-or-nothing; the steps are
        `plan_phrasebook_import` (read, check, preview) and `apply_phrasebook_import`.
        """
        return self.apply_phrasebook_import(self.plan_phrasebook_import(path, readings, progress),
                                            mode, progress)

    def plan_phrasebook_import(self, path: str | Path, readings: bool = True,
                               progress: Progress | None = None) -> ImportPlan:
        """Read and validate `path` against the active book; nothing is written.

        `readings`: add kana readings for kana search (needs pyopenjtalk); texts the
        active version already has a reading for reuse it.  `progress(stage, done,
        total)` hears how far a long import is.  Raises ImportValidationError with
        every problem of a broken file.
        """
        from counter_app.phrasebook.files import load_phrasebook

        book = load_phrasebook(path, progress)  # raises ImportValidationError, nothing written
        if readings:
            from counter_app.phrasebook.readings import fill_readings

            book = fill_readings(book, progress, known=self._known_readings())
        return ImportPlan(self.phrasebook(), book)

    def apply_phrasebook_import(self, plan: ImportPlan, mode: Mode = MERGE,
                                progress: Progress | None = None) -> Version:
        """Install `plan`'s book for `mode` as a new version (rollback returns from it).

        A book activated since the plan was made (another import, a rollback) is merged
        into as it is now, never overwritten with the plan's old copy."""
        if self.phrasebook() is not plan.current:
            plan = ImportPlan(self.phrasebook(), plan.incoming)
        book = plan.result(mode)
        if progress:
            progress("saving", 0, 1)
        version = self.phrasebooks.install(book)
        return dataclasses.replace(version, warnings=plan.warnings)

    def _known_readings(self) -> dict[str, str]:
        try:
            active = self.phrasebook()
        except CounterAppError:
            return {}
        return {p.source_text: p.reading for p in active.phrases if p.reading}

    def rollback_phrasebook(self) -> Version:
        return self.phrasebooks.rollback()

    # terms --------------------------------------------------------------------------
    def terms(self):
        return self.term_versions.active()

    def import_terms(self, path: str | Path, progress: Progress | None = None) -> Version:
        from counter_app.phrasebook.terms import load_terms

        terms = load_terms(path, progress)
        if progress:
            progress("saving", 0, 1)
        version = self.term_versions.install(terms)
        return dataclasses.replace(version, warnings=terms.warnings)

    def rollback_terms(self) -> Version:
        return self.term_versions.rollback()

    # favourites (per office) --------------------------------------------------------
    @property
    def _favourites_path(self) -> Path:
        return self.folder / "favourites.json"

    def _all_favourites(self) -> dict[str, list[str]]:
        try:
            data = json.loads(self._favourites_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): [str(i) for i in v] for k, v in data.items() if isinstance(v, list)}

    def favourites(self, office: str = DEFAULT_OFFICE) -> list[str]:
        return self._all_favourites().get(office, [])

    def set_favourite(self, phrase_id: str, favourite: bool = True,
                      office: str = DEFAULT_OFFICE) -> None:
        data = self._all_favourites()
        ids = [i for i in data.get(office, []) if i != phrase_id]
        if favourite:
            ids.append(phrase_id)
        data[office] = ids
        text = json.dumps(data, ensure_ascii=False, indent=1)
        atomic_write(self._favourites_path, lambda temp: temp.write_text(text, encoding="utf-8"))
