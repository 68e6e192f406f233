"""Textual's command palette (ctrl+p), with a guard for a crash in Textual's option list.

Textual 8.2.8 (the newest release, and older ones) crashes with ``KeyError: 0`` in
``OptionList._move_page`` when PageDown or PageUp reaches the palette's list before the list has
been laid out (ctrl+p then PageDown typed quickly): the list maps options to lines only once it
has a size. Until the list has a size there is no page to move by, so the keys are ignored.
tests/tui/test_palette_keys.py types the keys in a real terminal to keep this fixed.
"""

from __future__ import annotations

from textual.command import CommandList, CommandPalette


class GuardedCommandPalette(CommandPalette):
    """The command palette, ignoring page keys while its list has no size yet."""

    def _action_command_list(self, action: str) -> None:
        if action in ("page_down", "page_up"):
            commands = self.query(CommandList)
            if not commands or not commands.first().scrollable_content_region:
                return
        super()._action_command_list(action)
