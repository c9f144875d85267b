"""The lean install (docs/footprint.md): Whisper without PyAV, Open JTalk on Sudachi small.

Each lean case runs in a fresh interpreter where the left-out package cannot be
imported (`sys.modules[name] = None`: `import` fails, `find_spec` answers None, as
when it is not installed), on the real models, and is compared with this full install.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from counter_app.errors import EngineUnavailableError
from counter_app.events import AudioChunk
from counter_app.pipeline import lean_install
from counter_app.pipeline.audio import resample, split
from counter_app.pipeline.base import ASR_RATE

JAPANESE = "住民票の写しをください。マイナンバーカードはお持ちですか。"
HOMOGRAPH = "相談窓口がある方は、こちらへどうぞ。"  # 方: カタ, not ホー


def run_lean(left_out: tuple[str, ...], body: str) -> dict:
    """Run `body` (it prints one JSON line) where the `left_out` modules are missing."""
    code = "import sys\n" + "".join(f"sys.modules[{name!r}] = None\n" for name in left_out)
    done = subprocess.run([sys.executable, "-c", code + textwrap.dedent(body)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


SPEAK_AND_RECOGNIZE = """
    import json
    from counter_app.events import AudioChunk
    from counter_app.pipeline.audio import resample, split
    from counter_app.pipeline.asr_whisper import WhisperRecognizer
    from counter_app.pipeline.tts_openjtalk import OpenJTalkSynthesizer
    from tests.whisper_fixtures import whisper_base_path

    def recognize(text):
        chunks = list(OpenJTalkSynthesizer().synthesize(text))
        samples = [resample(c.to_array(), c.rate, 16000) for c in chunks]
        import numpy as np
        audio = np.concatenate(samples).astype(np.int16)
        recognizer = WhisperRecognizer(whisper_base_path(), "ja", threads=2)
        session = recognizer.start(partial_interval=0)
        for piece in split(AudioChunk(audio.tobytes(), 16000), 0.1):
            session.accept(piece)
        return session.finish().text
"""


def full_install_text(text: str) -> str:
    from counter_app.pipeline.asr_whisper import WhisperRecognizer
    from counter_app.pipeline.tts_openjtalk import OpenJTalkSynthesizer
    from tests.whisper_fixtures import whisper_base_path

    chunks = list(OpenJTalkSynthesizer().synthesize(text))
    audio = np.concatenate([resample(c.to_array(), c.rate, ASR_RATE) for c in chunks])
    session = WhisperRecognizer(whisper_base_path(), "ja", threads=2).start(partial_interval=0)
    for piece in split(AudioChunk(audio.astype(np.int16).tobytes(), ASR_RATE), 0.1):
        session.accept(piece)
    return session.finish().text


def test_full_install_keeps_real_pyav():
    pytest.importorskip("av")
    assert lean_install.allow_whisper_without_pyav() is False
    assert type(sys.modules.get("av", None)).__name__ != "_NoPyAV"


@pytest.mark.slow
def test_whisper_recognizes_the_same_without_pyav():
    lean = run_lean(("av",), SPEAK_AND_RECOGNIZE + f"""
    text = recognize({JAPANESE!r})
    import av
    try:
        av.open("speech.wav")
        error = ""
    except ImportError as exc:
        error = str(exc)
    print(json.dumps({{"text": text, "av": type(av).__name__, "error": error}}))
    """)
    assert lean["av"] == "_NoPyAV"
    assert "PyAV is not installed" in lean["error"]
    assert "マイナンバーカード" in lean["text"]
    assert lean["text"] == full_install_text(JAPANESE)  # same model, same audio, same words


def _openjtalk_report(texts: tuple[str, ...]) -> str:
    return f"""
    import hashlib, json
    import pyopenjtalk
    from counter_app.pipeline.lean_install import sudachi_dictionary
    from counter_app.pipeline.tts_openjtalk import OpenJTalkSynthesizer
    from counter_app.phrasebook import agreement, readings

    voice = OpenJTalkSynthesizer()
    audio = {{t: hashlib.sha1(b"".join(c.audio for c in voice.synthesize(t))).hexdigest()
             for t in {texts!r}}}
    print(json.dumps({{"dictionary": sudachi_dictionary(), "audio": audio,
                      "kana": pyopenjtalk.g2p({HOMOGRAPH!r}, kana=True),
                      "reading": readings.japanese_reading({HOMOGRAPH!r}),
                      "tokenizer": agreement._sudachi() is not None}}))
    """


@pytest.mark.slow
def test_openjtalk_speaks_the_same_with_sudachi_small():
    pytest.importorskip("sudachidict_small")
    from counter_app.pipeline.tts_openjtalk import OpenJTalkSynthesizer

    texts = (JAPANESE, HOMOGRAPH, "転出届の手数料は三百円です。")
    lean = run_lean(("sudachidict_core",), _openjtalk_report(texts))
    assert lean["dictionary"] == "small"
    assert "カタワ" in lean["kana"]  # the homograph correction still works
    assert "かたは" in lean["reading"] and lean["tokenizer"]
    voice = OpenJTalkSynthesizer()
    for text in texts:  # bit for bit the speech of the full install
        full = hashlib.sha1(b"".join(c.audio for c in voice.synthesize(text))).hexdigest()
        assert lean["audio"][text] == full, text


def test_openjtalk_without_any_sudachi_dictionary_says_what_to_install():
    pytest.importorskip("pyopenjtalk")
    report = run_lean(("sudachidict_core", "sudachidict_small"), """
    import json
    from counter_app.errors import EngineUnavailableError
    from counter_app.phrasebook import readings
    from counter_app.pipeline.tts_openjtalk import OpenJTalkSynthesizer
    try:
        OpenJTalkSynthesizer()
        error = ""
    except EngineUnavailableError as exc:
        error = str(exc)
    print(json.dumps({"error": error, "reading": readings.japanese_reading("方")}))
    """)
    assert "sudachidict-core" in report["error"] and "sudachidict-small" in report["error"]
    assert report["reading"] == ""  # no kana readings rather than a crash


def test_sudachi_dictionary_prefers_core(monkeypatch):
    found = {"sudachidict_core", "sudachidict_small"}
    monkeypatch.setattr(lean_install.importlib.util, "find_spec",
                        lambda name: object() if name in found else None)
    assert lean_install.sudachi_dictionary() == "core"
    found.discard("sudachidict_core")
    assert lean_install.sudachi_dictionary() == "small"
    found.clear()
    assert lean_install.sudachi_dictionary() is None
    with pytest.raises(EngineUnavailableError, match="sudachidict"):
        lean_install.prepare_openjtalk_sudachi()
