"""tools/trim_install.py on copies of this venv's real packages: what is left still runs."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import trim_install  # noqa: E402

SITE = Path(importlib.util.find_spec("PySide6").origin).parents[1]

WIDGETS = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import PySide6
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QVBoxLayout, QWidget
from PySide6.QtTest import QTest
from PySide6.QtCore import Qt
assert PySide6.__file__.startswith(sys.argv[1]), PySide6.__file__
app = QApplication([])
window = QWidget()
layout = QVBoxLayout(window)
label = QLabel("番号札をお取りください")
button = QPushButton("次の方")
button.clicked.connect(lambda: label.setText("呼び出し中"))
layout.addWidget(label)
layout.addWidget(button)
window.show()
QTest.mouseClick(button, Qt.MouseButton.LeftButton)
image = window.grab()
print(label.text(), image.width() > 0, not image.isNull())
"""


@pytest.mark.slow
def test_qt_widgets_run_on_the_trimmed_pyside(tmp_path):
    for name in ("PySide6", "shiboken6"):
        shutil.copytree(SITE / name, tmp_path / name, symlinks=True)
    parts = trim_install.pyside_parts(tmp_path / "PySide6")
    names = {part.name for part in parts}
    assert {"qml", "libQt6Quick.so.6", "QtQml.abi3.so", "designer"} <= names
    assert not names & {"QtCore.abi3.so", "QtGui.abi3.so", "QtWidgets.abi3.so",
                        "QtTest.abi3.so", "libQt6Widgets.so.6", "qtbase_ja.qm"}
    trim_install.apply(trim_install.Plan(remove=parts))
    assert not (tmp_path / "PySide6/Qt/qml").exists()
    assert (tmp_path / "PySide6/Qt/plugins/platforms").is_dir()
    done = subprocess.run([sys.executable, "-c", WIDGETS, str(tmp_path)], capture_output=True,
                          text=True, timeout=120, env={"PYTHONPATH": str(tmp_path),
                                                      "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["呼び出し中", "True", "True"]


@pytest.mark.skipif(not shutil.which("strip"), reason="binutils not installed")
def test_stripped_extension_still_imports(tmp_path):
    source = Path(importlib.util.find_spec("yaml._yaml").origin)
    if not trim_install.has_debug_info(source):
        pytest.skip("this PyYAML build carries no debug information")
    shutil.copytree(source.parent, tmp_path / "yaml")
    copy = tmp_path / "yaml" / source.name
    freed = trim_install.apply(trim_install.Plan(strip=[copy]))
    assert freed > 0 and not trim_install.has_debug_info(copy)
    code = ("import sys, yaml; assert yaml.__file__.startswith(sys.argv[1]); "
            "print(yaml.load('a: [1, 2]', Loader=yaml.CLoader))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                          text=True, timeout=60, env={"PYTHONPATH": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "{'a': [1, 2]}"
