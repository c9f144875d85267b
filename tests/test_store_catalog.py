"""Catalog parsers on real-format samples, URL rules, the resolver (pure logic)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from counter_app.errors import CatalogError, DownloadError
from counter_app.store import ModelStore
from counter_app.store.catalog import (
    Catalog,
    CatalogSources,
    load_catalogs,
    parse,
    parse_argos,
    parse_own,
    parse_piper,
    parse_vosk,
)
from counter_app.store.cli import language_availability
from counter_app.store.download import check_url
from counter_app.store.resolve import plan

# The real Argos index (June 2025) in shared/ beside the checkout (as CI lays it out).
ARGOS_INDEX = next((path for path in (
    Path(__file__).resolve().parents[2] / "shared/reference/argos-index-2025-06.json",
    Path("/work/shared/reference/argos-index-2025-06.json")) if path.is_file()),
    Path("/work/shared/reference/argos-index-2025-06.json"))
VOSK_LIST = [  # the shape of alphacephei's model-list.json
    {"lang": "ko", "lang_text": "Korean", "md5": "d" * 32, "name": "vosk-model-small-ko-0.22",
     "obsolete": "false", "size": 86_000_000, "size_text": "82.0MiB", "type": "small",
     "url": "https://alphacephei.com/vosk/models/vosk-model-small-ko-0.22.zip",
     "version": "0.22"},
    {"lang": "ja", "lang_text": "Japanese", "md5": "a" * 32, "name": "vosk-model-ja-0.22",
     "obsolete": "false", "size": 1_000_000_000, "size_text": "1.0GiB", "type": "big",
     "url": "https://alphacephei.com/vosk/models/vosk-model-ja-0.22.zip", "version": "0.22"},
    {"lang": "ja", "lang_text": "Japanese", "md5": "b" * 32,
     "name": "vosk-model-small-ja-0.22", "obsolete": "false", "size": 49_000_000,
     "size_text": "47MiB", "type": "small",
     "url": "https://alphacephei.com/vosk/models/vosk-model-small-ja-0.22.zip",
     "version": "0.22"},
    {"lang": "en-us", "lang_text": "English", "md5": "c" * 32,
     "name": "vosk-model-small-en-us-0.15", "obsolete": "false", "size": 41_000_000,
     "size_text": "39MiB", "type": "small",
     "url": "https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip",
     "version": "0.15"},
    {"lang": "en-us", "lang_text": "English", "md5": "e" * 32,
     "name": "vosk-model-small-en-us-0.3", "obsolete": "true", "size": 30_000_000,
     "size_text": "29MiB", "type": "small",
     "url": "https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.3.zip",
     "version": "0.3"},
    {"lang": "vn", "lang_text": "Vietnamese", "md5": "f" * 32, "name": "vosk-model-small-vn-0.4",
     "obsolete": "false", "size": 32_000_000, "size_text": "31MiB", "type": "small",
     "url": "https://alphacephei.com/vosk/models/vosk-model-small-vn-0.4.zip", "version": "0.4"},
]


def piper_voice(key: str, code: str, quality: str, size: int) -> dict:
    family, _, region = code.partition("_")
    name = key.split("-")[1]
    folder = f"{family}/{code}/{name}/{quality}"
    return {"key": key, "name": name, "quality": quality, "num_speakers": 1,
            "speaker_id_map": {}, "aliases": [],
            "language": {"code": code, "family": family, "region": region,
                         "name_native": family, "name_english": family,
                         "country_english": region},
            "files": {f"{folder}/{key}.onnx": {"size_bytes": size, "md5_digest": "0" * 32},
                      f"{folder}/{key}.onnx.json": {"size_bytes": 5000,
                                                    "md5_digest": "1" * 32},
                      f"{folder}/MODEL_CARD": {"size_bytes": 280, "md5_digest": "2" * 32}}}


PIPER_VOICES = {v["key"]: v for v in (
    piper_voice("en_US-joe-medium", "en_US", "medium", 63_201_294),
    piper_voice("en_US-amy-low", "en_US", "low", 63_000_000),
    piper_voice("en_US-lessac-high", "en_US", "high", 114_000_000),
    piper_voice("vi_VN-vais1000-medium", "vi_VN", "medium", 63_000_000),
    piper_voice("pt_PT-tugão-medium", "pt_PT", "medium", 63_000_000),
)}
NLLB = {"format": "counter-app-catalog", "version": 1, "models": [
    {"kind": "mt", "engine": "ct2", "name": "nllb-200-distilled-600M-int8",
     "languages": ["ja", "en", "ko", "vi", "ne", "my"], "pairs": "any",
     "url": "nllb-200-distilled-600M-int8.zip", "size": 640_000_000, "sha256": "0" * 64,
     "license": "CC-BY-NC-4.0", "version": "1"},
    {"kind": "asr", "engine": "whisper", "name": "faster-whisper-base-int8",
     "languages": ["*"], "url": "faster-whisper-base.zip", "size": 145_000_000,
     "sha256": "1" * 64, "license": "MIT"}]}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(parse_vosk(VOSK_LIST) + parse("argos", ARGOS_INDEX.read_bytes(), "https://x/i")
                   + parse_piper(PIPER_VOICES) + parse_own(NLLB, "http://mirror/ct2.json"))


def test_real_argos_index_parses_with_links_and_languages():
    entries = parse_argos(json.loads(ARGOS_INDEX.read_text()))
    pairs = {e.languages for e in entries}
    assert ("ja", "en") in pairs and ("en", "ko") in pairs
    assert not any("vi" in p for p in pairs)
    ja_en = next(e for e in entries if e.languages == ("ja", "en"))
    assert ja_en.files[0].url.startswith("https://") and ja_en.size is None
    assert ja_en.name == "translate-ja_en"


def test_vosk_and_piper_entries_carry_sizes_checksums_and_variants():
    vosk = {e.name: e for e in parse_vosk(VOSK_LIST)}
    assert vosk["vosk-model-small-ko-0.22"].languages == ("ko",)
    assert vosk["vosk-model-small-ko-0.22"].files[0].md5 == "d" * 32
    assert vosk["vosk-model-small-en-us-0.3"].obsolete
    assert vosk["vosk-model-small-vn-0.4"].languages == ("vi",)
    piper = {e.name: e for e in parse_piper(PIPER_VOICES, "http://m/piper/voices.json")}
    joe = piper["en_US-joe-medium"]
    assert [f.name for f in joe.files] == ["en_US-joe-medium.onnx", "en_US-joe-medium.onnx.json",
                                           "MODEL_CARD"]  # the card states the licence
    assert joe.files[0].url == ("http://m/piper/en/en_US/joe/medium/en_US-joe-medium.onnx")
    assert joe.files[2].url == "http://m/piper/en/en_US/joe/medium/MODEL_CARD"
    assert joe.size == 63_201_294 + 5000 + 280 and joe.region == "en_US"
    assert "pt_PT-tugão-medium" not in piper  # our "pt" is Brazilian Portuguese


@pytest.mark.parametrize("raw, message", [
    (b"<html>Not found</html>", "not JSON"),
    (b'{"lang": "ko"}', "expected a JSON list"),
    (b'[{"name": "vosk-model-small-ko-0.22", "lang": "ko", "url": "u"}]', "'size' is missing"),
    (b'[{"name": "m", "lang": "ko", "url": "u", "size": "big"}]', "unexpected value"),
])
def test_broken_vosk_catalog_is_a_clear_error(raw, message):
    with pytest.raises(CatalogError, match=message):
        parse("vosk", raw, "http://mirror/model-list.json")


def test_broken_piper_and_own_catalogs_are_clear_errors():
    voices = {"en_US-joe-medium": dict(PIPER_VOICES["en_US-joe-medium"], files=[])}
    with pytest.raises(CatalogError, match="'files' has an unexpected value"):
        parse_piper(voices)
    with pytest.raises(CatalogError, match="counter-app-catalog"):
        parse_own({"models": []}, "http://m/c.json")
    bad = {"format": "counter-app-catalog", "version": 1,
           "models": [dict(NLLB["models"][0], engine="marian")]}
    with pytest.raises(CatalogError, match="unknown kind/engine"):
        parse_own(bad, "http://m/c.json")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://mirror/x.zip", "/models/x.zip",
                                 "http:///nohost"])
def test_only_http_urls_are_accepted(url, tmp_path):
    with pytest.raises(DownloadError, match="Only http"):
        check_url(url)
    with pytest.raises(DownloadError, match="Only http"):
        load_catalogs(CatalogSources(vosk=url, argos=None, piper=None), tmp_path)


def test_catalogs_load_from_cache_without_network(tmp_path, no_network):
    sources = CatalogSources(vosk="http://mirror.example/model-list.json", argos=None,
                             piper=None)
    assert load_catalogs(sources, tmp_path).entries == []  # nothing cached, nothing fetched
    (tmp_path / "vosk.json").write_text(json.dumps(VOSK_LIST))
    (tmp_path / "vosk.url").write_text(sources.vosk)
    catalog = load_catalogs(sources, tmp_path)
    assert catalog.loaded == ["vosk"] and len(catalog.entries) == len(VOSK_LIST)


def test_plan_for_ja_en_ko_vi(catalog, tmp_path):
    store = ModelStore(tmp_path, include_packages=False)
    wanted = plan(["ja", "en", "ko", "vi"], catalog, store)
    names = [e.name for e in wanted.entries]
    assert "vosk-model-small-ja-0.22" in names and "vosk-model-ja-0.22" not in names
    assert {"vosk-model-small-ko-0.22", "vosk-model-small-en-us-0.15",
            "vosk-model-small-vn-0.4"} <= set(names)
    assert "vosk-model-small-en-us-0.3" not in names  # obsolete
    # ja<->ko: no direct Argos package, so via English; vi: only NLLB has it
    assert {"translate-ja_en", "translate-en_ja", "translate-ko_en", "translate-en_ko"} <= \
        set(names)
    assert names.count("nllb-200-distilled-600M-int8") == 1
    assert "en_US-amy-low" in names and "en_US-joe-medium" not in names
    assert "vi_VN-vais1000-medium" in names
    assert any("ja: speech by Open JTalk" in n for n in wanted.notes)
    assert any(n.startswith("ko: Piper has no Korean voice") for n in wanted.notes)
    assert wanted.unknown_sizes == 4  # the Argos index has no sizes
    assert wanted.total_size >= 640_000_000 + 49_000_000


def test_plan_uses_whisper_where_vosk_has_nothing_and_skips_installed(catalog):
    store = ModelStore("/nonexistent-store", include_packages=True)  # vosk-ko, joe shipped
    wanted = plan(["ko", "th"], catalog, store)
    names = [e.name for e in wanted.entries]
    assert "faster-whisper-base-int8" in names  # Thai: no Vosk model
    assert "vosk-model-small-ko-0.22" not in names  # the package already ships it


def test_language_availability_offline(catalog, no_network):
    store = ModelStore("/nonexistent-store", include_packages=True)
    rows = {r.code: r for r in language_availability(store, catalog)}
    assert rows["ko"].installed["asr"] == ["vosk"]
    assert "mt ja->ko" in rows["ko"].missing and "asr" not in rows["ko"].missing
    assert rows["en"].installed["tts"] == ["piper"]
    assert rows["ja"].installed["tts"] == ["openjtalk (system)"]
    assert rows["vi"].download_size is not None and rows["vi"].download_size > 640_000_000
    assert rows["ko"].download_size is None  # needs Argos packages: size unknown
    without = {r.code: r for r in language_availability(store)}
    assert without["vi"].download_size is None and "asr" in without["vi"].missing
