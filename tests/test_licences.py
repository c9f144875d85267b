"""Model licences: classes, acceptance, the per-language walk over the catalogs, and
the CLI against a real HTTP server on 127.0.0.1 (a non-commercial model is flagged
in the plan, refused without `--accept-licence`, installed with it; `models list`
shows every licence)."""

from __future__ import annotations

import csv
import http.server
import json
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from counter_app import languages
from counter_app.pipeline.factory import EngineFactory
from counter_app.store import ModelStore, licences
from counter_app.store.catalog import Catalog, CatalogSources, parse
from counter_app.store.resolve import plan
from tests.conftest import FIXTURES
from tests.test_store_catalog import ARGOS_INDEX
from tests.test_store_install import Handler, run_cli

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_CT2 = ROOT / "counter_app" / "data" / "ct2-catalog.json"
DOCS = ROOT / "docs" / "mt_models.md"
NLLB_FIXTURE = FIXTURES / "mt_ct2" / "tiny-nllb"
M2M_FIXTURE = FIXTURES / "mt_ct2" / "tiny-m2m"
with (ROOT / "tools" / "m2m_fixture_phrases.tsv").open(encoding="utf-8", newline="") as _file:
    M2M_PHRASES = list(csv.DictReader(_file, delimiter="\t"))


@pytest.mark.parametrize(("text", "kind"), [
    ("MIT", licences.PERMISSIVE), ("Apache-2.0", licences.PERMISSIVE),
    ("BSD-3-Clause", licences.PERMISSIVE), ("CC0-1.0", licences.PERMISSIVE),
    ("CC-BY-4.0", licences.ATTRIBUTION), ("CC BY-SA 4.0", licences.ATTRIBUTION),
    ("GPL-3.0", licences.ATTRIBUTION),
    ("CC-BY-NC-4.0", licences.NON_COMMERCIAL), ("CC BY-NC-SA 4.0", licences.NON_COMMERCIAL),
    ("cc-by-nc-nd-3.0", licences.NON_COMMERCIAL), ("non-commercial", licences.NON_COMMERCIAL),
    ("Research only", licences.NON_COMMERCIAL),
    ("", licences.UNKNOWN), ("see MODEL_CARD", licences.UNKNOWN),
    ("see the package README", licences.UNKNOWN), ("test fixture", licences.UNKNOWN),
])
def test_licence_classes(text, kind):
    assert licences.classify(text) == kind
    assert licences.needs_acceptance(text) == (kind == licences.NON_COMMERCIAL)
    assert bool(licences.plan_flag(text)) == (kind == licences.NON_COMMERCIAL)


def test_acceptance_is_per_licence_in_any_spelling_and_recorded(tmp_path):
    nllb = SimpleNamespace(name="nllb-200", license="CC-BY-NC-4.0")
    mit = SimpleNamespace(name="m2m100", license="MIT")
    assert licences.pending([nllb, mit]) == {"cc-by-nc-4.0": ["nllb-200"]}
    with pytest.raises(licences.LicenceNotAcceptedError) as refused:
        licences.check_accepted([nllb, mit], ["cc-by-sa-4.0"])
    assert "--accept-licence cc-by-nc-4.0" in str(refused.value)
    assert "Nothing was downloaded" in str(refused.value)
    for spelling in ("CC-BY-NC-4.0", "cc by-nc 4.0", "cc_by_nc_4.0"):
        licences.check_accepted([nllb, mit], [spelling])
    assert licences.acceptances(tmp_path) == []
    assert licences.record_acceptance(tmp_path, [mit], via="cli") == []  # nothing to record
    assert not (tmp_path / licences.ACCEPTANCE_FILE).exists()
    first = licences.record_acceptance(tmp_path, [nllb, mit], via="cli")
    licences.record_acceptance(tmp_path, [nllb], via="gui")
    records = licences.acceptances(tmp_path)
    assert [(r["licence"], r["models"], r["via"]) for r in records] == [
        ("cc-by-nc-4.0", ["nllb-200"], "cli"), ("cc-by-nc-4.0", ["nllb-200"], "gui")]
    assert records[0] == first[0] and records[0]["accepted_at"].endswith("+00:00")
    assert [p.name for p in tmp_path.iterdir()] == [licences.ACCEPTANCE_FILE]  # no temp left


