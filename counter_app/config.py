"""Every setting declared once, typed, with its default.

Stored as one JSON file in the platform config dir (platformdirs).  Unknown keys
are ignored and missing keys take defaults, so old files keep loading; a
`version` field and small migration functions handle renames.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir

log = logging.getLogger(__name__)

CONFIG_VERSION = 1
ENV_CONFIG = "COUNTER_APP_CONFIG"


@dataclass
class CatalogSettings:
    """Catalog URLs (http/https only); admins may point them at an office mirror."""

    vosk: str = "https://alphacephei.com/vosk/models/model-list.json"
    argos: str = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
    piper: str = "https://huggingface.co/rhasspy/piper-voices/resolve/main/voices.json"
    # Our own catalog format: other CTranslate2 models (NLLB, Whisper, sentence
    # splitters). Empty = the catalog shipped with the app; a URL = an office
    # mirror; "off" = none.
    ct2: str = ""


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
class Settings:
    version: int = CONFIG_VERSION
    ui_language: str = "ja"
    models_dir: str | None = None  # None = default store
    usage_statistics: bool = True
    catalogs: CatalogSettings = field(default_factory=CatalogSettings)
    engines: EngineSettings = field(default_factory=EngineSettings)
    conversation: ConversationSettings = field(default_factory=ConversationSettings)
    captions: CaptionSettings = field(default_factory=CaptionSettings)


def config_path() -> Path:
    if env := os.environ.get(ENV_CONFIG):
        return Path(env).expanduser()
    return Path(user_config_dir("counter-app", appauthor=False)) / "settings.json"


# version -> function upgrading a raw dict from that version to the next one
MIGRATIONS: dict[int, Any] = {}


def _from_dict(cls, data: dict) -> Any:
    kwargs = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        default = cls.__dataclass_fields__[f.name]
        sub = default.default_factory() if callable(default.default_factory) else None
        if is_dataclass(sub) and isinstance(value, dict):
            value = _from_dict(type(sub), value)
        kwargs[f.name] = value
    return cls(**kwargs)


def load(path: Path | None = None) -> Settings:
    """Read settings; a missing or broken file gives defaults (and a warning)."""
    path = path or config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("Settings file %s is unreadable (%s); using defaults.", path, exc)
        return Settings()
    version = int(data.get("version", 1))
    while version < CONFIG_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
    data["version"] = CONFIG_VERSION
    return _from_dict(Settings, data)


def save(settings: Settings, path: Path | None = None) -> Path:
    """Write atomically (temp file + rename)."""
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(settings), ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)
    return path
