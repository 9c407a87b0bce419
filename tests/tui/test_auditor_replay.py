"""The auditor's replay model: seeking through keyframes shows exactly what emulating from the
start shows, forwards and backwards, across resizes, scroll regions and hostile bytes."""

from __future__ import annotations

import json
import random

from tui.auditor.replay import Keyframes, Player, Recording, render_at
from tui.widgets.terminal_view import TerminalEmulation


def cast(events: list[list], width: int = 40, height: int = 10) -> bytes:
    lines = [json.dumps({"version": 2, "width": width, "height": height})]
    lines += [json.dumps(e) for e in events]
    return ("\n".join(lines) + "\n").encode()


def busy_recording(n: int = 600, seed: int = 7) -> list[list]:
    rnd = random.Random(seed)
    events: list[list] = []
    t = 0.0
    for i in range(n):
        t += rnd.choice([0.01, 0.05, 0.3, 2.0])
        choice = rnd.random()
        if choice < 0.05:
            events.append([t, "r", f"{rnd.randint(20, 60)}x{rnd.randint(5, 15)}"])
        elif choice < 0.15:
            events.append([t, "o", f"\x1b[2;{rnd.randint(3, 8)}r\x1b[{rnd.randint(1, 8)};1H\n\n"
                                   f"scroll {i}\x1b[r"])
        elif choice < 0.2:
            events.append([t, "i", "typed"])
        elif choice < 0.25:
            events.append([t, "o", f"\x1b7\x1b[1;31mred {i}\x1b[0m\x1b8\x1b[?25l"])
        else:
            row, col = rnd.randint(1, 12), rnd.randint(1, 50)
            events.append([t, "o", f"\x1b[{row};{col}Hw{i} \u00e9\u4e2d\x1b[K"])
    return events


def test_seek_matches_emulating_from_the_start() -> None:
    rec = Recording()
    rec.feed(cast(busy_recording()))
    frames = Keyframes(rec, every=200)
    frames.build()
    assert len(frames.frames) > 20  # many keyframes really used
    player = Player(rec, TerminalEmulation(rec.width, rec.height), frames)
    rnd = random.Random(3)
    for _ in range(60):  # random order: backwards and forwards
        t = rnd.uniform(0, rec.duration + 1)
        player.seek(t)
        assert player.lines() == render_at(rec, t), t


def test_play_forward_matches_and_lazy_keyframes() -> None:
    rec = Recording()
    rec.feed(cast(busy_recording(200)))
    player = Player(rec, TerminalEmulation(rec.width, rec.height), Keyframes(rec, every=300))
    t = 0.0
    while t < rec.duration:
        t += 0.7
        player.advance(t)
        assert player.lines() == render_at(rec, t)


def test_growing_recording_is_followed_and_torn_lines_wait() -> None:
    data = cast(busy_recording(100))
    rec = Recording()
    player = Player(rec, TerminalEmulation(40, 10))
    for start in range(0, len(data), 97):  # arbitrary chunk boundaries, like a live follow
        rec.feed(data[start:start + 97])
        player.seek(rec.duration)
        assert player.lines() == render_at(rec, rec.duration)
    whole = Recording()
    whole.feed(data)
    assert len(rec) == len(whole)


def test_hostile_lines_are_skipped_not_fatal() -> None:
    good = [[0.1, "o", "hello"], [0.2, "o", "\x1b]52;c;QUFB\x07\x1b]0;title\x07 there"]]
    junk = b"\n".join([
        b"[" * 50000 + b"]" * 50000,        # nesting beyond the JSON parser
        b'["x", "o", "bad time"]',
        b'[1e300, "o", "far future"]',
        b'[0.3, "r", "99999x99999"]',     # clamped, not allocated
        b'{"not": "an event"}',
        b"\xff\xfe not json",
        b'[0.4, "o", "\\ud800 lone surrogate"]',
    ])
    data = cast(good).replace(b"\n", b"\n" + junk + b"\n", 1)
    rec = Recording()
    rec.feed(data)
    assert rec.kinds == ["r", "o", "o", "o"]  # the junk came first; only valid events kept
    assert rec.times == sorted(rec.times)  # an event dated earlier never goes back in time
    player = Player(rec, TerminalEmulation(40, 10))
    player.seek(10)
    text = "\n".join(player.lines())
    assert "hello" in text and "\x1b" not in text and "\x07" not in text
    assert player.emulation.size[0] <= 400
