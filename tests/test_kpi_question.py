"""The weekly continued-use question on the staff half: shown when due, never
during a turn, yes/no counted per day, a dismissal counting nothing."""

import datetime as dt

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt  # noqa: E402

from counter_app.stats import UsageStats  # noqa: E402
from tests.fakes import GatedSource  # noqa: E402

TODAY = dt.date.today()


def _used_on(tmp_path, *days_ago: int) -> UsageStats:
    """The make_window fixture's usage file, with turns on earlier days."""
    stats = UsageStats(tmp_path / "usage.json")
    for days in days_ago:
        stats.record("ko", "voice", TODAY - dt.timedelta(days=days))
    return stats


def _inside(widget, ancestor) -> bool:
    while widget is not None:
        if widget is ancestor:
            return True
        widget = widget.parentWidget()
    return False


def test_a_new_tablet_is_not_asked(make_window, tmp_path):
    window = make_window()
    assert window.kpi_question.bar.isHidden()
    _used_on(tmp_path, 3)  # one day of use is not enough to judge the tool
    assert not window.kpi_question.check()


def test_due_question_shows_on_the_staff_half_and_yes_is_counted_once_a_week(
        make_window, tmp_path, qtbot, shots_dir):
    stats = _used_on(tmp_path, 9, 8)
    window = make_window()
    question = window.kpi_question
    bar = question.bar
    assert bar.isVisible()
    assert _inside(bar, window.staff) and not _inside(bar, window.resident_host)
    assert bar.title.text() == "この機能を今後も使いたいですか？"
    for button in (bar.yes_button, bar.no_button, bar.dismiss_button):
        assert button.isVisible() and button.height() >= 44
    assert [bar.yes_button.text(), bar.no_button.text()] == ["はい", "いいえ"]
    window.grab().save(str(shots_dir / "kpi-question.png"))

    qtbot.mouseClick(bar.yes_button, Qt.MouseButton.LeftButton)
    assert not bar.isVisible()
    assert stats.kpi_rows() == [(TODAY.isoformat(), 1, 0)]
    assert window.staff.status.text() == "ご回答ありがとうございました。"
    assert not question.check()  # answered: not again this week
    question.today = lambda: TODAY + dt.timedelta(days=6)
    assert not question.check()
    question.today = lambda: TODAY + dt.timedelta(days=7)
    assert question.check() and bar.isVisible()
    bar.no_button.click()
    assert stats.kpi_rows() == [(TODAY.isoformat(), 1, 0),
                                ((TODAY + dt.timedelta(days=7)).isoformat(), 0, 1)]


def test_dismissing_counts_nothing_and_rests_for_a_week(make_window, tmp_path):
    stats = _used_on(tmp_path, 9, 8)
    window = make_window()
    bar = window.kpi_question.bar
    assert bar.isVisible()
    bar.dismiss_button.click()
    assert not bar.isVisible()
    assert stats.kpi_rows() == [] and window.staff.status.text() == ""
    assert not stats.kpi_due(TODAY + dt.timedelta(days=6))
    assert stats.kpi_due(TODAY + dt.timedelta(days=7))


def test_never_during_a_turn_and_shown_when_it_ends(make_window, tmp_path, qtbot):
    _used_on(tmp_path, 9, 8)
    sources = []

    def source(side):
        sources.append(GatedSource(limit=100_000))
        return sources[-1]

    window = make_window(source_factory=source)
    bar = window.kpi_question.bar
    assert bar.isVisible()
    window.start_talking("staff")
    qtbot.waitUntil(lambda: bool(sources) and sources[0].started.is_set(), timeout=5000)
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=5000)
    assert not window.kpi_question.check()  # a turn runs: not now
    assert not bar.isVisible()
    window.stop_talking("staff")
    sources[0].stop()
    qtbot.waitUntil(lambda: not window.active, timeout=10000)
    qtbot.waitUntil(bar.isVisible, timeout=5000)


def test_first_due_after_a_turn_on_a_second_day(make_window, tmp_path, qtbot):
    stats = _used_on(tmp_path, 2)
    window = make_window()
    bar = window.kpi_question.bar
    assert bar.isHidden()
    window.send_text("staff", "こんにちは")
    qtbot.waitUntil(lambda: not window.active, timeout=10000)
    qtbot.waitUntil(bar.isVisible, timeout=5000)
    assert len({day for day, *_ in stats.rows()}) == 2


def test_counting_off_means_no_question(make_window, tmp_path):
    _used_on(tmp_path, 9, 8)
    window = make_window()
    window.kpi_question.bar.hide()
    window.stats.enabled = False
    assert not window.kpi_question.check()
    window.kpi_question.answer(True)
    assert UsageStats(tmp_path / "usage.json").kpi_rows() == []


def test_english_ui_and_1024_width(make_window, tmp_path, qtbot, monkeypatch, shots_dir):
    from counter_app.ui import i18n

    _used_on(tmp_path, 9, 8)
    window = make_window()
    i18n.set_language("en")
    try:
        from counter_app.ui.kpi_question import KpiQuestionBar

        bar = KpiQuestionBar()
        assert bar.title.text() == "Do you want to keep using this tool?"
        assert [bar.yes_button.text(), bar.no_button.text()] == ["Yes", "No"]
        assert "Not now" in bar.dismiss_button.text()
    finally:
        i18n.set_language("ja")
    window.resize(1024, 768)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=2000)
    shown = window.kpi_question.bar
    assert shown.isVisible()
    assert window.staff.width() <= window.width() // 2 + 10  # the bar does not widen it
    assert shown.geometry().right() <= window.staff.width()
    window.grab().save(str(shots_dir / "kpi-question-1024x768.png"))
