"""The core needs no Qt: every module outside ui/ and app.py imports with PySide6
blocked, and the screens reach the core through the session layer, not CLI modules.

(test_factory's test_core_and_cli_never_import_qt_or_engines also keeps engine
libraries out of the core and CLI imports.)
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "counter_app"
GUI_ONLY = {"counter_app.ui", "counter_app.app", "counter_app.__main__"}  # __main__ runs the CLI

# Run in a fresh interpreter: PySide6 cannot be imported; every attempt is charged to
# the innermost counter_app module on the stack, even when the module catches the error.
_IMPORT_ALL = r"""
import importlib, json, sys

attempts = {}

class BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] != "PySide6":
            return None
        frame = sys._getframe(1)
        while frame and not frame.f_globals.get("__name__", "").startswith("counter_app"):
            frame = frame.f_back
        culprit = frame.f_globals["__name__"] if frame else "?"
        attempts.setdefault(culprit, f"imports {name}")
        raise ImportError(f"{name} is blocked: the core must not need Qt")

sys.meta_path.insert(0, BlockQt())
for module in sys.argv[1:]:
    try:
        importlib.import_module(module)
    except Exception as exc:
        attempts.setdefault(module, f"{type(exc).__name__}: {exc}")
print(json.dumps(attempts))
"""


def core_modules() -> list[str]:
    """Every counter_app module outside ui/ and app.py, found on disk (nothing imported);
    counter_app/session.py is included once it exists."""
    found = ["counter_app"]
    for info in pkgutil.walk_packages([str(PACKAGE)], "counter_app."):
        if info.name in GUI_ONLY or info.name.startswith("counter_app.ui."):
            continue
        found.append(info.name)
    return sorted(found)


def _import_with_qt_blocked(modules: list[str]) -> dict[str, str]:
    """{module: why it failed or reached for Qt} for modules imported in one subprocess."""
    out = subprocess.run([sys.executable, "-c", _IMPORT_ALL, *modules], capture_output=True,
                         text=True, check=True, cwd=PACKAGE.parent, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def import_problems() -> dict[str, str]:
    return _import_with_qt_blocked(core_modules())


def test_the_block_catches_a_qt_module():
    problems = _import_with_qt_blocked(["counter_app.ui.widgets"])
    assert "PySide6" in problems.get("counter_app.ui.widgets", ""), problems


def test_the_walk_covers_every_core_package():
    modules = core_modules()
    for package in ("phrasebook", "captions", "langid", "store", "pipeline"):
        assert any(m == f"counter_app.{package}" or m.startswith(f"counter_app.{package}.")
                   for m in modules), package
    assert not any(m.startswith("counter_app.ui") or m == "counter_app.app" for m in modules)
    if (PACKAGE / "session.py").exists():
        assert "counter_app.session" in modules


@pytest.mark.parametrize("module", core_modules())
def test_module_imports_without_qt(module, import_problems):
    assert module not in import_problems, import_problems[module]


def _imported_modules(path: Path) -> set[str]:
    """Absolute names a file imports (`from a.b import c` gives a.b and a.b.c)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _is_cli(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return module.startswith("counter_app") and (last == "cli" or last.endswith("_cli"))


def test_ui_reaches_the_core_through_the_session_not_cli_modules():
    found = {f"{path.name}: {name}" for path in sorted((PACKAGE / "ui").glob("*.py"))
             for name in _imported_modules(path) if _is_cli(name)}
    assert found == set()
