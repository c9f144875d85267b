"""The counter window shows before what it does not need yet is imported.

Cold start (bench/cold_start.py) is mostly imports.  The phrasebook's file readers
(YAML, XLSX, encoding checks), its search, the term dictionary, the admin dialog
and the store lock load at their first use, after the window is on screen."""

from __future__ import annotations

import os

from tests.fresh_process import run_fresh

CHILD = r"""
import json, os, sys
sys.path.insert(0, sys.argv[1])
from PySide6.QtWidgets import QApplication
from counter_app.session import CounterSession

CounterSession.preload = lambda self: None  # engines load on other threads: not counted

def report(self=None):
    app = QApplication.instance()
    app.processEvents()
    shown = [type(w).__name__ for w in app.topLevelWidgets() if w.isVisible()]
    print(json.dumps({"shown": shown, "modules": sorted(sys.modules)}), flush=True)
    return 0

QApplication.exec = report
from counter_app import app
app.run()
os._exit(0)
"""

LATER = ["counter_app.phrasebook.files", "counter_app.phrasebook.export",
         "counter_app.phrasebook.encoding", "counter_app.phrasebook.search",
         "counter_app.phrasebook.terms", "counter_app.ui.phrase_admin", "yaml", "openpyxl",
         "rapidfuzz", "filelock", "counter_app.ui.settings_dialog", "counter_app.ui.models"]


def test_the_window_shows_before_file_readers_search_and_admin_screens_load(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               COUNTER_APP_CONFIG=str(tmp_path / "settings.json"),
               COUNTER_APP_FLEET=str(tmp_path / "fleet"))
    facts = run_fresh(CHILD, timeout=120, env=env, cwd=tmp_path)
    assert "ConversationWindow" in facts["shown"]
    modules = set(facts["modules"])
    assert "counter_app.ui.phrases" in modules  # the phrase panel is there...
    assert "counter_app.phrasebook.library" in modules
    assert [name for name in LATER if name in modules] == []  # ...its readers are not yet
