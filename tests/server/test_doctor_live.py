"""`slate doctor` on this machine: every probe, the jail's real limit attempts included, reports
ok (CI installs everything the product needs, so nothing here may be missing)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.gateway.conftest import reachable_dir

SLATE = str(Path(sys.executable).parent / "slate")


def test_doctor_reports_every_check_ok() -> None:
    data = reachable_dir() / "data"
    # A data dir with a host key, as a server leaves it.
    subprocess.run(
        [
            SLATE,
            "--data-dir",
            str(data),
            "user",
            "add",
            "doc",
            "--role",
            "learner",
            "--password-stdin",
        ],
        input=b"correct horse battery\n",
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [SLATE, "--data-dir", str(data), "doctor"], capture_output=True, text=True, timeout=300
    )
    lines = result.stdout.splitlines()
    failed = [line for line in lines if line.startswith("FAIL")]
    assert result.returncode == 0 and not failed, result.stdout + result.stderr
    for probe in ("memory limit", "pids limit", "cpu limit", "wall limit", "output limit"):
        assert any(line.startswith("ok") and probe in line for line in lines), probe
    # Host hardening: each sysctl reported with this host's value, "warn" when weak, never FAIL.
    for name, value in _hardening_values().items():
        line = next(x for x in lines if f"sysctl {name}:" in x)
        assert line.split(":", 2)[2].strip().startswith(value), line
        assert line.startswith(("ok", "warn")), line


HARDENING = (
    "kernel.yama.ptrace_scope",
    "dev.tty.legacy_tiocsti",
    "fs.protected_symlinks",
    "fs.protected_hardlinks",
    "fs.protected_fifos",
    "fs.protected_regular",
)
# Others a sandboxing server might be tempted to flip.
ALSO_WATCHED = (
    "kernel.unprivileged_userns_clone",
    "user.max_user_namespaces",
    "kernel.unprivileged_bpf_disabled",
    "kernel.kptr_restrict",
    "kernel.dmesg_restrict",
    "kernel.perf_event_paranoid",
)


def _hardening_values(names: tuple[str, ...] = HARDENING) -> dict[str, str]:
    values = {}
    for name in names:
        path = Path("/proc/sys", name.replace(".", "/"))
        if path.exists():
            values[name] = path.read_text().strip()
    return values


def test_demo_changes_no_host_sysctl() -> None:
    """`make run` (= `slate demo`; as root in CI) starts a classroom and leaves every host sysctl
    as it found it: Slate reports them (doctor) and never sets them."""
    before = _hardening_values(HARDENING + ALSO_WATCHED)
    data = reachable_dir() / "demo"
    proc = subprocess.Popen(
        [SLATE, "--data-dir", str(data), "demo", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line or "Press Ctrl-C" in line:
                break
        assert line and "Press Ctrl-C" in line, "the demo did not start"
        assert _hardening_values(HARDENING + ALSO_WATCHED) == before
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    assert _hardening_values(HARDENING + ALSO_WATCHED) == before


# open("/proc/sys/...", "w"), Path("/proc/sys/...").write_text(...), and the like.
WRITE_CALL = re.compile(
    r"(write_text|write_bytes|open)\([^)]*/proc/sys|/proc/sys[^\n]*\.(write_\w+|open)\("
)


def test_no_code_writes_a_host_sysctl() -> None:
    """Nothing Slate ships or runs at install writes /proc/sys or calls `sysctl -w/-p`."""
    root = Path(__file__).resolve().parents[2]
    files = [root / "Makefile", *(root / ".ci").glob("*")]
    for package in ("server", "jail", "courses", "tui"):
        files += (root / package).rglob("*.py")
    writers = re.compile(
        r"sysctl\s+(-\w*[wp]|--write|--load|--system)|/proc/sys/\S+['\"]\s*,\s*['\"][wa]"
    )
    offenders = []
    for path in files:
        if path.is_file():
            text = path.read_text(errors="replace")
            if writers.search(text) or re.search(WRITE_CALL, text):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []
