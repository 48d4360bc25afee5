"""Python's cycle collector, paused while the plans are read.

Reading a national set of plans (1,200 files, 20,000 objectives) makes millions of small
dicts, lists and strings that all stay alive until the tables are made. The collector
runs after every 700 new objects and, each tenth and hundredth time, walks every object
made so far, finding nothing to free: measured on the national benchmark, it was 28% of
reading the plans (3.44 s of CPU; 2.47 s paused). Nothing read from YAML refers to itself,
so pausing it loses nothing; it runs as usual once the read is over.

The pause is process-wide (the collector is), so it is counted: reads on two threads at
once (two dashboard sessions) keep it paused until the last one ends, and the collector
is switched back on only if it was on before the first.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pauses:
    """The process's one count of pauses (the collector is process-wide)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        self.was_enabled = False


_PAUSES = _Pauses()


@contextmanager
def paused() -> Iterator[None]:
    """The cycle collector off for the body (however it ends), then as it was."""
    with _PAUSES.lock:
        if _PAUSES.count == 0:
            _PAUSES.was_enabled = gc.isenabled()
            gc.disable()
        _PAUSES.count += 1
    try:
        yield
    finally:
        with _PAUSES.lock:
            _PAUSES.count -= 1
            if _PAUSES.count == 0 and _PAUSES.was_enabled:
                gc.enable()
