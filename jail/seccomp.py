"""A seccomp filter for sandboxes: kernel surface a learner's program has no business touching.

Keeps invariant 2 (learner code never reaches the host) as defence in depth behind the
namespaces: even inside its own user namespace a program cannot ptrace, load BPF, use io_uring or
userfaultfd (frequent kernel exploit primitives), mount, unshare, setns, clone into new
namespaces, use keyrings, open packet/vsock/bluetooth sockets, or push keystrokes into a terminal
with ``TIOCSTI``.

The filter is a classic BPF program assembled here (no libseccomp dependency) and handed to
bubblewrap with ``--seccomp FD``; bwrap installs it just before exec of the command, after its own
mounts. Only x86-64 syscall numbers are known; on any other architecture :func:`filter_program`
returns ``None`` and ``slate doctor`` says the filter is off. Imports nothing of Slate's.
"""

from __future__ import annotations

import errno
import os
import platform
import struct

# BPF opcodes (linux/filter.h, linux/bpf_common.h).
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06

_RET_ALLOW = 0x7FFF0000
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000

_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_SYSCALL_BIT = 0x40000000

# Offsets in struct seccomp_data.
_OFF_NR = 0
_OFF_ARCH = 4
_OFF_ARG0_LO = 16
_OFF_ARG1_LO = 24

_TIOCSTI = 0x5412
_TIOCLINUX = 0x541C

# x86-64 numbers of the syscalls refused with EPERM.
DENIED_X86_64 = {
    "ptrace": 101,
    "syslog": 103,
    "uselib": 134,
    "personality": 135,
    "vhangup": 153,
    "pivot_root": 155,
    "_sysctl": 156,
    "adjtimex": 159,
    "chroot": 161,
    "acct": 163,
    "settimeofday": 164,
    "mount": 165,
    "umount2": 166,
    "swapon": 167,
    "swapoff": 168,
    "reboot": 169,
    "iopl": 172,
    "ioperm": 173,
    "init_module": 175,
    "delete_module": 176,
    "quotactl": 179,
    "lookup_dcookie": 212,
    "clock_settime": 227,
    "kexec_load": 246,
    "add_key": 248,
    "request_key": 249,
    "keyctl": 250,
    "unshare": 272,
    "perf_event_open": 298,
    "fanotify_init": 300,
    "name_to_handle_at": 303,
    "open_by_handle_at": 304,
    "clock_adjtime": 305,
    "setns": 308,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "finit_module": 313,
    "kexec_file_load": 320,
    "bpf": 321,
    "userfaultfd": 323,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "mount_setattr": 442,
    "quotactl_fd": 443,
}
_X86_64_CLONE3 = 435  # refused with ENOSYS so libc falls back to clone(), whose flags are plain
_X86_64_CLONE = 56
# clone() flags that create namespaces (user, mount, net, pid, ipc, uts, cgroup, time): refused,
# so a program cannot reach the kernel surface that a fresh user namespace opens up, whether or
# not bwrap could add --disable-userns (it cannot when launched by root without a userns).
CLONE_NAMESPACE_FLAGS = (
    0x10000000 | 0x00020000 | 0x40000000 | 0x20000000 | 0x08000000 | 0x04000000 | 0x02000000
    | 0x00000080
)
_X86_64_SOCKET = 41
_X86_64_IOCTL = 16
# Socket families a program may open: unix, IPv4, IPv6 (only lo exists) and netlink (getifaddrs).
ALLOWED_FAMILIES = (1, 2, 10, 16)


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("<HBBI", code, jt, jf, k)


def filter_program(machine: str | None = None) -> bytes | None:
    """The filter as raw ``struct sock_filter`` records, or None on an unsupported architecture.

    Args:
        machine: ``platform.machine()`` value to build for (default: this host).

    Returns:
        Bytes ready to be read by ``bwrap --seccomp FD``, or None.
    """
    machine = machine or platform.machine()
    if machine not in ("x86_64", "amd64"):
        return None
    eperm = _RET_ERRNO | errno.EPERM
    prog: list[bytes] = [
        _insn(_LD_W_ABS, _OFF_ARCH),
        _insn(_JEQ_K, _AUDIT_ARCH_X86_64, jt=1, jf=0),
        _insn(_RET_K, _RET_KILL_PROCESS),
        _insn(_LD_W_ABS, _OFF_NR),
        # The x32 ABI reaches the same syscalls under other numbers: refuse it outright.
        _insn(_JGE_K, _X32_SYSCALL_BIT, jt=0, jf=1),
        _insn(_RET_K, _RET_KILL_PROCESS),
    ]
    for number in sorted(DENIED_X86_64.values()):
        prog += [_insn(_JEQ_K, number, jt=0, jf=1), _insn(_RET_K, eperm)]
    prog += [_insn(_JEQ_K, _X86_64_CLONE3, jt=0, jf=1), _insn(_RET_K, _RET_ERRNO | errno.ENOSYS)]
    # clone(flags, ...): refuse any namespace flag. [jeq clone][ld arg0][jset mask][ret ALLOW]
    # [ret EPERM]; jset jumps when (flags & mask) != 0.
    prog.append(_insn(_JEQ_K, _X86_64_CLONE, jt=0, jf=4))
    prog.append(_insn(_LD_W_ABS, _OFF_ARG0_LO))
    prog.append(_insn(_JSET_K, CLONE_NAMESPACE_FLAGS, jt=1, jf=0))
    prog.append(_insn(_RET_K, _RET_ALLOW))
    prog.append(_insn(_RET_K, eperm))
    # socket(domain, ...): an allow-list of families. Layout: [jeq socket][ld arg0][jeq fam]*n
    # [ret EAFNOSUPPORT][ret ALLOW] — each family match jumps to the final ALLOW.
    families = len(ALLOWED_FAMILIES)
    prog.append(_insn(_JEQ_K, _X86_64_SOCKET, jt=0, jf=families + 3))
    prog.append(_insn(_LD_W_ABS, _OFF_ARG0_LO))
    for index, family in enumerate(ALLOWED_FAMILIES):
        prog.append(_insn(_JEQ_K, family, jt=families - index, jf=0))
    prog.append(_insn(_RET_K, _RET_ERRNO | errno.EAFNOSUPPORT))
    prog.append(_insn(_RET_K, _RET_ALLOW))
    # ioctl(fd, TIOCSTI/TIOCLINUX, ...): no faking keystrokes into a terminal.
    prog.append(_insn(_JEQ_K, _X86_64_IOCTL, jt=0, jf=5))
    prog.append(_insn(_LD_W_ABS, _OFF_ARG1_LO))
    prog.append(_insn(_JEQ_K, _TIOCSTI, jt=2, jf=0))
    prog.append(_insn(_JEQ_K, _TIOCLINUX, jt=1, jf=0))
    prog.append(_insn(_RET_K, _RET_ALLOW))
    prog.append(_insn(_RET_K, eperm))
    prog.append(_insn(_RET_K, _RET_ALLOW))
    return b"".join(prog)


def filter_fd() -> int | None:
    """A sealed-content memfd holding :func:`filter_program`, positioned at 0, or None.

    The caller passes it to bwrap (``SandboxSpec.seccomp_fd`` and ``pass_fds``) and closes it
    after the spawn. It is not inheritable by default.
    """
    program = filter_program()
    if program is None:
        return None
    fd = os.memfd_create("slate-seccomp", os.MFD_CLOEXEC)
    try:
        os.write(fd, program)
        os.lseek(fd, 0, os.SEEK_SET)
    except OSError:
        os.close(fd)
        raise
    return fd
