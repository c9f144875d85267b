"""What went wrong with a download, install or import, as one word a screen can explain.

`classify(exc)` walks the exception and its causes (the store wraps the raw
urllib/socket/ssl error: CatalogError from DownloadError from URLError from
ConnectionRefusedError) and returns a kind; screens map kinds to sentences in
their language and keep `str(exc)` only as a detail for admins.  Qt-free.
"""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
import urllib.error
from collections.abc import Iterator

from counter_app.errors import (
    ArchiveError,
    CatalogError,
    DownloadError,
    ModelLoadError,
    StoreBusyError,
)
from counter_app.store.health import DISK_FULL, StoreUnusableError

KINDS = (
    "offline",  # no network or no route to the server
    "dns",  # the server's name does not resolve
    "refused",  # the server is there but nothing answers on that port
    "timeout",  # no answer in time
    "interrupted",  # the connection dropped midway (the partial file is kept)
    "not_found",  # HTTP 404 / 410
    "forbidden",  # HTTP 401 / 403
    "server",  # HTTP 5xx
    "http",  # any other HTTP error
    "tls",  # certificate or TLS handshake failure
    "damaged",  # checksum or size mismatch
    "disk_full",
    "busy",  # another install holds the store
    "store_unusable",  # the store folder cannot be written
    "bad_catalog",  # a catalog that is not in its format
    "not_a_model",  # an import that is no model the app knows, or a damaged pack
    "unloadable",  # the engine cannot load the downloaded model
    "cancelled",
    "other",
)

OFFLINE_ERRNOS = {errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTUNREACH, errno.EHOSTDOWN}
REFUSED_ERRNOS = {errno.ECONNREFUSED}
DROPPED_ERRNOS = {errno.ECONNRESET, errno.ECONNABORTED, errno.EPIPE}


def causes(exc: BaseException) -> Iterator[BaseException]:
    """exc, then what it was raised from (or during), outermost first; a URLError's
    `reason` counts as its cause."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        reason = getattr(current, "reason", None)
        if isinstance(current, urllib.error.URLError) and isinstance(reason, BaseException):
            current = reason
        else:
            current = current.__cause__ or current.__context__


def _low_level(exc: BaseException) -> str | None:
    """The kind of one raw network, HTTP, TLS or disk error, else None."""
    if isinstance(exc, urllib.error.HTTPError):
        code = exc.code
        if code in (404, 410):
            return "not_found"
        if code in (401, 403):
            return "forbidden"
        return "server" if code >= 500 else "http"
    if isinstance(exc, socket.gaierror):
        return "dns"
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return "tls"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, http.client.IncompleteRead | http.client.RemoteDisconnected
                   | ConnectionResetError | ConnectionAbortedError | BrokenPipeError):
        return "interrupted"
    if isinstance(exc, TimeoutError) or getattr(exc, "errno", None) == errno.ETIMEDOUT:
        return "timeout"
    number = getattr(exc, "errno", None) if isinstance(exc, OSError) else None
    if number in DISK_FULL:
        return "disk_full"
    if number in OFFLINE_ERRNOS:
        return "offline"
    if number in REFUSED_ERRNOS:
        return "refused"
    if number in DROPPED_ERRNOS:
        return "interrupted"
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, str):
        if "timed out" in exc.reason:
            return "timeout"
        if "unreachable" in exc.reason.lower():
            return "offline"
    return None


def _store_level(exc: BaseException) -> str | None:
    """The kind of one of the store's own errors (by type, or a DownloadError's
    sentence for the mismatches download() reports), else None."""
    if isinstance(exc, DownloadError):
        text = str(exc)
        if "Checksum mismatch" in text or ("expected" in text and " bytes" in text):
            return "damaged"
        if text.endswith("cancelled."):
            return "cancelled"
        return None
    if isinstance(exc, CatalogError):
        return "bad_catalog"
    if isinstance(exc, ArchiveError):
        return "not_a_model"
    if isinstance(exc, ModelLoadError):
        return "unloadable"
    return None


def classify(exc: BaseException) -> str:
    """One of KINDS for an error from catalogs, downloads, installs or imports."""
    if isinstance(exc, StoreBusyError):
        return "busy"
    if isinstance(exc, StoreUnusableError):
        return "store_unusable"
    chain = list(causes(exc))
    for link in chain:
        if kind := _low_level(link):
            return kind
    for link in chain:
        if kind := _store_level(link):
            return kind
    return "other"


def resumable(exc: BaseException) -> bool:
    """True when the partial download was kept, so trying again continues it."""
    return any(getattr(link, "resumable", False) for link in causes(exc))


def technical_detail(exc: BaseException) -> str:
    """Every link of the chain, for admins (never the main message)."""
    lines = []
    for link in causes(exc):
        name = type(link).__name__
        number = getattr(link, "errno", None)
        text = str(link)
        lines.append(f"{name}{f' [errno {number}]' if number else ''}: {text}" if text
                     else name)
    return "\n".join(dict.fromkeys(lines))
