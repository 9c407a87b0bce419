"""The recorder's per-keystroke path writes exactly the lines json.dumps would (issue 15 made it
cheaper: no encoder built per event). Security staff replay and verify these files, so hostile
bytes (escapes, quotes, backslashes, NUL, line separators, broken UTF-8 split across reads)
must come out as the same valid asciicast lines, nothing lost or merged."""

from __future__ import annotations

import json
from pathlib import Path

from server.recorder import Recorder, file_digest

HOSTILE = [
    b"\x1b[5;26H\x1b[0;38;5;253;48;5;235mv\x1b[38;5;233m",
    b'"quoted" and \\back\\slashes\\',
    b"nul\x00bell\x07del\x7f tab\t cr\r lf\n",
    "line\u2028para\u2029 emoji \U0001f600 accents é".encode(),
    b"\xe2\x82",  # the first two bytes of a euro sign ...
    b"\xac then invalid \xff\xfe and a lone continuation \x80",  # ... and its last byte
    b"</script><!--",
    b"\xf0\x9f",  # an incomplete character left at close
]


def _events(path: Path) -> tuple[dict[str, object], list[list[object]], list[bytes]]:
    lines = path.read_bytes().splitlines(keepends=True)
    header = json.loads(lines[0])
    return header, [json.loads(line) for line in lines[1:]], lines[1:]


def test_broker_recorder_lines_match_json_dumps_for_hostile_bytes(tmp_path: Path) -> None:
    path = tmp_path / "rec" / "s.cast"
    rec = Recorder(path, 80, 24, term="xterm", meta={"user": "ann"})
    for chunk in HOSTILE:
        rec.output(chunk)
        rec.input(chunk)
    rec.resize(100, 30)
    rec.marker("takeover")
    digest = rec.close()
    assert digest == file_digest(path)

    header, events, raw = _events(path)
    assert header["width"] == 80 and header["slate"] == {"user": "ann"}
    for event, line in zip(events, raw, strict=True):
        # Byte for byte what the generic encoder writes for the same event.
        expected = json.dumps(event, ensure_ascii=False, separators=(", ", ": ")).encode() + b"\n"
        assert line == expected
        assert isinstance(event[0], float)
    for kind in ("o", "i"):
        text = "".join(str(e[2]) for e in events if e[1] == kind)
        assert text == b"".join(HOSTILE).decode("utf-8", "replace")
    times = [float(str(e[0])) for e in events]
    assert times == sorted(times)
    assert [e[1] for e in events[-4:]] == ["r", "m", "o", "i"]  # close flushes each tail


def test_broker_recorder_every_line_is_one_event_even_mid_session(tmp_path: Path) -> None:
    """What a kill -9 leaves: the lines flushed so far are whole events (a newline in the
    recorded bytes never splits a line)."""
    path = tmp_path / "s.cast"
    rec = Recorder(path, 80, 24, term="xterm", meta={})
    for i in range(200):
        rec.input(b"k\n" * (i % 3))
        rec.output(b"frame\r\n\x1b[K" + bytes([65 + i % 26]))
    rec.flush()
    _header, events, _raw = _events(path)  # json.loads raises on any broken line
    assert len(events) == 200 + sum(1 for i in range(200) if i % 3)
    rec.close()
