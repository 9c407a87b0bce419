"""The offline reference: what an HTML element, CSS property, JavaScript built-in, SQL statement
or git command does, in short plain sentences with an example, searchable with no internet.

Opened from the exercise screen (Shift+F4 / Alt+E) at the word under the editor's cursor: the
cursor on ``querySelector`` or ``margin`` opens that entry; an unknown word opens the search
with that word typed in. The entries are data (``tui/reference/*.toml``) read the first time the
reference opens, never on the learner's first frame. Every text goes through
:func:`tui.safe_text.visible` before it reaches the screen.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.reference import TOPICS, Entry, Reference, load
from tui.safe_text import visible
from tui.widgets.inputs import PlainInput
from tui.widgets.key_bar import KeyBar
from tui.widgets.ordered import OrderedOptionList, OrderedScroll

INTRO = "Type a word to search: an HTML tag, a CSS property, a JavaScript name, SQL or git."


def entry_text(entry: Entry) -> Text:
    """One entry as shown on the right: name and title, the explanation, the example."""
    text = Text()
    text.append(visible(entry.name, keep_newlines=False), style="bold")
    text.append(f"  ({TOPICS[entry.topic]})\n", style="dim")
    text.append(visible(entry.title, keep_newlines=False) + "\n\n", style="italic")
    text.append(visible(entry.text) + "\n\n")
    text.append("Example:\n", style="bold")
    for line in visible(entry.example).split("\n"):
        text.append("  " + line + "\n", style="cyan")
    return text


class ReferenceScreen(Screen[None]):
    """A search box, the matching entries on the left, the chosen entry on the right.

    Args:
        query: the search to start with (the word under the cursor, or "").
        entry: the entry to show first (the word's own entry), if any.
    """

    CSS = """
    #ref-intro { padding: 0 1; color: $text-muted; height: auto; }
    #ref-search { height: 3; }
    #ref-body { height: 1fr; }
    #ref-list { width: 28; height: 1fr; border: round $primary; }
    #ref-entry-box { width: 1fr; height: 1fr; border: round $primary; padding: 0 1; }
    ReferenceScreen.-wide #ref-list { width: 36; }
    """

    BINDINGS = [
        Binding("escape", "back", "Back to the exercise", id="reference.back"),
        Binding("tab", "app.focus_next", "Search / list", id="reference.next", show=False),
        Binding("f1,alt+k", "app.help", "All keys", id="reference.help"),
    ]

    def __init__(self, query: str = "", entry: Entry | None = None) -> None:
        super().__init__(id="reference")
        self.query_text = visible(query, keep_newlines=False)[:60]
        self.first_entry = entry
        self.reference: Reference | None = None
        self.matches: list[Entry] = []
        self.shown: Entry | None = None

    @classmethod
    def at_cursor(cls, line: str, column: int, suffix: str = "") -> ReferenceScreen:
        """The reference opened at the word under the cursor of ``line`` (from a file ending in
        ``suffix``): its entry when there is one, else a search for it."""
        word, entry = load().at_cursor(line, column, suffix)
        return cls(word, entry)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="")
        yield Static(INTRO, id="ref-intro", markup=False)
        yield PlainInput("type a word, e.g. margin", id="ref-search", max_length=60)
        with Horizontal(id="ref-body"):
            yield OrderedOptionList(id="ref-list")
            with OrderedScroll(id="ref-entry-box"):
                yield Static("", id="ref-entry", markup=False)
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        """Read the entries (the first time only), fill the search and show the entry."""
        self.title = "Reference"
        self.set_class(self.app.size.width >= 120, "-wide")
        self.reference = load()
        bindings = [b for b in self.BINDINGS if isinstance(b, Binding)]
        self.query_one(KeyBar).show_screen(self, bindings)
        box = self.query_one("#ref-search", PlainInput)
        with self.prevent(Input.Changed):
            box.value = self.query_text
        box.cursor_position = len(box.value)
        self.search(self.query_text, show=self.first_entry)
        if self.first_entry is not None:
            self.query_one("#ref-list", OptionList).focus()
        else:
            box.focus()

    def on_resize(self) -> None:
        """Wider list from 120 columns."""
        self.set_class(self.size.width >= 120, "-wide")

    @property
    def entry_shown(self) -> str:
        """The text of the entry on the right (for tests)."""
        return str(self.query_one("#ref-entry", Static).render())

    def search(self, query: str, show: Entry | None = None) -> None:
        """List the entries matching ``query`` and show ``show`` (or the best match)."""
        assert self.reference is not None
        self.matches = self.reference.search(query)
        if show is not None and show not in self.matches:
            self.matches.insert(0, show)
        listing = self.query_one("#ref-list", OptionList)
        listing.clear_options()
        listing.add_options([
            Option(visible(e.label, keep_newlines=False), id=str(i))
            for i, e in enumerate(self.matches)
        ])
        if not self.matches:
            self.shown = None
            self.query_one("#ref-entry", Static).update(Text(
                f'Nothing in the reference matches "{visible(query, keep_newlines=False)}". '
                "Try a shorter word, or the name as you would type it in your code."))
            return
        index = self.matches.index(show) if show is not None else 0
        listing.highlighted = index
        self.show(self.matches[index])

    def show(self, entry: Entry) -> None:
        """Show one entry on the right."""
        self.shown = entry
        self.query_one("#ref-entry", Static).update(entry_text(entry))
        self.query_one("#ref-entry-box", VerticalScroll).scroll_home(animate=False)

    @on(Input.Changed, "#ref-search")
    def _typed(self, event: Input.Changed) -> None:
        self.search(event.value)

    @on(Input.Submitted, "#ref-search")
    def _to_list(self) -> None:
        if self.matches:
            self.query_one("#ref-list", OptionList).focus()

    @on(OptionList.OptionHighlighted, "#ref-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and int(event.option.id) < len(self.matches):
            self.show(self.matches[int(event.option.id)])

    def action_back(self) -> None:
        """Back to the exercise."""
        self.dismiss(None)
