"""Choosing the right upstream model, on real-format catalog snapshots.

Vosk: Alpha Cephei's own small model, the newest, under a licence an office can
use (French: small-fr-0.22, not the non-commercial small-fr-pguyot-0.3;
Filipino: Whisper, not the non-commercial tl-ph model).  Piper: the region the
language registry (or the settings) names, other regions after.  A malformed
entry in any catalog is skipped with a warning; the rest loads.
"""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path

import pytest

from counter_app import config
from counter_app.config import CatalogSettings
from counter_app.errors import CatalogError
from counter_app.store import ModelStore
from counter_app.store.catalog import (
    PIPER_URL,
    Catalog,
    CatalogSources,
    load_catalogs,
    parse_argos,
    parse_own,
    parse_piper,
    parse_vosk,
)
from counter_app.store.catalog_upstream import model_card_licence, vosk_licences
from counter_app.store.resolve import asr_entry, plan, tts_entry

SNAPSHOTS = Path(__file__).parent / "fixtures" / "catalogs"
VOSK_LIST = json.loads((SNAPSHOTS / "vosk-model-list.json").read_text())
PIPER_VOICES = json.loads((SNAPSHOTS / "piper-voices.json").read_text())
WHISPER = {"format": "counter-app-catalog", "version": 1, "models": [
    {"kind": "asr", "engine": "whisper", "name": "faster-whisper-base-int8",
     "languages": ["*"], "url": "faster-whisper-base.zip", "size": 145_000_000,
     "sha256": None, "license": "MIT", "variant": "base"}]}
VOSK_URL = "https://alphacephei.com/vosk/models/model-list.json"


def catalog(vosk=VOSK_LIST, piper=PIPER_VOICES, own=WHISPER, regions=None) -> Catalog:
    entries = parse_vosk(vosk, VOSK_URL) + parse_piper(piper, PIPER_URL)
    if own:
        entries += parse_own(own, "http://mirror/ct2.json")
    return Catalog(entries, regions=regions or {})


def test_one_piper_default_the_one_piper_itself_uses():
    import piper.download_voices as upstream

    assert PIPER_URL == "https://huggingface.co/rhasspy/piper-voices/resolve/main/voices.json"
    assert upstream.VOICES_JSON.startswith(PIPER_URL)  # piper's own download URL
    assert CatalogSettings().piper == PIPER_URL == CatalogSources().piper


def test_vosk_licences_come_from_the_models_page_table():
    table = json.loads((Path(__file__).parents[1] / "counter_app/data/vosk-licences.json")
                       .read_text())
    assert "alphacephei.com/vosk/models" in table["source"]
    licences = vosk_licences()
    assert licences["vosk-model-small-fr-0.22"] == "Apache 2.0"
    assert licences["vosk-model-small-fr-pguyot-0.3"] == "CC-BY-NC-SA 4.0"
    assert licences["vosk-model-tl-ph-generic-0.6"] == "CC-BY-NC-SA 4.0"
    entries = {e.name: e for e in parse_vosk(VOSK_LIST)}
    assert entries["vosk-model-small-fr-pguyot-0.3"].non_commercial
    assert entries["vosk-model-small-fr-pguyot-0.3"].edition == "pguyot"
    assert not entries["vosk-model-small-fr-0.22"].non_commercial
    assert entries["vosk-model-small-fr-0.22"].edition == ""
    assert entries["vosk-model-tl-ph-generic-0.6"].languages == ("tl",)


def test_french_takes_the_vendors_newest_small_model_not_pguyot():
    wanted = catalog()
    pguyot = wanted.find("vosk-model-small-fr-pguyot-0.3")
    assert pguyot.size < wanted.find("vosk-model-small-fr-0.22").size  # smaller, yet:
    assert asr_entry(wanted, "fr").name == "vosk-model-small-fr-0.22"
    # even if pguyot's licence were permissive, the vendor's own line comes first
    relicensed = [e for e in wanted.entries if e.name != pguyot.name] + [
        type(pguyot)(**{**{f: getattr(pguyot, f) for f in pguyot.__dataclass_fields__},
                        "license": "Apache 2.0"})]
    assert asr_entry(Catalog(relicensed), "fr").name == "vosk-model-small-fr-0.22"


