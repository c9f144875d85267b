"""Enrolment and sync of one tablet against its office mirror.

sync(): fetch the manifest (conditional GET), check its Ed25519 signature with
the enrolled key, fetch only the files whose content the tablet lacks (resuming
partial ones), check every size and sha256, check the content itself, and only
then apply it.  Until that point nothing on the tablet changes; any failure is
recorded as the last result (`fleet status`, the admin screen) with a sentence
saying what happened.  Never run during a conversation: the app calls
`startup_sync()` at start-up (see counter_app/ui/fleet_sync.py), admins call
`counter-app fleet sync`.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from counter_app.errors import CounterAppError
from counter_app.fleet import signing
from counter_app.fleet.apply import Prepared, apply, installed_digests, prepare
from counter_app.fleet.fetch import ChecksumError, Fetcher, FetchError, sha256_bytes
from counter_app.fleet.manifest import MANIFEST, SIGNATURE, Manifest, ManifestError, parse
from counter_app.fleet.schedule import check_hour
from counter_app.fleet.signing import SignatureError
from counter_app.fleet.state import fleet_dir, load_state, now, save_state, write_atomic
from counter_app.phrasebook.library import Library
from counter_app.store.download import check_url
from counter_app.store.local import ModelStore

log = logging.getLogger(__name__)

OK, UNCHANGED, REFUSED, FAILED, BUSY = "ok", "unchanged", "refused", "failed", "busy"


class NotEnrolledError(CounterAppError):
    pass


@dataclass
class SyncResult:
    status: str  # ok | unchanged | refused | failed | busy
    message: str  # one English sentence or more, with the details
    reason: str = ""  # signature | manifest | checksum | unreachable | content | apply | busy
    changes: list[str] = field(default_factory=list)
    serial: int | None = None
    requests: int = 0
    bytes: int = 0
    at: str = ""

    @property
    def ok(self) -> bool:
        return self.status in (OK, UNCHANGED)


def enroll(url: str, key: str, folder: Path | None = None, daily_hour: int | None = None
           ) -> dict:
    """Remember the mirror URL and its public key (a PEM file or base64 text), and
    the hour (0–23) from which the app syncs by itself once a day (None: it does not)."""
    folder = folder or fleet_dir()
    check_url(url)
    check_hour(daily_hour)
    public = signing.read_public(key)
    state = load_state(folder)
    if state.get("enrollment", {}).get("public_key") not in (None, public):
        state.pop("validators", None)  # another city key: nothing cached is trusted
    state["enrollment"] = {"url": url if url.endswith("/") else url + "/",
                           "public_key": public, "key_id": signing.key_id(public),
                           "enrolled_at": now(), "daily_hour": daily_hour}
    save_state(folder, state)
    return state["enrollment"]


def status(folder: Path | None = None) -> dict:
    """{"enrollment": ..., "applied": ..., "last": ...} ({} when not enrolled)."""
    state = load_state(folder or fleet_dir())
    return {k: state[k] for k in ("enrollment", "applied", "last") if k in state}


def sync(*, store_root: Path | str | None = None, library_folder: Path | None = None,
         settings_path: Path | None = None, folder: Path | None = None,
         validate_models: bool = True, timeout: float = 20,
         busy: Callable[[], bool] | None = None, library: Library | None = None
         ) -> SyncResult:
    """Bring the tablet to the mirror's signed state, or change nothing.

    `library`: the app's open Library (default: one on library_folder); `busy()`
    True (a conversation is open) postpones the sync."""
    folder = folder or fleet_dir()
    state = load_state(folder)
    if "enrollment" not in state:
        raise NotEnrolledError("This tablet is not enrolled: run `counter-app fleet enroll URL "
                               "--key PUBLIC_KEY` first.")
    if busy and busy():
        return SyncResult(BUSY, "A conversation is open; the sync waits until it ends.",
                          "busy")
    lock = FileLock(str(folder / "sync.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return SyncResult(BUSY, "Another sync is running on this tablet.", "busy")
    try:
        job = _Sync(folder, state, ModelStore(store_root), library or Library(library_folder),
                    settings_path, validate_models, timeout)
        result = job.run()
    finally:
        lock.release()
    result.at = now()
    state["last"] = asdict(result)
    save_state(folder, state)
    return result


def offered_languages(folder: Path | None = None) -> list[str]:
    """The languages the office offers at the counter (from the last applied set)."""
    applied = load_state(folder or fleet_dir()).get("applied", {})
    return list(applied.get("settings", {}).get("values", {}).get("languages", []))


def startup_sync(**kwargs) -> SyncResult | None:
    """For the app's start-up: None when not enrolled; never raises."""
    try:
        return sync(**kwargs)
    except NotEnrolledError:
        return None
    except Exception as exc:  # noqa: BLE001 - start-up must go on; the result says why
        log.warning("Fleet sync at start-up failed: %s", exc)
        return SyncResult(FAILED, f"The sync failed: {exc}", "apply")


