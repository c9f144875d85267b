"""Loading Whisper fixes glibc's mmap threshold, so freed decode buffers leave the process
(bench/memory.py: the full counter's engines held 1,072-1,082 MB before, 981-986 after)."""

from __future__ import annotations

import ctypes
import ctypes.util

import pytest

from counter_app.pipeline.asr_whisper import HEAP_THRESHOLD, WhisperRecognizer
from tests.whisper_fixtures import whisper_base_path


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]


def _glibc():
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    if not hasattr(libc, "gnu_get_libc_version") or not hasattr(libc, "mallinfo2"):
        pytest.skip("glibc >= 2.33 only")
    libc.mallinfo2.restype = MallInfo2
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    return libc


@pytest.mark.slow
def test_whisper_loads_without_keeping_freed_memory_and_later_blocks_are_returned():
    libc = _glibc()
    # A freed 24 MiB block, as a decode buffer: glibc's dynamic threshold would now put
    # every later block below 24 MiB in the heap, which keeps it after it is freed.
    libc.free(libc.malloc(24 << 20))
    WhisperRecognizer(whisper_base_path(), "ja")
    # The load's own buffers went back: 13 MiB of free heap here, 90 MiB without.
    assert libc.mallinfo2().fordblks < 32 << 20
    size = libc.mallinfo2().fordblks + (1 << 20)  # more than all free heap memory
    mapped = libc.mallinfo2().hblks
    block = libc.malloc(size)
    try:
        assert libc.mallinfo2().hblks == mapped + 1  # its own mapping...
    finally:
        libc.free(block)
    assert libc.mallinfo2().hblks == mapped  # ...returned to the system when freed
    assert HEAP_THRESHOLD == 128 * 1024  # glibc's initial value, kept fixed
