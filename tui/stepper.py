"""The async stepper: runs the trainer inside the event loop without ever blocking it.

Work is cut into slices of about :data:`SLICE_S` seconds (the number of epochs per slice adapts to
the measured speed); between slices the stepper yields to the event loop, so keys are answered
and the screen repaints. At most :data:`FPS` :class:`~.messages.Progress` messages a second are
posted, whatever the number of epochs, and only when the epoch moved since the last one: a paced
run between two epochs posts nothing, so nothing is redrawn. How many frames the app actually
draws is its own business (it paces them by what the terminal drains); the stepper never waits
for a frame, so the epochs run never depend on the frame rate. At a chosen speed (epochs per
second) the run is paced; at full speed it goes as fast as the slices allow.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from linreg_tui.core.trainer import Status, Trainer

from .messages import Progress, RunStopped

#: Seconds of training between yields to the event loop.
SLICE_S = 0.012
#: Screen updates per second while running, at most.
FPS = 30
#: Run speeds in epochs per second; None is "as fast as possible".
SPEEDS: tuple[int | None, ...] = (1, 3, 10, 30, 100, 300, 1_000, 10_000, 100_000, None)
DEFAULT_SPEED = 4  # 100 epochs/s: a learner can watch the first hundred epochs


def speed_label(speed: int | None) -> str:
    return "max" if speed is None else f"{speed:,}/s"


class Stepper:
    """Drives a trainer in slices; ``post`` delivers its messages to the app.

    Parameters
    ----------
    trainer_of : callable
        Returns the trainer to drive (the session may be replaced between runs).
    post : callable
        Posts a message to the app (``app.post_message``).
    """

    def __init__(self, trainer_of: Callable[[], Trainer], post: Callable[..., object]) -> None:
        self._trainer_of = trainer_of
        self._post = post
        self.speed_index = DEFAULT_SPEED
        self.running = False
        self.to_end = False
        self._stop = False
        #: CPU seconds spent training so far (the rest of the app's CPU is mostly drawing).
        self.busy = 0.0

    @property
    def speed(self) -> int | None:
        return None if self.to_end else SPEEDS[self.speed_index]

    def faster(self) -> None:
        self.speed_index = min(len(SPEEDS) - 1, self.speed_index + 1)

    def slower(self) -> None:
        self.speed_index = max(0, self.speed_index - 1)

    def pause(self) -> None:
        """Ask a running loop to stop; it does within one slice."""
        self._stop = True

    async def run(self, to_end: bool) -> None:
        """Run until paused or the trainer stops. ``to_end``: at full speed."""
        trainer = self._trainer_of()
        self.running, self.to_end, self._stop = True, to_end, False
        chunk = 64
        owed = 0.0
        last_frame = last_tick = time.perf_counter()
        posted = trainer.epoch
        try:
            while not self._stop and trainer.status is Status.READY:
                now = time.perf_counter()
                speed = self.speed
                if speed is None:
                    steps = chunk
                else:
                    owed = min(owed + (now - last_tick) * speed, max(speed / 4, 1.0))
                    steps = min(int(owed), chunk)
                    owed -= steps
                last_tick = now
                if steps:
                    t0, c0 = time.perf_counter(), time.thread_time()
                    trainer.advance(steps, records=False)
                    spent = time.perf_counter() - t0
                    self.busy += time.thread_time() - c0
                    if steps == chunk:  # aim each slice at SLICE_S
                        rate = steps / max(spent, 1e-6)
                        chunk = max(1, min(int(rate * SLICE_S), chunk * 4))
                if trainer.epoch != posted and time.perf_counter() - last_frame >= 1 / FPS:
                    posted = trainer.epoch
                    self._post(Progress(posted))
                    last_frame = time.perf_counter()
                # Yield: keys and repaints run now. When pacing, sleep until the next epoch is due.
                delay = 0.0 if speed is None or owed >= 1 else min(1 / FPS, (1 - owed) / speed)
                await asyncio.sleep(delay)
        finally:
            paused = self._stop
            self.running, self.to_end, self._stop = False, False, False
            self._post(RunStopped(trainer.epoch, paused))
