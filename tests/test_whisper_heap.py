"""Loading Whisper fixes glibc's mmap threshold, so freed decode buffers leave the process
(bench/memory.py: the full counter's engines held 1,072-1,082 MB before, 981-986 after).

The heap is process-wide state, so the measurement runs in a fresh process: in a long
test run, earlier tests leave their own free heap behind (1.9 GB once)."""

from __future__ import annotations

import ctypes
import ctypes.util

import pytest

from counter_app.pipeline.heap import HEAP_THRESHOLD
from tests.fresh_process import run_fresh

CHILD = r"""
import ctypes, ctypes.util, json, sys
sys.path.insert(0, sys.argv[1])

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
        "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
libc.mallinfo2.restype = MallInfo2
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
from counter_app.pipeline.asr_whisper import WhisperRecognizer
from tests.whisper_fixtures import whisper_base_path
# A freed 24 MiB block, as a decode buffer: glibc's dynamic threshold would now put
# every later block below 24 MiB in the heap, which keeps it after it is freed.
libc.free(libc.malloc(24 << 20))
WhisperRecognizer(whisper_base_path(), "ja")
free_after_load = libc.mallinfo2().fordblks
size = free_after_load + (1 << 20)  # more than all free heap memory
mapped = libc.mallinfo2().hblks
block = libc.malloc(size)
own_mapping = libc.mallinfo2().hblks - mapped
libc.free(block)
returned = libc.mallinfo2().hblks == mapped
print(json.dumps({"free_after_load": free_after_load, "own_mapping": own_mapping,
                  "returned": returned}))
"""


def _glibc_with_mallinfo2() -> bool:
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    return hasattr(libc, "gnu_get_libc_version") and hasattr(libc, "mallinfo2")


@pytest.mark.slow
def test_whisper_loads_without_keeping_freed_memory_and_later_blocks_are_returned():
    if not _glibc_with_mallinfo2():
        pytest.skip("glibc >= 2.33 only")
    facts = run_fresh(CHILD)
    # The load's own buffers went back: 13 MiB of free heap here, 90 MiB without.
    assert facts["free_after_load"] < 32 << 20, facts
    assert facts["own_mapping"] == 1 and facts["returned"], facts  # mapped, then returned
    assert HEAP_THRESHOLD == 128 * 1024  # glibc's initial value, kept fixed
