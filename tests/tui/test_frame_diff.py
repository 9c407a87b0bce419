"""The frame diff: only changed cells reach the terminal, and the shadow never drifts."""

from __future__ import annotations

import pyte
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate, LayoutUpdate
from textual.geometry import Region
from textual.strip import Strip

from tui.frame_diff import FrameDiff

CONSOLE = Console(color_system="256", force_terminal=True, width=20)
RED = Style(color="red", bgcolor="black")
BLUE = Style(color="blue", bgcolor="black")


def layout(lines: list[list[Segment]]) -> LayoutUpdate:
    strips = [[Strip(line)] for line in lines]
    return LayoutUpdate(strips, Region(0, 0, 20, len(lines)))


def chops(y: int, x: int, segments: list[Segment], height: int = 3) -> ChopsUpdate:
    strip = Strip(segments)
    rows = [{} for _ in range(height)]
    rows[y] = {x: strip}
    ends = [[] for _ in range(height)]
    ends[y] = [x + strip.cell_length]
    return ChopsUpdate(rows, [(y, x, x + strip.cell_length)], ends)


def render(diff: FrameDiff, update) -> str:  # type: ignore[no-untyped-def]
    return diff.reduce(update).render_segments(CONSOLE)


def screen_after(*outputs: str) -> list[str]:
    screen = pyte.Screen(20, 3)
    stream = pyte.Stream(screen)
    for out in outputs:
        stream.feed(out)
    return [
        "".join(screen.buffer[y][x].data for x in range(screen.columns)) + repr(
            [(screen.buffer[y][x].fg, screen.buffer[y][x].bg) for x in range(screen.columns)]
        )
        for y in range(screen.lines)
    ]


def test_first_frame_is_complete_and_an_identical_frame_sends_nothing() -> None:
    diff = FrameDiff()
    frame = layout([[Segment("hello world", RED)], [Segment("second line", BLUE)]])
    first = render(diff, frame)
    assert "hello world" in first and "second line" in first
    assert render(diff, layout([[Segment("hello world", RED)], [Segment("second line", BLUE)]]))\
        == ""


def test_one_changed_cell_sends_only_that_cell() -> None:
    diff = FrameDiff()
    full = render(diff, layout([[Segment("hello world", RED)], [Segment("second line", BLUE)]]))
    out = render(diff, chops(0, 0, [Segment("hellO world", RED)]))
    assert "O" in out and "hell" not in out and "world" not in out
    assert out.startswith("\x1b[1;5H")
    assert len(out) < 30
    assert screen_after(full, out)[0].startswith("hellO world")


def test_style_changes_count_as_changes_and_runs_merge_styles() -> None:
    diff = FrameDiff()
    render(diff, layout([[Segment("abcdef", RED)]]))
    out = render(diff, chops(0, 0, [Segment("abc", RED), Segment("def", BLUE)], height=1))
    assert "def" in out and "abc" not in out
    # Same style over several segments is written once, without a reset per segment.
    diff2 = FrameDiff()
    out2 = render(diff2, layout([[Segment("a", RED), Segment("b", RED), Segment("c", RED)]]))
    assert "abc" in out2 and out2.count("\x1b[0m") == 1


def test_invalidate_makes_the_next_frame_complete() -> None:
    diff = FrameDiff()
    frame = [[Segment("hello world", RED)]]
    render(diff, layout(frame))
    diff.invalidate()
    assert "hello world" in render(diff, layout(frame))


def test_wide_characters_are_never_split() -> None:
    diff = FrameDiff()
    full = render(diff, layout([[Segment("ab漢字cd", RED)]]))
    out = render(diff, chops(0, 0, [Segment("ab漢X cd", RED)], height=1))
    assert "字" not in out and "X" in out
    assert screen_after(full, out)[0].startswith("ab漢X cd")


def test_many_random_updates_keep_terminal_equal_to_textual_output() -> None:
    import random

    rng = random.Random(4)
    diff = FrameDiff()
    plain = []
    ours = []
    words = ["ab", "cd", "é", " ", "xyz"]  # wide characters: see the test above
    for _ in range(200):
        y = rng.randrange(3)
        x = rng.randrange(10)
        segs = [Segment(rng.choice(words), rng.choice([RED, BLUE])) for _ in range(3)]
        update = chops(y, x, segs)
        plain.append(update.render_segments(CONSOLE))
        ours.append(render(diff, update))
    assert screen_after(*plain) == screen_after(*ours)
    assert sum(map(len, ours)) < sum(map(len, plain))


def test_cells_plain_text_wide_characters_and_marks() -> None:
    from tui.frame_diff import _cells

    strip = Strip([Segment("ab ", RED), Segment("e\u0301漢", BLUE), Segment("x\x07y", RED)])
    assert _cells([strip]) == [
        ("a", RED), ("b", RED), (" ", RED),  # plain text: one cell per character
        ("e\u0301", BLUE),  # a combining mark joins the cell before it
        ("漢", BLUE), ("", BLUE),  # a wide character takes two cells
        ("x\x07", RED), ("y", RED),  # a zero-width control character takes none
    ]
