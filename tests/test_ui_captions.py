"""Caption screen on the real Vosk Korean model, fed from WAV files (offscreen)."""


import pytest

pytest.importorskip("PySide6")

from counter_app.app import build_caption_window  # noqa: E402
from counter_app.config import Settings  # noqa: E402
from counter_app.events import AudioChunk  # noqa: E402
from counter_app.pipeline.audio import WavFileSource, write_wav  # noqa: E402
from counter_app.pipeline.factory import EngineFactory  # noqa: E402
from counter_app.session import CounterSession  # noqa: E402
from counter_app.store import ModelStore  # noqa: E402

SAID = ["번호표를 뽑아 주세요", "이 서류를 작성해 주세요"]
LEAD = 1.5  # seconds of silence before each sentence


@pytest.fixture(scope="module")
def factory(test_store_root):
    return EngineFactory(ModelStore(test_store_root))


@pytest.fixture(scope="module")
def recording(speech, tmp_path_factory):
    """Two Korean sentences with silence around them, and where each one starts."""
    silence = AudioChunk(bytes(int(16000 * LEAD) * 2), 16000)
    parts, onsets, t = [], [], 0.0
    for sentence in SAID:
        spoken = WavFileSource(speech.espeak(sentence, "ko")).audio
        parts += [silence, spoken]
        onsets.append(t + LEAD + 0.3)  # SpeechMaker pads 0.3 s before the voice
        t += LEAD + spoken.seconds
    parts.append(silence)
    path = tmp_path_factory.mktemp("captions") / "two.wav"
    write_wav(path, parts)
    return path, onsets


def _window(qtbot, factory, recording, translation=None, **caption_settings):
    settings = Settings()
    settings.captions.translation_language = translation
    for key, value in caption_settings.items():
        setattr(settings.captions, key, value)
    path, _ = recording
    window = build_caption_window(CounterSession(settings, factory), speakers={
        "職員": ("ko", lambda: WavFileSource(path, chunk_seconds=0.1))})
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


@pytest.mark.slow
def test_partials_then_finals_with_audio_timestamps(qtbot, factory, recording, tmp_path):
    window = _window(qtbot, factory, recording)
    partials = []
    window.bridge.event.connect(
        lambda e: partials.append(e.text) if type(e).__name__ == "CaptionPartial" else None)
    window.start()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=60_000)
    window.stop()
    assert partials, "partials shown before the finals"
    lines = window.model.lines
    assert all(any("\uac00" <= ch <= "\ud7a3" for ch in line.text) for line in lines)
    assert window.partial.text() == ""  # the partial line was replaced by the final
    _, onsets = recording
    for line, onset in zip(lines, onsets, strict=True):
        assert abs(line.start - onset) < 0.6, (line.start, onset)
        assert line.end > line.start
    srt = window.session.to_srt()
    assert srt.startswith("1\n00:00:0")
    first = lines[0]
    window.correct_line(window.model.index(0), "번호표를 뽑아 주세요")
    exported = window.session.export(tmp_path / "shift.srt").read_text(encoding="utf-8")
    assert "職員: 번호표를 뽑아 주세요" in exported
    assert window.model.lines[0].corrected and window.model.lines[0].id == first.id


@pytest.mark.slow
def test_translation_line_and_themes(qtbot, factory, recording, shots_dir):
    window = _window(qtbot, factory, recording, translation="en", font_size=64)
    window.start()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2
                    and all(line.translation for line in window.model.lines), timeout=60_000)
    window.stop()
    service = factory.translation_service()
    line = window.model.lines[0]
    assert line.translation == service.translate(line.text, "ko", "en", back=False).text
    for theme in ("white-on-black", "black-on-white", "yellow-on-black"):
        window.set_theme(theme)
        window.partial.setText("職員: 잠시만 기다려")  # how a live partial looks
        qtbot.wait(50)
        assert window.grab().save(str(shots_dir / f"captions-{theme}.png"))
    window.step_font(+1)
    assert window.font_px == 80
    window.search_box.setText("서류")
    found = window.find_next()
    assert found is None or "서류" in found.text


def test_line_spacing_changes_row_height(qtbot, factory, recording):
    window = _window(qtbot, factory, recording)
    window.session.add("職員", "番号札をお取りください", 0, 1)
    window.model.append(window.session.lines()[0])
    delegate, index = window.view.itemDelegate(), window.model.index(0)
    heights = []
    for _ in range(3):
        heights.append(delegate.sizeHint(None, index).height())
        window.cycle_line_spacing()
    assert window.settings.line_spacing == 1.3  # 1.3 -> 1.6 -> 1.0 -> 1.3
    assert heights[1] > heights[0] > heights[2]


def test_clear_wipes_memory(qtbot, factory, recording):
    window = _window(qtbot, factory, recording)
    window.session.add("職員", "テスト", 0, 1)
    window.model.append(window.session.lines()[0])
    window.clear()
    assert window.model.rowCount() == 0 and window.session.lines() == []


def test_term_corrections_apply_to_captions(qtbot, factory, recording, tmp_path):
    from counter_app.phrasebook.library import Library

    path, _ = recording
    settings = Settings()
    library = Library(tmp_path / "library")  # the shipped term dictionary
    window = build_caption_window(CounterSession(settings, factory, library=library), speakers={
        "職員": ("ja", lambda: WavFileSource(path))})
    qtbot.addWidget(window)
    runner = window.runners[0]
    assert runner.postprocess("住民兵の写し") == "住民票の写し"


def test_lines_are_labelled_by_microphone_or_by_pauses(qtbot, factory):
    settings = Settings()
    one_mic = build_caption_window(CounterSession(settings, factory))
    qtbot.addWidget(one_mic)
    (runner,) = one_mic.runners
    assert runner.speaker == "話者" and runner.pause_speaker_change == 2.0
    settings.captions.resident_microphone = "USB mic"
    two_mics = build_caption_window(CounterSession(settings, factory))
    qtbot.addWidget(two_mics)
    assert [r.speaker for r in two_mics.runners] == ["職員", "来庁者"]
    assert all(r.pause_speaker_change is None for r in two_mics.runners)
