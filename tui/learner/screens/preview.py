"""Page preview: the learner's HTML page as a text browser would show it (no browser needed).

Owns rendering a saved page to text with html2text (a maintained renderer, pinned in
pyproject.toml): headings, lists, tables, links numbered with their addresses listed below,
images as their alt text, form fields as boxes. The page is re-read and re-rendered whenever
its saved file changes (every save, and changes made by the console or a restore). From 120
columns it is a pane beside the editor (:class:`PagePreview`, in the lesson's place); below, a
screen of its own (:class:`PreviewScreen`).

Where it runs: in this TUI process, which is already the learner's own sandbox (their uid, no
network, only their workspace writable, the course catalog hidden). The page is the learner's
own file, so rendering it here gives its author nothing they do not already have; html2text is
pure Python (no native parser to corrupt), the input is capped at :data:`MAX_PAGE` and rendered
in a worker thread, so a pathological page can only slow this one preview. What it produces is
still untrusted text: it reaches the screen through :func:`tui.safe_text.visible` only.
"""

from __future__ import annotations

import asyncio
import os
import re
from typing import Any

import html2text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from server import protocol
from tui.course_view import ExerciseDetail
from tui.safe_text import visible
from tui.widgets.key_bar import KeyBar
from tui.widgets.ordered import OrderedScroll
from tui.widgets.output import LIMIT_WORDS

MAX_PAGE = 512 << 10
"""Largest page rendered (bytes); a bigger one is cut here and the learner told."""
POLL_SECONDS = 1.0