class _Sync:
    def __init__(self, folder: Path, state: dict, store: ModelStore, library: Library,
                 settings_path: Path | None, validate: bool, timeout: float):
        self.folder, self.state, self.store, self.library = folder, state, store, library
        self.settings_path, self.validate = settings_path, validate
        enrollment = state["enrollment"]
        self.url, self.public = enrollment["url"], enrollment["public_key"]
        self.fetcher = Fetcher(self.url, folder / "download",
                               state.setdefault("validators", {}), timeout)

    def result(self, status: str, message: str, **extra) -> SyncResult:
        return SyncResult(status, message, requests=self.fetcher.requests,
                          bytes=self.fetcher.bytes, **extra)

    def run(self) -> SyncResult:
        validators = self.fetcher.validators
        before = {k: validators.get(k) for k in (MANIFEST, SIGNATURE)}
        result = self._run()
        if result.status in (REFUSED, FAILED):  # the cached manifest stays the applied one
            for key, value in before.items():
                validators.pop(key, None)
                if value:
                    validators[key] = value
        return result

    def _run(self) -> SyncResult:
        try:
            manifest, raw, signature = self._manifest()
            applied = self.state.get("applied", {})
            if manifest.serial < applied.get("serial", 0):
                raise SignatureError(f"The mirror offers set {manifest.serial}, older than set "
                                     f"{applied['serial']} this tablet has; refusing to go "
                                     "back. Nothing was changed.")
            wanted = self._wanted(manifest, applied)
            files = {e.path: (e, self.fetcher.get_file(e.path, e.size, e.sha256))
                     for e in wanted}
            prepared = prepare(files, self.library)
            prepared.remove = [p for p in applied.get("models", {})
                               if p not in {m.store_path for m in manifest.models()}]
        except SignatureError as exc:
            return self.result(REFUSED, str(exc), reason="signature")
        except ManifestError as exc:
            return self.result(REFUSED, f"{exc} Nothing was changed.", reason="manifest")
        except ChecksumError as exc:
            return self.result(REFUSED, str(exc), reason="checksum")
        except FetchError as exc:
            return self.result(FAILED, f"{exc} Nothing was changed.", reason="unreachable")
        except CounterAppError as exc:
            return self.result(REFUSED, f"The office set cannot be used: {exc} "
                                        "Nothing was changed.", reason="content")
        if not _has_work(prepared) and manifest.serial == applied.get("serial"):
            return self.result(UNCHANGED, f"Up to date (office set {manifest.serial}).",
                               serial=manifest.serial)
        return self._apply(manifest, prepared, raw, signature)

    def _manifest(self) -> tuple[Manifest, bytes, bytes]:
        current = self.folder / "current"
        cached = (current / MANIFEST, current / SIGNATURE)
        have_cache = all(p.is_file() for p in cached)
        raw = self.fetcher.get_small(MANIFEST, conditional=have_cache)
        if raw is None:  # 304: the mirror still serves what this tablet applied
            raw, signature = cached[0].read_bytes(), cached[1].read_bytes()
        else:
            try:
                signature = self.fetcher.get_small(SIGNATURE, conditional=False, limit=4096)
            except FetchError as exc:
                if "404" in str(exc):
                    raise SignatureError("The mirror's manifest is not signed (no "
                                         f"{SIGNATURE}); refusing it. Nothing was changed."
                                         ) from exc
                raise
        signing.verify(self.public, raw, signature)
        return parse(raw), raw, signature

    def _wanted(self, manifest: Manifest, applied: dict) -> list:
        digests = installed_digests(self.store)
        wanted = [m for m in manifest.models()
                  if digests.get(m.store_path) != m.model["tree_sha256"]]
        for role in ("phrasebook", "terms", "settings"):
            entry = manifest.role(role)
            if entry and applied.get(role, {}).get("sha256") != entry.sha256:
                wanted.append(entry)
        return wanted

    def _apply(self, manifest: Manifest, prepared: Prepared, raw: bytes,
               signature: bytes) -> SyncResult:
        applied = self.state.setdefault("applied", {})
        changes: list[str] = []
        try:
            apply(prepared, self.store, self.library, self.settings_path, applied,
                  f"fleet {self.url} (set {manifest.serial})", changes, self.validate)
        except CounterAppError as exc:
            if not changes:
                return self.result(FAILED, f"Office set {manifest.serial} was not applied: "
                                           f"{exc} Nothing was changed.", reason="apply")
            return self.result(FAILED, f"Applying office set {manifest.serial} stopped: {exc} "
                                       f"Applied before that: {', '.join(changes)}; the next "
                                       "sync retries the rest.", reason="apply")
        write_atomic(self.folder / "current" / SIGNATURE, signature)
        write_atomic(self.folder / "current" / MANIFEST, raw)
        applied.update(serial=manifest.serial, manifest_sha256=sha256_bytes(raw),
                       office=manifest.office, at=now())
        with contextlib.suppress(OSError):
            shutil.rmtree(self.folder / "download")  # applied: nothing left to resume
        self.state["validators"] = {k: v for k, v in self.state.get("validators", {}).items()
                                    if not k.endswith(".part")}
        what = ", ".join(changes) if changes else "nothing new to apply"
        return self.result(OK, f"Office set {manifest.serial} applied: {what}.",
                           changes=changes, serial=manifest.serial)


def _has_work(prepared: Prepared) -> bool:
    return bool(prepared.models or prepared.phrasebook or prepared.terms or prepared.settings
                or prepared.remove)