# --- every text language against the catalogs ------------------------------------------

@pytest.fixture(scope="module")
def real_catalogs() -> Catalog:
    """The real Argos index (June 2025) and the ct2 catalog the app ships."""
    return Catalog(parse("argos", ARGOS_INDEX.read_bytes(), "https://x/index.json")
                   + parse("ct2", SHIPPED_CT2.read_bytes(), "https://x/ct2-catalog.json"))


def test_every_text_language_has_a_permissive_path_or_is_marked(real_catalogs, tmp_path):
    store = ModelStore(tmp_path / "empty", include_packages=False)
    docs = DOCS.read_text(encoding="utf-8")
    for code in languages.TEXT_LANGUAGES:
        if code == languages.STAFF_LANGUAGE:
            continue
        wanted = plan([code], real_catalogs, store)
        mt = [e for e in wanted.entries if e.kind == "mt"]
        assert not [gap for gap in wanted.missing if gap.startswith("mt")], code
        assert mt, code
        needing = [e.name for e in mt if licences.needs_acceptance(e.license)]
        if code in licences.PERMISSIVE_GAPS:  # marked: only an accepted licence serves it
            assert needing == ["nllb-200-distilled-600M-ct2-int8"], code
            assert f"| {code} " in docs  # the reason, with the published scores
        else:
            assert needing == [], (code, [(e.name, e.license) for e in mt])
            assert all(licences.classify(e.license) != licences.NON_COMMERCIAL for e in mt)
    # The languages Argos lacks: Vietnamese gets M2M-100 (MIT), direct both ways.
    vi = [e for e in plan(["vi"], real_catalogs, store).entries if e.kind == "mt"]
    assert [(e.name, e.license, e.format) for e in vi] == [("m2m100-418M-ct2", "MIT", "m2m100")]
    argos_codes = {c for e in real_catalogs.entries if e.engine == "argos" for c in e.languages}
    assert {"vi", *licences.PERMISSIVE_GAPS} == set(languages.TEXT_LANGUAGES) - argos_codes


def test_shipped_catalog_marks_the_licences_needing_acceptance():
    data = json.loads(SHIPPED_CT2.read_text(encoding="utf-8"))
    for item in data["models"]:
        marked = item.get("needs_acceptance", False)
        assert marked == licences.needs_acceptance(item["license"]), item["name"]
    entries = {e.name: e for e in parse("ct2", SHIPPED_CT2.read_bytes(), "https://x/c.json")}
    m2m = entries["m2m100-418M-ct2"]
    assert (m2m.kind, m2m.engine, m2m.format, m2m.pairs, m2m.license) == (
        "mt", "ct2", "m2m100", "any", "MIT")
    assert [f.name for f in m2m.files] == ["config.json", "model.bin", "shared_vocabulary.txt",
                                          "sentencepiece.bpe.model"]
    assert m2m.files[1].sha256 == (
        "0b70f12bc9af78a921f2f4b2049aeae745c0a70613a0cd58d3d26bd4571177bd")
    assert m2m.serves_pair("ja", "vi") and m2m.serves_pair("vi", "ja")
    assert not any(m2m.serves_pair("ja", code) for code in licences.PERMISSIVE_GAPS)


# --- the CLI against a local mirror -------------------------------------------------------

def loose_files(folder: Path, prefix: str) -> list[dict]:
    return [{"name": p.name, "url": f"{prefix}/{p.name}", "size": p.stat().st_size}
            for p in sorted(folder.iterdir())
            if p.is_file() and p.name not in ("counter-model.json", "README.md")]


