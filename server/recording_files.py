"""Reading a recording whether it is compressed (retention) or not: bytes and digest.

Owns :func:`iter_recording`, :func:`read_recording` and :func:`recording_digest`, used by the
verifier, the exporter, the search indexer and the auditor's desk. Imports nothing of Slate's, so
``server.audit`` and ``server.audit_retention`` can both use it without a cycle. Decompression is
bounded (a corrupt or crafted ``.zst`` cannot fill memory); nothing here parses a recording's
contents (invariant 9).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import zstandard

SUFFIX = ".zst"
MAX_RECORDING = 1 << 30
"""Largest recording decompressed (1 GiB); more is reported as corrupt."""


class RecordingTooLarge(OSError):
    """A compressed recording expands past :data:`MAX_RECORDING`."""


def _open(path: Path) -> int:
    return os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)


def iter_recording(path: Path, block: int = 1 << 20, *,
                   compressed: bool | None = None) -> Iterator[bytes]:
    """Yield a recording's (uncompressed) bytes; ``path`` may be the ``.cast`` or its ``.zst``.

    A missing ``.cast`` whose ``.cast.zst`` exists is read from the compressed file.

    Raises:
        FileNotFoundError: neither exists.
        RecordingTooLarge: the compressed file expands past the limit.
    """
    path = Path(path)
    if not path.name.endswith(SUFFIX) and not path.exists():
        packed = path.with_name(path.name + SUFFIX)
        if packed.exists():
            path = packed
    if compressed is None:
        compressed = path.name.endswith(SUFFIX)
    fd = _open(path)
    with os.fdopen(fd, "rb") as handle:
        if not compressed:
            yield from iter(lambda: handle.read(block), b"")
            return
        total = 0
        with zstandard.ZstdDecompressor().stream_reader(handle) as reader:
            while True:
                data = reader.read(block)
                if not data:
                    return
                total += len(data)
                if total > MAX_RECORDING:
                    raise RecordingTooLarge(f"{path.name} expands past {MAX_RECORDING} bytes")
                yield data


def read_recording(path: Path) -> bytes:
    """A whole recording's bytes (compressed or not)."""
    return b"".join(iter_recording(path))


def recording_digest(path: Path, *, compressed: bool | None = None) -> str:
    """sha256 of a recording's uncompressed bytes (what ``session_end`` recorded)."""
    digest = hashlib.sha256()
    for block in iter_recording(path, compressed=compressed):
        digest.update(block)
    return digest.hexdigest()
