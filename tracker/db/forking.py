"""When the tracker may fork a child process to use a second core.

A fork copies only the calling thread: a lock another thread holds at that
moment stays locked for ever in the child. Idle library threads (OpenBLAS,
jemalloc) are fork-aware; another Python thread (the dashboard's server, a
Streamlit script run) is not. So the command line, which runs one Python
thread, may fork; the dashboard may not, and nor may systems without fork.
"""

from __future__ import annotations

import os
import threading


def may_fork() -> bool:
    """True where processes fork and this process runs no other Python thread."""
    return hasattr(os, "fork") and threading.active_count() == 1
