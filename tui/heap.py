"""The garbage collector kept out of a key's time.

Python's full collection walks every object the process holds: for the app, Textual's widgets,
styles and caches, numpy's and plotext's modules, some hundreds of thousands of objects, 50–75 ms
on a quiet core. It comes once every few hundred keys and lands inside whichever key's frame
allocated last, so that key was answered 50–75 ms late (the slowest key of a session was always
this). What exists once the app has drawn its first frame lives as long as the app, so it is
moved out of the collector's reach (:func:`gc.freeze`, which CPython's documentation suggests
for long-lived processes); later collections walk only what was made since, a few milliseconds.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Collect what start-up left behind, then freeze the rest: it is never walked again (it is
    still freed by reference counting, the collector only stops looking for cycles in it)."""
    gc.collect()
    gc.freeze()
