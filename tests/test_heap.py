"""Freed memory leaves the process: after each turn, and for blocks glibc would keep.

Heap state is process-wide, so the glibc measurement runs in a fresh process."""

from __future__ import annotations

import ctypes
import ctypes.util

import pytest

from counter_app.events import TurnStage
from counter_app.pipeline import interpreter as interpreter_module
from counter_app.pipeline.audio import MemorySink
from counter_app.pipeline.interpreter import Interpreter, TurnRequest
from tests.fakes import FakeFactory
from tests.fresh_process import run_fresh

CHILD = r"""
import ctypes, ctypes.util, json, sys
sys.path.insert(0, sys.argv[1])
from counter_app.pipeline.heap import limit_heap_retention, release_freed_heap

def rss_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024

libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
limit_heap_retention()
# 160 MB of 4 KiB blocks, as token and tensor buffers: below the mmap threshold, so
# they come from the heap; one kept at the top stops glibc trimming on free.
blocks = [libc.malloc(4096) for _ in range(40_000)]
for block in blocks:
    ctypes.memset(block, 1, 4096)
keep = libc.malloc(4096)
before = rss_mb()
for block in blocks:
    libc.free(block)
after_free = rss_mb()
released = release_freed_heap()
after_release = rss_mb()
print(json.dumps({"before": before, "after_free": after_free, "released": released,
                  "after_release": after_release}))
"""


def _glibc() -> bool:
    return hasattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), "malloc_trim")


def test_freed_heap_pages_go_back_to_the_system():
    if not _glibc():
        pytest.skip("glibc only")
    facts = run_fresh(CHILD, timeout=120)
    assert facts["before"] - facts["after_free"] < 40, facts  # free() alone keeps them
    assert facts["released"], facts
    assert facts["after_free"] - facts["after_release"] > 100, facts


def test_every_turn_releases_the_heap_once_it_is_over(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(interpreter_module, "release_freed_heap", lambda: calls.append(1))
    interpreter = Interpreter(FakeFactory(), lambda event: None)
    for _ in range(3):
        result = interpreter.run(TurnRequest("en", "ja", text="please wait",
                                             sink=MemorySink()))
        assert result.stage is TurnStage.DONE
    assert len(calls) == 3
    interpreter.shutdown()
