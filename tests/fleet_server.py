"""A real nginx on 127.0.0.1 for fleet tests and bench/fleet.py.

    server = start(root, port=None, extra_conf="")   # serves root; .url, .port
    server.requests()                                 # access log lines, parsed
    server.stop()                                     # SIGTERM: open connections drop

Config, pid, temp folders and logs live in a temporary folder; nginx runs in
the foreground (daemon off) as a child process.  `extra_conf` goes inside the
server block (e.g. "location /models/ { limit_rate 100k; }" or WebDAV's
"dav_methods PUT;").  `nginx_binary()` is None when nginx is not installed.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

LOG_FORMAT = '$request_method $uri $status $body_bytes_sent "$http_range" "$http_if_none_match"'

CONFIG = """\
{user}worker_processes 1;
daemon off;
master_process on;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    log_format fleet '{log_format}';
    access_log {tmp}/access.log fleet;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ application/json json; application/zip zip; text/html html; text/csv csv; }}
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 5;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {root};
        {extra_conf}
    }}
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)),
        None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Request:
    method: str
    path: str
    status: int
    bytes: int
    range: str
    if_none_match: str


class NginxServer:
    def __init__(self, root: Path, port: int, tmp: Path, process: subprocess.Popen):
        self.root, self.port, self.tmp, self.process = root, port, tmp, process
        self.url = f"http://127.0.0.1:{port}/"
        self.access_log = tmp / "access.log"
        self.error_log = tmp / "error.log"

    def requests(self, settle: float = 0.1) -> list[Request]:
        """Every request logged so far.  nginx writes each line just after the response
        has gone out, so a client can be done before its line is: the log is read once
        it has not grown for `settle` seconds (at most 5 s)."""
        deadline, size = time.monotonic() + 5, -1
        while time.monotonic() < deadline:
            current = self.access_log.stat().st_size if self.access_log.is_file() else 0
            if current == size:
                break
            size = current
            time.sleep(settle)
        found = []
        if not self.access_log.is_file():
            return found
        for line in self.access_log.read_text(encoding="utf-8").splitlines():
            method, path, status, size, rest = line.split(" ", 4)
            rng, inm = (part.strip('"') for part in rest.split('" "'))
            found.append(Request(method, path, int(status), int(size),
                                 "" if rng == "-" else rng, "" if inm == "-" else inm))
        return found

    def cpu_seconds(self) -> float:
        """User + system CPU of the master and its workers (from /proc)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def stop(self) -> None:
        """Fast shutdown: connections in progress are cut (what a crash or unplug does)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def __enter__(self) -> NginxServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _prctl():
    try:
        return ctypes.CDLL(None).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()  # looked up here: the forked child only calls it


def _die_with_parent() -> None:
    """nginx gets SIGTERM when the test process dies (no server left behind)."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def start(root: Path | str, port: int | None = None, extra_conf: str = "",
          tmp: Path | None = None) -> NginxServer:
    """Start nginx serving `root` on 127.0.0.1:port (a free one when None)."""
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
    tmp = Path(tmp or tempfile.mkdtemp(prefix="nginx-"))
    tmp.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the tmp folders
    conf = tmp / "nginx.conf"
    conf.write_text(CONFIG.format(user=user, tmp=tmp, port=port, root=Path(root).resolve(),
                                  extra_conf=extra_conf, log_format=LOG_FORMAT),
                    encoding="utf-8")
    process = subprocess.Popen([binary, "-c", str(conf), "-p", str(tmp)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               preexec_fn=_die_with_parent)
    server = NginxServer(Path(root), port, tmp, process)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode(errors="replace") if process.stderr else ""
            log = server.error_log.read_text() if server.error_log.is_file() else ""
            raise RuntimeError(f"nginx exited at start: {error}{log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"nginx did not listen on port {port} within 10 s")