def test_filipino_is_served_by_whisper_not_the_non_commercial_vosk_model(tmp_path):
    store = ModelStore(tmp_path, include_packages=False)
    wanted = catalog()
    assert asr_entry(wanted, "tl").name == "faster-whisper-base-int8"
    names = [e.name for e in plan(["tl"], wanted, store).entries]
    assert "vosk-model-tl-ph-generic-0.6" not in names
    # with no other catalog, the non-commercial model is the last resort, and said
    alone = plan(["tl"], catalog(own=None), store)
    assert "vosk-model-tl-ph-generic-0.6" in [e.name for e in alone.entries]
    assert any("tl: vosk-model-tl-ph-generic-0.6" in note and "commercial" in note
               for note in alone.notes)


def test_english_vietnamese_chinese_take_the_newest_usable_small_model():
    wanted = catalog()
    # 0.15 over zamia-0.5 (third-party, LGPL, "mainly for research") and obsolete 0.3
    assert asr_entry(wanted, "en").name == "vosk-model-small-en-us-0.15"
    assert asr_entry(wanted, "vi").name == "vosk-model-small-vn-0.4"  # not the smaller 0.3
    assert asr_entry(wanted, "zh").name == "vosk-model-small-cn-0.22"
    assert asr_entry(wanted, "ja").name == "vosk-model-small-ja-0.22"


def test_piper_prefers_the_registry_region_then_falls_back():
    wanted = catalog()
    en = tts_entry(wanted, "en")
    assert en.region == "en_US" and en.name == "en_US-lessac-low"  # not en_GB's smaller x_low
    assert tts_entry(wanted, "es").name == "es_ES-davefx-medium"  # es_ES, not es_MX
    assert tts_entry(wanted, "pt").name == "pt_BR-faber-medium"
    only_mexico = {k: v for k, v in PIPER_VOICES.items() if not k.startswith("es_ES")}
    assert tts_entry(catalog(piper=only_mexico), "es").region == "es_MX"  # fallback


def test_piper_region_setting_reaches_the_planner(tmp_path):
    settings = CatalogSettings(piper_regions={"es": "es_MX"})
    sources = CatalogSources.from_settings(settings)
    assert sources.regions == {"es": "es_MX"}
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "piper.json").write_text(json.dumps(PIPER_VOICES))
    (cache / "piper.url").write_text(sources.piper)
    loaded = load_catalogs(CatalogSources(vosk=None, argos=None, piper=sources.piper, ct2=None,
                                          regions=sources.regions), cache)
    assert tts_entry(loaded, "es").name == "es_MX-ald-medium"
    assert tts_entry(loaded, "en").region == "en_US"


def test_piper_region_setting_is_checked(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"catalogs": {"piper_regions": {"es": "es_MX"}}}))
    assert config.load(path).catalogs.piper_regions == {"es": "es_MX"}
    path.write_text(json.dumps({"catalogs": {"piper_regions": {"es": "fr_FR"}}}))
    report = config.load_report(path)
    assert report.settings.catalogs.piper_regions == {}
    assert "catalogs.piper_regions" in report.problems[0].fields


ARGOS = [{"from_code": "ja", "to_code": "en", "links": ["https://x/ja_en.argosmodel"]},
         {"from_code": "en", "to_code": "ja", "links": ["https://x/en_ja.argosmodel"]}]


def malformed(kind: str):
    """(the catalog with one broken entry among good ones, the intact catalog, the
    broken entry's name)."""
    if kind == "vosk":
        data = copy.deepcopy(VOSK_LIST)
        del data[3]["size"]
        return data, VOSK_LIST, VOSK_LIST[3]["name"]
    if kind == "piper":
        data = copy.deepcopy(PIPER_VOICES)
        data["en_US-lessac-low"]["files"] = []
        return data, PIPER_VOICES, "en_US-lessac-low"
    if kind == "argos":
        return [ARGOS[0], {**ARGOS[1], "links": "not-a-list"}], ARGOS, "translate-en_ja"
    broken = {**WHISPER["models"][0], "engine": "marian", "name": "marian"}
    return {**WHISPER, "models": [*WHISPER["models"], broken]}, WHISPER, "marian"


