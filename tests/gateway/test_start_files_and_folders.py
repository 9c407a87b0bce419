"""start/files-and-folders works end to end with the real code a learner meets.

Through the server's own learner desk (real store, workspace, bubblewrap sandboxes): open the
exercise (its starting files provisioned), type the lesson's console commands (ls, mkdir, mv, rm,
cat: the teaching console's allowlist), then Check, the way the Check key does (the whole
exercise folder is copied; the course's tests look at where the files ended up). Also what the
lesson promises about opening the exercise again: the starting files come back at the top,
what was moved stays moved, and only junk.txt has to be deleted again. And a typical slip
(mv into a folder not made yet) fails with the advice to mkdir first.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from server import protocol

from .test_sec_teaching_console import Console

WHERE = ("start", "files-and-folders")


class Learner(Console):
    def __init__(self, tmp_path) -> None:  # type: ignore[no-untyped-def]
        super().__init__(tmp_path, name="bea")
        self.pushed: list[Any] = []
        self.desk.session.control = SimpleNamespace(push=self.pushed.append)

    async def says(self, line: str) -> str:
        reply = await self.type(line, WHERE)
        return reply.output

    async def check(self) -> dict[str, Any]:
        started = await self.desk.check(protocol.Check(id=3, course=WHERE[0], exercise=WHERE[1]))
        for _ in range(600):
            for message in self.pushed:
                if isinstance(message, protocol.CheckResult) and message.id == started.run_id:
                    return message.result
            await asyncio.sleep(0.1)
        raise AssertionError("the check never finished")


def failing(result: dict[str, Any]) -> list[str]:
    return [t["name"] for t in result["tests"] if t["status"] != "passed"]


async def test_the_lesson_commands_pass_and_a_reopen_only_brings_junk_back(tmp_path) -> None:
    learner = Learner(tmp_path)
    await learner.open(WHERE)
    assert (await learner.says("ls")).split() == [
        "cake.txt",
        "junk.txt",
        "notes.txt",
        "shopping.txt",
        "soup.txt",
    ]
    first = await learner.check()
    assert first["status"] == "failed"

    for line in (
        "mkdir lists",
        "mv shopping.txt lists/",
        "mkdir recipes",
        "mv soup.txt cake.txt recipes/",
        "mv recipes/cake.txt recipes/apple-cake.txt",
        "rm junk.txt",
    ):
        assert await learner.says(line) == "", line  # silence means success
    assert (await learner.says("ls recipes")).split() == ["apple-cake.txt", "soup.txt"]
    assert (await learner.says("cat lists/shopping.txt")).startswith("Shopping list")
    result = await learner.check()
    assert result["status"] == "passed", result

    await learner.open(WHERE)  # next day: the starting files are put back at the top
    assert "junk.txt" in (await learner.says("ls")).split()
    again = await learner.check()
    assert failing(again) == ["junk.txt is deleted"]
    assert "delete it again" in again["tests"][-1]["message"]
    assert await learner.says("rm junk.txt") == ""
    assert (await learner.check())["status"] == "passed"


async def test_moving_into_a_folder_not_made_yet_is_explained(tmp_path) -> None:
    learner = Learner(tmp_path)
    await learner.open(WHERE)
    assert await learner.says("mv shopping.txt lists") == ""  # renames: no folder lists
    result = await learner.check()
    first = next(t for t in result["tests"] if t["status"] != "passed")
    assert first["name"] == "Nothing is in the wrong place"
    assert "mkdir lists" in first["message"] and "where a folder should be" in first["message"]
