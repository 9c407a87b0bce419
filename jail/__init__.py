"""Slate's execution jail: sandboxes, limits, workspaces and history.

- ``profiles``: every sandbox Slate starts, as a named profile (uids, binds, writable paths,
  limits) built by one function: invariants 2, 7 and 8 audited in one file.
- ``sandbox``: the bubblewrap command line (namespaces, read-only system, synthetic /etc).
- ``seedbox``: a Run's first program inside its sandbox (sized tmpfs copy in, changes out).
- ``seccomp``: the syscall filter every sandbox can carry.
- ``cgroup``: memory + pids (+ CPU accounting) groups, v1 and v2; kill everything left behind.
- ``run``: ``run``/``run_async`` — one command in a fresh sandbox with hard limits.
- ``workspace``: a learner's folder and the one safe file API for it (quotas, atomic saves).
- ``history``: server-owned pygit2 snapshots of every save, outside the workspace.
- ``doctor``: tries every limit for real and reports.

Imports nothing else of Slate's (never textual, never asyncssh).
"""
