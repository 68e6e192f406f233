"""Frames paced by what the terminal drains, and by what drawing costs.

Over a slow SSH link the screen falls behind when frames are written faster than the link
carries them: every buffer on the way (the pty, sshd, the sockets) fills, and a key's effect waits
behind seconds of old frames. Waiting for the writes themselves to block does not help, because
by then those buffers are full. So after every frame the driver asks the terminal where its cursor
is (``CSI 6n``, which every VT100-like terminal answers, tmux included); the answer comes back
only once the terminal has read everything written before the question. The next frame of a
run is drawn only when the last one has been answered: at most about one frame is ever on its
way, whatever the link's speed, and the frame rate falls by itself on a slow link.

A terminal that never answers (none seen yet, but a pipe or an odd emulator could) is detected
after :data:`ANSWER_TIMEOUT_S`; then the writer thread's own backlog is used instead (frames wait
while earlier ones are still queued for writing).

Drawing also costs CPU, shared with the trainer in one thread: the frame rate is capped so that
drawing takes at most :data:`CPU_SHARE` of a core, and during a run at full speed at most
:data:`RUN_SHARE` of the app's CPU time (measured each second: the process's CPU time minus the
trainer's, per frame drawn). The trainer never waits for a frame: frames are skipped,
epochs are not.

Keys always draw at once; only the frames of a running run are paced.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.drivers.linux_driver import LinuxDriver

if TYPE_CHECKING:
    from textual.app import App

#: The question written after each frame: "where is the cursor?" (DSR 6).
PROBE = "\x1b[6n"
#: Most frames a second while running.
MAX_FPS = 30
#: Largest share of one core that drawing a run may take.
CPU_SHARE = 0.15
#: Largest share of the app's own CPU time that drawing may take in a run at full speed (so a
#: run to the end costs at most about 1/(1 − RUN_SHARE) of the training alone, however busy the
#: machine: on a loaded machine the app gets less than a core, and a cap in wall-clock terms
#: would let drawing take a larger part of what it gets).
RUN_SHARE = 0.08
#: Seconds without an answer after which a frame is taken as lost (or, before any answer came,
#: the terminal as one that does not answer).
ANSWER_TIMEOUT_S = 5.0
#: The mode without a terminal driver (tests, a browser).
NOT_PACED = "not paced: no terminal to ask"
#: Seconds over which the frame rate and the cost of a frame are measured.
WINDOW_S = 1.0


@dataclass(frozen=True)
class PacingStats:
    """What the pacer measured, for the help screen.

    Attributes
    ----------
    fps : float
        Frames drawn per second over the last window.
    frame_bytes : float
        Mean bytes a frame (over the last window with frames).
    answer_ms : float | None
        The terminal's last answer time (frame written → answered), ms; None if it never answered.
    frame_cpu_ms : float | None
        CPU a frame cost, ms (None until measured).
    mode : str
        How frames are paced: "terminal answers", "writer backlog" or "not paced".
    """

    fps: float
    frame_bytes: float
    answer_ms: float | None
    frame_cpu_ms: float | None
    mode: str

    def describe(self) -> str:
        if self.mode == NOT_PACED:
            return f"up to {MAX_FPS} a second while running ({NOT_PACED})"
        parts = [f"{self.fps:.1f} frames/s, {self.frame_bytes / 1000:.1f} kB a frame"]
        if self.answer_ms is not None:
            parts.append(f"the terminal answered the last in {self.answer_ms:.0f} ms")
        if self.frame_cpu_ms is not None:
            parts.append(f"drawing costs {self.frame_cpu_ms:.1f} ms of CPU a frame")
        return "; ".join(parts) + f" (paced by: {self.mode})"


class FramePacer:
    """Says when the next frame of a run may be drawn.

    Parameters
    ----------
    busy : callable
        Seconds the trainer has spent so far (its share of the CPU is not drawing).
    flat_out : callable
        Whether the run is at full speed (then drawing is capped relative to training).
    clock, cpu : callable
        Wall-clock and process CPU seconds (replaceable in tests).
    """

    def __init__(
        self,
        busy: Callable[[], float] = lambda: 0.0,
        flat_out: Callable[[], bool] = lambda: False,
        clock: Callable[[], float] = time.monotonic,
        cpu: Callable[[], float] = time.process_time,
    ) -> None:
        self._busy, self._flat_out, self._clock, self._cpu = busy, flat_out, clock, cpu
        #: True once the terminal answered, False once it failed to; None before either.
        self.answers: bool | None = None
        self.enabled = False  # set by the driver that writes the probes
        self._waiting: deque[tuple[float, int]] = deque()  # frames written, not yet answered
        self._backlog: Callable[[], int] = lambda: 0
        self._last_frame = -1e9
        self._min_interval = 1 / MAX_FPS
        self._answer_s: float | None = None
        self._frame_cpu: float | None = None
        now = clock()
        self._window = (now, cpu(), busy(), 0, 0)  # start, cpu, busy, frames, bytes
        self._fps = 0.0
        self._bytes = 0.0

    # -- the driver's side ----------------------------------------------------------------------

    def attach(self, backlog: Callable[[], int]) -> None:
        """A driver writes the probes; ``backlog`` gives the bytes it has queued, not written."""
        self.enabled = True
        self._backlog = backlog

    def written(self, nbytes: int) -> bool:
        """A frame of ``nbytes`` went to the writer; True: write the probe after it."""
        now = self._clock()
        self._roll(now, 1, nbytes)
        if self.answers is False:
            return False
        self._waiting.append((now, nbytes))
        return True

    def answered(self) -> None:
        """The terminal answered a probe: the oldest frame waiting has been read."""
        if not self._waiting:
            return  # an answer to nothing (a key read as one, or a frame timed out)
        sent, _ = self._waiting.popleft()
        self.answers = True
        self._answer_s = self._clock() - sent

    # -- the app's side -------------------------------------------------------------------------

    def drew(self) -> None:
        """A paced frame is being drawn now."""
        self._last_frame = self._clock()

    def wait(self) -> float:
        """Seconds until the next frame of a run may be drawn; 0: now; ``inf``: when answered."""
        now = self._clock()
        self._roll(now, 0, 0)
        due = max(0.0, self._last_frame + self._min_interval - now)
        if not self.enabled:
            return due
        while self._waiting and now - self._waiting[0][0] > ANSWER_TIMEOUT_S:
            self._waiting.popleft()  # lost, or the terminal does not answer
            if self.answers is None:
                self.answers = False
                self._waiting.clear()
        if self._waiting:
            return float("inf")
        if self.answers is False and self._backlog() > 0:
            return max(due, self._min_interval)
        return due

    @property
    def unanswered(self) -> int:
        return len(self._waiting)

    def stats(self) -> PacingStats:
        if not self.enabled:
            mode = NOT_PACED
        elif self.answers is False:
            mode = "writer backlog (the terminal does not answer)"
        else:
            mode = "terminal answers"
        return PacingStats(
            self._fps,
            self._bytes,
            None if self._answer_s is None else self._answer_s * 1000,
            None if self._frame_cpu is None else self._frame_cpu * 1000,
            mode,
        )

    def _roll(self, now: float, frames: int, nbytes: int) -> None:
        start, cpu0, busy0, n, b = self._window
        n, b = n + frames, b + nbytes
        span = now - start
        if span < WINDOW_S:
            self._window = (start, cpu0, busy0, n, b)
            return
        cpu, busy = self._cpu(), self._busy()
        self._fps = n / span
        if n:
            self._bytes = b / n
            # what drawing cost: the process's CPU less the trainer's, per frame
            per_frame = max(0.0, (cpu - cpu0) - (busy - busy0)) / n
            self._frame_cpu = per_frame
            interval = per_frame / CPU_SHARE
            if self._flat_out():
                # frames a second f: f·per_frame ≤ RUN_SHARE·(f·per_frame + training a second)
                training = max(busy - busy0, 1e-3) / span
                interval = max(interval, per_frame * (1 - RUN_SHARE) / (RUN_SHARE * training))
            self._min_interval = max(1 / MAX_FPS, interval)
        self._window = (now, cpu, busy, 0, 0)


class _CountingFile:
    """The terminal file, counting what the writer thread has written.

    Once the terminal has gone (a hung-up SSH session or a closed tmux pane: writes fail with
    EIO), what is still to be written is dropped. Otherwise Textual's writer thread dies on the
    error, its queue fills, and the app hangs for ever in its own goodbye (seen as leftover
    processes spinning on a deleted pty).
    """

    def __init__(self, file: Any) -> None:
        self._file = file
        self.written = 0
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                self._file.write(text)
            except OSError:
                self.gone = True
        self.written += len(text)
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self._file.flush()
            except OSError:
                self.gone = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


class PacedDriver(LinuxDriver):
    """Textual's Linux driver, with a probe after each frame and its bytes counted.

    The app must have a ``pacer`` (:class:`FramePacer`); its answers come back as
    :class:`textual.events.CursorPosition` events, which the app passes to
    :meth:`FramePacer.answered`.
    """

    def __init__(self, app: App, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._file = _CountingFile(self._file)
        self._pacer: FramePacer = app.pacer  # type: ignore[attr-defined]
        self._pacer.attach(self._backlog)
        self._queued = 0  # characters handed to the writer thread
        self._frame = 0  # bytes since the last flush
        self._probing = False

    def _backlog(self) -> int:
        return self._queued - self._file.written

    def write(self, data: str) -> None:
        super().write(data)
        self._queued += len(data)
        self._frame += len(data) if data.isascii() else len(data.encode("utf-8", "replace"))

    def flush(self) -> None:
        # Textual flushes once after each frame it writes: the end of a frame.
        super().flush()
        if self._probing and self._frame and self._pacer.written(self._frame):
            super().write(PROBE)
            self._queued += len(PROBE)
        self._frame = 0

    def start_application_mode(self) -> None:
        super().start_application_mode()
        self._probing = self.input_tty

    def stop_application_mode(self) -> None:
        # No question may go out that would be answered after the app has gone: the answer
        # would land in the shell as typed text.
        self._probing = False
        super().stop_application_mode()
