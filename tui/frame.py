"""One frame: what every pane reads to draw itself, built once per frame from the session.

A :class:`Frame` is frozen and cheap to build (no O(history) work): the panes take what they show
from it and compare it with what they showed last, so a pane whose picture would not change is not
redrawn, and an unchanged screen sends nothing to the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass

from linreg_tui.core.session import Session
from linreg_tui.core.trainer import Record, Status


@dataclass(frozen=True, eq=False)
class Frame:
    """The state one frame shows.

    Attributes
    ----------
    session : Session
        The run (its dataset, settings, reference, analysis and trainer).
    record : Record
        The current epoch's parameters, loss and gradient.
    status : Status
        Where the run stands.
    running : bool
        Whether the stepper is running.
    speed : str
        The run speed as the status line shows it ("100/s", "max").
    log_scale : bool
        Whether the loss chart is on a log scale.
    change : str
        What the last edit of the data did, while nothing else has happened since ("" else).
    """

    session: Session
    record: Record
    status: Status
    running: bool
    speed: str
    log_scale: bool
    change: str = ""

    @property
    def epoch(self) -> int:
        return self.record.epoch

    @classmethod
    def of(
        cls, session: Session, running: bool, speed: str, log_scale: bool, change: str = ""
    ) -> Frame:
        record = session.record()
        return cls(session, record, session.trainer.status, running, speed, log_scale, change)
