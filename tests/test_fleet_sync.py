"""Fleet publish and sync against a real nginx on 127.0.0.1 (no mocks).

City hall publishes a signed mirror from the tiny MT fixture models, a small
phrasebook, a term dictionary and settings defaults; tablets (each its own
model store, settings file and library) enroll and sync over HTTP.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from counter_app import cli, config
from counter_app.fleet import signing
from counter_app.fleet.manifest import MANIFEST, SIGNATURE, parse
from counter_app.fleet.sync import status, sync
from counter_app.phrasebook.export import phrasebook_to_data
from counter_app.phrasebook.library import Library
from counter_app.phrasebook.term_files import terms_to_data
from counter_app.store.download import file_digest
from counter_app.store.install import Installer
from counter_app.store.local import ModelStore
from tests.conftest import MT_FIXTURES
from tests.fleet_server import nginx_binary, start

pytestmark = pytest.mark.skipif(nginx_binary() is None, reason="nginx is not installed "
                                "(apt-get install nginx-light; .ci/run installs it)")

PHRASEBOOK = """\
format: counter-app-phrasebook/1
name: 市 窓口フレーズ
version: '{version}'
categories:
- id: reception
  name: {{ja: 受付, en: Reception}}
phrases:
- id: reception.take_ticket
  category: reception
  text: {{ja: 番号札をお取りください。, en: Please take a number ticket.}}
  reviewed: {{en: true}}
  reading: ばんごうふだをおとりください
- id: reception.wait
  category: reception
  text: {{ja: {wait_ja}, en: {wait_en}}}
  reading: {wait_reading}
"""

TERMS = """\
format: counter-app-terms/1
name: 市 用語
version: '7'
terms:
- term: 住民票
  reading: じゅうみんひょう
  translations: {en: certificate of residence}
  force_translation: true
"""


def write_phrasebook(path: Path, version: str, second: bool = False) -> Path:
    wait = ("少々お待ちください。", "Please wait a moment.", "しょうしょうおまちください")
    if second:
        wait = ("こちらでお待ちください。", "Please wait here.", "こちらでおまちください")
    path.write_text(PHRASEBOOK.format(version=version, wait_ja=wait[0], wait_en=wait[1],
                                      wait_reading=wait[2]), encoding="utf-8")
    return path


@dataclass
class City:
    folder: Path
    profile: Path
    mirror: Path
    private: Path
    public: Path
    phrasebook: Path

    def write_profile(self, models: list[str], store: Path) -> None:
        self.profile.write_text(f"""\
office: 中央区役所
key: {self.private}
languages: [en, ko]
models: [{", ".join(models)}]
store: {store}
phrasebook: phrasebook.yaml
terms: terms.yaml
settings:
  voice: false
  idle_timeout_minutes: 3
  caption_theme: yellow-on-black
