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
