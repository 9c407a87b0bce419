"""The offline reference: short beginner entries for the HTML elements, CSS properties,
JavaScript built-ins, SQL statements and git commands the courses use.

The entries are data (one TOML file per topic in this folder, readable inside the TUI sandbox,
which binds ``tui/`` read-only); they are read the first time the reference is opened, never
on the learner's first frame. Entry text is ours, but it is still shown through
:func:`tui.safe_text.visible` by the screen (``tui/learner/screens/reference.py``).

Finding an entry: :meth:`Reference.search` ranks by name, then title, then text;
:meth:`Reference.lookup` answers "what is the word under the cursor" (``querySelector``,
``margin-top``, ``<ul``, ``SELECT``, ``git commit``), preferring the topic of the file the
cursor is in.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent

TOPICS = {
    "html": "HTML",
    "css": "CSS",
    "js": "JavaScript",
    "sql": "SQL",
    "git": "Git",
}
"""Topic id (the TOML file's name) -> the name shown to the learner, in display order."""

SHORT_TOPICS = {"html": "HTML", "css": "CSS", "js": "JS", "sql": "SQL", "git": "Git"}
"""The topic in the list of entries, where room is short."""

TOPIC_OF_SUFFIX = {
    ".html": ("html", "css", "js"),
    ".htm": ("html", "css", "js"),
    ".css": ("css", "html"),
    ".js": ("js",),
    ".cjs": ("js",),
    ".mjs": ("js",),
    ".json": ("js",),
    ".sql": ("sql",),
}
"""Which topics a word in a file of this kind most likely belongs to (first wins)."""

_WORD = re.compile(r"[A-Za-z0-9_$-]")


@dataclass(frozen=True)
class Entry:
    """One reference entry.

    Attributes:
        topic: the topic id (``html``, ``css``, ``js``, ``sql``, ``git``).
        name: what the learner types (``margin``, ``querySelector``, ``SELECT``, ``git commit``).
        title: one line saying what it is for.
        text: the explanation, short plain sentences.
        example: a small example.
        words: other words that open this entry (``log`` for ``console.log``).
    """

    topic: str
    name: str
    title: str
    text: str
    example: str
    words: tuple[str, ...] = field(default=())

    @property
    def keys(self) -> tuple[str, ...]:
        """Every lower-case word that names this entry."""
        return tuple(w.lower() for w in (self.name, *self.words))

    @property
    def label(self) -> str:
        """The line in the list of entries."""
        return f"{self.name}  ({SHORT_TOPICS[self.topic]})"


class ReferenceDataError(ValueError):
    """An entry file is malformed (a test catches this before a learner could)."""


def _entries_of(topic: str, path: Path) -> list[Entry]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for raw in data.get("entry", []):
        try:
            out.append(Entry(
                topic=topic,
                name=str(raw["name"]),
                title=str(raw["title"]),
                text=" ".join(str(raw["text"]).split()),
                example=str(raw["example"]).strip("\n"),
                words=tuple(str(w) for w in raw.get("words", ())),
            ))
        except KeyError as exc:
            missing = exc.args[0]
            raise ReferenceDataError(f"{path.name}: an entry has no {missing}: {raw!r}") from None
    return out


class Reference:
    """Every entry, with search and look-up."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self._by_key: dict[str, list[Entry]] = {}
        for entry in entries:
            for key in entry.keys:
                self._by_key.setdefault(key, []).append(entry)

    def search(self, query: str, limit: int = 200) -> list[Entry]:
        """Entries matching ``query`` (all words, any case), best first: the name itself, a
        name that starts with it, a name that contains it, then the title, then the text.
        An empty query lists everything, topic by topic."""
        words = query.lower().split()
        if not words:
            return self.entries[:limit]
        phrase = " ".join(words)
        scored: list[tuple[int, int, Entry]] = []
        for order, entry in enumerate(self.entries):
            keys = entry.keys
            title = entry.title.lower()
            body = f"{title} {entry.text.lower()} {entry.example.lower()}"
            if phrase in keys or phrase.lstrip("<").rstrip(">") in keys:
                rank = 0
            elif any(k.startswith(phrase) for k in keys):
                rank = 1
            elif any(phrase in k for k in keys):
                rank = 2
            elif all(w in title for w in words):
                rank = 3
            elif all(w in body for w in words):
                rank = 4
            else:
                continue
            scored.append((rank, order, entry))
        scored.sort(key=lambda t: (t[0], t[1]))
        return [e for _, _, e in scored[:limit]]

    def lookup(self, word: str, suffix: str = "") -> Entry | None:
        """The entry for ``word`` (case does not matter), preferring the topics of a file
        ending in ``suffix``; None when nothing is called that."""
        word = word.strip("<>/").strip()
        found = self._by_key.get(word.lower())
        if not found:
            return None
        # Case decides between String and string, Map and map.
        exact = [e for e in found if word in (e.name, *e.words)]
        found = exact + [e for e in found if e not in exact]
        prefer = TOPIC_OF_SUFFIX.get(suffix.lower(), ())
        for topic in prefer:
            for entry in found:
                if entry.topic == topic:
                    return entry
        if suffix and not prefer and any(e.topic == "git" for e in found):
            return next(e for e in found if e.topic == "git")
        return found[0]

    def at_cursor(self, line: str, column: int, suffix: str = "") -> tuple[str, Entry | None]:
        """The word under (or just before) the cursor and its entry.

        Tries the longest reading first: ``console.log`` before ``log``, ``git commit`` before
        ``commit``, ``ORDER BY`` before ``ORDER``.

        Returns:
            (the word, its entry or None).
        """
        word, start, end = word_at(line, column)
        if not word:
            return "", None
        tries: list[str] = []
        # a dotted name: console.log, JSON.parse, Math.round
        left = start
        while left > 0 and line[left - 1] == "." and left > 1 and _WORD.match(line[left - 2]):
            left -= 1
            while left > 0 and _WORD.match(line[left - 1]):
                left -= 1
        dotted = line[left:end]
        if dotted != word:
            tries.append(dotted)
        # two words: "git commit", "ORDER BY", "CREATE TABLE", "INSERT INTO"
        before = re.sub(r"[^A-Za-z-]", "", (line[:start].split() or [""])[-1])
        after = re.sub(r"[^A-Za-z-]", "", (line[end:].split() or [""])[0])
        if before and line[:start].endswith(" "):
            tries.append(f"{before} {word}")
        if after and line[end:].startswith(" "):
            tries.append(f"{word} {after}")
        tries.append(word)
        for attempt in tries:
            entry = self.lookup(attempt, suffix)
            if entry is not None:
                return attempt, entry
        return word, None


def word_at(line: str, column: int) -> tuple[str, int, int]:
    """The word (letters, digits, ``_``, ``$``, ``-``) at ``column`` of ``line``, or the one
    ending just before it (the cursor often sits right after a word).

    Returns:
        (word, start, end); ("", column, column) when there is none.
    """
    column = max(0, min(column, len(line)))
    if (column >= len(line) or not _WORD.match(line[column])) and column > 0 \
            and _WORD.match(line[column - 1]):
        column -= 1
    if column >= len(line) or not _WORD.match(line[column]):
        return "", column, column
    start = column
    while start > 0 and _WORD.match(line[start - 1]):
        start -= 1
    end = column
    while end < len(line) and _WORD.match(line[end]):
        end += 1
    word = line[start:end]
    # "-" belongs to CSS names (margin-top), not to the ends of a word ("x - 1", "--flag").
    stripped = word.strip("-")
    start += len(word) - len(word.lstrip("-"))
    return stripped, start, start + len(stripped)


@functools.lru_cache(maxsize=1)
def load() -> Reference:
    """Read every topic file (once per process)."""
    entries: list[Entry] = []
    for topic in TOPICS:
        # ``js.toml`` and any ``js-<more>.toml`` beside it (one file per course that adds words).
        for path in [HERE / f"{topic}.toml", *sorted(HERE.glob(f"{topic}-*.toml"))]:
            entries.extend(_entries_of(topic, path))
    return Reference(entries)


def is_loaded() -> bool:
    """The entries have been read (the reference was opened in this process)."""
    return load.cache_info().currsize > 0
