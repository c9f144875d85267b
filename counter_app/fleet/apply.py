"""Applying a verified office set to the tablet: models through the store's
installer, phrasebook and terms through the Library (new versions, rollback
kept), settings defaults through config load/save.

Everything that can be checked is checked in `prepare` before anything changes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from counter_app import config
from counter_app.errors import ArchiveError, CounterAppError
from counter_app.fleet.manifest import SETTINGS_FORMAT, FileEntry
from counter_app.fleet.profile import ProfileError, check_settings
from counter_app.phrasebook.library import Library
from counter_app.phrasebook.merge import REPLACE, ImportPlan
from counter_app.store import archive
from counter_app.store.install import Installer
from counter_app.store.local import ModelStore
from counter_app.store.manifest import ModelRecord, tree_digest
from counter_app.store.validate import check_loads


@dataclass
class Prepared:
    """Checked content waiting to be applied (paths of verified downloads)."""

    models: list[tuple[FileEntry, Path]] = field(default_factory=list)
    phrasebook: tuple[FileEntry, ImportPlan] | None = None
    terms: tuple[FileEntry, object] | None = None
    settings: tuple[FileEntry, dict] | None = None
    remove: list[str] = field(default_factory=list)  # store paths fleet installed, now gone


def installed_digests(store: ModelStore) -> dict[str, str]:
    """{kind/engine/name: recorded tree sha256} of the store's own models."""
    return {f"{m.kind}/{m.engine}/{m.name}": str(m.meta.get("sha256", ""))
            for m in store.models() if not m.read_only}


def prepare(files: dict[str, tuple[FileEntry, Path]], library: Library) -> Prepared:
    """Read and check every downloaded file; nothing is written."""
    from counter_app.phrasebook.terms import load_terms

    prepared = Prepared()
    for entry, path in files.values():
        if entry.role == "model":
            prepared.models.append((entry, path))
        elif entry.role == "phrasebook":
            prepared.phrasebook = (entry, library.plan_phrasebook_import(path, readings=False))
        elif entry.role == "terms":
            prepared.terms = (entry, load_terms(path))
        elif entry.role == "settings":
            prepared.settings = (entry, read_settings(path))
    return prepared


def read_settings(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise CounterAppError(f"The mirror's settings file is not JSON ({exc}).") from exc
    if not isinstance(data, dict) or data.get("format") != SETTINGS_FORMAT:
        raise CounterAppError("The mirror's settings file is not a fleet settings file.")
    try:
        checked = check_settings(data, "the mirror's settings file")
    except ProfileError as exc:
        raise CounterAppError(str(exc)) from exc
    offered = data.get("languages", [])
    if not isinstance(offered, list) or not all(isinstance(c, str) for c in offered):
        raise CounterAppError("The mirror's settings file has a malformed language list.")
    return {**checked, "languages": offered}


def install_models(store: ModelStore, items: list[tuple[FileEntry, Path]], source: str,
                   validate: bool = True) -> None:
    """The store installer's own steps for catalog zips, from files already fetched
    and verified, all or nothing: every model is unpacked into the store's staging,
    found, matched against the manifest's digest and loaded by its engine first;
    only then are they swapped in (record written, atomic rename) one after another."""
    installer = Installer(store, validate=False)  # loaded below, before any swap
    with installer.locked(), contextlib.ExitStack() as stages:
        ready = []
        for entry, zip_path in items:
            facts = entry.model
            stage = stages.enter_context(installer.staging())
            unpacked = archive.extract(zip_path, stage / "unpacked")
            folder = installer.find_model(facts["kind"], facts["engine"], unpacked,
                                          zip_path.name, weights_only=True)
            digest, _ = tree_digest(folder)
            if digest != facts["tree_sha256"]:
                raise ArchiveError(f"{facts['name']} unpacks to other files than the manifest "
                                   "lists; nothing was installed.")
            if validate:
                check_loads(facts["engine"], folder, facts["name"])
            ready.append((folder, ModelRecord(
                facts["name"], facts["kind"], facts["engine"], list(facts["languages"]),
                version=str(facts.get("version", "")), source=source,
                license=str(facts.get("license", "")), variant=str(facts.get("variant", "")),
                pairs=str(facts.get("pairs", ""))), stage))
        for folder, record, stage in ready:
            installer.put_in_place(folder, record, stage)


def remove_model(store: ModelStore, store_path: str) -> None:
    model = next((m for m in store.models() if not m.read_only
                  and f"{m.kind}/{m.engine}/{m.name}" == store_path), None)
    if model:
        Installer(store).remove(model.name)


def apply_settings(values: dict, path: Path | None = None) -> bool:
    """Write the fleet-managed fields into the settings file; True if anything changed."""
    report = config.load_report(path)
    settings = report.settings
    before = json.dumps(dataclasses.asdict(settings), sort_keys=True)
    if "voice" in values:
        settings.conversation.speak_translations = values["voice"]
    if "idle_timeout_minutes" in values:
        settings.conversation.idle_timeout_minutes = values["idle_timeout_minutes"]
    if "caption_theme" in values:
        settings.captions.theme = values["caption_theme"]
    offered = values.get("languages") or []
    if offered and settings.conversation.resident_language not in offered:
        settings.conversation.resident_language = offered[0]
    if json.dumps(dataclasses.asdict(settings), sort_keys=True) == before:
        return False
    config.save(settings, path)
    return True


def apply(prepared: Prepared, store: ModelStore, library: Library, settings_path: Path | None,
          applied: dict, source: str, changes: list[str], validate: bool = True) -> None:
    """Apply prepared content; `applied` and `changes` grow as each part lands (so a
    caller that catches an error knows what did)."""
    models = applied.setdefault("models", {})
    if prepared.models:
        install_models(store, prepared.models, source, validate)
    for entry, _ in prepared.models:
        models[entry.store_path] = entry.model["tree_sha256"]
        changes.append(f"model {entry.store_path}")
    for store_path in prepared.remove:
        remove_model(store, store_path)
        models.pop(store_path, None)
        changes.append(f"removed model {store_path}")
    if prepared.phrasebook:
        entry, plan = prepared.phrasebook
        version = library.apply_phrasebook_import(plan, REPLACE)
        applied["phrasebook"] = {"sha256": entry.sha256, "version": entry.version,
                                 "local": version.label}
        changes.append(f"phrasebook {entry.version} (local {version.label})")
    if prepared.terms:
        entry, terms = prepared.terms
        version = library.term_versions.install(terms)
        applied["terms"] = {"sha256": entry.sha256, "version": entry.version,
                            "local": version.label}
        changes.append(f"terms {entry.version} (local {version.label})")
    if prepared.settings:
        entry, values = prepared.settings
        if apply_settings(values, settings_path):
            changes.append("settings defaults")
        applied["settings"] = {"sha256": entry.sha256, "values": values}
