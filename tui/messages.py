"""Messages the stepper sends to the app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class Progress(Message):
    """The run moved on to ``epoch``: redraw what changed. Posted at most once a frame and only when
    the epoch moved since the last one; an unhandled one is replaced by the next, so a slow screen
    never falls behind the trainer."""

    epoch: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, Progress)


@dataclass
class RunStopped(Message):
    """A run ended: paused by the user, or the trainer stopped (budget, tol, divergence)."""

    epoch: int
    paused: bool
