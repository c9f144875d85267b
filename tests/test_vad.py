from counter_app.events import AudioChunk
from counter_app.pipeline.audio import WavFileSource, write_wav
from counter_app.pipeline.vad import EndOfSpeechGate


def test_gate_ends_after_speech_then_silence(tmp_path, speech):
    spoken = WavFileSource(speech.espeak("감사합니다", "ko")).audio
    silence = AudioChunk(bytes(16000 * 2 * 3), 16000)  # 3 s
    path = tmp_path / "utterance.wav"
    write_wav(path, [spoken, silence, spoken])
    gate = EndOfSpeechGate(WavFileSource(path), silence_seconds=0.8)
    heard = sum(c.seconds for c in gate.chunks())
    # stops ~0.8 s into the silence, long before the second utterance
    assert spoken.seconds < heard < spoken.seconds + 1.3
    assert gate.speech_seconds > 0.3


def test_gate_waits_while_only_silence(tmp_path):
    path = tmp_path / "quiet.wav"
    write_wav(path, [AudioChunk(bytes(16000 * 2 * 2), 16000)])
    gate = EndOfSpeechGate(WavFileSource(path), silence_seconds=0.5)
    assert abs(sum(c.seconds for c in gate.chunks()) - 2.0) < 0.01  # never cut: no speech yet
