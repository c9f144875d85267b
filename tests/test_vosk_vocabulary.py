"""The compact Vosk vocabulary: the same answers as a set, a tenth of the memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_app.errors import ModelLoadError
from counter_app.pipeline.asr_vosk import segment
from counter_app.pipeline.vosk_vocabulary import WordSet, fst_symbols, model_vocabulary
from counter_app.store.local import packaged_models


def test_word_set_answers_like_a_set():
    words = ["도장", "을", "감사합니다", "도장", "passport", ""]
    vocabulary = WordSet(words)
    assert len(vocabulary) == 5  # duplicates once
    for word in words:
        assert word in vocabulary
    for stranger in ("도", "장을", "Passport", "passports", "감사", " "):
        assert stranger not in vocabulary
    assert 3 not in vocabulary and None not in vocabulary


def test_words_txt_is_read_and_segmented(tmp_path: Path):
    (tmp_path / "graph").mkdir()
    (tmp_path / "graph" / "words.txt").write_text(
        "<eps> 0\n도 1\n장을 2\n도장 3\n을 4\n\n감사합니다 5\n", encoding="utf-8")
    vocabulary = model_vocabulary(tmp_path)
    assert len(vocabulary) == 6
    assert segment("도장을", vocabulary) == ["도장", "을"]
    assert segment("없는말", vocabulary) is None


def test_a_folder_without_vocabulary_is_refused(tmp_path: Path):
    with pytest.raises(ModelLoadError, match="vocabulary"):
        model_vocabulary(tmp_path)
    (tmp_path / "bad.fst").write_bytes(b"\0" * 64)
    with pytest.raises(ModelLoadError, match="not an OpenFst"):
        fst_symbols(tmp_path / "bad.fst")


def test_the_real_korean_model_vocabulary_is_small():
    """The packaged Korean model has no words.txt: its Gr.fst symbol table is read."""
    model = next(m.path for m in packaged_models() if m.engine == "vosk")
    vocabulary = model_vocabulary(model)
    assert len(vocabulary) > 400_000
    assert vocabulary.nbytes == 8 * len(vocabulary) < 8 << 20  # a frozenset took 62-73 MB
    for word in ("감사합니다", "주소", "여권", "신청서", "번호표"):
        assert word in vocabulary
    assert "qqqzz" not in vocabulary and "도장" not in vocabulary  # 도장 is not one of its words
