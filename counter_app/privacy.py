"""Keep engine libraries from recording anything about this machine or its users.

onnxruntime (Piper, Silero VAD inside faster-whisper, Kokoro) writes a device UUID
and queued telemetry events (OS, CPU, Python path, container/VM) to
``~/.cache/Microsoft/DeveloperTools/.onnxruntime/`` as soon as it is *imported*
(measured with onnxruntime 1.32 on Linux).  Only ``ORT_DISABLE_TELEMETRY=1`` in the
environment before that import prevents it; ``onnxruntime.disable_telemetry_events()``
comes too late (the import has already written the UUID and one event).

Some engines also log the text they speak or translate (piper.voice at DEBUG:
"text=..., phonemes=..."; argostranslate.utils at INFO: its input).
`keep_text_out_of_logs()` drops those records at their source, whatever the levels.

Both run when the `counter_app` package is imported, so the CLI, the GUI and every
worker (which inherit the environment) are covered.
"""

from __future__ import annotations

import logging
import os
import sys

TELEMETRY_OFF = {
    "ORT_DISABLE_TELEMETRY": "1",  # onnxruntime: no device id, no event queue
    "HF_HUB_DISABLE_TELEMETRY": "1",  # huggingface_hub (faster-whisper)
}
# Loggers (exact names: filters do not apply to records from child loggers) whose
# records below WARNING carry utterance text.
TEXT_LOGGERS = ("piper.voice", "argostranslate.utils")


def disable_telemetry() -> None:
    """Turn engine telemetry off for this process and the processes it starts."""
    os.environ.update(TELEMETRY_OFF)
    onnxruntime = sys.modules.get("onnxruntime")
    if onnxruntime is not None:  # imported before us: stop further events at least
        disable = getattr(onnxruntime, "disable_telemetry_events", None)  # absent in old builds
        if disable is not None:
            disable()


class _NoTextRecords(logging.Filter):
    """Lets through only warnings and errors, which these libraries keep text-free."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


def keep_text_out_of_logs() -> None:
    """Drop engine log records that would carry what was said or translated."""
    for name in TEXT_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _NoTextRecords) for f in logger.filters):
            logger.addFilter(_NoTextRecords())
