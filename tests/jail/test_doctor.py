"""slate doctor's jail part: every limit is actually tried and reported."""

from __future__ import annotations

from jail.doctor import checks_async, format_report

from .conftest import IS_ROOT

LIMITS = (
    "memory limit", "pids limit", "cpu limit", "wall limit", "file size limit",
    "/tmp size limit", "output limit",
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
    assert all(line[:4] in ("ok  ", "FAIL") for line in report.splitlines())
