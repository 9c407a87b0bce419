"""Session recordings: asciicast v2 files of everything a session's terminal sent and received.

Keeps invariant 5: every session is recorded with ``o`` (output), ``i`` (input) and ``r`` (resize)
events. Lines are buffered and flushed at least every ``FLUSH_INTERVAL`` seconds (and whenever the
buffer grows past ``FLUSH_BYTES``), so after a ``kill -9`` the file is readable up to the last
second: every complete line is a valid event. On close the file is fsynced and its sha256 is
returned for the ``session_end`` audit event; ``slate audit verify`` compares the two.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import time
from json.encoder import encode_basestring
from pathlib import Path

FLUSH_INTERVAL = 1.0
FLUSH_BYTES = 64 << 10


class Recorder:
    """Writes one session's asciicast v2 file.

    Args:
        path: the ``.cast`` file to create (parents are created, mode 0600).
        width: initial terminal columns.
        height: initial terminal rows.
        meta: extra header fields (user, session id, role, address); values must be JSON-safe.
        term: the client's TERM, recorded in the header's ``env``.
    """

    def __init__(
        self, path: Path, width: int, height: int, *, term: str, meta: dict[str, object]
    ) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        self._file = os.fdopen(fd, "wb", buffering=0)
        self._start = time.monotonic()
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._last_flush = self._start
        self._decoders = {
            "o": codecs.getincrementaldecoder("utf-8")("replace"),
            "i": codecs.getincrementaldecoder("utf-8")("replace"),
        }
        self.closed = False
        header = {
            "version": 2,
            "width": width,
            "height": height,
            "timestamp": int(time.time()),
            "env": {"TERM": term},
            "slate": meta,
        }
        self._write_now(_line(header))

    def output(self, data: bytes) -> None:
        """Record bytes the session sent to the client's terminal."""
        self._event("o", data)

    def input(self, data: bytes) -> None:
        """Record bytes the client typed (or pasted)."""
        self._event("i", data)

    def resize(self, width: int, height: int) -> None:
        """Record a terminal size change (already clamped)."""
        self._append([self._elapsed(), "r", f"{width}x{height}"])

    def marker(self, label: str) -> None:
        """Record a marker (``m`` event), e.g. a takeover or an observer attaching."""
        self._append([self._elapsed(), "m", label])

    def _event(self, kind: str, data: bytes) -> None:
        if self.closed or not data:
            return
        text = self._decoders[kind].decode(data)
        if text:
            # The line json.dumps would write for [elapsed, kind, text] (one per keystroke and
            # per frame, so without building an encoder each time); test_broker_recorder checks
            # the two agree byte for byte.
            line = f'[{self._elapsed()!r}, "{kind}", {encode_basestring(text)}]\n'
            self._append_line(line.encode())

    def _elapsed(self) -> float:
        return round(time.monotonic() - self._start, 6)

    def _append(self, event: list[object]) -> None:
        self._append_line(_line(event))

    def _append_line(self, line: bytes) -> None:
        if self.closed:
            return
        self._pending.append(line)
        self._pending_bytes += len(line)
        now = time.monotonic()
        if self._pending_bytes >= FLUSH_BYTES or now - self._last_flush >= FLUSH_INTERVAL:
            self.flush()

    def flush(self) -> None:
        """Write buffered events to the file (called by the session's one-second timer too)."""
        if self._pending and not self.closed:
            self._write_now(b"".join(self._pending))
            self._pending.clear()
            self._pending_bytes = 0
        self._last_flush = time.monotonic()

    def _write_now(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = self._file.write(view)
            view = view[written or 0 :]

    def close(self) -> str:
        """Flush, fsync and close; return the file's sha256 hex digest."""
        if not self.closed:
            for kind, decoder in self._decoders.items():
                tail = decoder.decode(b"", final=True)
                if tail:
                    self._pending.append(_line([self._elapsed(), kind, tail]))
            self.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self.closed = True
        return file_digest(self.path)


def _line(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": ")).encode() + b"\n"


def file_digest(path: Path) -> str:
    """sha256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def recording_path(recordings_dir: Path, session_id: str, when: float | None = None) -> Path:
    """``recordings/YYYY/MM/<session-id>.cast`` for a session starting at ``when`` (UTC)."""
    stamp = time.gmtime(when if when is not None else time.time())
    return recordings_dir / f"{stamp.tm_year:04d}" / f"{stamp.tm_mon:02d}" / f"{session_id}.cast"
