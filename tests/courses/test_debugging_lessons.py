"""The debugging lessons show node's real output for their example programs.

Each lesson of courses/catalog/09-debugging quotes what node prints for a small example
program. Here each example runs with the real node (in a folder named like the learner's,
/workspace/debugging/<exercise>/, swapped in for the temp folder), and every output block of
the lesson must appear in what one of its programs really printed, line by line and in order.
Skipped on purpose: lines that start or end with "..." (the lesson shortens them), and
node:internal frames and the "Node.js vNN" line (they name node's own version). A lesson may
shorten an at-line's folder to /workspace/.../. Where a lesson shows the whole program, the
program run here must be in the lesson word for word, so lesson and output cannot drift apart.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

COURSE = Path(__file__).resolve().parents[2] / "courses" / "catalog" / "09-debugging"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs node")

# The example programs of each lesson, as the lesson shows them (or derives them step by step).
PROGRAMS: dict[str, dict[str, str]] = {
    "01-reading-errors": {
        "greet.js": ('const message = "Good morning";\nconsole.log(mesage);\n'),
        "shout.js": ('const name = "sam";\nconst loud = name.toUppercase();\nconsole.log(loud);\n'),
    },
    "02-syntax-errors": {
        "hello.js": ('const name = "Sam";\nconsole.log("Hello, " + name;\n'),
        "greet.js": (
            "function greet(name) {\n"
            '  if (name === "") {\n'
            '    return "Hello!";\n'
            '  return "Hello, " + name + "!";\n'
            "}\n"
            "\n"
            'console.log(greet("Ana"));\n'
        ),
    },
    "03-stack-trace": {
        "bus.js": (
            "function minutesLeft(bus) {\n"
            "  return bus.leaves - bus.now;                  // line 2\n"
            "}\n"
            "\n"
            "function board(stop) {\n"
            '  return "Next bus in " + minutesLeft(stop.next) + " min";  // 6\n'
            "}\n"
            "\n"
            'const stop = { name: "Park Road", buses: [] };  // line 9\n'
            "console.log(board(stop));                       // line 10\n"
        ),
        "names.js": (
            "function initial(name) {\n"
            "  return name[0].toUpperCase();\n"
            "}\n"
            "\n"
            'const names = ["ana", "ben", ""];\n'
            "console.log(names.map(initial));\n"
        ),
    },
    "04-console-log": {
        "bags.js": (
            "const bags = [3, 5, 2];\n"
            "let count = 0;\n"
            "for (let i = 0; i < bags.length; i++) {\n"
            '  console.log("i is", i, "count is", count);\n'
            "  count = count + bags[i];\n"
            "}\n"
            'console.log("done:", count);\n'
        ),
        "age.js": (
            'const typed = "30";\n'
            'console.log("typed is", typed, typeof typed);\n'
            "const next = typed + 1;\n"
            'console.log("next is", next);\n'
        ),
    },
    "05-off-by-one": {
        "days.js": (
            'const days = ["Mon", "Tue", "Wed"];\n'
            "for (let i = 0; i <= days.length; i++) {\n"
            "  console.log(i, days[i]);\n"
            "}\n"
        ),
        "best.js": (
            "const scores = [9, 4, 7];\n"
            "let best = 0;\n"
            "for (let i = 1; i < scores.length; i++) {\n"
            "  if (scores[i] > best) {\n"
            "    best = scores[i];\n"
            "  }\n"
            "}\n"
            'console.log("best:", best);\n'
        ),
    },
    "06-empty-input": {
        "longest.js": (
            "function longest(words) {\n"
            "  let best = words[0];\n"
            "  for (const word of words) {\n"
            "    if (word.length > best.length) {\n"
            "      best = word;\n"
            "    }\n"
            "  }\n"
            "  return best.toUpperCase();\n"
            "}\n"
            'console.log(longest(["tea", "coffee"]));\n'
            "console.log(longest([]));\n"
        ),
        "avg.js": (
            "function average(numbers) {\n"
            "  let total = 0;\n"
            "  for (const n of numbers) {\n"
            "    total = total + n;\n"
            "  }\n"
            "  return total / numbers.length;\n"
            "}\n"
            "console.log(average([4, 6]));\n"
            "console.log(average([]));\n"
        ),
    },
    "07-bug-hunt": {
        "dear.js": (
            'const prices = "4,12,7".split(",");\n'
            "let dearest = prices[0];\n"
            "for (const p of prices) {\n"
            "  if (p > dearest) {\n"
            "    dearest = p;\n"
            "  }\n"
            "}\n"
            'consol.log("Dearest:", dearest);\n'
        ),
        "dear2.js": (
            'const prices = "4,12,7".split(",");\n'
            "let dearest = prices[0];\n"
            "for (const p of prices) {\n"
            "  if (p > dearest) {\n"
            "    dearest = p;\n"
            "  }\n"
            "}\n"
            'console.log("Dearest:", dearest);\n'
        ),
        "dear3.js": (
            'const prices = "4,12,7".split(",");\n'
            "console.log(prices);\n"
            "let dearest = prices[0];\n"
            "for (const p of prices) {\n"
            "  if (p > dearest) {\n"
            "    dearest = p;\n"
            "  }\n"
            "}\n"
            'console.log("Dearest:", dearest);\n'
        ),
        "dear4.js": (
            'const prices = "4,12,7".split(",").map(Number);\n'
            "let dearest = prices[0];\n"
            "for (const p of prices) {\n"
            "  if (p > dearest) {\n"
            "    dearest = p;\n"
            "  }\n"
            "}\n"
            'console.log("Dearest:", dearest);\n'
        ),
    },
}

# Programs the lesson shows whole (the rest are quoted only by the line that breaks).
SHOWN_WHOLE = {
    ("02-syntax-errors", "greet.js"),
    ("04-console-log", "bags.js"),
    ("04-console-log", "age.js"),
    ("05-off-by-one", "days.js"),
    ("03-stack-trace", "bus.js"),
    ("03-stack-trace", "names.js"),
    ("05-off-by-one", "best.js"),
    ("06-empty-input", "longest.js"),
    ("07-bug-hunt", "dear.js"),
}


def _blocks(lesson: str) -> list[list[str]]:
    """The lesson's output blocks: fenced blocks with no language, and, in the first lesson,
    indented blocks that start with the file's place (/workspace/...)."""
    blocks: list[list[str]] = []
    inside: list[str] | None = None
    plain = False
    for line in lesson.split("\n"):
        if line.startswith("```"):
            if inside is None:
                inside, plain = [], line.strip() == "```"
            else:
                if plain:
                    blocks.append(inside)
                inside = None
        elif inside is not None:
            inside.append(line)
    for found in re.findall(r"((?:^    /workspace/.*\n)(?:^(?:    .*)?\n)+)", lesson, re.M):
        blocks.append([line[4:] for line in found.split("\n")])
    return blocks


