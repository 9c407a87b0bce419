"""Slate's execution jail: sandboxes, limits, workspaces and history.

- ``sandbox``: the bubblewrap command line (namespaces, read-only system, synthetic /etc).
- ``seccomp``: the syscall filter every sandbox can carry.
- ``cgroup``: memory + pids (+ CPU accounting) groups, v1 and v2; kill everything left behind.
- ``run``: ``run``/``run_async`` — one command in a fresh sandbox with hard limits.
- ``workspace``: a learner's folder and the one safe file API for it (quotas, atomic saves).
- ``history``: server-owned pygit2 snapshots of every save, outside the workspace.
- ``doctor``: tries every limit for real and reports.

Imports nothing else of Slate's (never textual, never asyncssh).
"""
