"""Checking installed models against what was recorded at install time.

A model is "ok" only when its files match the sha256 and size in its record
and (unless skipped) its engine loads it.  Whatever could not be checked is
said, never passed over: no record, no checksum, a malformed record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from counter_app.errors import CounterAppError
from counter_app.store.local import InstalledModel
from counter_app.store.manifest import load_record, tree_digest
from counter_app.store.validate import check_loads


@dataclass(slots=True)
class ModelCheck:
    problems: list[str] = field(default_factory=list)  # something is wrong
    unchecked: list[str] = field(default_factory=list)  # could not be checked, and why

    @property
    def status(self) -> str:
        """"FAIL", "ok", or "partly" (nothing wrong found, but not everything checked)."""
        return "FAIL" if self.problems else "partly" if self.unchecked else "ok"


def check_model(model: InstalledModel, load: bool = True) -> ModelCheck:
    """Check one installed model's files against its record, and load it."""
    result = ModelCheck()
    if manifest_problem := model.meta.get("manifest_problem"):
        result.problems.append(f"manifest record was malformed ({manifest_problem}); "
                               "rebuilt from the files without a checksum, so they were "
                               "not checked")
    elif model.read_only:
        result.unchecked.append(f"not checked: no checksum recorded ({model.source})")
    else:
        _check_files(model, result)
    if not load:
        result.unchecked.append("not loaded (--no-load)")
        return result
    try:
        check_loads(model.engine, model.path, model.name)
    except CounterAppError as exc:
        result.problems.append(str(exc))
    return result


def _check_files(model: InstalledModel, result: ModelCheck) -> None:
    record, malformed = load_record(model.path)
    if malformed:
        result.problems.append(f"manifest record is malformed ({malformed}); files not checked")
    elif record is None:
        result.unchecked.append("not checked: no manifest record (no checksum recorded)")
    elif not record.sha256:
        result.unchecked.append("not checked: no checksum recorded")
    else:
        digest, size = tree_digest(model.path)
        if size != record.size:
            result.problems.append(f"files differ from the manifest: {size} bytes on disk, "
                                   f"{record.size} recorded (changed or damaged)")
        elif digest != record.sha256:
            result.problems.append("files differ from the manifest: sha256 does not match "
                                   "(changed or damaged)")
