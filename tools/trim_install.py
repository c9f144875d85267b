"""Trim an installed venv for a counter tablet (docs/footprint.md, issue 17).

    python tools/trim_install.py [VENV] [--apply]

Two steps; neither changes a line of code the app runs:
1. Debug information in shared libraries goes (`strip --strip-debug`, from binutils):
   ctranslate2's Python extension carries 63 MiB of it, Open JTalk's 24 MiB.
2. The parts of PySide6-Essentials the app never loads go: Qt Quick/QML, Designer,
   Help, Sql, UiTools and the Wayland compositor libraries, their Python bindings,
   plugins and QML modules, Qt's tools, type stubs, headers, and translations other
   than Japanese and English.  QtCore/QtGui/QtWidgets, every platform, input and
   image plugin, and QtTest (for pytest-qt) stay.
Without --apply it only prints what would go.  `pip install --force-reinstall
PySide6-Essentials` (or any package) brings the files back.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

MIB = 1 << 20
# Qt libraries (PySide6/Qt/lib) and bindings (PySide6/*.abi3.so) of modules the app
# never imports: it uses QtCore, QtGui and QtWidgets only (tests also QtTest).
UNUSED_QT = re.compile(
    r"^(lib)?Qt6?(Designer|Help|Labs|Lottie|Qml|Quick|Sql|UiTools|WaylandCompositor"
    r"|WaylandEgl)")
UNUSED_PATHS = (
    "Qt/qml", "Qt/metatypes", "Qt/libexec", "include", "typesystems", "glue", "doc",
    "Qt/plugins/designer", "Qt/plugins/qmltooling", "Qt/plugins/qmllint",
    "Qt/plugins/sqldrivers", "Qt/plugins/wayland-graphics-integration-server",
    "Qt/plugins/vectorimageformats",  # Lottie: needs Qt Quick
    "libpyside6qml.abi3.so.6.11",
    "assistant", "designer", "linguist", "lrelease", "lupdate", "qmlformat", "qmllint",
    "qmlls", "svgtoqml",
)
KEPT_TRANSLATIONS = re.compile(r"^qt(base)?_(ja|en)\.qm$")
ELF = b"\x7fELF"


@dataclass
class Plan:
    remove: list[Path] = field(default_factory=list)
    strip: list[Path] = field(default_factory=list)

    def removed_bytes(self) -> int:
        return sum(_disk(path) for path in self.remove)


def _disk(path: Path) -> int:
    if path.is_dir() and not path.is_symlink():
        return sum(p.lstat().st_blocks * 512 for p in path.rglob("*"))
    return path.lstat().st_blocks * 512


def site_packages(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python3*/site-packages"))
    if not found:
        raise SystemExit(f"no site-packages under {venv}")
    return found[0]


def pyside_parts(pyside: Path) -> list[Path]:
    """What goes from a PySide6 folder."""
    if not pyside.is_dir():
        return []
    parts = [pyside / name for name in UNUSED_PATHS if (pyside / name).exists()]
    parts += sorted(p for p in (pyside / "Qt/lib").glob("*") if UNUSED_QT.match(p.name))
    parts += sorted(p for p in pyside.glob("*.abi3.so") if UNUSED_QT.match(p.name))
    parts += sorted(pyside.glob("*.pyi"))
    translations = pyside / "Qt/translations"
    if translations.is_dir():
        parts += sorted(p for p in translations.iterdir() if not KEPT_TRANSLATIONS.match(p.name))
    return parts


def has_debug_info(path: Path) -> bool:
    """An ELF shared library with a .debug_info section."""
    with open(path, "rb") as handle:
        if handle.read(4) != ELF:
            return False
    sections = subprocess.run(["objdump", "-h", str(path)], capture_output=True, text=True)
    return " .debug_info " in sections.stdout


def plan(site: Path) -> Plan:
    result = Plan(remove=pyside_parts(site / "PySide6"))
    if shutil.which("strip") and shutil.which("objdump"):
        gone = set(result.remove)
        for path in sorted(site.rglob("*.so*")):
            if path.is_file() and not path.is_symlink() and not (gone & set(path.parents)) \
                    and path not in gone and has_debug_info(path):
                result.strip.append(path)
    return result


def apply(result: Plan) -> int:
    """Carry the plan out; returns the bytes freed by stripping."""
    for path in result.remove:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    freed = 0
    for path in result.strip:
        before = _disk(path)
        subprocess.run(["strip", "--strip-debug", str(path)], check=True)
        freed += before - _disk(path)
    return freed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("venv", nargs="?", type=Path, default=Path(sys.prefix))
    parser.add_argument("--apply", action="store_true", help="remove and strip for real")
    args = parser.parse_args(argv)
    site = site_packages(args.venv)
    result = plan(site)
    if not shutil.which("strip"):
        print("strip not found (apt-get install binutils): debug information stays")
    print(f"PySide6: {len(result.remove)} unused parts, {result.removed_bytes() / MIB:.1f} MiB")
    for path in result.strip:
        print(f"strip --strip-debug {path.relative_to(site)}")
    if args.apply:
        removed = result.removed_bytes()
        freed = apply(result)
        print(f"freed {(removed + freed) / MIB:.1f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
