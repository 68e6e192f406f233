"""The settings form, generated from the core's declarations (:mod:`linreg_tui.core.settings`):
one field per declared setting, on the page and row it names, shown only where it applies (β only
for momentum and Nesterov). ``g`` shows the next page.

Each input is checked by the setting's own parser (so the reason shown is the core's message). An
invalid value is marked, its reason shown, and never applied; leaving the field with an invalid
value puts the applied one back. Yes/no settings are :class:`~.toggle.Toggle` boxes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from linreg_tui.core import settings as declared
from linreg_tui.core.hyperparams import Hyperparameters

from .markup import escape
from .toggle import Toggle

#: The panel's settings, by page.
FIELDS = tuple(s for s in declared.SETTINGS if s.panel)
_BY_NAME = {f.name: f for f in FIELDS}


def note(page: str) -> str:
    """The hint under the fields: how to apply, what restarts, and the pages."""
    pages = " ".join(
        f"[reverse]{title}[/]" if name == page else title for name, title in declared.PAGES.items()
    )
    return f"Enter applies · [b]↺[/b] restarts at epoch 0 · [b]g[/b] settings: {pages}"


NOTE = note("run")


class CoreParser(Validator):
    """A Textual validator around a core parser: the parser's message is the failure reason."""

    def __init__(
        self, parse: Callable[[str], object], fits: Callable[[object], None] | None = None
    ) -> None:
        super().__init__()
        self._parse = parse
        self._fits = fits

    def validate(self, value: str) -> ValidationResult:
        try:
            parsed = self._parse(value)
            if self._fits is not None:
                self._fits(parsed)  # e.g. one predict value per x column of the data
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


def shown(name: str, hp: Hyperparameters) -> str:
    """The text an input shows for the applied value (round-trips exactly)."""
    return declared.BY_NAME[name].show(getattr(hp, name))


