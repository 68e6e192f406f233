"""A checkbox that reads the same in any colour depth: ``[x]`` or ``[ ]`` before its label."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class Toggle(Widget, can_focus=True):
    """On/off, shown as text (not only colour), toggled by space, Enter or a click."""

    DEFAULT_CSS = """
    Toggle {
        width: auto;
        height: 1;
        padding: 0 1;
    }
    Toggle:focus {
        background: $accent 40%;
    }
    """
    BINDINGS = [Binding("space,enter", "toggle", "Toggle", show=False)]

    value: reactive[bool] = reactive(False)

    @dataclass
    class Changed(Message):
        toggle: Toggle
        value: bool

        @property
        def control(self) -> Toggle:
            return self.toggle

    def __init__(self, label: str, value: bool = False, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._label = label
        self.set_reactive(Toggle.value, value)

    def render(self) -> Content:
        # Content, not a str: a str is markup, where "[x]" is a style tag and would vanish.
        return Content(f"[{'x' if self.value else ' '}] {self._label}")

    def watch_value(self, value: bool) -> None:
        self.post_message(self.Changed(self, value))

    def action_toggle(self) -> None:
        self.value = not self.value

    def on_click(self) -> None:
        self.action_toggle()
