import datetime as dt
import io

from counter_app.cli import main
from counter_app.conversation import Conversation, Exchange
from counter_app.stats import UsageStats


def test_counts_only_no_content(tmp_path):
    stats = UsageStats(tmp_path / "usage.json")
    day = dt.date(2026, 11, 22)
    stats.record("ko", "voice", day)
    stats.record("ko", "voice", day)
    stats.record("vi", "phrase", day)
    assert stats.rows() == [("2026-11-22", "ko", "voice", 2), ("2026-11-22", "vi", "phrase", 1)]
    out = io.StringIO()
    stats.write_csv(out)
    assert out.getvalue().splitlines() == [
        "date,language,mode,turns", "2026-11-22,ko,voice,2", "2026-11-22,vi,phrase,1"]


def test_counting_can_be_turned_off(tmp_path):
    stats = UsageStats(tmp_path / "usage.json", enabled=False)
    stats.record("ko", "voice")
    assert stats.rows() == [] and not (tmp_path / "usage.json").exists()


def test_stats_cli_csv(tmp_path, capsys):
    UsageStats(tmp_path / "u.json").record("en", "text", dt.date(2026, 1, 2))
    assert main(["stats", "--csv", "--file", str(tmp_path / "u.json")]) == 0
    assert "2026-01-02,en,text,1" in capsys.readouterr().out


def test_conversation_is_memory_only_until_exported(tmp_path):
    conversation = Conversation()
    conversation.add(Exchange("resident", "ko", "ja", "감사합니다.", "ありがとうございます。"))
    assert list(tmp_path.iterdir()) == []
    path = conversation.export_text(tmp_path / "export.txt")
    assert "감사합니다." in path.read_text(encoding="utf-8")
    conversation.clear()
    assert conversation.exchanges == []


def test_continued_use_answers_are_counted_per_day_and_asked_weekly(tmp_path):
    stats = UsageStats(tmp_path / "usage.json")
    day = dt.date(2026, 11, 22)
    assert not stats.kpi_due(day)  # never used: nothing to ask about
    stats.record("ko", "voice", day - dt.timedelta(days=1))
    stats.record("ko", "voice", day)
    assert stats.kpi_due(day)
    stats.record_kpi(True, day)
    stats.record_kpi(False, day)  # another staff member, same tablet and day
    stats.record_kpi(None, day + dt.timedelta(days=1))  # dismissed: counts nothing
    assert stats.kpi_rows() == [("2026-11-22", 1, 1)]
    assert not stats.kpi_due(day + dt.timedelta(days=7))  # a week after the dismissal
    assert stats.kpi_due(day + dt.timedelta(days=8))
    out = io.StringIO()
    stats.write_report_csv(out, "nakano")
    tablet = stats.tablet_id()
    assert out.getvalue().splitlines() == [
        "date,language,mode,turns,kpi_yes,kpi_no,ward,tablet",
        f"2026-11-21,ko,voice,1,0,0,nakano,{tablet}",
        f"2026-11-22,,,0,1,1,nakano,{tablet}",
        f"2026-11-22,ko,voice,1,0,0,nakano,{tablet}"]


def test_counting_off_keeps_no_answers(tmp_path):
    stats = UsageStats(tmp_path / "usage.json", enabled=False)
    stats.record_kpi(True)
    assert stats.kpi_rows() == [] and list(tmp_path.iterdir()) == []


def test_stats_cli_lists_answers_and_the_ward_from_the_settings(tmp_path, capsys, monkeypatch):
    import json

    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"reports": {"ward": "nerima-2"}}), encoding="utf-8")
    monkeypatch.setenv("COUNTER_APP_CONFIG", str(settings))
    stats = UsageStats(tmp_path / "u.json")
    stats.record("en", "text", dt.date(2026, 1, 2))
    stats.record_kpi(True, dt.date(2026, 1, 2))
    assert main(["stats", "--file", str(tmp_path / "u.json")]) == 0
    assert "2026-01-02  continued use: yes 1, no 0" in capsys.readouterr().out
    assert main(["stats", "--csv", "--file", str(tmp_path / "u.json")]) == 0
    assert f"2026-01-02,en,text,1,0,0,nerima-2,{stats.tablet_id()}" in capsys.readouterr().out