@pytest.mark.parametrize("kind, parser", [
    ("vosk", parse_vosk), ("piper", parse_piper), ("argos", parse_argos), ("ct2", parse_own)])
def test_a_malformed_entry_is_skipped_with_a_warning(kind, parser, caplog):
    broken, intact, name = malformed(kind)
    skipped: list[str] = []
    with caplog.at_level(logging.WARNING):
        entries = parser(broken, "http://mirror/catalog.json", skipped)
    assert len(skipped) == 1 and len(caplog.records) == 1
    assert "skipped" in caplog.text and skipped[0] in caplog.text
    expected = {e.name for e in parser(intact, "http://mirror/catalog.json")} - {name}
    assert {e.name for e in entries} == expected and expected
    with pytest.raises(CatalogError):  # nothing readable at all: still an error
        parser([{}] if kind in ("vosk", "argos") else (
            {"x": {}} if kind == "piper" else {**WHISPER, "models": [{}]}), "http://m/c")


def test_catalog_load_keeps_the_rest_and_lists_what_was_skipped(tmp_path, capsys):
    cache = tmp_path / "store" / "catalogs"
    cache.mkdir(parents=True)
    url = "http://mirror.example/model-list.json"
    (cache / "vosk.json").write_text(json.dumps(malformed("vosk")[0]))
    (cache / "vosk.url").write_text(url)
    loaded = load_catalogs(CatalogSources(vosk=url, argos=None, piper=None, ct2=None), cache)
    assert len(loaded.warnings) == 1 and "'size' is missing" in loaded.warnings[0]
    assert asr_entry(loaded, "fr").name == "vosk-model-small-fr-0.22"


@pytest.mark.parametrize("card, licence", [
    ("# Model card for libritts_r (medium)\n\n* Language: en_US (English, United States)\n"
     "* Speakers: 904\n* Quality: medium\n* Samplerate: 22,050Hz\n\n## Dataset\n\n"
     "* URL: http://www.openslr.org/141/\n* License: CC BY 4.0\n\n## Training\n\n"
     "Fine-tuned from English lessac medium on train-clean-360.\n", "CC BY 4.0"),
    ("# Model card for news_tts (medium)\n\n* Language: id_ID (Indonesian, Indonesia)\n"
     "* Speakers: 1\n* Quality: medium\n* Samplerate: 22,050Hz\n\n## Dataset\n\n"
     "* URL: https://www.kaggle.com/code/mpwolke/indic-tts-malayalam-speech-corpus\n"
     "* License:  See URL\n\n## Training\n\n"
     "Finetuned from U.S. English lessac voice (medium quality).\n",
     "see https://www.kaggle.com/code/mpwolke/indic-tts-malayalam-speech-corpus"),
    ("# Model card for ald (medium)\n\n## Dataset\n\n* URL: https://huggingface.co/datasets/"
     "rmcpantoja/Ald_Mexican_Spanish_speech_dataset\n* License: http://unlicense.org\n",
     "Unlicense (http://unlicense.org)"),
    ("## Dataset\n\n* URL: https://ieee-dataport.org/x\n"
     "* License: https://creativecommons.org/licenses/by-nc-sa/4.0/\n",
     "CC BY-NC-SA 4.0 (https://creativecommons.org/licenses/by-nc-sa/4.0/)"),
    ("# Model card for alma (medium)\n\n* Language: sv_SE (Swedish, Sweden)\n\n## License\n\n"
     "The model weights are released under CC BY 4.0, following the license of the NST "
     "training data.\n\n## Training\n", "The model weights are released under CC BY 4.0, "
     "following the license of the NST training data."),
    ("# Model card for ald (x_low)\n\n* Language: es_MX\n", "not stated in its MODEL_CARD"),
])
def test_model_card_licence_lines(card, licence):
    assert model_card_licence(card) == licence
