"""slate doctor's jail part: every limit is actually tried and reported."""

from __future__ import annotations

from pathlib import Path

from jail.doctor import HARDENING, checks_async, format_report, host_hardening

from .conftest import IS_ROOT

LIMITS = (
    "memory limit",
    "pids limit",
    "cpu limit",
    "wall limit",
    "file size limit",
    "/tmp size limit",
    "output limit",
)


async def test_doctor_tries_every_limit_and_reports_it() -> None:
    results = await checks_async()
    by_name = {name: (ok, detail) for name, ok, detail in results}
    assert list(by_name)[:4] == ["bubblewrap", "uid mode", "cgroups", "seccomp filter"]
    for name in ("bubblewrap", "runtimes", "network", *LIMITS):
        assert by_name[name][0], f"{name}: {by_name[name][1]}"
    assert by_name["network"][1].endswith("'lo unreachable'")
    mode_ok, mode_detail = by_name["uid mode"]
    if IS_ROOT:
        assert mode_ok and mode_detail.startswith("per-learner")
        assert by_name["cgroups"][0]
        assert "[cgroup, whole run]" in by_name["memory limit"][1]
    else:
        assert mode_detail.startswith("shared")
    report = format_report(results)
    assert len(report.splitlines()) == len(results)
    assert all(line[:4] in ("ok  ", "warn", "FAIL") for line in report.splitlines())
    # The host hardening lines are there, read from this host, and never a failure.
    sysctls = {name: ok for name, ok, _ in results if name.startswith("sysctl ")}
    assert sysctls == {name: ok for name, ok, _ in host_hardening()}
    assert "sysctl fs.protected_symlinks" in sysctls
    assert all(ok in (True, "warn") for ok in sysctls.values())


def _fake_proc_sys(root: Path, values: dict[str, str]) -> Path:
    for name, value in values.items():
        path = root / name.replace(".", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value + "\n")
    return root


def test_host_hardening_verdicts(tmp_path: Path) -> None:
    weak = _fake_proc_sys(
        tmp_path / "weak",
        {
            "kernel.yama.ptrace_scope": "0",
            "dev.tty.legacy_tiocsti": "1",
            "fs.protected_symlinks": "0",
            "fs.protected_hardlinks": "0",
            "fs.protected_fifos": "0",
            "fs.protected_regular": "0",
        },
    )
    found = {name: (ok, detail) for name, ok, detail in host_hardening(weak)}
    assert list(found) == [f"sysctl {name}" for name, *_ in HARDENING]
    assert all(ok == "warn" for ok, _ in found.values())
    assert "recommended 0" in found["sysctl dev.tty.legacy_tiocsti"][1]
    assert "recommended 1" in found["sysctl fs.protected_symlinks"][1]
    assert "never changes" in found["sysctl fs.protected_regular"][1]

    strong = _fake_proc_sys(
        tmp_path / "strong",
        {
            "kernel.yama.ptrace_scope": "1",
            "dev.tty.legacy_tiocsti": "0",
            "fs.protected_symlinks": "1",
            "fs.protected_hardlinks": "1",
            "fs.protected_fifos": "2",
            "fs.protected_regular": "1",
        },
    )
    assert all(ok is True for _, ok, _ in host_hardening(strong))

    # No Yama: nothing to report for it. A kernel before 6.2: no TIOCSTI switch, said so.
    old = _fake_proc_sys(
        tmp_path / "old",
        {
            "fs.protected_symlinks": "1",
            "fs.protected_hardlinks": "1",
            "fs.protected_fifos": "1",
            "fs.protected_regular": "2",
        },
    )
    found = {name: (ok, detail) for name, ok, detail in host_hardening(old)}
    assert "sysctl kernel.yama.ptrace_scope" not in found
    assert found["sysctl dev.tty.legacy_tiocsti"][0] == "warn"
    assert "before 6.2" in found["sysctl dev.tty.legacy_tiocsti"][1]
    assert [ok for ok, _ in found.values()].count(True) == 4


def test_host_hardening_matches_this_host() -> None:
    for name, ok, detail in host_hardening():
        value = Path("/proc/sys", name.removeprefix("sysctl ").replace(".", "/")).read_text()
        assert detail.startswith(value.strip())
        assert ok in (True, "warn")
    has_yama = Path("/proc/sys/kernel/yama").exists()
    names = [name for name, _, _ in host_hardening()]
    assert ("sysctl kernel.yama.ptrace_scope" in names) == has_yama
