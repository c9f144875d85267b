"""Privacy: no engine telemetry on disk, no utterance text in any log, at any level."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from counter_app.pipeline.audio import WavFileSource

ROOT = Path(__file__).resolve().parents[1]
TELEMETRY = Path(".cache") / "Microsoft"


# --- onnxruntime telemetry -------------------------------------------------------------

def _run_in_fresh_home(home: Path, code: str, *args: str) -> subprocess.CompletedProcess:
    """Run Python in a child whose HOME is `home`, without our guard's variable inherited."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("XDG_CACHE_HOME", "ORT_DISABLE_TELEMETRY")}
    env["HOME"] = str(home)
    return subprocess.run([sys.executable, *(["-c", code] if code else []), *args], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def _written(home: Path) -> list[str]:
    folder = home / TELEMETRY
    return sorted(str(p.relative_to(home)) for p in folder.rglob("*")) if folder.exists() else []


SILERO = textwrap.dedent("""
    import numpy as np
    from counter_app.pipeline.asr_whisper import StreamingVad
    probabilities = StreamingVad().feed(np.zeros(16000, np.float32))
    assert probabilities.size == 31, probabilities.size
""")

RAW_ONNXRUNTIME = textwrap.dedent("""
    import onnxruntime
    from faster_whisper.vad import get_assets_path
    onnxruntime.InferenceSession(get_assets_path() + "/silero_vad_v6.onnx",
                                 providers=["CPUExecutionProvider"])
""")


def test_without_the_guard_onnxruntime_writes_a_device_id(tmp_path):
    """Control: shows the test below can see the files (raw onnxruntime, no counter_app)."""
    run = _run_in_fresh_home(tmp_path, RAW_ONNXRUNTIME)
    assert run.returncode == 0, run.stderr
    if not _written(tmp_path):
        pytest.skip("this onnxruntime build writes no telemetry files (nothing to guard)")
    assert any(name.endswith("deviceid") for name in _written(tmp_path))


@pytest.mark.slow
def test_piper_through_the_cli_writes_no_telemetry(tmp_path):
    out = tmp_path / "out.wav"
    run = _run_in_fresh_home(tmp_path, "", "-m", "counter_app", "speak", "--lang", "en",
                             "-o", str(out), "Please take a number ticket.")
    assert run.returncode == 0, run.stderr
    assert "(piper," in run.stdout and out.stat().st_size > 10_000
    assert _written(tmp_path) == []


def test_silero_vad_writes_no_telemetry(tmp_path):
    run = _run_in_fresh_home(tmp_path, SILERO)
    assert run.returncode == 0, run.stderr
    assert _written(tmp_path) == []


def test_the_guard_reaches_child_processes():
    import counter_app  # noqa: F401  (the guard runs at package import)

    code = "import os; print(os.environ.get('ORT_DISABLE_TELEMETRY'))"
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert child.stdout.strip() == "1"


# --- no utterance text in logs ---------------------------------------------------------

class _Everything(logging.Handler):
    """Keeps every record, formatted with its arguments and traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture()
def all_logs(monkeypatch):
    """Root logger at DEBUG, every logger propagating to it, warnings routed in too."""
    handler, root = _Everything(), logging.getLogger()
    monkeypatch.setattr(root, "level", logging.DEBUG)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            monkeypatch.setattr(logger, "level", logging.NOTSET)
            monkeypatch.setattr(logger, "disabled", False)
    monkeypatch.setattr(logging.root.manager, "disable", logging.NOTSET)
    logging.root.manager._clear_cache()  # levels set above bypass isEnabledFor's cache
    root.addHandler(handler)
    logging.captureWarnings(True)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        yield handler
    logging.captureWarnings(False)
    root.removeHandler(handler)
    logging.root.manager._clear_cache()


def _needles(*texts: str | None) -> set[str]:
    """Each text, its space-free form and every word of 3+ letters."""
    found = set()
    for text in filter(None, texts):
        found |= {text, text.replace(" ", "")}
        found |= {word.strip(".,?!") for word in text.split() if len(word.strip(".,?!")) >= 3}
    return {needle for needle in found if needle}


def _assert_absent(needles: set[str], *outputs: str) -> None:
    """No needle in any output; Latin words count as whole words only ('out' is not
    a leak of "fill out" when sox warns that its 'output clipped')."""
    for output in outputs:
        leaked = sorted(needle for needle in needles if (
            re.search(rf"\b{re.escape(needle)}\b", output) if needle.isascii() and
            needle.isalpha() else needle in output))
        assert not leaked, f"utterance text in the logs: {leaked}: " + "|".join(
            line for line in output.splitlines() if any(n in line for n in leaked))[:800]


@pytest.fixture(scope="module")
def factory(test_store_root):
    import onnxruntime

    from counter_app.pipeline.factory import EngineFactory
    from counter_app.store import ModelStore

    onnxruntime.set_seed(0)
    return EngineFactory(ModelStore(test_store_root))


@pytest.mark.slow
def test_turns_log_no_utterance_text_at_debug(factory, speech, all_logs, capfd, tmp_path):
    from counter_app.pipeline.audio import WavFileSink
    from counter_app.pipeline.interpreter import Interpreter, TurnRequest
    from tests.test_end_to_end import KOREAN

    interpreter = Interpreter(factory, emit=lambda event: None)
    texts = []
    said = (("여기에 서명해 주세요.", KOREAN), ("이 서류를 작성해 주세요.", KOREAN),
            ("감사합니다.", None))  # phrase mode and open vocabulary
    for sentence, phrases in said:
        result = interpreter.run(TurnRequest("ko", "en", audio=WavFileSource(
            speech.espeak(sentence, "ko")), phrases=phrases, sink=WavFileSink(tmp_path / "a.wav")))
        assert result.error is None
        translation = result.translation
        texts += [sentence, result.transcript.text if result.transcript else None,
                  translation.text if translation else None,
                  translation.back_translation if translation else None]
    interpreter.shutdown()
    assert "Please sign here." in texts  # the turns really ran end to end
    assert all_logs.lines, "the capture saw no log records at all"
    captured = capfd.readouterr()
    _assert_absent(_needles(*texts), "\n".join(all_logs.lines), captured.out, captured.err)


@pytest.mark.slow
def test_captions_log_no_utterance_text_at_debug(factory, speech, all_logs, capfd):
    from counter_app.captions import CaptionRunner, CaptionSession, wait_until

    service = factory.translation_service()
    session = CaptionSession()
    wav = speech.espeak("번호표를 뽑아 주세요. 이 서류를 작성해 주세요.", "ko")
    runner = CaptionRunner(session, "staff", lambda: factory.recognizer("ko"),
                           lambda: WavFileSource(wav), lambda event: None,
                           translate=lambda text: service.translate(text, "ko", "en",
                                                                    back=False).text)
    runner.start()
    assert wait_until(lambda: session.lines() and all(
        line.translation for line in session.lines()), timeout=60)
    runner.stop()
    lines = session.lines()
    texts = [text for line in lines for text in (line.text, line.translation)]
    logging.getLogger("counter_app.captions").debug("canary")
    assert any("canary" in line for line in all_logs.lines), "DEBUG records are not captured"
    captured = capfd.readouterr()
    _assert_absent(_needles(*texts), "\n".join(all_logs.lines), captured.out, captured.err)
