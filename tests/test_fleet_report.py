"""City report and the counts' way to city hall: tablets' CSV merged per month,
uploads by HTTP PUT to a real nginx WebDAV folder, exports to a folder, and
proof that no word of any conversation reaches these files."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from counter_app.cli import main
from counter_app.fleet import upload
from counter_app.fleet.report import CITY, ReportError, add_report_commands, merge
from counter_app.stats import REPORT_COLUMNS, UsageStats
from tests import fleet_server

PASSWORD = "pw-Kq93-never-logged"
DAV_CONF = """
location /counts/ {{
    dav_methods PUT;
    create_full_put_path on;
    dav_access user:rw group:r all:r;
    auth_basic "usage counts";
    auth_basic_user_file {htpasswd};
}}
"""


def report(*argv: str) -> int:
    """`fleet report` through its own parser (the fleet CLI adds the same command)."""
    parser = argparse.ArgumentParser()
    add_report_commands(parser.add_subparsers())
    args = parser.parse_args(["report", *argv])
    return args.func(args)


def tablet(folder: Path, turns: dict[tuple[str, str, str], int],
           answers: dict[str, tuple[int, int]] = {}) -> UsageStats:  # noqa: B006
    """A tablet's usage file: turns[(date, language, mode)] = n, answers[date] = (yes, no)."""
    stats = UsageStats(folder / "usage.json")
    for (day, language, mode), n in turns.items():
        for _ in range(n):
            stats.record(language, mode, dt.date.fromisoformat(day))
    for day, (yes, no) in answers.items():
        for value in [True] * yes + [False] * no:
            stats.record_kpi(value, dt.date.fromisoformat(day))
    return stats


