"""`counter-app phrasebook ...` and `counter-app terms ...` admin commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from counter_app import languages
from counter_app.phrasebook.library import Library, Version
from counter_app.phrasebook.merge import MERGE, REPLACE, ImportPlan, Mode
from counter_app.phrasebook.problems import Problem, Progress

ENCODINGS = ("utf-8-sig", "utf-8", "cp932")


def _library(args) -> Library:
    return Library(args.library)


def _warn(warnings: tuple[Problem, ...]) -> None:
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _progress() -> Progress:
    """Prints each stage, then every further 10 % of it, on stderr."""
    last = {"stage": "", "tenth": -1}
    labels = {"reading": "reading the file", "cells": "checking cells",
              "checking": "checking entries", "readings": "kana readings", "saving": "saving"}

    def report(stage: str, done: int, total: int) -> None:
        tenth = 10 * done // max(total, 1)
        if stage == last["stage"] and tenth == last["tenth"]:
            return
        last.update(stage=stage, tenth=tenth)
        count = f" {done:,}/{total:,}" if total > 1 else ""
        print(f"  {labels.get(stage, stage)}{count}", file=sys.stderr, flush=True)

    return report


def _describe(version: Version) -> str:
    when = f", imported {version.imported_at:%Y-%m-%d %H:%M}" if version.imported_at else ""
    return f"{version.label}{when} ({version.path})"


# --- phrasebook -------------------------------------------------------------------------

def cmd_pb_validate(args) -> int:
    from counter_app.phrasebook.files import load_phrasebook

    book = load_phrasebook(args.file)
    print(f"{args.file}: OK, {len(book)} phrases in {len(book.categories)} categories, "
          f"languages {', '.join(book.languages)}")
    _warn(book.warnings)
    return 0


def describe_plan(plan: ImportPlan, mode: Mode) -> list[str]:
    """The preview in words: counts, then every phrase the import would remove."""
    added, changed, removed = plan.diff(mode).counts
    lines = [f"{mode}: {added} added, {changed} changed, {removed} removed "
             f"({len(plan.current)} -> {len(plan.result(mode))} phrases)"]
    lines += [f"  lost: {phrase.id}\t{phrase.source_text}" for phrase in plan.lost(mode)]
    return lines


def cmd_pb_import(args) -> int:
    library = _library(args)
    mode = REPLACE if args.replace else MERGE
    plan = library.plan_phrasebook_import(args.file, readings=not args.no_readings,
                                          progress=_progress())
    print("\n".join(describe_plan(plan, mode)))
    if args.dry_run:
        print("Dry run: nothing was installed.")
        _warn(plan.warnings)
        return 0
    version = library.apply_phrasebook_import(plan, mode)
    book = library.phrasebook()
    print(f"Imported {args.file} ({mode}): {len(book)} phrases, active as {_describe(version)}."
          + (" 'phrasebook rollback' restores the previous version." if mode == REPLACE else ""))
    _warn(version.warnings)
    return 0


def cmd_pb_export(args) -> int:
    from counter_app.phrasebook.files import save_phrasebook

    book = _library(args).phrasebook()
    save_phrasebook(book, args.file, args.encoding)
    print(f"Exported {len(book)} phrases to {args.file}.")
    return 0


def cmd_pb_list(args) -> int:
    library = _library(args)
    for version in library.phrasebooks.versions():
        print(("* " if version.active else "  ") + _describe(version))
    book = library.phrasebook()
    print(f"Active: {book.name} {book.version}: {len(book)} phrases, "
          f"languages {', '.join(book.languages)}")
    if args.phrases:
        for phrase in book.phrases:
            print(f"{phrase.id}\t{phrase.category}\t{phrase.source_text}")
    return 0


def cmd_pb_rollback(args) -> int:
    version = _library(args).rollback_phrasebook()
    print(f"Active phrasebook is now {_describe(version)}.")
    return 0


def cmd_pb_search(args) -> int:
    from counter_app.phrasebook.search import search

    book = _library(args).phrasebook()
    for hit in search(book, " ".join(args.query), args.lang or None, args.limit):
        shown = hit.phrase.text(args.show) if args.show else None
        print(f"{hit.score:5.1f}  {hit.phrase.id}  {hit.phrase.source_text}"
              + (f"  |  {shown}" if shown else ""))
    return 0


def cmd_pb_review_export(args) -> int:
    from counter_app.phrasebook.review import export_review

    book = _library(args).phrasebook()
    count = export_review(book, args.lang, args.output)
    code = languages.get(args.lang).code
    todo = sum(1 for p in book.phrases if not (p.text(code) and p.is_reviewed(code)))
    print(f"Wrote {count} phrases ({todo} not reviewed yet) to {args.output} for a native "
          f"{code} reviewer: fill corrected_{code} and comment, set reviewed_{code} to "
          "TRUE for each checked translation.")
    return 0


def cmd_pb_review_import(args) -> int:
    from counter_app.phrasebook.review import import_review

    result = import_review(_library(args), args.file, args.reviewer, args.date)
    print(f"Review of {result.language} by {args.reviewer}: {len(result.approved)} approved, "
          f"{len(result.corrected)} corrected, {len(result.withdrawn)} sign-offs withdrawn; "
          f"installed as {_describe(result.version)}.")
    for ident, comment in result.comments.items():
        print(f"  comment on {ident}: {comment}")
    _warn(result.warnings)
    return 0


# --- terms ------------------------------------------------------------------------------

def cmd_terms_validate(args) -> int:
    from counter_app.phrasebook.terms import load_terms

    terms = load_terms(args.file)
    print(f"{args.file}: OK, {len(terms)} terms, languages {', '.join(terms.languages)}")
    _warn(terms.warnings)
    return 0


def cmd_terms_import(args) -> int:
    library = _library(args)
    version = library.import_terms(args.file, progress=_progress())
    print(f"Imported {len(library.terms())} terms from {args.file} as "
          f"{_describe(version)}.")
    _warn(version.warnings)
    return 0


def cmd_terms_export(args) -> int:
    from counter_app.phrasebook.terms import save_terms

    terms = _library(args).terms()
    save_terms(terms, args.file, args.encoding)
    print(f"Exported {len(terms)} terms to {args.file}.")
    return 0


def cmd_terms_list(args) -> int:
    library = _library(args)
    for version in library.term_versions.versions():
        print(("* " if version.active else "  ") + _describe(version))
    for term in library.terms().terms:
        flags = [f for f in ("do_not_translate", "force_translation") if getattr(term, f)]
        translations = ", ".join(f"{c}: {t}" for c, t in term.translations.items())
        print(f"{term.term}\t{term.reading}\t{' '.join(flags)}\t{translations}")
    return 0


def cmd_terms_rollback(args) -> int:
    version = _library(args).rollback_terms()
    print(f"Active term dictionary is now {_describe(version)}.")
    return 0


def add_commands(subparsers) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--library", type=Path, default=None,
                        help="admin data folder (default: the user data folder)")

    pb = subparsers.add_parser("phrasebook", help="import, export, roll back phrasebooks")
    sub = pb.add_subparsers(dest="phrasebook_command", required=True)
    p = sub.add_parser("validate", parents=[common], help="check a YAML/CSV/XLSX file")
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_pb_validate)
    p = sub.add_parser("import", parents=[common],
                       help="validate, then merge into the active phrasebook as a new version")
    p.add_argument("file", type=Path)
    p.add_argument("--replace", action="store_true",
                   help="make the file the whole phrasebook: phrases it lacks are removed "
                        "(listed; 'rollback' restores them). Default: merge, nothing removed")
    p.add_argument("--dry-run", action="store_true",
                   help="only print what would be added, changed and removed")
    p.add_argument("--no-readings", action="store_true",
                   help="skip computing kana readings (faster for huge files)")
    p.set_defaults(func=cmd_pb_import)
    p = sub.add_parser("export", parents=[common], help="write the active phrasebook")
    p.add_argument("file", type=Path, help=".yaml, .csv or .xlsx")
    p.add_argument("--encoding", choices=ENCODINGS, default="utf-8-sig",
                   help="CSV encoding (default utf-8-sig, what Excel opens correctly)")
    p.set_defaults(func=cmd_pb_export)
    p = sub.add_parser("list", parents=[common], help="kept versions and the active one")
    p.add_argument("--phrases", action="store_true", help="also list every phrase")
    p.set_defaults(func=cmd_pb_list)
    p = sub.add_parser("rollback", parents=[common], help="activate the previous version")
    p.set_defaults(func=cmd_pb_rollback)
    p = sub.add_parser("search", parents=[common], help="search the active phrasebook")
    p.add_argument("query", nargs="+")
    p.add_argument("--lang", action="append", help="search only these languages")
    p.add_argument("--show", help="also print the phrase in this language")
    p.add_argument("--limit", type=int, default=10)
    p.set_defaults(func=cmd_pb_search)
    p = sub.add_parser("review-export", parents=[common],
                       help="a sheet for a native reviewer of one language")
    p.add_argument("lang", help="language code, e.g. ko, vi")
    p.add_argument("-o", "--output", type=Path, required=True, help=".xlsx or .csv")
    p.set_defaults(func=cmd_pb_review_export)
    p = sub.add_parser("review-import", parents=[common],
                       help="apply a reviewed sheet as a new version")
    p.add_argument("file", type=Path)
    p.add_argument("--reviewer", required=True, help="the native reviewer's name")
    p.add_argument("--date", help="YYYY-MM-DD (default: today)")
    p.set_defaults(func=cmd_pb_review_import)

    terms = subparsers.add_parser("terms", help="term dictionary (辞書登録)")
    sub = terms.add_subparsers(dest="terms_command", required=True)
    for name, func, text in (("validate", cmd_terms_validate, "check a YAML/CSV/XLSX file"),
                             ("import", cmd_terms_import, "validate and install a new version")):
        p = sub.add_parser(name, parents=[common], help=text)
        p.add_argument("file", type=Path)
        p.set_defaults(func=func)
    p = sub.add_parser("export", parents=[common], help="write the active term dictionary")
    p.add_argument("file", type=Path, help=".yaml, .csv or .xlsx")
    p.add_argument("--encoding", choices=ENCODINGS, default="utf-8-sig")
    p.set_defaults(func=cmd_terms_export)
    p = sub.add_parser("list", parents=[common], help="kept versions and the active terms")
    p.set_defaults(func=cmd_terms_list)
    p = sub.add_parser("rollback", parents=[common], help="activate the previous version")
    p.set_defaults(func=cmd_terms_rollback)