_SCRIPT_SRC = re.compile(r"""<script\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)


def has_scripts(html: str, names: list[str]) -> bool:
    """The page loads a script file of the exercise (``<script src="script.js">``): its
    preview shows it after the scripts ran, as the browser course's Run key does."""
    return any(src.removeprefix("./") in names for src in _SCRIPT_SRC.findall(html))
"""How often the saved file is looked at for changes while the preview is open."""

_FIELD_TYPES = {
    "checkbox": "[ ]",
    "radio": "( )",
    "submit": None,
    "button": None,
    "reset": None,
    "hidden": "",
}


def pages_of(names: list[str]) -> list[str]:
    """The HTML pages among an exercise's files, in its order."""
    return [n for n in names if n.lower().endswith((".html", ".htm"))]


def _field(tag: str, attrs: dict[str, Any]) -> str | None:
    """How a text browser draws a form field (None: the tag is not a field)."""
    kind = (attrs.get("type") or "text").lower() if tag == "input" else tag
    hint = attrs.get("placeholder") or attrs.get("value") or attrs.get("name") or ""
    if tag == "input":
        if kind in ("submit", "button", "reset"):
            return f"[\u00a0{attrs.get('value') or kind.capitalize()}\u00a0]"
        fixed = _FIELD_TYPES.get(kind)
        if fixed is not None:
            return fixed
        return f"[{_solid(hint, 20)}]"
    if tag == "textarea":
        return f"[{_solid(hint, 30)}]"
    return None


def _solid(hint: str, width: int) -> str:
    """A field's box: its hint padded with ``_``, never broken across lines."""
    return f"{hint[:width]:_<{width}}".replace(" ", "\u00a0")


def _tag_callback(parser: html2text.HTML2Text, tag: str, attrs: dict[str, Any],
                  start: bool) -> bool:
    """html2text's documented per-tag hook: forms as fields, images as their alt text."""
    if tag in ("input", "textarea") and start:
        shown = _field(tag, attrs)
        if shown:
            parser.o(f" {shown} ")
        if tag == "textarea":
            parser.preview_skip += 1  # type: ignore[attr-defined]
        return True
    if tag == "textarea" and not start:
        parser.preview_skip = max(0, parser.preview_skip - 1)  # type: ignore[attr-defined]
        return True
    if tag == "button":
        parser.o("[\u00a0" if start else "\u00a0]")
        return True
    if tag == "select":
        parser.o("[\u00a0" if start else "\u00a0v]")
        parser.preview_select = start  # type: ignore[attr-defined]
        parser.preview_options = 0  # type: ignore[attr-defined]
        return True
    if tag == "option":
        if start:
            parser.preview_options += 1  # type: ignore[attr-defined]
            if parser.preview_options > 1:  # type: ignore[attr-defined]
                parser.preview_skip += 1  # type: ignore[attr-defined]
        elif parser.preview_options > 1:  # type: ignore[attr-defined]
            parser.preview_skip = max(0, parser.preview_skip - 1)  # type: ignore[attr-defined]
        return True
    if tag == "img" and start:
        alt = (attrs.get("alt") or "").strip()
        parser.o(f" [image: {alt}] " if alt else " [image without alt text] ")
        return True
    return False


class _Renderer(html2text.HTML2Text):
    """html2text with the preview's habits (the skip counter hides text a field already shows,
    like a textarea's content after the first line and a select's other options)."""

    def __init__(self, width: int) -> None:
        super().__init__(bodywidth=max(20, width))
        self.preview_skip = 0
        self.preview_select = False
        self.preview_options = 0
        self.inline_links = False  # links numbered, their addresses listed at the end
        self.wrap_links = False
        self.protect_links = False
        self.ignore_images = False
        self.pad_tables = True
        self.bypass_tables = False
        self.ul_item_mark = "*"
        self.tag_callback = _tag_callback  # type: ignore[assignment]

    def handle_data(self, data: str, entity_char: bool = False) -> None:
        if self.preview_skip:
            return
        super().handle_data(data, entity_char)


def render_page(html: str, width: int = 76) -> str:
    """``html`` as a text browser shows it, ``width`` columns wide (untrusted output)."""
    renderer = _Renderer(width)
    text = renderer.handle(html)
    return text.strip("\n") + "\n"


class PagePreview(Vertical):
    """The rendered page, scrollable, re-rendered when its saved file changes.

    Shown on its own screen (:class:`PreviewScreen`, below 120 columns) or as a pane beside the
    editor (the exercise screen mounts it from 120 columns).

    Args:
        detail: the exercise.
        names: the exercise's files (the HTML ones are the pages).
        current: the file shown in the editor (shown first if it is a page).
    """

    DEFAULT_CSS = """
    PagePreview { height: 1fr; }
    PagePreview #preview-note { padding: 0 1; color: $text-muted; height: auto; }
    PagePreview #preview-scroll { height: 1fr; padding: 0 1; }
    PagePreview.pane #preview-note { margin-bottom: 1; }
    """

    def __init__(self, detail: ExerciseDetail, names: list[str], current: str = "",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.detail = detail
        self.pages = pages_of(names)
        self.page = current if current in self.pages else (self.pages or [""])[0]
        self.rendered = ""
        self._seen: tuple[tuple[int, int] | None, ...] | None = None
        # (files' stamp, page after its scripts ran, note): the last run, reused until a save
        self._after: tuple[Any, str, str] | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="preview-note", markup=False)
        with OrderedScroll(id="preview-scroll"):
            yield Static("", id="preview-page", markup=False)

    def on_mount(self) -> None:
        """Render the page, and watch its file for saves."""
        self.show_page()
        self.set_interval(POLL_SECONDS, self._look_for_save)

    def _page_path(self) -> Any:
        workspace = getattr(self.app, "workspace", None)
        if workspace is None or not self.page:
            return None
        return workspace / self.detail.path_of(self.page)

    def _page_stamp(self) -> tuple[tuple[int, int] | None, ...] | None:
        """When the page, and the scripts and styles beside it, were last saved."""
        workspace = getattr(self.app, "workspace", None)
        if workspace is None or not self.page:
            return None
        stamps: list[tuple[int, int] | None] = []
        for name in [self.page, *[n for n in self.detail.files if n != self.page]]:
            try:
                info = os.stat(workspace / self.detail.path_of(name), follow_symlinks=False)
            except OSError:
                stamps.append(None)
            else:
                stamps.append((info.st_mtime_ns, info.st_size))
        return tuple(stamps)

    def on_resize(self) -> None:
        """Lines are wrapped to the pane: render again at the new width."""
        if self.is_mounted:
            self.show_page()

    def _look_for_save(self) -> None:
        if self._page_stamp() != self._seen:
            self.show_page()

    @property
    def heading(self) -> str:
        """What is shown: "Preview: index.html" (made visible)."""
        return visible(f"Preview: {self.page}", keep_newlines=False)

    def show_page(self) -> None:
        """Read the saved page and render it (in a worker thread)."""
        self.border_title = self.heading
        self._seen = self._page_stamp()
        # the box's border, padding and scrollbar
        room = self.size.width if self.size.width > 0 else self.app.size.width
        self._render_page(max(20, room - 6))

    @work(exclusive=True, group="preview", description="render the page")
    async def _render_page(self, width: int) -> None:
        from tui.workspace_files import FileProblem, read_text

        workspace = getattr(self.app, "workspace", None)
        note = (f"{self.page} as a text browser shows it. Links are numbered; their addresses "
                "are listed at the end. It changes each time you save.")
        try:
            if workspace is None:
                raise FileProblem("There is no workspace here.")
            html = await asyncio.to_thread(read_text, workspace, self.detail.path_of(self.page))
        except FileProblem as exc:
            text = f"Slate cannot show this page.\n\n{exc}"
        else:
            if has_scripts(html, [*self.detail.files, *self.detail.readonly]):
                stamp = self._page_stamp()
                if self._after is not None and self._after[0] == stamp:
                    html, said = self._after[1], self._after[2]  # a resize: no new run
                else:
                    html, said = await self._after_scripts(html)
                    self._after = (stamp, html, said)
                note = (f"{self.page} after its scripts ran, as a text browser shows it. "
                        f"It changes each time you save.{said}")
            if len(html.encode("utf-8", "replace")) > MAX_PAGE:
                html = html[:MAX_PAGE]
                note += f" (Only the first {MAX_PAGE >> 10} KB are shown.)"
            try:
                text = await asyncio.to_thread(render_page, html, width)
                text = text or "(The page shows no text.)"
            except Exception as exc:  # a renderer bug must not end the learner's session
                text = f"Slate could not draw this page ({type(exc).__name__})."
        self._show_rendered(visible(note), visible(text))

    async def _after_scripts(self, saved: str) -> tuple[str, str]:
        """The page as the server's Run sandbox leaves it after its scripts ran (the TUI never
        runs learner code), and what to add to the note; the saved page if that fails."""
        request = getattr(self.app, "request", None)
        if request is None:
            return saved, " (Its scripts could not be run here: this is the page as saved.)"
        try:
            reply = await request(protocol.RenderPage(
                course=self.detail.course, exercise=self.detail.id, page=self.page))
        except Exception as exc:  # no server, busy, refused: show the saved page, say why
            why = str(exc).strip() or type(exc).__name__
            return saved, f" (Its scripts could not be run: {why} This is the page as saved.)"
        said = ""
        if reply.limit:
            words = LIMIT_WORDS.get(reply.limit, "it reached a limit")
            said += f" (The scripts were stopped: {words}.)"
        if reply.errors.strip():
            said += " Script errors: " + " ".join(reply.errors.split())[:300]
        return (reply.html or saved), said

    def _show_rendered(self, note: str, text: str) -> None:
        if not self.is_mounted:
            return
        self.rendered = text
        self.query_one("#preview-note", Static).update(note)
        self.query_one("#preview-page", Static).update(text)

    def next_page(self) -> None:
        """The next HTML page of the exercise."""
        if len(self.pages) > 1:
            self.page = self.pages[(self.pages.index(self.page) + 1) % len(self.pages)]
            self.show_page()


class PreviewScreen(Screen[None]):
    """The page preview on a screen of its own (below 120 columns).

    Args:
        detail: the exercise.
        names: the exercise's files (the HTML ones are the pages).
        current: the file shown in the editor (shown first if it is a page).
    """

    CSS = """
    #preview-scroll { border: round $primary; }
    """

    BINDINGS = [
        Binding("escape", "back", "Back to the exercise", id="preview.back"),
        Binding("alt+n,tab", "next_page", "Next page", id="preview.next"),
        Binding("f1,alt+k", "app.help", "All keys", id="preview.help"),
    ]

    def __init__(self, detail: ExerciseDetail, names: list[str], current: str = "") -> None:
        super().__init__(id="preview")
        self.preview = PagePreview(detail, names, current, id="preview-body")

    @property
    def rendered(self) -> str:
        """The page as shown now (made visible)."""
        return self.preview.rendered

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield self.preview
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        """List the keys and scroll with the arrows."""
        keys = [b for b in self.BINDINGS if isinstance(b, Binding)
                and (len(self.preview.pages) > 1 or b.id != "preview.next")]
        self.query_one(KeyBar).show_screen(self, keys)
        self.query_one("#preview-scroll").focus()
        self.title = self.preview.heading

    def action_next_page(self) -> None:
        """The next HTML page of the exercise."""
        self.preview.next_page()
        self.title = self.preview.heading

    def action_back(self) -> None:
        """Back to the exercise."""
        self.dismiss(None)
