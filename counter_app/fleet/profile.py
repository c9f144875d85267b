"""The office profile (YAML) that `fleet publish` reads.

    office: 中央区役所
    key: fleet-private.pem          # private key, outside the mirror (relative paths:
                                    # relative to this file)
    languages: [en, ko, vi]         # offered at the counter; the models they need are
                                    # published (recognizers, translation both ways, voices)
    models: [translate-ja_en-1_1]   # optional: publish exactly these installed models instead
    store: /srv/models              # optional: the model store to publish from
    phrasebook: phrasebook.yaml     # optional: default the active one of the library
    terms: terms.yaml               # optional: default the active one of the library
    settings:                       # defaults the tablets take (the fleet-managed fields)
      voice: true                   # speak translations
      idle_timeout_minutes: 10      # 0 = never clear automatically
      caption_theme: white-on-black # white-on-black | black-on-white | yellow-on-black
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from counter_app import languages as registry
from counter_app.errors import CounterAppError
from counter_app.fleet.manifest import SETTINGS_FORMAT

THEMES = ("white-on-black", "black-on-white", "yellow-on-black")
SETTING_KEYS = ("voice", "idle_timeout_minutes", "caption_theme")


class ProfileError(CounterAppError):
    """The profile file is missing or holds a value the app cannot use."""


@dataclass
class Profile:
    path: Path
    office: str = ""
    key: Path | None = None
    languages: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    store: Path | None = None
    phrasebook: Path | None = None
    terms: Path | None = None
    settings: dict = field(default_factory=dict)

    def settings_data(self) -> dict:
        """settings.json of the mirror: offered languages plus the managed defaults."""
        return {"format": SETTINGS_FORMAT, "version": 1, "languages": list(self.languages),
                **self.settings}


def load_profile(path: Path) -> Profile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"Cannot read the profile {path}: {exc.strerror or exc}.") from exc
    except yaml.YAMLError as exc:
        raise ProfileError(f"The profile {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"The profile {path} must be a YAML mapping (office:, languages:, "
                           "settings: ...).")
    unknown = set(data) - {"office", "key", "languages", "models", "store", "phrasebook",
                           "terms", "settings"}
    if unknown:
        raise ProfileError(f"The profile {path} has unknown keys: {', '.join(sorted(unknown))}.")
    base = path.parent

    def file(key: str) -> Path | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise ProfileError(f"'{key}' in {path} must be a file path.")
        found = Path(value).expanduser()
        return found if found.is_absolute() else base / found

    return Profile(path, str(data.get("office") or ""), file("key"),
                   _languages(data.get("languages") or [], path),
                   tuple(_strings(data.get("models") or [], "models", path)), file("store"),
                   file("phrasebook"), file("terms"), _settings(data.get("settings") or {}, path))


def _strings(value: object, key: str, path: Path) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"'{key}' in {path} must be a list of names.")
    return value


def _languages(value: object, path: Path) -> tuple[str, ...]:
    codes = []
    for code in _strings(value, "languages", path):
        try:
            codes.append(registry.get(code).code)
        except CounterAppError as exc:
            raise ProfileError(f"'languages' in {path}: {exc}") from None
    return tuple(dict.fromkeys(codes))


def _settings(value: object, path: Path) -> dict:
    if not isinstance(value, dict):
        raise ProfileError(f"'settings' in {path} must be a mapping.")
    if unknown := set(value) - set(SETTING_KEYS):
        raise ProfileError(f"'settings' in {path} has unknown keys {', '.join(sorted(unknown))} "
                           f"(known: {', '.join(SETTING_KEYS)}).")
    return check_settings(value, str(path))


def check_settings(value: dict, where: str) -> dict:
    """The fleet-managed setting values, checked like the settings file checks them."""
    checked = {}
    if "voice" in value:
        if not isinstance(value["voice"], bool):
            raise ProfileError(f"'voice' in {where} must be true or false.")
        checked["voice"] = value["voice"]
    if "idle_timeout_minutes" in value:
        minutes = value["idle_timeout_minutes"]
        if not isinstance(minutes, int) or isinstance(minutes, bool) or \
                not 0 <= minutes <= 24 * 60:
            raise ProfileError(f"'idle_timeout_minutes' in {where} must be 0 to 1440.")
        checked["idle_timeout_minutes"] = minutes
    if "caption_theme" in value:
        if value["caption_theme"] not in THEMES:
            raise ProfileError(f"'caption_theme' in {where} must be one of {', '.join(THEMES)}.")
        checked["caption_theme"] = value["caption_theme"]
    return checked
