"""`counter-app fleet ...`: keygen, publish (city hall), enroll, sync, status (tablets).

Wiring (counter_app/cli.py): add_commands(subparsers).  The other engineer's
`fleet report` joins through counter_app.fleet.report.add_report_commands.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from counter_app.store.availability import human_size


def add_commands(subparsers) -> argparse.ArgumentParser:
    fleet = subparsers.add_parser("fleet", help="office mirror: publish a signed set, enroll "
                                                "tablets, sync them")
    sub = fleet.add_subparsers(dest="fleet_command", required=True)

    p = sub.add_parser("keygen", help="make the Ed25519 key pair that signs the mirror")
    p.add_argument("--private", type=Path, default=Path("fleet-private.pem"),
                   help="private key file (mode 0600; keep it off the mirror)")
    p.add_argument("--public", type=Path, default=Path("fleet-public.pem"))
    p.add_argument("--force", action="store_true", help="overwrite existing key files")
    p.set_defaults(func=cmd_keygen)

    p = sub.add_parser("publish", help="build the signed mirror folder from a profile")
    p.add_argument("profile", type=Path, help="office profile (YAML, see docs/fleet.md)")
    p.add_argument("-o", "--output", type=Path, required=True, help="mirror folder")
    p.add_argument("--key", type=Path, help="private key (default: 'key:' in the profile)")
    p.add_argument("--library", type=Path, help="phrasebook library to take the active "
                   "phrasebook / terms from when the profile names no file")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("enroll", help="follow an office mirror (URL and its public key)")
    p.add_argument("url")
    p.add_argument("--key", required=True, help="public key file or its base64 text")
    p.add_argument("--hour", type=int, choices=range(24), metavar="0-23",
                   help="also sync once a day from this hour on, when the counter is idle")
    p.set_defaults(func=cmd_enroll)

    p = sub.add_parser("sync", help="fetch what changed, verify it, apply it atomically")
    p.add_argument("--library", type=Path, help="phrasebook library (default: the app's)")
    p.add_argument("--no-verify-load", action="store_true",
                   help="skip loading each new model with its engine")
    p.set_defaults(func=cmd_sync)

    p = sub.add_parser("status", help="enrolment, the applied set, the last sync's result")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    try:
        from counter_app.fleet.report import add_report_commands
    except ImportError:  # the report side is optional
        pass
    else:
        add_report_commands(sub)
    return fleet


def _store_root(args):
    from counter_app import config

    return getattr(args, "models", None) or config.load().models_dir


def cmd_keygen(args) -> int:
    from counter_app.fleet.signing import key_id, keygen

    public = keygen(args.private, args.public, overwrite=args.force)
    print(f"private key: {args.private} (mode 0600; keep it safe and off the mirror)")
    print(f"public key:  {args.public}")
    print(f"  {public}  (id {key_id(public)})")
    print("Enroll tablets with: counter-app fleet enroll URL --key " + public)
    return 0


def cmd_publish(args) -> int:
    from counter_app.fleet.publish import publish

    result = publish(args.profile, args.output, store_root=_store_root(args),
                     library_folder=args.library, key_path=args.key,
                     log=lambda line: print(line, file=sys.stderr))
    manifest = result.manifest
    for entry in manifest.files:
        mark = "written" if entry.path in result.written else "unchanged"
        print(f"  {entry.role:10} {entry.path:50} {human_size(entry.size):>10}  {mark}")
    for path in result.removed:
        print(f"  removed    {path}")
    print(f"Published office set {manifest.serial} into {result.output} "
          f"({len(manifest.files)} files, {human_size(manifest.total_size)}), signed by key "
          f"{manifest.key_id}.")
    return 0


def cmd_enroll(args) -> int:
    from counter_app.fleet.sync import enroll

    enrollment = enroll(args.url, args.key, daily_hour=args.hour)
    print(f"Enrolled: {enrollment['url']} (key {enrollment['key_id']}). "
          "Run `counter-app fleet sync`.")
    return 0


def cmd_sync(args) -> int:
    from counter_app.fleet.sync import sync

    result = sync(store_root=_store_root(args), library_folder=args.library,
                  validate_models=not args.no_verify_load)
    print(result.message, file=sys.stdout if result.ok else sys.stderr)
    print(f"({result.requests} requests, {human_size(result.bytes)} fetched)")
    return 0 if result.ok else 1


def cmd_status(args) -> int:
    from counter_app.fleet.sync import status

    info = status()
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
        return 0
    if "enrollment" not in info:
        print("Not enrolled: run `counter-app fleet enroll URL --key PUBLIC_KEY`.")
        return 1
    enrollment, applied, last = info["enrollment"], info.get("applied", {}), info.get("last")
    print(f"mirror:   {enrollment['url']} (key {enrollment['key_id']})")
    if applied.get("serial"):
        print(f"applied:  office set {applied['serial']} {applied.get('office', '')} at "
              f"{applied.get('at', '')}")
        for role in ("phrasebook", "terms"):
            if role in applied:
                print(f"          {role} {applied[role].get('version', '')} "
                      f"(local {applied[role].get('local', '')})")
        print(f"          {len(applied.get('models', {}))} models")
    else:
        print("applied:  nothing yet")
    if last:
        print(f"last sync: {last['status']} at {last['at']}: {last['message']}")
    return 0 if not last or last["status"] in ("ok", "unchanged") else 1

