"""Guard against bindings that leak references to None, True or False.

PySide6-Essentials 6.12.0 on Python 3.11 drops one reference to None on every
Qt call that returns nothing; the counter screen's meter timers then drove
None's count to zero and the interpreter aborted (``none_dealloc``) after
about 24 minutes.  From Python 3.12 on these singletons are immortal, so only
3.11 can see such a leak: there, the UI's own calls must leave their counts
where they were.
"""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("PySide6")

from counter_app.app import build_window  # noqa: E402
from counter_app.config import Settings  # noqa: E402
from counter_app.pipeline.audio import MemorySink  # noqa: E402
from counter_app.stats import UsageStats  # noqa: E402
from tests.fakes import FakeFactory, GatedSource, add_choices  # noqa: E402

pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 12),
    reason="None/True/False are immortal from Python 3.12 on: their counts never move")

ROUNDS = 2000


def _counts() -> tuple[int, int, int]:
    return sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)


@pytest.fixture()
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("COUNTER_APP_CONFIG", str(tmp_path / "settings.json"))
    settings = Settings()
    settings.conversation.resident_language = "ko"
    window = build_window(settings, add_choices(FakeFactory("번호표 를 뽑아")),
                          source_factory=lambda side: GatedSource(3),
                          sink_factory=MemorySink, stats=UsageStats(tmp_path / "usage.json"))
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


def _ui_calls(window, app, rounds: int) -> None:
    """The calls the counter screen makes all day: meters, labels, buttons, events."""
    meter = window.resident.meter
    for i in range(rounds):
        meter.set_level(0.05 + (i % 10) / 100)
        meter._fall()
        meter.setValue(i % 100)
        window.staff.talk.set_texts("話す", "聞いています…")
        window.resident.talk.setText("Speak")
        window.resident.talk.setEnabled(i % 2 == 0)
        window.resident.talk.setEnabled(True)
        window.statusBar().showMessage("")
        app.processEvents()


def test_qt_calls_leave_none_true_false_counts_alone(window, qtbot):
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    _ui_calls(window, app, 50)  # warm caches, lazily created wrappers, style sheets
    before = _counts()
    _ui_calls(window, app, ROUNDS)
    after = _counts()
    # Nine void calls per round: a binding that drops one reference per call moves
    # None's count by -18,000 (6.12.0 on 3.11 does); objects freed meanwhile, a few.
    drift = [a - b for a, b in zip(after, before, strict=True)]
    assert min(drift) > -100, f"None/True/False lost references: {drift}"


def test_turns_and_timers_leave_counts_alone(window, qtbot):
    """Real turns through the interpreter, the signal bridge and the meter's timer."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()

    def one_turn() -> None:
        done = len(window.resident.history.bubbles())
        window.resident.talk.begin()
        qtbot.waitUntil(lambda: len(window.resident.history.bubbles()) > done, timeout=5000)
        qtbot.waitUntil(lambda: not window.resident.talk.active, timeout=5000)
        window.next_customer()  # the history is wiped between customers, as at the counter
        for _ in range(20):
            app.processEvents()

    one_turn()
    before = _counts()
    for _ in range(15):
        one_turn()
        qtbot.wait(120)  # the meter's decay timer fires in between
    after = _counts()
    # Losing references is what kills the process; an extra reference (6.11.3 adds
    # a few per widget it builds) only keeps an immortal-to-be object alive.
    drift = [a - b for a, b in zip(after, before, strict=True)]
    assert min(drift) > -100, f"None/True/False lost references over 15 turns: {drift}"


@pytest.mark.no_qt_log  # pytest-qt's Python message handler itself costs references
def test_a_customer_builds_no_new_widgets(window, qtbot):
    """What the counter screen does per turn and per customer: bubbles on both halves,
    stages, partials, the wipe.  Bubbles are reused, so after the first customers
    None's count stays flat (PySide6 6.11 keeps a reference to None for each widget
    it builds: +31 per bubble, which added up to +67,000 an hour in bench/gui_soak.py).
    Qt's log is not captured here: pytest-qt's Python message handler, called for
    every "propagateSizeHints" warning of the offscreen platform, adds references
    of its own (the app installs no handler)."""
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    halves = ((window.staff, window.resident), (window.resident, window.staff))
    before = _counts()
    for customer in range(305):
        if customer == 5:  # the first customers build the bubbles
            before = _counts()
        for panel, other in halves:
            for stage in ("listening", "recognizing", "translating", "speaking", ""):
                panel.show_stage(stage)
                other.show_stage(stage)
            panel.show_partial("번호표")
            panel.add_own("번호표를 뽑아 주세요", "↩ 番号札を取ってください", ["⚙ 機械翻訳"])
            other.add_other("番号札を取ってください", ["⚙ 機械翻訳"])
        window.next_customer(ask_language=False)
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
    drift = [a - b for a, b in zip(_counts(), before, strict=True)]
    assert max(abs(d) for d in drift) < 60, f"None/True/False moved over 300 customers: {drift}"
    assert len(window.staff.history.bubbles()) == 0  # wiped, yet kept for reuse