@pytest.fixture()
def dav(tmp_path):
    """nginx on 127.0.0.1 with a WebDAV folder /counts/ (PUT, basic auth)."""
    if fleet_server.nginx_binary() is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    root = tmp_path / "www"
    (root / "counts").mkdir(parents=True)
    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text(f"tablet:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
    server = fleet_server.start(root, extra_conf=DAV_CONF.format(htpasswd=htpasswd),
                                tmp=tmp_path / "nginx")
    server.counts_url = server.url + "counts"
    yield server
    server.stop()


def test_merge_counts_each_tablet_once_per_month_ward_language_mode(tmp_path):
    a = tablet(tmp_path / "a", {("2026-10-05", "ko", "voice"): 3, ("2026-11-02", "vi", "text"): 2},
               {"2026-10-05": (2, 1)})
    b = tablet(tmp_path / "b", {("2026-10-20", "ko", "phrase"): 4}, {"2026-10-21": (1, 0)})
    old = tmp_path / "old"
    upload.export_counts(a, "shinjuku", old)  # an older file of tablet a...
    a.record("ko", "voice", dt.date(2026, 10, 6))
    a.record_kpi(True, dt.date(2026, 11, 30))
    new = tmp_path / "new"
    upload.export_counts(a, "shinjuku", new)  # ...next to its newer one, and sent twice
    upload.export_counts(a, "shinjuku", tmp_path / "again")
    upload.export_counts(b, "shibuya", new)

    counts = merge([old, new, tmp_path / "again"])
    assert counts.files == 4 and len(counts.tablets) == 2
    assert counts.months == ["2026-10", "2026-11"]
    assert counts.turns_by(2) == {("2026-10", "ko"): 8, ("2026-11", "vi"): 2}
    assert counts.turns_by(3) == {("2026-10", "voice"): 4, ("2026-10", "phrase"): 4,
                                  ("2026-11", "text"): 2}
    assert counts.turns_by(1) == {("2026-10", "shinjuku"): 4, ("2026-10", "shibuya"): 4,
                                  ("2026-11", "shinjuku"): 2}
    rows = {(m, w): (y, n, r) for m, w, y, n, r in counts.continued_use()}
    assert rows[("2026-10", CITY)] == (3, 1, 0.75)
    assert rows[("2026-11", CITY)] == (1, 0, 1.0)
    assert rows[("all", "shinjuku")] == (3, 1, 0.75)
    assert rows[("all", CITY)] == (4, 1, 0.8)

    out = tmp_path / "report"
    assert report(str(old), str(new), "-o", str(out), "--lang", "en") == 0
    assert (out / "turns_by_language.csv").read_text().splitlines() == [
        "month,language,turns", "2026-10,ko,8", "2026-11,vi,2"]
    assert (out / "turns_by_ward.csv").read_text().splitlines() == [
        "month,ward,turns", "2026-10,shibuya,4", "2026-10,shinjuku,4", "2026-11,shinjuku,2"]
    kpi = (out / "continued_use.csv").read_text().splitlines()
    assert kpi[0] == "month,ward,yes,no,rate,target,meets_target"
    assert "all,ALL,4,1,0.800,0.70,yes" in kpi
    assert "2026-10,shinjuku,2,1,0.667,0.70,no" in kpi


def test_html_page_has_its_own_charts_no_scripts_no_network_and_escapes_input(tmp_path):
    stats = tablet(tmp_path / "t", {("2026-10-05", "ko", "voice"): 2}, {"2026-10-05": (1, 2)})
    text = io.StringIO()
    stats.write_report_csv(text, "ward")
    crafted = tmp_path / "in" / "crafted.csv"
    crafted.parent.mkdir()
    tablet_id = stats.tablet_id()
    crafted.write_text(text.getvalue().replace(f",ward,{tablet_id}",
                                               f",<script>x</script>,{tablet_id}"),
                       encoding="utf-8")
    out = tmp_path / "out"
    assert report(str(crafted), "-o", str(out), "--lang", "ja") == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 5 and "<rect" in html
    assert "<script" not in html and "&lt;script&gt;" in html
    for network in ("http:", "https:", "src=", "@import", "url("):
        assert network not in html
    assert "継続利用希望率" in html and "33%" in html and "目標未達" in html
    assert "韓国語 (ko)" in html and "音声" in html


def test_inputs_that_are_not_counts_are_refused_clearly(tmp_path):
    (tmp_path / "notes.csv").write_text("name,comment\nA,hello\n", encoding="utf-8")
    with pytest.raises(ReportError, match="not a tablet's usage counts"):
        merge([tmp_path / "notes.csv"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReportError, match="No tablet counts"):
        merge([tmp_path / "empty"])
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(REPORT_COLUMNS) + "\n2026-10-01,ko,voice,lots,0,0,w,t\n")
    with pytest.raises(ReportError, match="turns is not a whole number"):
        merge([bad])


def test_export_writes_the_csv_atomically_into_a_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COUNTER_APP_CONFIG", str(tmp_path / "settings.json"))
    usage = tmp_path / "data" / "usage.json"
    tablet(usage.parent, {("2026-11-02", "ne", "text"): 2}, {"2026-11-02": (1, 0)})
    assert main(["stats", "--csv", "--file", str(usage), "--ward", "setagaya"]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == ",".join(REPORT_COLUMNS)
    stick = tmp_path / "usb"
    assert main(["stats", "export", str(stick), "--file", str(usage), "--ward", "setagaya"]) == 0
    files = list(stick.iterdir())
    assert [f.name for f in files] == [f"setagaya-{UsageStats(usage).tablet_id()}.csv"]
    assert files[0].read_text(encoding="utf-8") == printed
    assert "2026-11-02,,,0,1,0,setagaya," in printed
    assert "2026-11-02,ne,text,2,0,0,setagaya," in printed


def test_stats_reach_the_webdav_folder_and_the_report_merges_them(dav, tmp_path, monkeypatch,
                                                                  capsys):
    settings = tmp_path / "settings.json"
    password_file = tmp_path / "report-password"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    settings.write_text(json.dumps({"reports": {
        "ward": "shinjuku", "url": dav.counts_url, "user": "tablet",
        "password_file": str(password_file)}}), encoding="utf-8")
    monkeypatch.setenv("COUNTER_APP_CONFIG", str(settings))
    monkeypatch.delenv(upload.PASSWORD_ENV, raising=False)
    first = tmp_path / "t1" / "usage.json"
    second = tmp_path / "t2" / "usage.json"
    tablet(first.parent, {("2026-11-02", "ko", "voice"): 2}, {"2026-11-02": (1, 0)})
    tablet(second.parent, {("2026-11-03", "vi", "phrase"): 5}, {"2026-11-03": (0, 1)})

    assert main(["stats", "upload", "--file", str(first)]) == 0  # all from the settings
    monkeypatch.setenv(upload.PASSWORD_ENV, PASSWORD)  # or the password from the environment
    assert main(["stats", "upload", "--file", str(second), "--ward", "shibuya"]) == 0
    UsageStats(first).record("ko", "text", dt.date(2026, 11, 4))
    assert main(["stats", "upload", "--file", str(first)]) == 0  # replaces its own file
    out = capsys.readouterr()
    assert "Sent the counts" in out.out and PASSWORD not in out.out + out.err

    stored = sorted(p.relative_to(dav.root / "counts") for p in (dav.root / "counts").rglob("*")
                    if p.is_file())
    one, two = UsageStats(first).tablet_id(), UsageStats(second).tablet_id()
    assert stored == [Path(f"shibuya/shibuya-{two}.csv"), Path(f"shinjuku/shinjuku-{one}.csv")]
    assert (dav.root / "counts" / stored[1]).read_bytes() == \
        upload.report_bytes(UsageStats(first), "shinjuku")
    assert [r.status for r in dav.requests()] == [201, 201, 204]

    report_dir = tmp_path / "city"
    assert report(str(dav.root / "counts"), "-o", str(report_dir)) == 0
    assert (report_dir / "turns_by_ward.csv").read_text().splitlines() == [
        "month,ward,turns", "2026-11,shibuya,5", "2026-11,shinjuku,3"]
    assert "2026-11,ALL,1,1,0.500,0.70,no" in (report_dir / "continued_use.csv").read_text()
    for path in [*tmp_path.rglob("*")]:
        if path.is_file() and path != password_file and path.name != "htpasswd":
            assert PASSWORD.encode() not in path.read_bytes(), path


def test_refused_password_and_unreachable_server_keep_the_counts(dav, tmp_path, monkeypatch):
    stats = tablet(tmp_path / "t", {("2026-11-02", "ko", "voice"): 2})
    monkeypatch.setenv(upload.PASSWORD_ENV, "wrong")
    result = upload.upload_counts(stats, "nakano", dav.counts_url, user="tablet")
    assert not result.ok and result.kind == "forbidden"
    assert "refused the user name or password" in result.message
    monkeypatch.delenv(upload.PASSWORD_ENV)
    result = upload.upload_counts(stats, "nakano", dav.counts_url, user="tablet")
    assert result.kind == "no_password" and "COUNTER_APP_REPORT_PASSWORD" in result.message

    monkeypatch.setenv(upload.PASSWORD_ENV, PASSWORD)
    dav.stop()
    before = stats.rows()
    result = upload.upload_counts(stats, "nakano", dav.counts_url, user="tablet", timeout=5)
    assert not result.ok and result.kind == "refused"
    assert f"127.0.0.1:{dav.port}" in result.message
    assert "stay on this tablet and go with the next upload" in result.message
    assert stats.rows() == before
    assert upload.last_upload(stats)["ok"] is False
    assert not list((dav.root / "counts").rglob("*.csv"))

    restarted = fleet_server.start(dav.root, port=dav.port, extra_conf=DAV_CONF.format(
        htpasswd=tmp_path / "htpasswd"), tmp=tmp_path / "nginx2")
    try:
        result = upload.upload_counts(stats, "nakano", dav.counts_url, user="tablet")
    finally:
        restarted.stop()
    assert result.ok, result.message
    assert upload.last_upload(stats)["ok"] is True
    assert len(list((dav.root / "counts" / "nakano").glob("*.csv"))) == 1


def test_no_report_url_says_to_export_instead(tmp_path):
    stats = tablet(tmp_path / "t", {("2026-11-02", "ko", "voice"): 1})
    result = upload.upload_counts(stats, "w", "")
    assert not result.ok and "stats export" in result.message


def test_the_fleet_cli_offers_the_report(tmp_path):
    from counter_app.cli import build_parser

    try:
        args = build_parser().parse_args(["fleet", "report", str(tmp_path), "-o",
                                          str(tmp_path / "out")])
    except SystemExit:
        pytest.skip("the fleet command is not installed in this build")
    tablet(tmp_path / "t", {("2026-11-02", "ko", "voice"): 1})
    upload.export_counts(UsageStats(tmp_path / "t" / "usage.json"), "w", tmp_path / "in")
    assert main(["fleet", "report", str(tmp_path / "in"), "-o", str(tmp_path / "out"),
                 "--lang", "en"]) == 0
    assert args.func is not None
    assert (tmp_path / "out" / "report.html").is_file()


SENTINELS = ("ZEBRAQUARTZ", "合言葉は秘密です", "XYLOPHANT", "비밀단어", "MARMOLITH",
             "벚꽃우체국")


def test_no_word_of_any_conversation_reaches_counts_uploads_or_reports(
        make_window, dav, tmp_path, qtbot, monkeypatch, capsys):
    """Real turns (scripted engines) with sentinel words, typed, spoken and from the
    phrasebook; then every file the counts pass through is searched for them."""
    pytest.importorskip("PySide6")
    usage = tmp_path / "usage.json"  # the make_window fixture's usage file
    UsageStats(usage).record("ko", "voice", dt.date.today() - dt.timedelta(days=1))
    window = make_window(text="XYLOPHANT 비밀단어")
    window.send_text("staff", "ZEBRAQUARTZ 合言葉は秘密です")
    qtbot.waitUntil(lambda: not window.active, timeout=10000)
    window.start_talking("resident")  # the scripted recognizer hears the sentinels
    qtbot.waitUntil(lambda: not window.active, timeout=10000)
    window.show_phrase("p1", "MARMOLITH", "벚꽃우체국", "ko")
    qtbot.waitUntil(lambda: not window.active, timeout=10000)
    said = " ".join(f"{e.text} {e.translation}"
                    for e in window.conversation.exchanges)
    assert all(word in said for word in SENTINELS), said  # the turns really ran
    qtbot.waitUntil(window.kpi_question.bar.isVisible, timeout=5000)
    window.kpi_question.bar.yes_button.click()
    assert [mode for _, _, mode, _ in UsageStats(usage).rows()] == ["voice", "phrase", "text",
                                                                    "voice"]

    monkeypatch.setenv(upload.PASSWORD_ENV, PASSWORD)
    assert main(["stats", "--csv", "--file", str(usage), "--ward", "shinjuku"]) == 0
    assert main(["stats", "export", str(tmp_path / "usb"), "--file", str(usage),
                 "--ward", "shinjuku"]) == 0
    assert main(["stats", "upload", "--file", str(usage), "--ward", "shinjuku",
                 "--url", dav.counts_url, "--user", "tablet"]) == 0
    assert report(str(dav.root / "counts"), str(tmp_path / "usb"), "-o",
                  str(tmp_path / "city")) == 0
    printed = capsys.readouterr()
    assert ",1,0,shinjuku," in printed.out  # the yes answer went with the counts

    produced = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert {p.name for p in produced} >= {"usage.json", "usage-kpi.json", "tablet-id",
                                          "usage-upload.json", "report.html",
                                          "continued_use.csv", "turns_by_language.csv"}
    blobs = [p.read_bytes() for p in produced] + [(printed.out + printed.err).encode()]
    for word in SENTINELS:
        for form in {word, word.upper(), word.lower()}:
            needle = form.encode("utf-8")
            assert not any(needle in blob for blob in blobs), form
    for blob in blobs:  # no Korean at all (the report names languages in Japanese)
        assert not any("\uac00" <= c <= "\ud7a3" for c in blob.decode("utf-8", "replace"))


def test_the_counter_screen_sends_the_counts_itself_when_configured(make_window, dav, tmp_path,
                                                                    qtbot, monkeypatch):
    pytest.importorskip("PySide6")
    monkeypatch.setenv(upload.PASSWORD_ENV, PASSWORD)
    usage = tmp_path / "usage.json"
    for days in (3, 2):
        UsageStats(usage).record("vi", "text", dt.date.today() - dt.timedelta(days=days))
    window = make_window()
    question = window.kpi_question
    assert question.last_upload is None  # no report URL in the settings: nothing sent
    reports = window.settings.reports
    reports.ward, reports.url, reports.user = "nakano", dav.counts_url, "tablet"
    question.bar.yes_button.click()  # an answer goes out at once
    qtbot.waitUntil(lambda: question.last_upload is not None, timeout=15000)
    assert question.last_upload.ok, question.last_upload.message
    sent = dav.root / "counts" / "nakano" / f"nakano-{UsageStats(usage).tablet_id()}.csv"
    assert f"{dt.date.today().isoformat()},,,0,1,0,nakano," in sent.read_text(encoding="utf-8")

    dav.stop()  # the server goes away: the screen goes on, the counts stay
    assert question.send_counts() is not None
    qtbot.waitUntil(lambda: question.upload_task is None, timeout=15000)
    assert not question.last_upload.ok and question.last_upload.kind == "refused"
    assert len(UsageStats(usage).rows()) == 2 and UsageStats(usage).kpi_rows()


def test_sample_city_report(tmp_path, shots_dir):
    """Three wards over two months; the page is kept as docs/screenshots/
    fleet-report-sample.html when COUNTER_APP_SCREENSHOTS=1."""
    plan = {"shinjuku": (("ko", "zh", "vi", "ne"), (9, 2)), "toshima": (("zh", "my", "en"), (5, 1)),
            "edogawa": (("hi", "en", "ko"), (3, 4))}
    folder = tmp_path / "dav"
    for index, (ward, (langs, (yes, no))) in enumerate(plan.items()):
        stats = UsageStats(tmp_path / ward / "usage.json")
        for day in range(0, 56, 4):
            date = dt.date(2026, 10, 1) + dt.timedelta(days=day)
            for rank, language in enumerate(langs):
                for turn in range((day + index) % 4 + len(langs) - rank):
                    stats.record(language, ("voice", "text", "phrase")[(turn + rank) % 3], date)
        for answer in [True] * yes + [False] * no:
            stats.record_kpi(answer, dt.date(2026, 10, 8 + yes))
        upload.export_counts(stats, ward, folder / ward)
    out = tmp_path / "report"
    assert report(str(folder), "-o", str(out), "--lang", "ja") == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "71%" in html and "目標達成" in html  # (9+5+3) / (9+5+3+2+1+4) = 17/24
    assert len(html.encode()) < 20_000
    (shots_dir / "fleet-report-sample.html").write_text(html, encoding="utf-8")
