"""`counter-app models ...` subcommands and the per-language availability table.

Wiring (in counter_app/cli.py): `add_commands(subparsers)`; each parser sets
`func(args) -> int`.  Settings arrive as `args.store_root` / `args.catalogs`
(a CatalogSources) when the caller sets them; defaults otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from counter_app import languages
from counter_app.config import CatalogSettings
from counter_app.errors import CounterAppError, StoreError
from counter_app.store import licences
from counter_app.store.availability import (  # noqa: F401 (re-exported)
    LanguageAvailability,
    human_size,
    language_availability,
)
from counter_app.store.catalog import CatalogSources, load_catalogs
from counter_app.store.download import SummedProgress
from counter_app.store.health import (
    CATALOG_CACHE,
    check_writable,
    disk_errors,
    disk_use,
    store_problem,
)
from counter_app.store.install import Installer
from counter_app.store.local import ModelStore
from counter_app.store.model_language import needs_language
from counter_app.store.packs import models_for, write_pack
from counter_app.store.resolve import Plan, plan
from counter_app.store.verify import check_model


class StderrProgress:
    """A one-line progress bar on stderr: callable(done_bytes, total_bytes, label)."""

    def __init__(self, stream=sys.stderr, width: int = 30):
        self.stream, self.width, self._last = stream, width, ""

    def __call__(self, done: int, total: int, label: str) -> None:
        if total:
            filled = int(self.width * min(done, total) / total)
            line = (f"\r{label[:40]:40} [{'#' * filled}{'.' * (self.width - filled)}] "
                    f"{human_size(done)} / {human_size(total)}")
        else:
            line = f"\r{label[:40]:40} {human_size(done)}"
        if line != self._last:
            self.stream.write(line)
            self.stream.flush()
            self._last = line
        if total and done >= total:
            self.end()

    def end(self) -> None:
        """Finish the current line (once)."""
        if self._last:
            self.stream.write("\n")
            self.stream.flush()
            self._last = ""


# --- commands ----------------------------------------------------------------------

def add_commands(subparsers) -> argparse.ArgumentParser:
    """Register `models` and its subcommands on an argparse subparsers object."""
    models = subparsers.add_parser("models", help="install, import, pack and manage models")
    models.add_argument("--store", dest="store_root", type=Path, default=None,
                        help="model store folder (default: settings / platform data dir)")
    sub = models.add_subparsers(dest="models_command", required=True)

    p = sub.add_parser("install", help="download what languages need (ASR, MT, TTS)")
    p.add_argument("languages", nargs="+")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask before downloading")
    p.add_argument("--no-verify-load", action="store_true",
                   help="skip loading each model with its engine")
    _add_accept_licence(p)
    p.set_defaults(func=cmd_install)

    p = sub.add_parser("import", help="install from a pack, Vosk zip/folder, .argosmodel, "
                                      "or Piper .onnx (+ .onnx.json)")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--lang", dest="language", default=None, metavar="CODE",
                   help="the model's language (e.g. ko) when neither its folder name nor "
                        "its files tell it")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("pack", help="write the models some languages need into one zip")
    p.add_argument("languages", nargs="+")
    p.add_argument("-o", "--output", type=Path, required=True)
    p.add_argument("--download", action="store_true",
                   help="install missing models from the catalogs first")
    p.add_argument("-y", "--yes", action="store_true")
    _add_accept_licence(p)
    p.set_defaults(func=cmd_pack)

    p = sub.add_parser("list", help="installed models")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("remove", help="delete an installed model")
    p.add_argument("names", nargs="+")
    p.set_defaults(func=cmd_remove)
    p = sub.add_parser("verify", help="check files against the manifest and load each model")
    p.add_argument("names", nargs="*")
    p.add_argument("--no-load", action="store_true")
    p.set_defaults(func=cmd_verify)
    p = sub.add_parser("du", help="disk use per model, of leftovers, and in total")
    p.set_defaults(func=cmd_du)
    p = sub.add_parser("clean", help="delete staging left by interrupted installs")
    p.add_argument("--downloads", action="store_true",
                   help="also delete partial downloads kept for resuming")
    p.set_defaults(func=cmd_clean)
    return models


def _add_accept_licence(parser) -> None:
    parser.add_argument(licences.CLI_FLAG, "--accept-license", dest="accept_licences",
                        action="append", default=[], metavar="LICENCE",
                        help="accept a non-commercial model licence for this install, "
                             "e.g. cc-by-nc-4.0 (NLLB-200); refused without it")


def _store(args) -> ModelStore:
    return ModelStore(getattr(args, "store_root", None))


def _reading_store(args) -> ModelStore:
    """The store for a read-only command; a store path that is a file is said."""
    store = _store(args)
    if (problem := store_problem(store.root)) and problem.kind == "not_a_folder":
        print(f"warning: {problem}", file=sys.stderr)
    return store


def _sources(args) -> CatalogSources:
    """The caller's catalogs (from the settings), else the default settings'."""
    return getattr(args, "catalogs", None) or CatalogSources.from_settings(CatalogSettings())


def _run(func, args) -> int:
    try:
        return func(args)
    except CounterAppError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ncancelled; nothing was changed.", file=sys.stderr)
        return 130


def show_plan(wanted: Plan, out=None) -> None:
    out = out or sys.stdout  # looked up per call (tests and callers may redirect it)
    for entry in wanted.entries:
        print(f"  {entry.kind:3} {entry.engine:7} {entry.name:40} {human_size(entry.size):>10}"
              f"  {entry.license}  {licences.plan_flag(entry.license)}".rstrip(), file=out)
    for note in wanted.notes:
        print(f"  note: {note}", file=out)
    for gap in wanted.missing:
        print(f"  missing (no catalog has it): {gap}", file=out)
    extra = f" + {wanted.unknown_sizes} of unknown size" if wanted.unknown_sizes else ""
    print(f"Total download: {human_size(wanted.total_size)}{extra}", file=out)


def install_languages(args, store: ModelStore) -> int:
    check_writable(store.root)  # before anything is fetched
    with disk_errors(f"saving the catalogs into {store.root / CATALOG_CACHE}"):
        catalog = load_catalogs(_sources(args), store.root / CATALOG_CACHE, refresh=True)
    for warning in catalog.warnings:
        print(f"warning: skipped a malformed catalog entry: {warning}", file=sys.stderr)
    wanted = plan(args.languages, catalog, store)
    if not wanted.entries:
        show_plan(wanted)
        print("Nothing to download: " + ("the catalogs offer nothing more for these languages."
                                         if wanted.missing else "everything is installed."))
        return 0
    show_plan(wanted)
    licences.check_accepted(wanted.entries, getattr(args, "accept_licences", []))
    if not args.yes and (not sys.stdin.isatty()
                         or input("Download and install? [y/N] ").lower() != "y"):
        print("Nothing installed.")
        return 1
    licences.record_acceptance(store.root, wanted.entries, via="cli")
    installer = Installer(store, validate=not getattr(args, "no_verify_load", False))
    progress = StderrProgress()
    for entry in wanted.entries:  # one bar per model, summed over its files
        try:
            model = installer.install(entry, SummedProgress(progress, entry.size, entry.name))
        finally:
            progress.end()
        print(f"installed {model.kind}/{model.engine}/{model.name}")
    return 0


def cmd_install(args) -> int:
    return _run(lambda a: install_languages(a, _store(a)), args)


def cmd_import(args) -> int:
    def run(a) -> int:
        code = languages.get(a.language).code if getattr(a, "language", None) else None
        if code is None and (unknown := [p for p in a.paths if needs_language(p)]):
            print(f"error: {unknown[0]} holds a Vosk model whose language neither its folder "
                  "name nor its files tell; give it: counter-app models import --lang CODE "
                  f"{unknown[0]}  (codes: counter-app languages)", file=sys.stderr)
            return 1
        installer = Installer(_store(a))
        for path in a.paths:
            try:
                imported = installer.import_path(path, language=code)
            except StoreError as exc:  # e.g. an archive whose model names no language
                if code is None and "languages cannot be read" in str(exc):
                    raise StoreError(f"{exc} Give its language: counter-app models import "
                                     f"--lang CODE {path}") from exc
                raise
            for model in imported:
                print(f"imported {model.kind}/{model.engine}/{model.name} "
                      f"({', '.join(model.languages)})")
        return 0
    return _run(run, args)


def cmd_pack(args) -> int:
    def run(a) -> int:
        store = _store(a)
        if a.download and (code := install_languages(a, store)):
            return code
        models = models_for(store, a.languages)
        path = write_pack(models, a.output, a.languages)
        print(f"wrote {path} ({len(models)} models, {human_size(path.stat().st_size)})")
        return 0
    return _run(run, args)


def cmd_list(args) -> int:
    for model in _reading_store(args).models():
        flag = " (read-only, from a package)" if model.read_only else ""
        print(f"{model.kind:3} {model.engine:7} {model.name:40} {','.join(model.languages):12}"
              f" {licences.list_label(licences.installed_licence(model))}{flag}")
    return 0


def cmd_remove(args) -> int:
    def run(a) -> int:
        installer = Installer(_store(a))
        for name in a.names:
            model = installer.remove(name)
            print(f"removed {model.kind}/{model.engine}/{model.name}")
        return 0
    return _run(run, args)


def verify_model(model, load: bool = True) -> list[str]:
    """Problems found with one installed model (empty when nothing is wrong;
    see store.verify.check_model for what could not be checked)."""
    return check_model(model, load).problems


def cmd_verify(args) -> int:
    """ok only for what was checked and passed; FAIL for damage; "partly" for what
    could not be checked (said line by line).  Exit 1 on any FAIL."""
    store = _reading_store(args)
    models = [m for m in store.models() if not args.names or m.name in args.names]
    if unknown := set(args.names) - {m.name for m in models}:
        print(f"error: no installed model is named {', '.join(sorted(unknown))}",
              file=sys.stderr)
        return 1
    counts = {"ok": 0, "FAIL": 0, "partly": 0}
    for model in models:
        check = check_model(model, load=not args.no_load)
        counts[check.status] += 1
        print(f"{check.status:6} {model.name}" +
              "".join(f"\n       {p}" for p in check.problems + check.unchecked))
    print(f"{counts['ok']} ok, {counts['FAIL']} failed, {counts['partly']} partly checked "
          f"(in {store.root})")
    return 1 if counts["FAIL"] else 0


def cmd_du(args) -> int:
    store = _reading_store(args)
    use = disk_use(store)
    for model, size in use.models:
        print(f"{human_size(size):>10}  {model.kind}/{model.engine}/{model.name}")
    for model, size in use.packaged:
        print(f"{human_size(size):>10}  {model.kind}/{model.engine}/{model.name} "
              "(package, not in the store)")
    if use.staging:
        state = ("stale, left by interrupted installs: `counter-app models clean` deletes it"
                 if use.staging_stale else "an install is running")
        print(f"{human_size(use.staging):>10}  staging ({state})")
    for size, label in ((use.partial, "partial downloads (kept to resume; "
                                      "`models clean --downloads` deletes them)"),
                        (use.catalogs, "catalog cache"), (use.other, "other files")):
        if size:
            print(f"{human_size(size):>10}  {label}")
    print(f"{human_size(use.total):>10}  total in {store.root}")
    return 0


def cmd_clean(args) -> int:
    def run(a) -> int:
        installer = Installer(_store(a))
        removed = installer.clean(downloads=a.downloads)
        for path, size in removed:
            print(f"deleted {path.name} ({human_size(size)})")
        print(f"freed {human_size(sum(size for _, size in removed))}")
        return 0
    return _run(run, args)
