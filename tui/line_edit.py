"""The text of a one-line field being typed, and what the editing keys do to it.

The Data pane edits a cell in place (:class:`~.data_view.DataView` draws the field in its last
lines and passes it the keys) rather than in a Textual ``Input``: an ``Input`` must take the
focus, so opening and closing it restyles the screen, changes the footer and lays the pane out
again, which cost about a third of an edit's frame. The keys are Textual ``Input``'s usual ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LineEdit:
    """A line of text with a cursor; the whole text starts selected, so the first character typed
    replaces it (as an ``Input`` that selects on focus does), and an arrow key just deselects.

    Attributes
    ----------
    text : str
    cursor : int
        0 … len(text): where the next character goes.
    selected : bool
        The whole text is selected.
    """

    text: str
    cursor: int = -1
    selected: bool = True

    def __post_init__(self) -> None:
        if self.cursor < 0:
            self.cursor = len(self.text)

    def key(self, key: str, character: str | None) -> bool:
        """Apply a key (Textual's key name and the character it types, if any). Returns whether
        the key was one of the editing keys (those that are not, the caller leaves alone)."""
        if key in _MOVES:
            self.cursor = _MOVES[key](self)
            self.selected = False
            return True
        if key == "backspace":
            if self.selected:
                self._replace("")
            elif self.cursor > 0:
                self.text = self.text[: self.cursor - 1] + self.text[self.cursor :]
                self.cursor -= 1
            return True
        if key == "delete":
            if self.selected:
                self._replace("")
            else:
                self.text = self.text[: self.cursor] + self.text[self.cursor + 1 :]
            return True
        if key == "ctrl+u":  # delete to the start, as in a shell
            self.text = "" if self.selected else self.text[self.cursor :]
            self.cursor, self.selected = 0, False
            return True
        if character is not None and character.isprintable() and len(character) == 1:
            self.insert(character)
            return True
        return False

    def insert(self, text: str) -> None:
        """Type ``text`` at the cursor (replacing the whole text while it is selected)."""
        text = "".join(ch for ch in text if ch.isprintable())
        if self.selected:
            self._replace(text)
            return
        self.text = self.text[: self.cursor] + text + self.text[self.cursor :]
        self.cursor += len(text)

    def _replace(self, text: str) -> None:
        self.text, self.cursor, self.selected = text, len(text), False


_MOVES = {
    "left": lambda e: max(0, e.cursor - 1) if not e.selected else 0,
    "right": lambda e: min(len(e.text), e.cursor + 1) if not e.selected else len(e.text),
    "home": lambda e: 0,
    "ctrl+a": lambda e: 0,
    "end": lambda e: len(e.text),
    "ctrl+e": lambda e: len(e.text),
}
