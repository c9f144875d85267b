"""HTTP for sync: conditional GETs (ETag / If-Modified-Since) and resumable files.

Validators live in a dict the caller persists ({path: {"etag", "last_modified"}}).
A file is fetched into `<folder>/<path>.part`, continued with Range + If-Range
after an interruption, and checked against its size and sha256 before it is
renamed to `<folder>/<path>`.  Counts requests and body bytes.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urljoin

from counter_app.errors import CounterAppError
from counter_app.store.download import check_url, file_digest

CHUNK = 256 * 1024
USER_AGENT = "counter-app fleet sync"
_NETWORK_ERRORS = (urllib.error.URLError, http.client.HTTPException, ConnectionError,
                   TimeoutError, socket.timeout, OSError)


class FetchError(CounterAppError):
    """The mirror could not be reached or a download broke off (resumable)."""


class ChecksumError(CounterAppError):
    """A downloaded file differs from the signed manifest (deleted, not resumable)."""


class Fetcher:
    def __init__(self, base_url: str, folder: Path, validators: dict, timeout: float = 20):
        self.base = base_url if base_url.endswith("/") else base_url + "/"
        check_url(self.base)
        self.folder, self.validators, self.timeout = folder, validators, timeout
        self.requests = 0
        self.bytes = 0
        self._opener = urllib.request.build_opener()

    def url(self, path: str) -> str:
        return urljoin(self.base, quote(path))

    def _open(self, path: str, headers: dict[str, str]):
        request = urllib.request.Request(self.url(path), headers={"User-Agent": USER_AGENT,
                                                                  **headers})
        self.requests += 1
        return self._opener.open(request, timeout=self.timeout)

    def _remember(self, path: str, response) -> None:
        etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        self.validators[path] = {k: v for k, v in (("etag", etag), ("last_modified", modified))
                                 if v}

    def get_small(self, path: str, conditional: bool = True, limit: int = 64 * 1024**2
                  ) -> bytes | None:
        """The body, or None when the server says it has not changed (304)."""
        headers = {}
        known = self.validators.get(path, {}) if conditional else {}
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
        try:
            with self._open(path, headers) as response:
                data = response.read(limit + 1)
                self.bytes += len(data)
                self._remember(path, response)
        except urllib.error.HTTPError as exc:
            if exc.code == 304 and conditional:
                return None
            if exc.code == 404:
                raise FetchError(f"{self.url(path)} does not exist on the mirror (HTTP 404): "
                                 "the mirror is incomplete or the URL is wrong.") from exc
            raise FetchError(f"The mirror answered HTTP {exc.code} for {self.url(path)}.") \
                from exc
        except _NETWORK_ERRORS as exc:
            raise FetchError(f"The mirror {self.base} cannot be reached ({_reason(exc)}).") \
                from exc
        if len(data) > limit:
            raise FetchError(f"{self.url(path)} is larger than expected; refusing it.")
        return data

    def get_file(self, path: str, size: int, sha256: str) -> Path:
        """The verified file at folder/path (downloaded, resumed or already there)."""
        done = self.folder / path
        if done.is_file() and done.stat().st_size == size and file_digest(done) == sha256:
            return done
        part = done.with_name(done.name + ".part")
        part.parent.mkdir(parents=True, exist_ok=True)
        start = part.stat().st_size if part.is_file() else 0
        if start > size:
            part.unlink()
            start = 0
        if start < size:
            self._download(path, part, start, size)
        if part.stat().st_size != size or file_digest(part) != sha256:
            part.unlink()
            raise ChecksumError(f"{path} on the mirror does not match the signed manifest "
                                "(size or sha256 differ): it was changed after signing, or "
                                "the mirror is being updated. Nothing was changed.")
        part.replace(done)
        return done

    def _download(self, path: str, part: Path, start: int, size: int) -> None:
        headers = {}
        known = self.validators.get(f"{path}.part", {})
        if start and (known.get("etag") or known.get("last_modified")):
            headers["Range"] = f"bytes={start}-"
            headers["If-Range"] = known.get("etag") or known["last_modified"]
        else:
            start = 0
        try:
            with self._open(path, headers) as response:
                if start and response.status != 206:
                    start = 0  # the file changed on the server (or Range ignored): start over
                self.validators[f"{path}.part"] = {
                    k: v for k, v in (("etag", response.headers.get("ETag")),
                                      ("last_modified", response.headers.get("Last-Modified")))
                    if v}
                with open(part, "ab" if start else "wb") as out:
                    got = start
                    while chunk := response.read(CHUNK):
                        out.write(chunk)
                        got += len(chunk)
                        self.bytes += len(chunk)
                        if got > size:
                            break
                if got < size:
                    raise http.client.IncompleteRead(b"", size - got)
        except urllib.error.HTTPError as exc:
            if exc.code == 416:
                part.unlink(missing_ok=True)
            raise FetchError(f"The mirror answered HTTP {exc.code} for {self.url(path)}."
                             ) from exc
        except _NETWORK_ERRORS as exc:
            kept = part.stat().st_size if part.is_file() else 0
            raise FetchError(f"The download of {path} from {self.base} broke off "
                             f"({_reason(exc)}); {kept} of {size} bytes are kept and the next "
                             "sync resumes there.") from exc


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return str(exc.reason)
    if isinstance(exc, http.client.IncompleteRead):
        return "connection closed early"
    return str(exc) or type(exc).__name__
