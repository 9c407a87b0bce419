"""The seccomp filter (jail.seccomp): refused syscalls fail with EPERM inside a real sandbox,
including clone() into new namespaces, while ordinary process creation keeps working."""

from __future__ import annotations

import json
import platform

import pytest

from jail import seccomp

from .conftest import Mode, python

pytestmark = pytest.mark.skipif(
    seccomp.filter_program() is None, reason=f"no filter for {platform.machine()}"
)

CLONE_PROBE = """
import ctypes, json, os, signal
libc = ctypes.CDLL(None, use_errno=True)
SIGCHLD = 17
def clone(flags):
    rc = libc.syscall(56, flags | SIGCHLD, 0, 0, 0, 0)
    if rc == 0:
        os._exit(0)  # a child after all: leave at once
    if rc > 0:
        os.waitpid(rc, 0)
        return "created"
    return -ctypes.get_errno()
out = {name: clone(flag) for name, flag in {
    "user": 0x10000000, "mount": 0x00020000, "net": 0x40000000, "pid": 0x20000000,
    "ipc": 0x08000000, "uts": 0x04000000, "cgroup": 0x02000000}.items()}
out["plain"] = clone(0)
pid = os.fork()
if pid == 0:
    os._exit(7)
out["fork"] = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
print(json.dumps(out))
"""


async def test_sec_clone_into_new_namespaces_refused(mode: Mode) -> None:
    result = await mode.run(python(CLONE_PROBE))
    got = json.loads(result.stdout)
    for name in ("user", "mount", "net", "pid", "ipc", "uts", "cgroup"):
        assert got[name] == -1, f"clone(CLONE_NEW{name.upper()}): {got[name]}"  # EPERM
    assert got["plain"] == "created" and got["fork"] == 7


async def test_sec_unshare_command_cannot_make_namespaces(mode: Mode) -> None:
    result = await mode.run(["sh", "-c", "unshare -U id; unshare -n id; unshare -m id; echo end"])
    assert result.stdout == b"end\n"


def test_filter_is_well_formed() -> None:
    program = seccomp.filter_program("x86_64")
    assert program is not None and len(program) % 8 == 0
    assert len(program) // 8 < 4096  # BPF_MAXINSNS
    assert seccomp.filter_program("aarch64") is None
