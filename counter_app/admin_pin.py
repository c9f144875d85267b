"""The optional admin PIN: a salted hash (never the PIN), and a limit on wrong tries.

The PIN keeps people at the counter out of settings, model management and the
phrasebook admin.  It is not a guard against someone who can edit the settings
file: that person is the admin.  Stored form:
``pbkdf2_sha256$<iterations>$<salt hex>$<hash hex>``.

A stored value that is not in that form is BROKEN: the guard stays on and no
PIN opens it (fail closed), and the PIN pad says how to repair the file.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections.abc import Callable

SCHEME = "pbkdf2_sha256"
ITERATIONS = 120_000  # a few tens of milliseconds: the PIN pad stays responsive
MIN_DIGITS, MAX_DIGITS = 4, 8
BROKEN = "broken"  # what a damaged stored PIN becomes when loaded: no PIN matches it


def valid_pin(pin: str) -> bool:
    """A PIN is MIN_DIGITS..MAX_DIGITS ASCII digits."""
    return MIN_DIGITS <= len(pin) <= MAX_DIGITS and pin.isascii() and pin.isdigit()


def hash_pin(pin: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """The stored form of a new PIN (a fresh random salt unless one is given)."""
    if not valid_pin(pin):
        raise ValueError(f"a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits")
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), salt, iterations)
    return f"{SCHEME}${iterations}${salt.hex()}${digest.hex()}"


def _parts(stored: str) -> tuple[int, bytes, bytes]:
    scheme, iterations, salt, digest = stored.split("$")  # ValueError if not 4 parts
    if scheme != SCHEME or not iterations.isdigit() or not 1_000 <= int(iterations) <= 10**7:
        raise ValueError("unknown PIN scheme")
    salt_bytes, digest_bytes = bytes.fromhex(salt), bytes.fromhex(digest)
    if len(salt_bytes) < 8 or len(digest_bytes) != 32:
        raise ValueError("PIN record too short")
    return int(iterations), salt_bytes, digest_bytes


def check_stored(value: str) -> str:
    """A settings check: `value` if it is a stored PIN record, else ValueError."""
    _parts(value)
    return value


def is_broken(stored: str | None) -> bool:
    """A PIN is set but its record is damaged: nothing can match it."""
    if stored is None:
        return False
    try:
        _parts(stored)
    except ValueError:
        return True
    return False


def verify_pin(pin: str, stored: str) -> bool:
    """Whether `pin` is the PIN behind `stored` (False for a damaged record)."""
    try:
        iterations, salt, digest = _parts(stored)
    except ValueError:
        return False
    if not valid_pin(pin):
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), salt, iterations)
    return hmac.compare_digest(candidate, digest)


class AttemptLimiter:
    """After `free_tries` wrong PINs in a row, each further try waits `wait_seconds`."""

    def __init__(self, free_tries: int = 3, wait_seconds: float = 30.0,
                 clock: Callable[[], float] = time.monotonic):
        self.free_tries = free_tries
        self.wait_seconds = wait_seconds
        self.clock = clock
        self.failures = 0
        self._blocked_until = 0.0

    def wait_remaining(self) -> float:
        """Seconds until the next try is allowed (0 = now)."""
        return max(0.0, self._blocked_until - self.clock())

    def record_failure(self) -> None:
        self.failures += 1
        if self.failures >= self.free_tries:
            self._blocked_until = self.clock() + self.wait_seconds

    def record_success(self) -> None:
        self.failures = 0
        self._blocked_until = 0.0