""", encoding="utf-8")

    def publish(self, *extra: str) -> int:
        return cli.main(["fleet", "publish", str(self.profile), "-o", str(self.mirror),
                         *extra])


@dataclass
class Tablet:
    folder: Path

    @property
    def settings_path(self) -> Path:
        return self.folder / "settings.json"

    @property
    def store(self) -> ModelStore:
        return ModelStore(self.folder / "store", include_packages=False)

    @property
    def library(self) -> Library:
        return Library(self.folder / "library")

    @contextlib.contextmanager
    def env(self):
        old = os.environ.get(config.ENV_CONFIG)
        os.environ[config.ENV_CONFIG] = str(self.settings_path)
        try:
            yield
        finally:
            if old is None:
                os.environ.pop(config.ENV_CONFIG, None)
            else:
                os.environ[config.ENV_CONFIG] = old

    def cli(self, *args: str) -> int:
        with self.env():
            return cli.main(["--models", str(self.folder / "store"), "fleet", *args])

    def sync(self) -> int:
        return self.cli("sync", "--library", str(self.folder / "library"))

    def status(self) -> dict:
        return status(self.folder / "fleet")

    def sync_api(self):
        return sync(store_root=self.folder / "store", library_folder=self.folder / "library",
                    settings_path=self.settings_path, folder=self.folder / "fleet",
                    timeout=5)

    def snapshot(self) -> dict:
        """Everything sync may change, in comparable form."""
        library = self.library
        models = {f"{m.kind}/{m.engine}/{m.name}": m.meta.get("sha256")
                  for m in self.store.models()}
        settings = config.load(self.settings_path)
        return {"phrasebook": phrasebook_to_data(library.phrasebook()),
                "phrasebook_versions": [v.label for v in library.phrasebooks.versions()],
                "terms": terms_to_data(library.terms()),
                "models": models,
                "settings": (settings.conversation.speak_translations,
                             settings.conversation.idle_timeout_minutes,
                             settings.captions.theme, settings.conversation.resident_language),
                "settings_file": self.settings_path.read_bytes()
                if self.settings_path.exists() else None}


@pytest.fixture()
def city(tmp_path, test_store_root) -> City:
    folder = tmp_path / "city"
    folder.mkdir()
    private, public = tmp_path / "keys" / "city.pem", tmp_path / "keys" / "city.pub"
    assert cli.main(["fleet", "keygen", "--private", str(private), "--public", str(public)]) == 0
    phrasebook = write_phrasebook(folder / "phrasebook.yaml", "2026.1")
    (folder / "terms.yaml").write_text(TERMS, encoding="utf-8")
    city = City(folder, folder / "office.yaml", tmp_path / "mirror", private, public,
                phrasebook)
    city.write_profile(["en_ja", "ja_en"], test_store_root)
    assert city.publish() == 0
    return city


@pytest.fixture()
def server(city, tmp_path):
    server = start(city.mirror, tmp=tmp_path / "nginx")
    yield server
    server.stop()


def make_tablet(tmp_path: Path, name: str, server, city: City) -> Tablet:
    tablet = Tablet(tmp_path / name)
    tablet.folder.mkdir()
    assert tablet.cli("enroll", server.url, "--key", str(city.public)) == 0
    return tablet


def test_publish_writes_a_signed_mirror_that_holds_no_private_key(city, tmp_path):
    assert stat.S_IMODE(city.private.stat().st_mode) == 0o600
    raw = (city.mirror / MANIFEST).read_bytes()
    public = signing.read_public(str(city.public))
    signing.verify(public, raw, (city.mirror / SIGNATURE).read_bytes())
    manifest = parse(raw)
    served = {p.relative_to(city.mirror).as_posix() for p in city.mirror.rglob("*")
              if p.is_file()} - {MANIFEST, SIGNATURE}
    assert {f.path for f in manifest.files} == served
    for entry in manifest.files:
        path = city.mirror / entry.path
        assert (path.stat().st_size, file_digest(path)) == (entry.size, entry.sha256)
    assert {f.role for f in manifest.files} == {"model", "phrasebook", "terms", "settings",
                                               "catalog"}
    assert manifest.role("phrasebook").version == "2026.1"
    assert manifest.role("terms").version == "7"
    catalog = json.loads((city.mirror / "catalog.json").read_text(encoding="utf-8"))
    assert catalog["format"] == "counter-app-catalog"
    assert sorted(m["url"] for m in catalog["models"]) == sorted(
        f.path for f in manifest.models())
    settings = json.loads((city.mirror / "settings.json").read_text(encoding="utf-8"))
    assert settings["languages"] == ["en", "ko"] and settings["voice"] is False
    pem = city.private.read_bytes()
    assert not any(pem in p.read_bytes() for p in city.mirror.rglob("*") if p.is_file())
    # A private key inside the output folder is refused before anything is written.
    inside = city.mirror / "keys" / "city.pem"
    inside.parent.mkdir()
    inside.write_bytes(pem)
    assert city.publish("--key", str(inside)) == 2
    assert parse((city.mirror / MANIFEST).read_bytes()).serial == manifest.serial


def test_two_tablets_end_with_identical_phrasebooks_terms_models_and_settings(
        city, server, tmp_path):
    first, second = (make_tablet(tmp_path, n, server, city) for n in ("tablet1", "tablet2"))
    before = first.snapshot()
    assert first.sync() == 0 and second.sync() == 0
    one, two = first.snapshot(), second.snapshot()
    for key in ("phrasebook", "terms", "models", "settings"):
        assert one[key] == two[key], key
    assert one["phrasebook"]["version"] == "2026.1" and one != before
    assert [p["id"] for p in one["phrasebook"]["phrases"]] == ["reception.take_ticket",
                                                               "reception.wait"]
    assert one["terms"]["terms"][0]["term"] == "住民票"
    manifest = parse((city.mirror / MANIFEST).read_bytes())
    assert one["models"] == {m.store_path: m.model["tree_sha256"] for m in manifest.models()}
    assert one["settings"] == (False, 3, "yellow-on-black", "en")
    assert first.store.find_mt("ja", "en") is not None
    last = first.status()["last"]
    assert last["status"] == "ok" and "Office set 1 applied" in last["message"]
    # Nothing changed: one conditional request, answered 304 with no body.
    mark = len(server.requests())
    assert first.sync() == 0
    again = server.requests()[mark:]
    assert [(r.path, r.status, r.bytes) for r in again] == [("/manifest.json", 304, 0)]
    assert first.status()["last"]["status"] == "unchanged"
    assert first.snapshot() == one


def test_a_new_phrasebook_version_fetches_only_that_file(city, server, tmp_path):
    tablet = make_tablet(tmp_path, "tablet", server, city)
    assert tablet.sync() == 0
    first = tablet.snapshot()
    write_phrasebook(city.phrasebook, "2026.2", second=True)
    assert city.publish() == 0
    mark = len(server.requests())
    assert tablet.sync() == 0
    fetched = [(r.path, r.status) for r in server.requests()[mark:]]
    assert fetched == [("/manifest.json", 200), ("/manifest.json.sig", 200),
                       ("/phrasebook.json", 200)]
    now = tablet.snapshot()
    assert now["phrasebook"]["version"] == "2026.2"
    assert now["phrasebook"]["phrases"][1]["text"]["en"] == "Please wait here."
    assert (now["models"], now["terms"]) == (first["models"], first["terms"])
    # The city's book came in as library versions: rollback returns to the first one.
    library = tablet.library
    assert [v.label for v in library.phrasebooks.versions() if v.active] == ["v0002"]
    library.rollback_phrasebook()
    assert phrasebook_to_data(library.phrasebook())["version"] == "2026.1"


def tamper(path: Path, data: bytes) -> None:
    """Change a served file the way a later edit does.  nginx's ETag is the mtime's
    whole seconds plus the size: a same-size edit within the same second as the
    last publish would look unchanged (the tablet then keeps what it has)."""
    later = time.time() + 5
    path.write_bytes(data)
    os.utime(path, (later, later))


def refused_and_unchanged(tablet: Tablet, before: dict, words: str) -> None:
    assert tablet.sync() == 1
    last = tablet.status()["last"]
    assert last["status"] == "refused" and words in last["message"], last
    assert "Nothing was changed" in last["message"]
    assert tablet.snapshot() == before


def test_tampered_files_and_manifests_are_refused_and_change_nothing(city, server, tmp_path):
    tablet = make_tablet(tmp_path, "tablet", server, city)
    assert tablet.sync() == 0
    before = tablet.snapshot()
    write_phrasebook(city.phrasebook, "2026.2", second=True)
    assert city.publish() == 0
    served = city.mirror / "phrasebook.json"
    good = served.read_bytes()
    tamper(served, good.replace(b"Please wait here.", b"Please pay 9000 yen"))
    refused_and_unchanged(tablet, before, "does not match the signed manifest")
    served.write_bytes(good)
    # The manifest itself altered after signing (a file's checksum swapped).
    manifest = city.mirror / MANIFEST
    signed = manifest.read_bytes()
    entry = parse(signed).role("phrasebook")
    tamper(manifest, signed.replace(entry.sha256.encode(), b"0" * 64))
    refused_and_unchanged(tablet, before, "not signed by the enrolled key")
    # No signature at all.
    tamper(manifest, signed)
    signature = (city.mirror / SIGNATURE).read_bytes()
    (city.mirror / SIGNATURE).unlink()
    refused_and_unchanged(tablet, before, "not signed")
    (city.mirror / SIGNATURE).write_bytes(signature)
    assert tablet.sync() == 0
    assert tablet.snapshot()["phrasebook"]["version"] == "2026.2"


def test_a_set_signed_with_another_key_is_refused(city, server, tmp_path):
    tablet = make_tablet(tmp_path, "tablet", server, city)
    assert tablet.sync() == 0
    before = tablet.snapshot()
    other_private, other_public = tmp_path / "other.pem", tmp_path / "other.pub"
    signing.keygen(other_private, other_public)
    write_phrasebook(city.phrasebook, "2026.2", second=True)
    assert city.publish("--key", str(other_private)) == 0
    refused_and_unchanged(tablet, before, "not signed by the enrolled key")
    assert signing.key_id(signing.read_public(str(city.public))) in \
        tablet.status()["last"]["message"]


def test_a_server_stopped_mid_sync_changes_nothing_and_the_next_sync_resumes(city, tmp_path):
    slow = start(city.mirror, tmp=tmp_path / "slow",
                 extra_conf="location /models/ { limit_rate 100k; }")
    try:
        tablet = make_tablet(tmp_path, "tablet", slow, city)
        before = tablet.snapshot()
        results = []
        worker = threading.Thread(target=lambda: results.append(tablet.sync_api()))
        worker.start()
        downloads = tablet.folder / "fleet" / "download" / "models"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any(
                p.stat().st_size > 60_000 for p in downloads.glob("*.part")):
            time.sleep(0.05)
        slow.stop()
        worker.join(30)
    finally:
        slow.stop()
    [result] = results
    assert result.status == "failed" and "broke off" in result.message, result
    assert "next sync resumes" in result.message
    assert tablet.snapshot() == before
    kept = {p.name: p.stat().st_size for p in downloads.glob("*.part")}
    assert kept and all(size > 0 for size in kept.values())
    # Unreachable: the next try says so and still changes nothing.
    assert tablet.sync() == 1
    last = tablet.status()["last"]
    assert last["status"] == "failed" and "cannot be reached" in last["message"]
    assert tablet.snapshot() == before
    # Back online: the broken file continues where it stopped.
    again = start(city.mirror, port=slow.port, tmp=tmp_path / "again")
    try:
        assert tablet.sync() == 0
        ranged = [r for r in again.requests() if r.range]
    finally:
        again.stop()
    assert ranged and all(r.status == 206 for r in ranged)
    name = ranged[0].path.rsplit("/", 1)[1]
    assert ranged[0].range == f"bytes={kept[name + '.part']}-"
    assert tablet.snapshot()["models"] == {
        m.store_path: m.model["tree_sha256"]
        for m in parse((city.mirror / MANIFEST).read_bytes()).models()}
    assert not downloads.exists()


def test_a_model_that_does_not_load_stops_the_whole_set(city, server, tmp_path):
    """All or nothing: the good model, phrasebook, terms and settings wait too."""
    store = tmp_path / "city-store" / "mt" / "argos"
    store.mkdir(parents=True)
    (store / "en_ja").symlink_to(MT_FIXTURES / "en_ja", target_is_directory=True)
    broken = store / "ja_en_cut"
    shutil.copytree(MT_FIXTURES / "ja_en", broken)
    weights = broken / "model" / "model.bin"
    weights.write_bytes(weights.read_bytes()[:300_000])  # signed as it is: the load fails
    city.write_profile(["en_ja", "ja_en_cut"], tmp_path / "city-store")
    assert city.publish() == 0
    tablet = make_tablet(tmp_path, "tablet", server, city)
    before = tablet.snapshot()
    assert tablet.sync() == 1
    last = tablet.status()["last"]
    assert last["status"] == "failed" and "cannot load ja_en_cut" in last["message"], last
    assert "Nothing was changed" in last["message"]
    assert tablet.snapshot() == before


def test_models_dropped_from_the_set_go_and_models_installed_by_hand_stay(
        city, server, tmp_path, test_store_root):
    tablet = make_tablet(tmp_path, "tablet", server, city)
    assert tablet.sync() == 0
    Installer(tablet.store).import_path(MT_FIXTURES / "ko_en")  # an admin's own model
    city.write_profile(["en_ja"], test_store_root)
    assert city.publish() == 0
    assert tablet.sync() == 0
    assert sorted(tablet.snapshot()["models"]) == ["mt/argos/en_ja", "mt/argos/translate-ko_en"]
    assert "removed model mt/argos/ja_en" in tablet.status()["last"]["message"]


def test_the_admin_panel_enrolls_and_syncs_and_the_counter_shows_a_refused_sync(
        qtbot, city, server, tmp_path, make_window, shots_dir):
    from PySide6.QtCore import Qt

    from counter_app.ui.fleet_sync import FleetPanel, show_sync_result, sync_before_start

    tablet = Tablet(tmp_path / "tablet")
    options = {"store_root": tablet.folder / "store", "library_folder": tablet.folder / "library",
               "settings_path": tablet.settings_path, "folder": tablet.folder / "fleet"}
    assert sync_before_start(**options) is None  # not enrolled: the app starts at once
    panel = FleetPanel(**options)
    qtbot.addWidget(panel)
    panel.resize(900, 420)
    panel.show()
    assert not panel.sync_button.isEnabled()
    for widget in (panel.url, panel.key, panel.enroll_button, panel.sync_button):
        assert widget.height() >= 44
    qtbot.keyClicks(panel.url, server.url)
    qtbot.keyClicks(panel.key, signing.read_public(str(city.public)))
    qtbot.mouseClick(panel.enroll_button, Qt.MouseButton.LeftButton)
    assert tablet.status()["enrollment"]["url"] == server.url
    qtbot.mouseClick(panel.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "第 1 版" in panel.result.text(), timeout=15000)
    assert "取り込みました" in panel.result.text()
    assert tablet.snapshot()["phrasebook"]["version"] == "2026.1"
    panel.grab().save(str(shots_dir / "fleet-panel.png"))
    # At the next start the mirror holds a set signed with another key: refused,
    # said on the staff half in Japanese, the details in the tooltip.
    write_phrasebook(city.phrasebook, "2026.2", second=True)
    other_private, other_public = tmp_path / "other.pem", tmp_path / "other.pub"
    signing.keygen(other_private, other_public)
    assert city.publish("--key", str(other_private)) == 0
    before = tablet.snapshot()
    result = sync_before_start(**options)
    assert result.status == "refused" and result.reason == "signature"
    assert tablet.snapshot() == before
    window = make_window()
    show_sync_result(window, result)
    assert "署名を確認できなかった" in window.staff.status.text()
    assert "not signed by the enrolled key" in window.staff.status.toolTip()
    window.grab().save(str(shots_dir / "fleet-refused.png"))
