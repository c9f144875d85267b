"""Model licences: what an office may use, what needs an explicit acceptance, and
where an acceptance is recorded.  Qt-free; the CLI and the model manager call it.

Classes (`classify`): "permissive" (MIT, Apache-2.0, BSD, CC0, ...), "attribution"
(CC-BY, CC-BY-SA, GPL family: commercial use allowed, with conditions such as
naming the authors), "non-commercial" (CC-BY-NC*, "research only": an office
may not rely on it) and "unknown" (no licence recorded, "see the README").
Only a non-commercial licence needs an acceptance: the install plan flags it
(⚠ 非商用ライセンス) before any download and the install is refused unless the
admin accepts that licence for that install (`--accept-licence cc-by-nc-4.0`,
or the tick box on the model manager's plan page).

Each acceptance is appended to `<store>/licence-acceptance.json` (which
licence, which models, when, from where): the store holds the models, so the
record stays beside them.  It is an audit trail, not a standing permission:
every install of such a model asks again.

`PERMISSIVE_GAPS`: text languages without a usable permissively licensed
model (published scores in docs/mt_models.md): only a model under an
accepted licence (NLLB-200) translates them.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from counter_app.errors import CounterAppError

PERMISSIVE, ATTRIBUTION, NON_COMMERCIAL, UNKNOWN = (
    "permissive", "attribution", "non-commercial", "unknown")
ACCEPTANCE_FILE = "licence-acceptance.json"
CLI_FLAG = "--accept-licence"

_NON_COMMERCIAL = re.compile(r"(^|-)nc(-|$)|non-?commercial|research-?(only|use)")
_PERMISSIVE = ("mit", "apache", "bsd", "isc", "zlib", "cc0", "unlicense", "public-domain",
               "0bsd", "wtfpl", "psf", "python")
_ATTRIBUTION = ("cc-by", "gpl", "lgpl", "agpl", "mpl", "epl", "odc-by", "cdla")

# Languages Argos lacks whose permissive candidates (M2M-100, OPUS-MT) publish
# scores too low to show a resident (FLORES-200 devtest chrF, docs/mt_models.md).
PERMISSIVE_GAPS: dict[str, str] = {
    "ne": "M2M-100 and OPUS-MT score chrF 0.15-0.21 into Nepali (NLLB-200 600M: 0.52).",
    "my": "M2M-100 418M scores chrF 0.07 into Burmese, OPUS-MT 0.16 (NLLB-200 600M: 0.35).",
    "km": "M2M-100 418M scores chrF 0.11 into Khmer, 1.2B 0.23 (NLLB-200 600M: 0.36).",
    "mn": "M2M-100 418M scores chrF 0.19 into Mongolian, 1.2B 0.27 (NLLB-200 3.3B: 0.42).",
    "si": "M2M-100 418M scores chrF 0.23 into Sinhala, OPUS-MT 0.30 (NLLB-200 600M: 0.43).",
}


class LicenceNotAcceptedError(CounterAppError):
    """An install would download a model whose licence was not accepted."""

    def __init__(self, pending: dict[str, list[str]]):
        self.pending = pending  # licence key -> model names
        models = "; ".join(f"{', '.join(names)} ({key})" for key, names in pending.items())
        flags = " ".join(f"{CLI_FLAG} {key}" for key in pending)
        super().__init__(
            f"Not installed: {models} is under a non-commercial licence, which an office "
            f"may not rely on. Nothing was downloaded. To install it anyway, accept the "
            f"licence explicitly: add {flags} (or tick the licence box in the model manager).")


def licence_key(text: str) -> str:
    """A comparable form of a licence name: 'CC BY-NC 4.0' -> 'cc-by-nc-4.0'."""
    return re.sub(r"-+", "-", re.sub(r"[\s_/]+", "-", text.strip().lower())).strip("-")


def classify(text: str) -> str:
    """permissive | attribution | non-commercial | unknown."""
    key = licence_key(text)
    if not key:
        return UNKNOWN
    if _NON_COMMERCIAL.search(key):
        return NON_COMMERCIAL
    if key.startswith(_PERMISSIVE) or key == "public-domain":
        return PERMISSIVE
    if key.startswith(_ATTRIBUTION):
        return ATTRIBUTION
    return UNKNOWN


def needs_acceptance(text: str) -> bool:
    return classify(text) == NON_COMMERCIAL


def plan_flag(text: str) -> str:
    """The warning a plan line carries (empty when none): ja first, en for logs."""
    return "⚠ 非商用ライセンス (non-commercial licence)" if needs_acceptance(text) else ""


def list_label(text: str) -> str:
    """A licence as `models list` prints it: the name, then its class when not plain."""
    shown = text.strip() or "unknown"
    kind = classify(text)
    if kind == NON_COMMERCIAL:
        return f"{shown}  ⚠ 非商用ライセンス (non-commercial)"
    return shown if kind in (PERMISSIVE, ATTRIBUTION) else f"{shown} (licence unknown)"


def installed_licence(model) -> str:
    """An installed model's licence: what its own files state (a Piper voice's
    MODEL_CARD), else its manifest record, else the licence its ct2
    `counter-model.json` names, else ""."""
    from counter_app.store.catalog_upstream import folder_licence  # (imports this module)

    folder = Path(model.path)
    recorded = str(model.meta.get("license") or "")
    if folder.is_dir() and (text := folder_licence(model.engine, folder, recorded)):
        return text
    if recorded:
        return recorded
    description = folder / "counter-model.json"
    try:
        return str(json.loads(description.read_text(encoding="utf-8")).get("license") or "")
    except (OSError, ValueError, AttributeError):
        return ""


def pending(entries: Iterable, accepted: Iterable[str] = ()) -> dict[str, list[str]]:
    """Licence key -> names of the entries (anything with .name and .license) whose
    non-commercial licence is not among `accepted` (licence names, any spelling)."""
    allowed = {licence_key(a) for a in accepted}
    found: dict[str, list[str]] = {}
    for entry in entries:
        key = licence_key(entry.license)
        if needs_acceptance(entry.license) and key not in allowed:
            found.setdefault(key, []).append(entry.name)
    return found


def check_accepted(entries: Iterable, accepted: Iterable[str] = ()) -> None:
    """Raise LicenceNotAcceptedError unless every licence needing acceptance is accepted."""
    if missing := pending(list(entries), accepted):
        raise LicenceNotAcceptedError(missing)


def needing_acceptance(entries: Iterable) -> dict[str, list[str]]:
    """Licence key -> model names, for every entry whose licence needs acceptance."""
    return pending(entries, ())


def acceptances(store_root: str | Path) -> list[dict]:
    """The recorded acceptances, oldest first ([] when none or unreadable)."""
    try:
        data = json.loads((Path(store_root) / ACCEPTANCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [item for item in data.get("accepted", []) if isinstance(item, dict)] \
        if isinstance(data, dict) else []


def record_acceptance(store_root: str | Path, entries: Iterable, via: str) -> list[dict]:
    """Append one record per accepted licence of `entries` (those needing acceptance);
    written atomically.  Returns the new records."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    added = [{"licence": key, "models": names, "accepted_at": now, "via": via}
             for key, names in needing_acceptance(entries).items()]
    if not added:
        return []
    root = Path(store_root)
    root.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"accepted": acceptances(root) + added}, indent=2, ensure_ascii=False)
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".licence-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, root / ACCEPTANCE_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return added