def publish_licence_mirror(root: Path) -> None:
    """`ct2.json` on a mirror folder: tiny-nllb as CC-BY-NC-4.0, tiny-m2m as MIT."""
    for name, fixture in (("nllb", NLLB_FIXTURE), ("m2m", M2M_FIXTURE)):
        (root / name).mkdir()
        for file in fixture.iterdir():
            (root / name / file.name).symlink_to(file)
    models = [
        {"kind": "mt", "engine": "ct2", "name": "tiny-nllb-nc", "languages": ["ja", "ko", "en"],
         "pairs": "any", "format": "nllb", "license": "CC-BY-NC-4.0", "packaging": "files",
         "url": "nllb/", "files": loose_files(NLLB_FIXTURE, "nllb")},
        {"kind": "mt", "engine": "ct2", "name": "tiny-m2m-mit", "languages": ["ja", "en", "vi"],
         "pairs": "any", "format": "m2m100", "license": "MIT", "packaging": "files",
         "url": "m2m/", "files": loose_files(M2M_FIXTURE, "m2m")}]
    (root / "ct2.json").write_text(json.dumps(
        {"format": "counter-app-catalog", "version": 1, "models": models}), encoding="utf-8")


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    """The licence mirror served on 127.0.0.1."""
    root = tmp_path_factory.mktemp("mirror")
    publish_licence_mirror(root)
    handler = type("H", (Handler,), {"root": root, "drop_after": {}, "requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(handler=handler, sources=CatalogSources(
        vosk=None, argos=None, piper=None, ct2=f"http://127.0.0.1:{server.server_port}/ct2.json"))
    server.shutdown()
    server.server_close()
    thread.join(10)


def test_cli_refuses_a_non_commercial_model_until_its_licence_is_accepted(
        mirror, tmp_path, capsys):
    store = tmp_path / "store"
    mirror.handler.requests.clear()
    assert run_cli("models", "--store", str(store), "install", "ko", "-y",
                   catalogs=mirror.sources) == 1
    captured = capsys.readouterr()
    plan_line = next(line for line in captured.out.splitlines() if "tiny-nllb-nc" in line)
    assert "CC-BY-NC-4.0" in plan_line and "⚠ 非商用ライセンス" in plan_line
    assert "--accept-licence cc-by-nc-4.0" in captured.err
    assert [path for path, _ in mirror.handler.requests] == ["/ct2.json"]  # nothing else
    assert not (store / "mt").exists() and licences.acceptances(store) == []

    assert run_cli("models", "--store", str(store), "install", "ko", "-y",
                   "--accept-licence", "CC-BY-NC-4.0", catalogs=mirror.sources) == 0
    assert "installed mt/ct2/tiny-nllb-nc" in capsys.readouterr().out
    [record] = licences.acceptances(store)
    assert (record["licence"], record["models"], record["via"]) == (
        "cc-by-nc-4.0", ["tiny-nllb-nc"], "cli")

    assert run_cli("models", "--store", str(store), "install", "vi", "-y",
                   catalogs=mirror.sources) == 0  # MIT: no acceptance asked
    assert "installed mt/ct2/tiny-m2m-mit" in capsys.readouterr().out
    assert len(licences.acceptances(store)) == 1

    assert run_cli("models", "--store", str(store), "list") == 0
    listed = {line.split()[2]: line for line in capsys.readouterr().out.splitlines()
              if line.startswith("mt")}
    assert "CC-BY-NC-4.0  ⚠ 非商用ライセンス" in listed["tiny-nllb-nc"]
    assert listed["tiny-m2m-mit"].rstrip().endswith("MIT")
    factory = EngineFactory(ModelStore(store, include_packages=False))
    row = M2M_PHRASES[1]
    assert factory.translator("ja", "vi").translate(row["ja"]) == row["vi"]
    assert factory.translator("vi", "ja").translate(row["vi"]) == row["ja"]
