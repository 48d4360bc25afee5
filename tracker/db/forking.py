"""When the tracker may fork a child process to use a second core, and the child that reads
the plans while the parent loads the extracts.

A fork copies only the calling thread: a lock another thread holds at that
moment stays locked for ever in the child. Idle library threads (OpenBLAS,
jemalloc) are fork-aware; another Python thread (the dashboard's server, a
Streamlit script run) is not. So the command line, which runs one Python
thread, may fork; the dashboard may not, and nor may systems without fork.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection

from tracker.db.tables import PlanTables, plan_tables
from tracker.project import Project


def may_fork() -> bool:
    """True where processes fork and this process runs no other Python thread."""
    return hasattr(os, "fork") and threading.active_count() == 1


@contextmanager
def plans_beside(project: Project) -> Iterator[Callable[[], PlanTables]]:
    """The plans' tables, made while the extracts load: reading YAML is Python work on one
    core, loading extracts DuckDB's on the others, and in one process the two would take
    turns with Python's lock. So a forked child reads the plans and sends back the tables.

    Forking is safe only from a process running one thread (the command line; not the
    dashboard's server) and only where processes fork (not Windows): elsewhere the plans
    are read here, first, as before.
    """
    if not may_fork():
        made = plan_tables(project)
        yield lambda: made
        return
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_send_plan_tables, args=(project, sender, receiver, os.getpid()),
                            daemon=True)
    child.start()
    sender.close()
    try:
        yield lambda: _received(receiver)
    finally:
        receiver.close()
        if child.is_alive():  # the build failed before it needed the plans
            child.kill()
        child.join()


def _send_plan_tables(project: Project, sender: Connection, receiver: Connection, parent: int) -> None:
    """In the child: the plans' tables, or what went wrong, to the parent.

    The child dies with its parent (a build killed with `kill -9` leaves no orphan): it
    asks Linux to kill it then, and it closes its copy of the pipe's reading end, so that
    a send to a dead parent fails instead of waiting for ever on a pipe it holds itself.
    """
    receiver.close()
    _die_with_parent(parent)
    # The child lives for one read and then exits: the cycle collector would only walk the
    # objects it makes (0.3 s of a national read when `cycle_collector.paused` ends) and the
    # parent's (copying their pages), and free nothing.
    gc.disable()
    try:
        made: PlanTables | BaseException = plan_tables(project)
    except BaseException as exc:  # noqa: BLE001 - the parent raises it (and logs it)
        made = exc
    try:
        sender.send(made)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:  # one that cannot be pickled
        sender.send(RuntimeError(f"reading the plans failed: {made or exc}"))
    except BrokenPipeError:  # the parent has gone: nobody to tell
        os._exit(1)
    sender.close()


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    """In a forked child: end when `parent` ends, however it ends."""
    asked = False
    if sys.platform.startswith("linux"):
        try:
            asked = ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            asked = False
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)
    if not asked:  # elsewhere: look every second
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _received(receiver: Connection) -> PlanTables:
    try:
        made: object = receiver.recv()
    except EOFError:
        raise RuntimeError("reading the plans stopped without an answer (out of memory?)") from None
    if isinstance(made, BaseException):
        raise made
    if not isinstance(made, PlanTables):
        raise TypeError(f"reading the plans answered with a {type(made).__name__}, not the tables")
    return made
