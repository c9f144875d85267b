"""espeak-ng fallback voice (the Debian program, run once per sentence).

Robotic but available for most languages; flagged Quality.LOW so the UI can
show a "low quality voice" hint.  Japanese kanji come out as "Chinese letter":
use Open JTalk for Japanese whenever it is installed.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from collections.abc import Iterator

from counter_app import languages
from counter_app.errors import EngineUnavailableError, ModelNotFoundError
from counter_app.events import AudioChunk, Quality
from counter_app.pipeline.base import Synthesizer
from counter_app.pipeline.sentences import split_rules

DEFAULT_WPM = 175  # espeak-ng's own default speaking rate
MIN_WPM, MAX_WPM = 80, 450
ESPEAK_RATE = 22_050  # espeak-ng's output rate for its standard voices


def split_sentences(text: str, language: str) -> list[str]:
    """Sentences of `text`, line by line, by the shared punctuation rules."""
    return [sentence for line in text.splitlines() for sentence in split_rules(line, language)]


def parse_wav_stream(data: bytes) -> AudioChunk:
    """Read espeak-ng's --stdout WAV, whose header sizes are placeholders."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("espeak-ng did not write WAV data")
    offset, rate = 12, ESPEAK_RATE
    while offset + 8 <= len(data):
        chunk_id = data[offset:offset + 4]
        (size,) = struct.unpack("<I", data[offset + 4:offset + 8])
        if chunk_id == b"fmt ":
            rate = struct.unpack("<I", data[offset + 12:offset + 16])[0]
        elif chunk_id == b"data":
            audio = data[offset + 8:]
            return AudioChunk(audio[:len(audio) // 2 * 2], rate)
        offset += 8 + size + (size & 1)
    raise ValueError("espeak-ng WAV output has no data chunk")


class EspeakSynthesizer(Synthesizer):
    """espeak-ng speaking one language; one chunk per sentence."""

    engine = "espeak"

    def __init__(self, language: str):
        lang = languages.get(language)
        if not lang.espeak:
            reason = lang.gap_reasons.get("espeak", "")
            raise ModelNotFoundError(
                "speech (espeak-ng)", lang.code,
                hint=reason or f"espeak-ng has no voice for {lang.english}.")
        self.program = shutil.which("espeak-ng")
        if self.program is None:
            raise EngineUnavailableError(
                "The espeak-ng program is not installed: apt-get install espeak-ng")
        self.language = lang.code
        self.voice = lang.espeak
        self.sample_rate = ESPEAK_RATE
        self.quality = Quality.LOW

    def synthesize(self, text: str, speed: float = 1.0) -> Iterator[AudioChunk]:
        if speed <= 0:
            raise ValueError(f"speed must be positive, not {speed}")
        wpm = max(MIN_WPM, min(MAX_WPM, round(DEFAULT_WPM * speed)))
        for sentence in split_sentences(text, self.language):
            chunk = self._speak(sentence, wpm)
            self.sample_rate = chunk.rate
            yield chunk

    def _speak(self, sentence: str, wpm: int) -> AudioChunk:
        # Text goes through stdin so a sentence starting with "-" is never an option.
        command = [self.program, "--stdout", "-b", "1", "-v", self.voice, "-s", str(wpm),
                   "--stdin"]
        result = subprocess.run(command, input=sentence.encode("utf-8"), capture_output=True,
                                check=False)
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()
            raise EngineUnavailableError(
                f"espeak-ng failed for voice {self.voice!r}: {message or result.returncode}. "
                "Reinstall it: apt-get install --reinstall espeak-ng espeak-ng-data")
        return parse_wav_stream(result.stdout)
