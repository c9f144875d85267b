"""Every setting declared once, typed, with its default.

Stored as one JSON file in the platform config dir (platformdirs).  Unknown keys
are ignored and missing keys take defaults, so old files keep loading; a
`version` field and small migration functions handle renames.  No file stops
the app: each field is checked on its own (settings_check), a broken file is
moved aside, and a file from a newer version is read but never overwritten.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from platformdirs import user_config_dir

from counter_app import admin_pin, languages
from counter_app.errors import CounterAppError
from counter_app.settings_check import Check, between, build, one_of
from counter_app.store.catalog_upstream import ARGOS_URL, PIPER_URL, VOSK_URL

log = logging.getLogger(__name__)

CONFIG_VERSION = 1
ENV_CONFIG = "COUNTER_APP_CONFIG"


@dataclass
class CatalogSettings:
    """Catalog URLs (http/https only); admins may point them at an office mirror.
    The upstream defaults live in store/catalog_upstream.py (one place)."""

    vosk: str = VOSK_URL
    argos: str = ARGOS_URL
    piper: str = PIPER_URL
    # Our own catalog format: other CTranslate2 models (NLLB, Whisper, sentence
    # splitters). Empty = the catalog shipped with the app; a URL = an office
    # mirror; "off" = none.
    ct2: str = ""
    # Piper voice region per language where the office wants another than the
    # language registry's (en_US, pt_BR, es_ES), e.g. {"es": "es_MX"}; other
    # regions are the fallback.
    piper_regions: dict[str, str] = field(default_factory=dict)


@dataclass
class EngineSettings:
    # Per-language engine preference, e.g. {"ko": "whisper"}; absent = registry order.
    asr: dict[str, str] = field(default_factory=dict)
    tts: dict[str, str] = field(default_factory=dict)
    memory_budget_mb: int = 1800  # loaded models are evicted (LRU) beyond this
    threads: int = 2


@dataclass
class ConversationSettings:
    staff_language: str = "ja"
    resident_language: str = "en"
    speak_translations: bool = True
    speech_speed: float = 1.0
    hands_free: bool = False
    edit_before_translate: bool = False
    # Recognize only phrasebook sentences (Vosk grammar): reliable at a busy counter.
    phrase_mode: bool = False
    rotate_resident_half: bool = False
    font_scale: float = 1.0
    idle_timeout_minutes: int = 10  # 0 = never clear automatically
    microphone: str | None = None  # device name; None = system default
    speaker: str | None = None


@dataclass
class CaptionSettings:
    theme: str = "white-on-black"  # white-on-black | black-on-white | yellow-on-black
    font_size: int = 48
    line_spacing: float = 1.3
    translation_language: str | None = None
    max_lines: int = 2000  # kept in memory; older lines are dropped from view
    # A second microphone for the resident labels lines by source; with one
    # microphone a pause this long marks a speaker change (0 = never).
    resident_microphone: str | None = None
    speaker_change_seconds: float = 2.0


@dataclass
class ReportSettings:
    """Usage counts for city hall (counts only, never content): which ward this
    tablet serves, and the WebDAV folder `counter-app stats upload` PUTs them to
    ("" = export them to a folder or USB stick).  The password is never stored
    here: $COUNTER_APP_REPORT_PASSWORD or the file named by password_file."""

    ward: str = ""  # ward/office id, e.g. "shinjuku-1"
    url: str = ""
    user: str = ""  # basic auth; "" = none
    password_file: str = ""


@dataclass
class Settings:
    version: int = CONFIG_VERSION
    ui_language: str = "ja"
    models_dir: str | None = None  # None = default store
    usage_statistics: bool = True
    # Salted hash of the admin PIN (counter_app.admin_pin), never the PIN; None = no PIN.
    admin_pin: str | None = None
    catalogs: CatalogSettings = field(default_factory=CatalogSettings)
    engines: EngineSettings = field(default_factory=EngineSettings)
    conversation: ConversationSettings = field(default_factory=ConversationSettings)
    captions: CaptionSettings = field(default_factory=CaptionSettings)
    reports: ReportSettings = field(default_factory=ReportSettings)


def config_path() -> Path:
    if env := os.environ.get(ENV_CONFIG):
        return Path(env).expanduser()
    return Path(user_config_dir("counter-app", appauthor=False)) / "settings.json"


# version -> function upgrading a raw dict from that version to the next one
MIGRATIONS: dict[int, Callable[[dict], dict]] = {}


class SettingsError(CounterAppError):
    """The settings file cannot (reason "disk") or must not (reason "newer") be written."""

    def __init__(self, message: str, reason: str, detail: str = ""):
        super().__init__(message)
        self.reason = reason
        self.detail = detail


def _language(value: str) -> str:
    try:
        return languages.get(value).code
    except CounterAppError as exc:
        raise ValueError(str(exc)) from None


def _url(value: str) -> str:
    if value.strip().lower() in ("", "off") or value.startswith(("http://", "https://")):
        return value
    raise ValueError("not an http(s) URL")


def _ward(value: str) -> str:
    if value and not re.fullmatch(r"[\w-][\w.-]{0,63}", value):
        raise ValueError("letters, digits, '-', '_' or '.' (not first) only")
    return value


def _regions(value: dict[str, str]) -> dict[str, str]:
    """{our language code: Piper locale of that language}, e.g. {"es": "es_MX"}."""
    out = {}
    for code, region in value.items():
        lang = languages.get(code) if code in languages.LANGUAGES else None
        if lang is None or not re.fullmatch(r"[a-z]{2,3}_[A-Z]{2}", region) or \
                region.split("_")[0] != (lang.piper or "").split("_")[0]:
            raise ValueError(f"{code!r}: {region!r} is not a Piper region of that language")
        out[lang.code] = region
    return out


def _not_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("empty")
    return value


# Checks beyond the declared type, by dotted field name (ranges as in the settings dialog).
CHECKS: dict[str, Check] = {
    "ui_language": one_of("ja", "en"),
    "models_dir": _not_empty,
    "admin_pin": admin_pin.check_stored,
    "catalogs.vosk": _url, "catalogs.argos": _url, "catalogs.piper": _url, "catalogs.ct2": _url,
    "catalogs.piper_regions": _regions,
    "engines.memory_budget_mb": between(64, 1024**2),
    "engines.threads": between(1, 256),
    "conversation.staff_language": _language,
    "conversation.resident_language": _language,
    "conversation.speech_speed": between(0.5, 2.0),
    "conversation.font_scale": between(0.5, 4.0),
    "conversation.idle_timeout_minutes": between(0, 24 * 60),
    "captions.theme": one_of("white-on-black", "black-on-white", "yellow-on-black"),
    "captions.font_size": between(8, 400),
    "captions.line_spacing": between(0.5, 4.0),
    "captions.translation_language": _language,
    "captions.max_lines": between(10, 1_000_000),
    "captions.speaker_change_seconds": between(0, 3600),
    "reports.ward": _ward,
    "reports.url": _url,
}


@dataclass(frozen=True, slots=True)
class SettingsProblem:
    """Something wrong with the settings file, found while loading it.

    kind: "broken" (not a JSON object: moved aside, defaults used), "repaired"
    (some values invalid: those take defaults, the original copied aside),
    "newer" (from a newer app: read, never overwritten) or "unreadable".
    """

    kind: str
    path: Path
    backup: Path | None = None
    fields: tuple[str, ...] = ()
    version: int | None = None
    detail: str = ""

    def __str__(self) -> str:
        kept = f" The original is kept as {self.backup}." if self.backup else ""
        names = ", ".join(self.fields)
        if self.kind == "broken":
            return f"Settings file {self.path} is damaged ({self.detail}); using defaults.{kept}"
        if self.kind == "repaired":
            return f"Settings file {self.path} had invalid values ({names}); those use " \
                   f"defaults.{kept}"
        if self.kind == "newer":
            ignored = f" Invalid values use defaults: {names}." if names else ""
            return (f"Settings file {self.path} is from a newer version of the app (settings "
                    f"version {self.version}); read what this version knows, and changes "
                    f"will not be saved.{ignored}")
        return f"Settings file {self.path} cannot be read ({self.detail}); using defaults."


@dataclass(slots=True)
class LoadReport:
    settings: Settings
    problems: list[SettingsProblem] = field(default_factory=list)


def load(path: Path | None = None) -> Settings:
    """Read settings; problems are logged as warnings (see load_report)."""
    return load_report(path).settings


def load_report(path: Path | None = None) -> LoadReport:
    """Read settings, never failing: whatever is valid is kept, problems are listed
    (and logged once here) for the caller to show."""
    path = path or config_path()
    report = _read(path)
    for problem in report.problems:
        log.warning("%s", problem)
    return report


def _read(path: Path) -> LoadReport:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return LoadReport(Settings())
    except OSError as exc:
        return LoadReport(Settings(), [SettingsProblem("unreadable", path, detail=str(exc))])
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            kind = {list: "an array", str: "a string", bool: "true/false",
                    type(None): "null"}.get(type(data), "a number")
            raise ValueError(f"JSON {kind} instead of an object")
    except ValueError as exc:  # also UnicodeDecodeError
        detail = str(exc).splitlines()[0][:120]
        return LoadReport(Settings(), [SettingsProblem("broken", path, _move_aside(path),
                                                       detail=detail)])
    version = data.get("version", 1)
    bad_version = not isinstance(version, int) or isinstance(version, bool) or version < 1
    if bad_version:
        version = CONFIG_VERSION  # unknown history: read the fields as they are
    while version < CONFIG_VERSION and version in MIGRATIONS:
        data = MIGRATIONS[version](data)
        version += 1
    data = {**data, "version": CONFIG_VERSION}
    settings, dropped = build(Settings, data, CHECKS)
    dropped = (["version"] if bad_version else []) + _keep_pin_guard(settings, dropped)
    if version > CONFIG_VERSION:
        return LoadReport(settings, [SettingsProblem("newer", path, fields=tuple(dropped),
                                                     version=version)])
    if not dropped:
        return LoadReport(settings)
    backup = _copy_aside(path, raw)
    with contextlib.suppress(SettingsError):
        save(settings, path)  # the next start is clean; the original is kept aside
    return LoadReport(settings, [SettingsProblem("repaired", path, backup, tuple(dropped))])


def _keep_pin_guard(settings: Settings, dropped: list[str]) -> list[str]:
    """A damaged admin PIN fails closed: unlike other fields it does not fall back to
    its default (no PIN), which would switch the guard off.  It becomes
    admin_pin.BROKEN, which no PIN opens; the PIN pad says how to repair the file
    (set "admin_pin" to null, then choose a new PIN).  Not listed as repaired, so
    the file keeps the damaged value until an admin fixes it."""
    if "admin_pin" not in dropped:
        return dropped
    settings.admin_pin = admin_pin.BROKEN
    log.warning("The admin PIN in the settings file is damaged: settings stay locked until "
                'an admin sets "admin_pin" to null in the file and chooses a new PIN.')
    return [name for name in dropped if name != "admin_pin"]


def _aside_name(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.name}.bad-{stamp}")
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.bad-{stamp}-{n}")
        n += 1
    return candidate


def _move_aside(path: Path) -> Path | None:
    target = _aside_name(path)
    try:
        os.replace(path, target)
    except OSError as exc:
        log.warning("Could not move %s aside: %s", path, exc)
        return None
    return target


def _copy_aside(path: Path, raw: bytes) -> Path | None:
    target = _aside_name(path)
    try:
        target.write_bytes(raw)
    except OSError as exc:
        log.warning("Could not keep a copy of %s: %s", path, exc)
        return None
    return target


def newer_version(path: Path) -> int | None:
    """The settings version of the file at path when it is newer than this app's."""
    try:
        version = json.loads(path.read_bytes().decode("utf-8")).get("version")
    except (OSError, ValueError, AttributeError):
        return None
    if isinstance(version, int) and not isinstance(version, bool) and version > CONFIG_VERSION:
        return version
    return None


def save(settings: Settings, path: Path | None = None) -> Path:
    """Write atomically (temp file + rename).  SettingsError when the file there is
    from a newer version (never downgraded) or the disk refuses."""
    path = path or config_path()
    if (version := newer_version(path)) is not None:
        raise SettingsError(f"Settings were not saved: {path} is from a newer version of "
                            f"the app (settings version {version}) and this version does "
                            "not overwrite it. Update the app, or move that file away.",
                            "newer")
    text = json.dumps(asdict(settings), ensure_ascii=False, indent=2)
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        detail = str(exc.strerror or exc)
        raise SettingsError(f"Settings were not saved to {path}: {detail}.", "disk",
                            detail) from exc
    return path
