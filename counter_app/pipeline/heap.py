"""Keep the process's heap from holding memory the engines have freed (glibc only).

glibc raises its mmap threshold (up to 32 MiB) each time a large mmapped block is
freed, so the decode buffers CTranslate2, Kaldi and ONNX Runtime free and allocate
again on every turn then come from the heap, which keeps them after they are freed.
A fixed threshold returns them: the full counter (Whisper base, Vosk ko, MT, Open
JTalk, Piper, one turn each way) held 1,072-1,082 MB, then 981-986 MB (1,182 ->
1,088-1,094 MB with the counter window; bench/memory.py).  The price: every 0.1-4 MiB
decode buffer is mapped and unmapped again, which doubles Whisper's page faults
(2.4 M against 1.3 M for 8 sentences, +2.5-3 s of system time, wall time within
noise).  A 4 MiB threshold avoided that but held 999 MB instead of 962 MB.
Freed small blocks still sit in the heap's free lists; `release_freed_heap` hands
their pages back after each turn (another 30 MB with the window).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
HEAP_THRESHOLD = 128 * 1024  # glibc's own initial value, kept fixed


@lru_cache(maxsize=1)
def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        libc.gnu_get_libc_version  # only glibc has the dynamic threshold  # noqa: B018
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def limit_heap_retention() -> bool:
    """Return freed large blocks to the system; True if it took effect.

    Process-wide and idempotent: called at app start and when Whisper loads."""
    libc = _glibc()
    return bool(libc and libc.mallopt(_M_MMAP_THRESHOLD, HEAP_THRESHOLD)
                and libc.mallopt(_M_TRIM_THRESHOLD, HEAP_THRESHOLD))


def release_freed_heap() -> bool:
    """Give the free pages inside the heap back to the system (`malloc_trim(0)`).

    Called when a turn has ended, off the turn's path; True if memory was released."""
    libc = _glibc()
    return bool(libc and libc.malloc_trim(0))
