"""Resumable HTTP(S) downloads with progress, cancellation and checksums.

Only http and https URLs are accepted.  A partial file (`<dest>.part`) is
continued with a Range request, both after a dropped connection within one
call and on the next call after an interruption.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from counter_app.errors import DownloadError

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done_bytes, total_bytes or 0, label)
Cancel = Callable[[], bool]
CHUNK = 256 * 1024
USER_AGENT = "counter-app model store"


class SummedProgress:
    """Per-file progress (one label per file) summed over a whole model or plan:
    calls emit(done, total, label), total being `total` when known, else 0."""

    def __init__(self, emit: Progress, total: int | None = None, label: str | None = None):
        self.emit, self.total, self.label = emit, total or 0, label
        self.files: dict[str, int] = {}

    def __call__(self, done: int, total: int, label: str) -> None:
        self.files[label] = done
        self.emit(sum(self.files.values()), self.total, self.label or label)


def check_url(url: str) -> str:
    """The URL if it is http(s) with a host, else DownloadError."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DownloadError(f"Only http:// and https:// URLs are allowed for models and "
                            f"catalogs, not {url!r}.")
    return url


def open_url(url: str, timeout: float = 30, start: int = 0):
    """An HTTP response for url (from byte `start`); http(s) only."""
    check_url(url)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    if start:
        request.add_header("Range", f"bytes={start}-")
    opener = urllib.request.build_opener(_NoOtherSchemes)
    return opener.open(request, timeout=timeout)


class _NoOtherSchemes(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s) URLs."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_url(newurl)
        if revision := headers.get("X-Repo-Commit"):  # Hugging Face: before its CDN
            SERVED_REVISIONS[req.full_url] = revision
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_bytes(url: str, timeout: float = 30, limit: int = 64 * 1024**2) -> bytes:
    """A small resource (a catalog) in memory."""
    try:
        with open_url(url, timeout) as response:
            data = response.read(limit + 1)
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise DownloadError(f"Could not fetch {url}: {_reason(exc)}") from exc
    if len(data) > limit:
        raise DownloadError(f"{url} is larger than {limit // 1024**2} MB; not a catalog.")
    return data


def download(url: str, dest: Path, *, size: int | None = None, md5: str | None = None,
             sha256: str | None = None, progress: Progress | None = None,
             cancel: Cancel | None = None, label: str = "", retries: int = 5,
             timeout: float = 30) -> Path:
    """Download url to dest, resuming `<dest>.part`; verify size and checksums."""
    check_url(url)
    part = dest.with_name(dest.name + ".part")
    label = label or dest.name
    failures = 0
    while True:
        try:
            total = _fetch_into(url, part, size, progress, cancel, label, timeout)
            break
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError,
                TimeoutError) as exc:
            if isinstance(exc, urllib.error.HTTPError):
                if exc.code != 416 or failures:
                    raise DownloadError(f"Could not download {url}: {_reason(exc)}") from exc
                part.unlink(missing_ok=True)  # range not satisfiable: start over
            failures += 1
            if failures > retries:
                error = DownloadError(f"Download of {url} kept failing ({_reason(exc)}); "
                                      f"{part.stat().st_size if part.exists() else 0} bytes "
                                      "are kept and the next attempt resumes.")
                error.resumable = True
                raise error from exc
            log.info("Download of %s interrupted (%s); resuming", url, _reason(exc))
    got = part.stat().st_size
    if (size and got != size) or (total and got != total):
        part.unlink()
        raise DownloadError(f"{url} has {got} bytes, expected {size or total}; "
                            "the download was discarded.")
    _verify(part, url, md5=md5, sha256=sha256)
    part.replace(dest)
    return dest


# url -> the commit a Hugging Face style server said it served (X-Repo-Commit);
# store/pins.py pins a moving branch to it after a verified install.
SERVED_REVISIONS: dict[str, str] = {}


def _fetch_into(url: str, part: Path, size: int | None, progress: Progress | None,
                cancel: Cancel | None, label: str, timeout: float) -> int:
    start = part.stat().st_size if part.exists() else 0
    if size and start >= size:
        return size
    with open_url(url, timeout, start) as response:
        if revision := response.headers.get("X-Repo-Commit"):
            SERVED_REVISIONS[url] = revision
        if start and response.status != 206:
            start = 0  # the server ignored Range: start over
        length = int(response.headers.get("Content-Length") or 0)
        total = start + length if length else (size or 0)
        done = start
        with open(part, "ab" if start else "wb") as out:
            while True:
                if cancel and cancel():
                    raise DownloadError(f"Download of {label} cancelled.")
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total, label)
        if total and done < total:
            raise http.client.IncompleteRead(b"", total - done)
    return total


def _verify(path: Path, url: str, *, md5: str | None, sha256: str | None) -> None:
    for name, expected in (("md5", md5), ("sha256", sha256)):
        if expected and file_digest(path, name) != expected.lower():
            path.unlink()
            raise DownloadError(f"Checksum mismatch for {url} ({name} expected {expected}); "
                                "the download was discarded. The mirror may hold a damaged "
                                "or different file.")


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK * 4):
            digest.update(chunk)
    return digest.hexdigest()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__
