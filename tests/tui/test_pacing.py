"""Frames paced by what the terminal drains, on a clock the test turns by hand.

The pacer's rules, checked against what they promise: a run's next frame waits until the
terminal has answered the question written after the last one (so at most one frame is ever on
its way); a terminal that never answers is found out and the writer's backlog used instead; the
frame rate is capped so that drawing costs at most CPU_SHARE of a core.
"""

from __future__ import annotations

import math

import pytest

from linreg_tui.tui.pacing import (
    ANSWER_TIMEOUT_S,
    CPU_SHARE,
    MAX_FPS,
    RUN_SHARE,
    WINDOW_S,
    FramePacer,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.cpu = 0.0
        self.busy = 0.0

    def pacer(self) -> FramePacer:
        return FramePacer(busy=lambda: self.busy, clock=lambda: self.now, cpu=lambda: self.cpu)


def test_without_a_terminal_frames_are_only_capped_at_max_fps():
    c = Clock()
    p = c.pacer()
    assert p.wait() == 0
    p.drew()
    assert p.wait() == pytest.approx(1 / MAX_FPS)
    c.now += 1 / MAX_FPS
    assert p.wait() == 0
    assert "not paced" in p.stats().describe()


def test_a_frame_waits_for_the_answer_to_the_last_one():
    c = Clock()
    p = c.pacer()
    backlog = [0]
    p.attach(lambda: backlog[0])
    p.drew()
    assert p.written(4300) is True  # write the question after it
    c.now += 1.0  # a slow link: long past the frame interval
    assert p.wait() == math.inf
    assert p.unanswered == 1
    p.answered()
    assert p.wait() == 0
    assert p.answers is True
    assert p.stats().answer_ms == pytest.approx(1000.0)
    assert p.stats().mode == "terminal answers"


def test_answers_pair_with_frames_in_order_and_stray_answers_are_ignored():
    c = Clock()
    p = c.pacer()
    p.attach(lambda: 0)
    p.written(100)  # a key's frame
    c.now += 0.1
    p.written(200)  # the run's frame just after
    p.answered()
    assert p.wait() == math.inf  # the second is still on its way
    p.answered()
    p.answered()  # an answer to nothing (a key read as a cursor report)
    assert p.unanswered == 0
    assert p.wait() == 0


def test_a_terminal_that_never_answers_is_paced_by_the_writer_backlog():
    c = Clock()
    p = c.pacer()
    backlog = [5000]
    p.attach(lambda: backlog[0])
    p.drew()
    p.written(5000)
    c.now += ANSWER_TIMEOUT_S / 2
    assert p.wait() == math.inf
    c.now += ANSWER_TIMEOUT_S
    assert p.wait() > 0  # found out: no more waiting for answers, but the writer is behind
    assert p.answers is False
    assert p.unanswered == 0
    assert p.written(100) is False  # no more questions
    backlog[0] = 0
    assert p.wait() == 0
    assert "does not answer" in p.stats().mode


def test_a_lost_answer_does_not_stop_the_frames_for_good():
    c = Clock()
    p = c.pacer()
    p.attach(lambda: 0)
    p.written(100)
    p.answered()  # the terminal answers...
    p.written(100)  # ...but this answer is lost
    c.now += ANSWER_TIMEOUT_S + 0.1
    assert p.wait() == 0
    assert p.answers is True  # still a terminal that answers


def test_the_frame_rate_is_capped_by_what_drawing_costs():
    c = Clock()
    p = c.pacer()
    p.attach(lambda: 0)
    # a second of 20 frames, each costing 20 ms of CPU, beside 500 ms of training
    for _ in range(20):
        p.drew()
        p.written(1000)
        p.answered()
        c.now += WINDOW_S / 20
        c.cpu += 0.020 + 0.025
        c.busy += 0.025
    c.now += 1e-9
    p.drew()
    wait = p.wait()
    assert wait == pytest.approx(0.020 / CPU_SHARE)
    stats = p.stats()
    assert stats.frame_cpu_ms == pytest.approx(20.0)
    assert stats.fps == pytest.approx(20.0, rel=0.01)
    assert stats.frame_bytes == pytest.approx(1000)
    assert "frames/s" in stats.describe()


def test_at_full_speed_drawing_is_capped_relative_to_training():
    """On a busy machine the app gets half a core: drawing may take RUN_SHARE of what it gets,
    not CPU_SHARE of a whole core."""
    c = Clock()
    flat_out = [True]
    p = FramePacer(
        busy=lambda: c.busy, flat_out=lambda: flat_out[0], clock=lambda: c.now, cpu=lambda: c.cpu
    )
    p.attach(lambda: 0)
    for _ in range(10):  # a second: 10 frames of 10 ms, 0.4 s of training
        p.drew()
        p.written(1000)
        p.answered()
        c.now += WINDOW_S / 10
        c.cpu += 0.010 + 0.040
        c.busy += 0.040
    c.now += 1e-9
    p.drew()
    # f·0.010 ≤ RUN_SHARE·(f·0.010 + 0.4)  ⇒  1/f ≥ 0.010·(1 − RUN_SHARE)/(RUN_SHARE·0.4)
    assert p.wait() == pytest.approx(0.010 * (1 - RUN_SHARE) / (RUN_SHARE * 0.4))
    assert p.wait() > 0.010 / CPU_SHARE
