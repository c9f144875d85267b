"""A tablet's usage counts on their way to city hall, through standard parts.

`upload_counts` PUTs this tablet's CSV (counter_app.stats, counts only) to a
WebDAV folder, e.g. nginx with `dav_methods PUT; create_full_put_path on;`, as
URL/WARD/WARD-TABLET.csv: each upload replaces the tablet's previous file, and
the counts stay on the tablet whatever happens, so a failed upload just waits
for the next try.  `export_counts` writes the same file into a folder or onto a
USB stick (atomically).  Passwords come from $COUNTER_APP_REPORT_PASSWORD or a
file and never appear in messages or logs.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import io
import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from counter_app.stats import UsageStats
from counter_app.store.download_errors import classify

PASSWORD_ENV = "COUNTER_APP_REPORT_PASSWORD"
TIMEOUT_SECONDS = 20.0

_REASONS = {
    "offline": "this tablet has no network route to it",
    "dns": "its name does not resolve",
    "refused": "nothing answers there (connection refused)",
    "timeout": "it did not answer in time",
    "interrupted": "the connection dropped",
    "not_found": "the folder does not exist there (HTTP 404)",
    "forbidden": "it refused the user name or password (HTTP 401/403)",
    "server": "it had an internal error (HTTP 5xx)",
    "tls": "its certificate could not be verified",
}


@dataclass(frozen=True, slots=True)
class UploadResult:
    ok: bool
    message: str  # one sentence for staff or admins, never the password
    target: str = ""  # the file's URL (no credentials)
    kind: str = ""  # download_errors kind when it failed


def report_name(stats: UsageStats, ward: str) -> str:
    """This tablet's file name: WARD-TABLET.csv (one file per tablet, replaced each time)."""
    return f"{ward or 'unassigned'}-{stats.tablet_id()}.csv"


def report_bytes(stats: UsageStats, ward: str) -> bytes:
    out = io.StringIO()
    stats.write_report_csv(out, ward)
    return out.getvalue().encode("utf-8")


def export_counts(stats: UsageStats, ward: str, folder: Path) -> Path:
    """Write the counts into `folder` as WARD-TABLET.csv, atomically (temp file, fsync,
    rename), so a stick pulled out midway never holds half a file."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / report_name(stats, ward)
    fd, tmp = tempfile.mkstemp(prefix=".counts-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(report_bytes(stats, ward))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def read_password(password_file: str = "") -> str | None:
    """$COUNTER_APP_REPORT_PASSWORD, else the first line of password_file, else None."""
    if (value := os.environ.get(PASSWORD_ENV)) is not None:
        return value
    if password_file:
        try:
            text = Path(password_file).expanduser().read_text(encoding="utf-8")
        except OSError:
            return None
        return text.splitlines()[0] if text else ""
    return None


def target_url(url: str, stats: UsageStats, ward: str) -> str:
    folder = urllib.parse.quote(ward or "unassigned", safe="")
    return f"{url.rstrip('/')}/{folder}/{urllib.parse.quote(report_name(stats, ward))}"


def upload_counts(stats: UsageStats, ward: str, url: str, *, user: str = "",
                  password_file: str = "", timeout: float = TIMEOUT_SECONDS) -> UploadResult:
    """PUT the counts to the WebDAV folder `url`.  Never raises for network trouble:
    the result says what happened; the outcome is noted beside the counts."""
    if not url:
        return UploadResult(False, "No report URL is set (settings: reports.url). Use "
                            "`counter-app stats export FOLDER` to write the counts to a "
                            "folder or USB stick instead.", kind="not_configured")
    if not url.startswith(("http://", "https://")):
        return UploadResult(False, f"The report URL must start with http:// or https:// "
                            f"({_public(url)}).", kind="not_configured")
    target = target_url(url, stats, ward)
    request = urllib.request.Request(target, data=report_bytes(stats, ward), method="PUT",
                                     headers={"Content-Type": "text/csv; charset=utf-8"})
    if user:
        password = read_password(password_file)
        if password is None:
            return _note(stats, UploadResult(
                False, f"No password for the report user {user!r}: set ${PASSWORD_ENV} or "
                "reports.password_file. The counts stay on this tablet.", _public(target),
                "no_password"))
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except (urllib.error.URLError, OSError, ValueError) as exc:
        kind = classify(exc)
        reason = _REASONS.get(kind) or _http_reason(exc)
        host = urllib.parse.urlsplit(target).netloc.rpartition("@")[2]
        return _note(stats, UploadResult(
            False, f"The counts could not be sent to the report server {host}: {reason}. "
            "They stay on this tablet and go with the next upload.", _public(target), kind))
    return _note(stats, UploadResult(True, f"Sent the counts to {_public(target)} "
                                     f"(HTTP {status}).", _public(target)))


def _http_reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"it answered HTTP {exc.code}"
    return type(exc).__name__


def _public(url: str) -> str:
    """The URL without any user:password@ part."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def status_path(stats: UsageStats) -> Path:
    return stats.path.with_name(stats.path.stem + "-upload.json")


def _note(stats: UsageStats, result: UploadResult) -> UploadResult:
    """Keep the last outcome beside the counts (for `stats` and screens to show)."""
    data = last_upload(stats)
    now = dt.datetime.now().isoformat(timespec="seconds")
    data.update({"last_try": now, "ok": result.ok, "message": result.message})
    if result.ok:
        data["last_success"] = now
    with contextlib.suppress(OSError):
        path = status_path(stats)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, path)
    return result


def last_upload(stats: UsageStats) -> dict:
    """{"last_try", "ok", "message", "last_success"} of the last upload, or {}."""
    try:
        data = json.loads(status_path(stats).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
