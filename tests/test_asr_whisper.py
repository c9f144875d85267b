"""Whisper base (faster-whisper, int8) on real speech from Open JTalk, espeak-ng and Piper."""

from __future__ import annotations

import numpy as np
import pytest

from counter_app.errors import ModelLoadError, UnknownLanguageError
from counter_app.events import AudioChunk
from counter_app.pipeline.asr_whisper import (
    AUTO,
    StreamingVad,
    VadSettings,
    WhisperRecognizer,
    speech_bounds,
    stable_prefix,
)
from counter_app.pipeline.audio import read_wav, split
from counter_app.pipeline.whisper_stream import StreamSettings, WhisperSession
from tests.whisper_fixtures import (
    OFFICE_PROMPT_JA,
    character_error_rate,
    normalize_text,
    whisper_base_path,
)

pytestmark = pytest.mark.slow

JA_SENTENCES = ("住民票の写しをください。", "マイナンバーカードはお持ちですか。",
                "番号札を取って、お待ちください。", "この書類に記入してください。",
                "お名前を教えてください。")
# Recognized exactly (up to punctuation) in every run so far.
JA_STABLE = ("マイナンバーカードはお持ちですか。", "お名前を教えてください。")
VI_SENTENCE = "Tôi muốn đăng ký địa chỉ mới."
EN_SENTENCE = "I would like a copy of my residence certificate."


@pytest.fixture(scope="module")
def whisper() -> WhisperRecognizer:
    """The multilingual base model, language detected per utterance."""
    return WhisperRecognizer(whisper_base_path(), None)


@pytest.fixture(scope="module")
def whisper_ja(whisper) -> WhisperRecognizer:
    return whisper.for_language("ja", initial_prompt=OFFICE_PROMPT_JA)


def final_text(recognizer: WhisperRecognizer, audio: AudioChunk) -> str:
    session = recognizer.start(partial_interval=0)
    assert session.accept(audio) is None
    return session.finish().text


def silence(seconds: float) -> AudioChunk:
    return AudioChunk(bytes(int(16_000 * seconds) * 2), 16_000)


def joined(*chunks: AudioChunk) -> AudioChunk:
    return AudioChunk(b"".join(chunk.audio for chunk in chunks), 16_000)


def last_sound(audio: AudioChunk) -> float:
    """Seconds to the last sample louder than 2% of the peak."""
    samples = np.abs(audio.to_array().astype(np.int32))
    return float(np.nonzero(samples > 0.02 * samples.max())[0][-1]) / audio.rate


def test_japanese_counter_sentences_within_cer_bound(whisper_ja, speech, no_network):
    results = {text: final_text(whisper_ja, read_wav(speech.openjtalk(text)))
               for text in JA_SENTENCES}
    errors = sum(character_error_rate(ref, hyp) * len(normalize_text(ref))
                 for ref, hyp in results.items())
    total = sum(len(normalize_text(ref)) for ref in results)
    assert errors / total <= 0.25, results
    assert all(character_error_rate(ref, hyp) <= 0.4 for ref, hyp in results.items()), results
    for text in JA_STABLE:
        assert normalize_text(results[text]) == normalize_text(text)


def test_fixed_language_transcript_carries_our_code(whisper_ja, speech):
    session = whisper_ja.start(partial_interval=0)
    session.accept(read_wav(speech.openjtalk("お名前を教えてください。")))
    final = session.finish()
    assert final.is_final and final.language == "ja"
    assert final.detected_probability is None  # nothing was detected


@pytest.mark.parametrize(("make", "expected"), [
    (lambda s: s.openjtalk("住民票の写しをください。"), "ja"),
    (lambda s: s.espeak(VI_SENTENCE, "vi"), "vi"),
    (lambda s: s.piper(EN_SENTENCE), "en"),
])
def test_detects_spoken_language(whisper, speech, make, expected):
    ranked = whisper.detect_language(read_wav(make(speech)))
    assert ranked[0][0] == expected and ranked[0][1] > 0.5, ranked[:3]
    probabilities = [p for _, p in ranked]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(code in {"ja", "vi", "en", "zh", "ko", "th", "km", "pl", "ar", "de", "fr", "es",
                        "pt", "ru", "hi", "tl", "id", "ms", "it", "nl", "uk", "tr", "fa",
                        "ur", "bn", "mn", "si", "ne", "my"} for code, _ in ranked)


