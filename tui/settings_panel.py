"""The hyperparameter inputs: checked as typed, applied on Enter or on leaving the field.

Each input is checked by the core's own parser (so the reason shown is the core's message). An
invalid value is marked, its reason shown, and never applied; leaving the field with an invalid
value puts the applied one back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from linreg_tui.core import hyperparams as hpmod
from linreg_tui.core.hyperparams import Hyperparameters

from .markup import escape
from .numbers import plain
from .toggle import Toggle

NOTE = "Enter applies · [b]lr epochs tol predict[/b]: next step · [b]↺[/b]: restart at epoch 0"


class CoreParser(Validator):
    """A Textual validator around a core parser: the parser's message is the failure reason."""

    def __init__(self, parse: Callable[[str], object]) -> None:
        super().__init__()
        self._parse = parse

    def validate(self, value: str) -> ValidationResult:
        try:
            self._parse(value)
        except ValueError as exc:
            return self.failure(str(exc))
        return self.success()


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    parse: Callable[[str], object]
    restarts: bool
    width: int


FIELDS = (
    Field("lr", "lr", hpmod.parse_lr, False, 10),
    Field("epochs", "epochs", hpmod.parse_epochs, False, 11),
    Field("tol", "tol", hpmod.parse_tol, False, 8),
    Field("predict_x", "predict", lambda t: hpmod.parse_numbers("predict", t), False, 9),
    Field("m0", "m0", lambda t: hpmod.parse_numbers("m0", t), True, 10),
    Field("b0", "b0", lambda t: hpmod.parse_number("b0", t), True, 10),
)
_BY_NAME = {f.name: f for f in FIELDS}


def shown(name: str, hp: Hyperparameters) -> str:
    """The text an input shows for the applied value (round-trips exactly)."""
    value = getattr(hp, name)
    if isinstance(value, tuple):
        return ",".join(plain(v) for v in value)
    if isinstance(value, int):
        return str(value)
    return plain(value)


class SettingsPanel(Widget):
    """The hyperparameter form."""

    DEFAULT_CSS = """
    SettingsPanel {
        height: auto;
        padding: 0 1;
    }
    SettingsPanel Horizontal {
        height: 1;
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

    def compose(self) -> ComposeResult:
        rows = (FIELDS[:4], FIELDS[4:])
        for i, row in enumerate(rows):
            with Horizontal():
                for f in row:
                    yield Label(f.label + ("↺" if f.restarts else ""))
                    inp = Input(
                        shown(f.name, self._hp),
                        id=f"set-{f.name}",
                        compact=True,
                        validators=[CoreParser(f.parse)],
                        validate_on=["changed", "submitted", "blur"],
                        select_on_focus=True,
                    )
                    inp.styles.width = f.width
                    yield inp
                if i == 1:
                    yield Toggle("standardise↺", self._hp.standardize, id="set-standardize")
        yield Static(NOTE, id="settings-note")

    # -- what the app calls ----------------------------------------------------------------------

    def load(self, hp: Hyperparameters) -> None:
        """Show ``hp`` (the applied settings) in every field."""
        self._hp = hp
        for f in FIELDS:
            inp = self.query_one(f"#set-{f.name}", Input)
            if inp.value != shown(f.name, hp):
                with inp.prevent(Input.Changed):
                    inp.value = shown(f.name, hp)
            inp.remove_class("-invalid")
        box = self.query_one("#set-standardize", Toggle)
        if box.value != hp.standardize:
            with box.prevent(Toggle.Changed):
                box.value = hp.standardize
        self.say(NOTE)

    def say(self, markup: str, error: bool = False) -> None:
        note = self.query_one("#settings-note", Static)
        note.update(markup)
        note.set_class(error, "-error")

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
            self.say(NOTE)

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

    @on(Toggle.Changed, "#set-standardize")
    def apply_standardize(self, event: Toggle.Changed) -> None:
        self.post_message(self.Changed("standardize", event.value))

    def _apply(self, inp: Input) -> bool:
        """Post the parsed value if valid and changed; False if invalid."""
        name = inp.id.removeprefix("set-")
        field = _BY_NAME[name]
        try:
            value = field.parse(inp.value)
        except ValueError:
            return False
        if value != getattr(self._hp, name):
            self.post_message(self.Changed(name, value))
        return True