class SettingsPanel(Widget):
    """The hyperparameter form, one page at a time."""

    DEFAULT_CSS = """
    SettingsPanel {
        height: auto;
        padding: 0 1;
    }
    SettingsPanel .settings-page {
        height: auto;
    }
    SettingsPanel .settings-page.-hidden {
        display: none;
    }
    SettingsPanel Horizontal {
        height: 1;
    }
    SettingsPanel .field {
        width: auto;
        height: 1;
    }
    SettingsPanel .field.-hidden {
        display: none;
    }
    SettingsPanel Label {
        padding: 0 1 0 1;
    }
    SettingsPanel Input {
        width: 10;
    }
    SettingsPanel #settings-note {
        height: 1;
        color: $text-muted;
    }
    SettingsPanel #settings-note.-error {
        color: $text-error;
        height: auto;
        max-height: 4;  /* a reason is read whole, not cut at the window's edge */
    }
    """

    @dataclass
    class Changed(Message):
        """A field was applied: ``value`` is the parsed value."""

        name: str
        value: object

    def __init__(self, hp: Hyperparameters, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._hp = hp
        self.page = next(iter(declared.PAGES))
        #: What the note under the fields says now: (markup, error).
        self._said: tuple[str, bool] | None = None
        #: Raises (a ValueError) where settings do not fit the data (the app sets it): checked
        #: as the value is typed, as the parser's own rules are.
        self.check_with_data: Callable[[Hyperparameters], None] | None = None

    def _fits(self, name: str, value: object) -> None:
        if self.check_with_data is not None:
            self.check_with_data(dataclasses.replace(self._hp, **{name: value}))

    def compose(self) -> ComposeResult:
        for page in declared.PAGES:
            fields = [f for f in FIELDS if f.page == page]
            rows = sorted({f.row for f in fields})
            classes = "settings-page" + ("" if page == self.page else " -hidden")
            with Vertical(id=f"settings-page-{page}", classes=classes):
                for row in rows:
                    with Horizontal():
                        for f in fields:
                            if f.row == row:
                                yield self._field(f)
        yield Static(note(self.page), id="settings-note")

    def _field(self, f: declared.Setting) -> Widget:
        hidden = "" if f.applies(self._hp) else " -hidden"
        marker = "↺" if f.restarts else ""
        if f.switch:
            box = Toggle(f.label + marker, getattr(self._hp, f.name), id=f"set-{f.name}")
            box.add_class("field")
            box.set_class(bool(hidden), "-hidden")
            return box
        inp = Input(
            shown(f.name, self._hp),
            id=f"set-{f.name}",
            compact=True,
            validators=[CoreParser(f.parse, lambda v, name=f.name: self._fits(name, v))],
            validate_on=["changed", "submitted", "blur"],
            select_on_focus=True,
            suggester=SuggestFromList(f.choices) if f.choices else None,
            tooltip=f.help,
        )
        inp.styles.width = f.width
        return Horizontal(Label(f.label + marker), inp, classes="field" + hidden)

    # -- what the app calls ----------------------------------------------------------------------

    def load(self, hp: Hyperparameters) -> None:
        """Show ``hp`` (the applied settings) in every field, and only the fields that apply."""
        self._hp = hp
        for f in FIELDS:
            widget = self.query_one(f"#set-{f.name}")
            holder = widget if f.switch else widget.parent
            holder.set_class(not f.applies(hp), "-hidden")
            if isinstance(widget, Toggle):
                if widget.value != getattr(hp, f.name):
                    with widget.prevent(Toggle.Changed):
                        widget.value = getattr(hp, f.name)
                continue
            if widget.value != shown(f.name, hp):
                with widget.prevent(Input.Changed):
                    widget.value = shown(f.name, hp)
            widget.remove_class("-invalid")
        self.say(note(self.page))

    def next_page(self) -> None:
        """Show the next page of settings."""
        pages = list(declared.PAGES)
        self.show_page(pages[(pages.index(self.page) + 1) % len(pages)])

    def show_page(self, page: str) -> None:
        self.page = page
        for name in declared.PAGES:
            self.query_one(f"#settings-page-{name}").set_class(name != page, "-hidden")
        self.say(note(page))

    def say(self, markup: str, error: bool = False) -> None:
        if self._said == (markup, error):
            return  # (load() says it again at every new session: no layout for nothing)
        self._said = (markup, error)
        text = self.query_one("#settings-note", Static)
        text.update(markup)
        text.set_class(error, "-error")

    def clear_error(self) -> None:
        """Back to the page's note if a field's error is shown (the user has moved on)."""
        if self.query_one("#settings-note").has_class("-error"):
            self.say(note(self.page))

    def refuse(self, reason: str) -> None:
        """The app could not apply a value the parser accepted (e.g. the wrong count for the
        data); the field already shows the applied value again."""
        self.say(f"✗ {escape(reason)}", error=True)

    # -- events ---------------------------------------------------------------------------------

    @on(Input.Changed)
    def show_verdict_as_typed(self, event: Input.Changed) -> None:
        result = event.validation_result
        if result is not None and not result.is_valid:
            self.say(f"✗ {escape(result.failure_descriptions[0])} (not applied)", error=True)
        else:
            self.say(note(self.page))

    @on(Input.Submitted)
    def apply_on_enter(self, event: Input.Submitted) -> None:
        if self._apply(event.input):
            self.screen.set_focus(None)

    @on(Input.Blurred)
    def apply_on_leave(self, event: Input.Blurred) -> None:
        inp = event.input
        if not self._apply(inp):
            name = inp.id.removeprefix("set-")
            kept = shown(name, self._hp)
            reason = inp.validate(inp.value)
            with inp.prevent(Input.Changed):
                inp.value = kept
            inp.remove_class("-invalid")
            why = reason.failure_descriptions[0] if reason and not reason.is_valid else ""
            self.say(f"✗ {escape(why)}; kept {escape(kept)}", error=True)

    @on(Toggle.Changed)
    def apply_switch(self, event: Toggle.Changed) -> None:
        name = event.control.id.removeprefix("set-")
        self.post_message(self.Changed(name, event.value))

    def _apply(self, inp: Input) -> bool:
        """Post the parsed value if valid and changed; False if invalid."""
        name = inp.id.removeprefix("set-")
        field = _BY_NAME[name]
        result = inp.validate(inp.value)
        if result is not None and not result.is_valid:
            return False  # the text stays, with the reason, to be corrected
        try:
            value = field.parse(inp.value)
        except ValueError:
            return False
        if value != getattr(self._hp, name):
            self.post_message(self.Changed(name, value))
        return True
