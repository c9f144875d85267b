"""The daily office-mirror sync: due once a day from the set hour, retried an hour
after a failure, started only when nobody is at the counter, and an applied set
taken in at once.  (The sync itself runs against nginx in test_fleet_sync.py.)"""

from datetime import datetime

import pytest

from counter_app import config
from counter_app.fleet import signing
from counter_app.fleet.schedule import HourError, due
from counter_app.fleet.sync import SyncResult, enroll, status


def _status(hour, last_at=None, last_status="ok"):
    enrollment = {"url": "http://mirror/", "daily_hour": hour}
    state = {"enrollment": enrollment}
    if last_at:
        state["last"] = {"at": last_at, "status": last_status}
    return state


@pytest.mark.parametrize(("state", "now", "expected"), [
    ({}, "2026-12-01 10:00", False),  # not enrolled
    (_status(None), "2026-12-01 10:00", False),  # by hand and at start-up only
    (_status(12), "2026-12-01 11:59", False),  # before the hour
    (_status(12), "2026-12-01 12:00", True),  # never synced
    (_status(12, "2026-12-01T12:05:00+0900"), "2026-12-01 15:00", False),  # done today
    (_status(12, "2026-11-30T12:05:00+0900"), "2026-12-01 12:01", True),  # yesterday's
    (_status(12, "2026-12-01T09:00:00+0900"), "2026-12-01 12:01", True),  # the start-up one
    (_status(12, "2026-12-01T12:30:00+0900", "failed"), "2026-12-01 13:00", False),
    (_status(12, "2026-12-01T12:30:00+0900", "failed"), "2026-12-01 13:31", True),  # retry
])
def test_due(state, now, expected):
    assert due(state, datetime.strptime(now, "%Y-%m-%d %H:%M")) is expected


def test_enrolment_keeps_the_hour_and_refuses_a_wrong_one(tmp_path):
    signing.keygen(tmp_path / "private.pem", tmp_path / "public.pem")
    enroll("http://mirror.local/", str(tmp_path / "public.pem"), tmp_path / "fleet",
           daily_hour=7)
    assert status(tmp_path / "fleet")["enrollment"]["daily_hour"] == 7
    with pytest.raises(HourError):
        enroll("http://mirror.local/", str(tmp_path / "public.pem"), tmp_path / "fleet",
               daily_hour=24)


@pytest.fixture()
def enrolled(tmp_path, monkeypatch):
    monkeypatch.setenv("COUNTER_APP_FLEET", str(tmp_path / "fleet"))
    signing.keygen(tmp_path / "private.pem", tmp_path / "public.pem")
    enroll("http://mirror.local/", str(tmp_path / "public.pem"), daily_hour=9)


def test_the_daily_sync_waits_for_an_idle_counter(make_window, qtbot, enrolled):
    window = make_window()
    calls = []

    def fake_sync(**options):  # the scheduling is under test here, not the sync
        calls.append(options)
        return SyncResult("unchanged", "Up to date.", serial=4)

    daily = window.daily_sync
    daily.clock, daily.run_sync = (lambda: datetime(2026, 12, 1, 8, 59)), fake_sync
    assert not daily.check()  # before nine
    daily.clock = lambda: datetime(2026, 12, 1, 9, 30)
    window.send_text("staff", "こんにちは")  # a customer is at the counter
    qtbot.waitUntil(lambda: bool(window.conversation.exchanges), timeout=5000)
    assert not daily.check() and not calls
    window.next_customer(ask_language=False)
    assert daily.check()
    qtbot.waitUntil(lambda: not daily.running, timeout=5000)
    assert calls and calls[0]["library"] is window.session.library
    assert calls[0]["busy"]() is False


def test_an_applied_set_is_taken_in_at_once(make_window, qtbot, enrolled):
    window = make_window()
    fresh = config.load()
    fresh.conversation.idle_timeout_minutes = 11
    config.save(fresh)
    daily = window.daily_sync
    daily.clock = lambda: datetime(2026, 12, 1, 9, 1)
    daily.run_sync = lambda **options: SyncResult("ok", "Applied.", changes=["settings"],
                                                  serial=5)
    assert daily.check()
    qtbot.waitUntil(lambda: not daily.running, timeout=5000)
    assert window.settings.conversation.idle_timeout_minutes == 11
    assert window.staff.status.text() == "✔ 市の配信（第 5 版）を取り込みました。"
