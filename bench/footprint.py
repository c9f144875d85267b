"""Disk footprint of an installed venv, per distribution (issue 17).

    python bench/footprint.py [VENV] [--top N] [--markdown] [--json FILE]

Every file under site-packages is charged to the distribution whose RECORD lists it;
files no RECORD lists (byte code written later, caches) go to the distribution that
owns their folder.  Sizes are disk usage (allocated blocks, as `du` counts them), in
MiB (2^20 bytes, as `du -m`).  The total is the whole venv folder, so the interpreter links,
scripts and pip itself show up as their own rows.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

MIB = 1 << 20


def disk_bytes(path: Path) -> int:
    """Allocated size of one file (what `du` adds up)."""
    stat = path.lstat()
    return stat.st_blocks * 512 if hasattr(stat, "st_blocks") else stat.st_size


def site_packages(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python3*/site-packages")) or sorted(
        venv.glob("Lib/site-packages"))
    if not found:
        raise SystemExit(f"no site-packages under {venv}")
    return found[0]


def _distribution_name(dist_info: Path) -> str:
    metadata = dist_info / "METADATA"
    if metadata.exists():
        for line in metadata.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("Name:"):
                return line.split(":", 1)[1].strip()
            if not line.strip():
                break
    return dist_info.name.split("-")[0]


def owners(site: Path) -> tuple[dict[Path, str], dict[Path, str]]:
    """(file -> distribution, folder -> distribution) from every RECORD."""
    by_file: dict[Path, str] = {}
    by_folder: dict[Path, str] = {}
    for dist_info in site.glob("*.dist-info"):
        name = _distribution_name(dist_info)
        record = dist_info / "RECORD"
        by_folder[dist_info.resolve()] = name
        if not record.exists():
            continue
        for row in record.read_text(encoding="utf-8", errors="replace").splitlines():
            relative = row.rsplit(",", 2)[0] if row else ""
            if not relative:
                continue
            path = (site / relative).resolve()
            by_file[path] = name
            parent = path.parent
            if parent != site.resolve() and parent.is_relative_to(site.resolve()):
                by_folder.setdefault(parent, name)
    return by_file, by_folder


def measure(venv: Path) -> dict[str, int]:
    """Bytes on disk per distribution, plus rows for what no distribution owns."""
    site = site_packages(venv).resolve()
    by_file, by_folder = owners(site)
    sizes: dict[str, int] = defaultdict(int)
    for root, _dirs, files in os.walk(venv):
        for name in files:
            path = Path(root, name)
            size = disk_bytes(path)
            resolved = path.resolve() if not path.is_symlink() else path
            if not resolved.is_relative_to(site):
                sizes["(venv: bin, include, pyvenv.cfg)"] += size
                continue
            owner = by_file.get(resolved)
            folder = resolved.parent
            while owner is None and folder != site and folder.is_relative_to(site):
                owner = by_folder.get(folder)
                folder = folder.parent
            sizes[owner or "(unowned in site-packages)"] += size
    return dict(sizes)


def table(sizes: dict[str, int], top: int, markdown: bool) -> str:
    rows = sorted(sizes.items(), key=lambda item: -item[1])
    shown, rest = rows[:top], rows[top:]
    total = sum(sizes.values())
    lines = ["| distribution | MiB |", "|---|---:|"] if markdown else []
    pattern = "| {} | {:.1f} |" if markdown else "{:<40} {:>8.1f}"
    for name, size in shown:
        lines.append(pattern.format(name, size / MIB))
    if rest:
        lines.append(pattern.format(f"{len(rest)} others", sum(s for _, s in rest) / MIB))
    lines.append(pattern.format("**total**" if markdown else "total", total / MIB))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("venv", nargs="?", type=Path, default=Path(sys.prefix))
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--json", type=Path, help="also write {distribution: bytes} here")
    args = parser.parse_args(argv)
    sizes = measure(args.venv)
    print(table(sizes, args.top, args.markdown))
    if args.json:
        args.json.write_text(json.dumps(dict(sorted(sizes.items())), indent=1) + "\n",
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
