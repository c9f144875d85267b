"""Keep engine libraries from recording anything about this machine or its users.

onnxruntime (Piper, Silero VAD inside faster-whisper, Kokoro) writes a device UUID
and queued telemetry events (OS, CPU, Python path, container/VM) to
``~/.cache/Microsoft/DeveloperTools/.onnxruntime/`` as soon as it is *imported*
(measured with onnxruntime 1.32 on Linux).  Only ``ORT_DISABLE_TELEMETRY=1`` in the
environment before that import prevents it; ``onnxruntime.disable_telemetry_events()``
comes too late (the import has already written the UUID and one event).

`disable_telemetry()` runs when the `counter_app` package is imported, so the CLI,
the GUI and every worker (which inherit the environment) are covered.
"""

from __future__ import annotations

import os
import sys

TELEMETRY_OFF = {
    "ORT_DISABLE_TELEMETRY": "1",  # onnxruntime: no device id, no event queue
    "HF_HUB_DISABLE_TELEMETRY": "1",  # huggingface_hub (faster-whisper)
}


def disable_telemetry() -> None:
    """Turn engine telemetry off for this process and the processes it starts."""
    os.environ.update(TELEMETRY_OFF)
    onnxruntime = sys.modules.get("onnxruntime")
    if onnxruntime is not None:  # imported before us: stop further events at least
        disable = getattr(onnxruntime, "disable_telemetry_events", None)  # absent in old builds
        if disable is not None:
            disable()
