"""The help screen: every key, from the app's own bindings, and what the panes show."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from linreg_tui.core import settings as declared

from .markup import escape

ABOUT = (
    "[b]linreg-tui[/b] fits y = m·x + b by batch gradient descent, one epoch at a time.\n\n"
    "Each epoch computes ŷ = m·x + b and the gradient of the mean squared error, "
    "∂m = (−2/n)·Σ x·(y − ŷ) and ∂b = (−2/n)·Σ (y − ŷ), then steps "
    "m ← m − lr·∂m and b ← b − lr·∂b. "
    "The least-squares (LS) answer is solved exactly beside it, so you can see how far "
    "gradient descent still is from the optimum, and why: the status line says whether the "
    "learning rate is too small, good, oscillating, or above the largest stable rate 2/λmax "
    "(then it diverges). With a penalty (--l2, --l1) the run minimises J = MSE + penalty: the "
    "status line and the loss chart show J, and the answer beside it is the penalised one, "
    "named for what it solved (ridge, lasso, e-net) instead of LS.\n\n"
    "[b]Panes[/b] (keys 1–5, or tab): Loss (MSE per epoch; the straight line is the optimum), "
    "Fit (the data, the current line, the LS line and the prediction), Log (a row per epoch "
    "stepped and the arithmetic of the last step), Data (every row with ŷ and its residual; "
    "scroll with the arrows, PgUp and PgDn), Landscape (J over two parameters as contour "
    "bands, darker and emptier nearer the optimum ✚, with the path so far and the current point "
    "●; x changes the axes, h shows the Hessian's long and short axes, z/Z zoom, c/o centre on "
    "the current point or the optimum, v fits the view again).\n\n"
    "[b]Settings[/b] (g shows the next page): Enter applies a field, Escape leaves it. Those "
    "marked ↺ restart at epoch 0; the others apply from the next step. Each is also a "
    "command-line option:\n"
)


def settings_help() -> str:
    """One line per setting, from the core's declarations: flag, label, what it does."""
    rows = []
    for s in declared.SETTINGS:
        mark = " ↺" if s.restarts else ""
        rows.append(f"  [b]{escape(f'{s.flag:<15}')}[/b] {escape(s.help)}{mark}")
    return "\n".join(rows) + "\nCtrl+P opens the command palette.\n"


class HelpScreen(ModalScreen[None]):
    """All keys, generated from the bindings so it cannot drift from them."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > VerticalScroll {
        width: 90%;
        max-width: 96;
        height: 90%;
        border: round $accent;
        border-title-align: center;
        padding: 0 1;
        background: $surface;
    }
    """
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close help", id="help.close"),
    ]

    def __init__(self, bindings: list[Binding], frames: str = "") -> None:
        super().__init__()
        self._keys = bindings
        self._frames = frames

    def compose(self) -> ComposeResult:
        rows = []
        for b in self._keys:
            keys = key_names(b)
            # pad, then escape: Textual markup needs a lone "[" written as "\[" (rich's escape
            # leaves it), and padding after escaping would count the backslash
            rows.append(f"  [b]{escape(f'{keys:<12}')}[/b] {escape(b.tooltip or b.description)}")
        frames = f"[dim]Frames: {escape(self._frames)}[/]\n\n" if self._frames else ""
        text = (
            frames
            + "[b]Keys[/b]\n"
            + "\n".join(rows)
            + "\n\n"
            + ABOUT
            + settings_help()
            + "\n[dim]Press ? or Escape to close; arrows, Page Up/Down, Home and End scroll.[/]"
        )
        with VerticalScroll() as scroll:
            scroll.border_title = "Help"
            yield Static(text)

    def on_mount(self) -> None:
        # the help is longer than a small window: arrows, Page Up/Down, Home and End scroll it
        # at once (the app itself focuses nothing at start, so nothing else would take them)
        self.query_one(VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)


_NAMES = {
    "space": "space",
    "backspace": "backspace",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "underscore": "_",
    "question_mark": "?",
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "right_curly_bracket": "}",
    "left_curly_bracket": "{",
}


def key_names(binding: Binding) -> str:
    """The binding's keys as a person types them: "+, =" rather than "plus,equals_sign"."""
    return ", ".join(_NAMES.get(k, k.replace("ctrl+", "Ctrl+")) for k in binding.key.split(","))