def _kept(lines: list[str]) -> list[str]:
    return [
        line.rstrip()
        for line in lines
        if line.strip()
        and not line.strip().startswith("...")
        and not line.rstrip().endswith("...")
        and "node:internal" not in line
        and not line.startswith("Node.js v")
    ]


def _printed(tmp_path: Path, exercise: str, name: str, source: str) -> list[str]:
    folder = tmp_path / "debugging" / exercise.split("-", 1)[1]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(source)
    done = subprocess.run(["node", name], cwd=folder, capture_output=True, text=True, timeout=30)
    text = (done.stdout + done.stderr).replace(str(tmp_path), "/workspace")
    return text.split("\n")


def _shows(expected: list[str], printed: list[str]) -> bool:
    """Every kept line of ``expected`` is in ``printed``, in order (a folder may be /.../)."""
    short = re.compile(r"\(/workspace/debugging/[a-z-]+/")
    real = iter(_kept(printed))
    for line in _kept(expected):
        if not any(line in (got, short.sub("(/workspace/.../", got)) for got in real):
            return False
    return True


@pytest.mark.parametrize("exercise", sorted(PROGRAMS))
def test_every_output_in_the_lesson_is_what_node_prints(tmp_path: Path, exercise: str) -> None:
    lesson = (COURSE / exercise / "lesson.md").read_text()
    blocks = _blocks(lesson)
    assert blocks, f"{exercise}: the lesson shows no output: the scan would prove nothing"
    outputs = {
        name: _printed(tmp_path, exercise, name, source)
        for name, source in PROGRAMS[exercise].items()
    }
    for block in blocks:
        if not _kept(block):
            continue
        assert any(_shows(block, printed) for printed in outputs.values()), (
            f"{exercise}: no example program prints this block of the lesson:\n" + "\n".join(block)
        )
    for name, source in PROGRAMS[exercise].items():
        if (exercise, name) in SHOWN_WHOLE:
            assert source.strip() in lesson, f"{exercise}: {name} is not in the lesson as run"
