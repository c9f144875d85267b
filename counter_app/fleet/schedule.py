"""When a tablet syncs by itself: once a day, from a set hour on, the first time
the counter is idle (never during a conversation).  The hour is part of the
enrolment (`counter-app fleet enroll URL --key K --hour 12`)."""

from __future__ import annotations

from datetime import datetime

from counter_app.errors import CounterAppError


class HourError(CounterAppError, ValueError):
    """A daily sync hour outside 0–23."""


def daily_hour(status: dict) -> int | None:
    """The enrolment's daily sync hour (0–23), or None: by hand and at start-up only."""
    hour = status.get("enrollment", {}).get("daily_hour")
    return hour if isinstance(hour, int) and 0 <= hour <= 23 else None


def check_hour(hour: int | None) -> int | None:
    if hour is not None and not 0 <= hour <= 23:
        raise HourError(f"The daily sync hour must be 0-23, not {hour}.")
    return hour


RETRY_SECONDS = 3600  # a failed or refused daily sync is tried again an hour later


def due(status: dict, now: datetime) -> bool:
    """True when today's sync is due: past the hour, and no sync attempted since (or
    the last attempt failed over an hour ago)."""
    hour = daily_hour(status)
    if hour is None or now.hour < hour:
        return False
    since = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    last = status.get("last", {}).get("at", "")
    try:
        attempted = datetime.strptime(last, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return True
    if now.tzinfo is None:
        attempted = attempted.replace(tzinfo=None)
    failed = status.get("last", {}).get("status") not in ("ok", "unchanged")
    return attempted < since or (failed and (now - attempted).total_seconds() >= RETRY_SECONDS)
