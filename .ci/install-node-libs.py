#!/usr/bin/env python3
"""Install the node libraries the browser course needs (a DOM for node) from a lock file.

Each package in .ci/node-libs.lock.json is fetched from the npm registry once, checked against
its pinned sha512 integrity (a mismatch stops the install), and unpacked into
``<dest>/node_modules/<name>`` (default /usr/local/lib/slate, which every sandbox sees
read-only with /usr). Nothing is fetched when a package's installed ``package.json`` already
names the pinned version, so running it again is a no-op. Only regular files and folders are
unpacked (no links, no absolute or ``..`` names); everything is left read-only for all users.
Standard library only: it runs on a pristine Debian 12 before the venv exists.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path, PurePosixPath

LOCK = Path(__file__).resolve().parent / "node-libs.lock.json"
DEFAULT_DEST = Path("/usr/local/lib/slate")
# Files the harness installs beside the libraries (the browser course's page runner).
HARNESS = Path(__file__).resolve().parent.parent / "courses" / "kinds" / "harness"
EXTRA = {HARNESS / "dom-page.cjs": "dom-page.cjs"}


def installed_version(folder: Path) -> str | None:
    try:
        return json.loads((folder / "package.json").read_text("utf-8")).get("version")
    except (OSError, ValueError):
        return None


def fetch(url: str, integrity: str) -> bytes:
    algo, _, digest = integrity.partition("-")
    if algo != "sha512":
        raise SystemExit(f"slate: {url}: only sha512 integrity is accepted, not {algo}")
    with urllib.request.urlopen(url, timeout=60) as response:
        data = response.read()
    if base64.b64encode(hashlib.sha512(data).digest()).decode() != digest:
        raise SystemExit(f"slate: {url}: the download does not match its pinned sha512; "
                         "not installed")
    return data


def unpack(data: bytes, target: Path) -> None:
    """Unpack an npm tarball's ``package/`` folder into target (regular files and folders only)."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            parts = PurePosixPath(member.name).parts
            if not parts or parts[0] in ("/", "..") or ".." in parts or member.name.startswith("/"):
                raise SystemExit(f"slate: refusing the tarball entry {member.name!r}")
            rel = PurePosixPath(*parts[1:]) if len(parts) > 1 else None
            if rel is None:
                continue
            dest = target / rel
            if member.isdir():
                dest.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                dest.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                dest.write_bytes(source.read())
            # links, devices and fifos are skipped: npm packages have none that matter


def make_readable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def main(argv: list[str]) -> int:
    dest = Path(argv[1]) if len(argv) > 1 else DEFAULT_DEST
    lock = json.loads(LOCK.read_text("utf-8"))
    modules = dest / "node_modules"
    pending = [
        p for p in lock["packages"] if installed_version(modules / p["name"]) != p["version"]
    ]
    stale_extra = [
        (src, name) for src, name in EXTRA.items()
        if not (dest / name).exists() or (dest / name).read_bytes() != src.read_bytes()
    ]
    if not pending and not stale_extra:
        return 0
    if os.geteuid() != 0 and not os.access(dest.parent if not dest.exists() else dest, os.W_OK):
        names = ", ".join(p["name"] for p in pending) or "the page runner"
        print(f"slate: {names} missing in {dest}; run 'sudo make install'", file=sys.stderr)
        return 1
    modules.mkdir(parents=True, exist_ok=True)
    for package in pending:
        print(f"slate: installing {package['name']}@{package['version']} into {modules}")
        data = fetch(package["tarball"], package["integrity"])
        staging = Path(tempfile.mkdtemp(prefix=".slate-", dir=modules))
        try:
            unpack(data, staging)
            final = modules / package["name"]
            if final.exists():
                shutil.rmtree(final)
            make_readable(staging)
            staging.rename(final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    for src, name in stale_extra:
        tmp = dest / f".{name}.tmp"
        shutil.copyfile(src, tmp)
        tmp.chmod(0o644)
        tmp.replace(dest / name)
    dest.chmod(0o755)
    modules.chmod(0o755)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
