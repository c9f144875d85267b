"""Which speech engines can speak a language, best first (registry only)."""

from __future__ import annotations

from counter_app import languages


def available_synthesizers(language: str) -> list[str]:
    """Engine names for `language`, best first: piper, openjtalk, espeak.

    Says what exists upstream, not what is installed: the engine factory checks
    the model store.  espeak-ng comes last because it is the low-quality voice.
    """
    lang = languages.get(language)
    engines = []
    if lang.piper:
        engines.append("piper")
    if lang.openjtalk:
        engines.append("openjtalk")
    if lang.espeak:
        engines.append("espeak")
    return engines