def test_detected_language_fills_the_final(whisper, speech):
    assert whisper.language == AUTO
    session = whisper.start(partial_interval=0)
    session.accept(read_wav(speech.espeak(VI_SENTENCE, "vi")))
    final = session.finish()
    assert final.language == "vi"
    assert final.detected_probability is not None and final.detected_probability > 0.5
    assert character_error_rate(VI_SENTENCE, final.text) <= 0.35, final.text


def test_partials_only_extend_and_decode_at_a_bounded_rate(whisper_ja, speech):
    text = "住民票の写しをください。マイナンバーカードはお持ちですか。"
    audio = read_wav(speech.openjtalk(text))
    session = WhisperSession(whisper_ja, whisper_ja._prompt(None), StreamSettings(
        partial_interval=1.0, adaptive=False), VadSettings())  # LocalAgreement-2 partials
    partials = [t for chunk in split(audio, 0.1) if (t := session.accept(chunk))]
    assert partials and not any(t.is_final for t in partials)
    for before, after in zip(partials, partials[1:], strict=False):
        assert after.text.startswith(before.text) and len(after.text) > len(before.text)
    assert session.decodes <= int(audio.seconds / 1.0)
    final = session.finish()
    assert session.decodes <= int(audio.seconds / 1.0) + 1
    assert final.is_final and character_error_rate(text, final.text) <= 0.25, final.text
    assert character_error_rate(text[:len(partials[-1].text)], partials[-1].text) <= 0.4


def test_hands_free_ends_each_utterance_after_silence(whisper_ja, speech):
    first = read_wav(speech.openjtalk("住民票の写しをください。"))
    second = read_wav(speech.openjtalk("お名前を教えてください。"))
    stream = joined(first, silence(1.5), second, silence(1.5))
    session = whisper_ja.start(partial_interval=0, end_silence_ms=600)
    finals, fed = [], 0.0
    for chunk in split(stream, 0.1):
        fed += chunk.seconds
        if (result := session.accept(chunk)) is not None:
            assert result.is_final
            finals.append((fed, result.text))
    assert len(finals) == 2, finals
    assert last_sound(first) + 0.6 - 0.1 <= finals[0][0] <= first.seconds + 1.5
    assert character_error_rate("住民票の写しをください。", finals[0][1]) <= 0.25
    assert normalize_text(finals[1][1]) == "お名前を教えてください"
    assert session.finish().text == ""  # only silence left: nothing decoded
    assert session.decodes == 2


def test_silence_is_not_decoded(whisper_ja):
    session = whisper_ja.start()
    for chunk in split(silence(3.0), 0.1):
        assert session.accept(chunk) is None
    final = session.finish()
    assert final.text == "" and final.is_final and session.decodes == 0


def test_streaming_vad_equals_one_call_on_the_whole_clip(speech):
    from faster_whisper.vad import get_vad_model

    audio = read_wav(speech.openjtalk("番号札を取って、お待ちください。"))
    samples = audio.to_array().astype(np.float32) / 32768
    whole = get_vad_model()(samples[:len(samples) // 512 * 512]).reshape(-1)
    vad = StreamingVad()
    for chunk in split(audio, 0.07):
        vad.feed(chunk.to_array().astype(np.float32) / 32768)
    assert np.allclose(vad.probabilities, whole, atol=1e-3)
    start, end = speech_bounds(vad.probabilities, VadSettings())
    assert start >= 0.1 * 16_000 and end <= len(samples)  # the leading pad was trimmed


@pytest.mark.parametrize(("previous", "current", "unspaced", "expected"), [
    ("住民兵の", "住民票の写し", True, "住民"),
    ("住民票の写し", "住民票の写しを", True, "住民票の写し"),
    ("I would like a cop", "I would like a copy of", False, "I would like a"),
    ("I would", "I would", False, "I would"),
    ("", "anything", False, ""),
])
def test_stable_prefix(previous, current, unspaced, expected):
    assert stable_prefix(previous, current, unspaced) == expected


def test_sibling_recognizers_share_one_model(whisper, whisper_ja):
    assert whisper_ja.model is whisper.model and whisper_ja.language == "ja"
    with pytest.raises(UnknownLanguageError):
        whisper.for_language("xx")


def test_folder_without_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelLoadError, match="no model.bin"):
        WhisperRecognizer(tmp_path, "ja")
