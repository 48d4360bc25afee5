"""The cycle collector paused while plans are read, and always back as it was: a dashboard
process whose collector stayed off would grow without bound."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from tracker import cycle_collector
from tracker.db.tables import plan_tables
from tracker.plans.catalogue import load_catalogue
from tracker.project import Project


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_paused_inside_and_on_again_after() -> None:
    with cycle_collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_on_again_after_an_error() -> None:
    with pytest.raises(ValueError, match="bad plan"), cycle_collector.paused():
        raise ValueError("bad plan")
    assert gc.isenabled()


def test_left_off_when_it_was_off() -> None:
    gc.disable()
    with cycle_collector.paused():
        pass
    assert not gc.isenabled()


def test_two_reads_at_once_keep_it_paused_until_both_end() -> None:
    first_in, second_done, first_may_end = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def first() -> None:
        with cycle_collector.paused():
            first_in.set()
            first_may_end.wait(5)

    def second() -> None:
        first_in.wait(5)
        with cycle_collector.paused():
            pass
        seen["after second"] = gc.isenabled()
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    second_done.wait(5)
    first_may_end.set()
    for thread in threads:
        thread.join(5)
    assert seen == {"after second": False}  # the first read was still going
    assert gc.isenabled()


def test_reading_plans_leaves_the_collector_on(minimal_project: Project) -> None:
    assert plan_tables(minimal_project).counts["objectives"] == 3
    assert load_catalogue(minimal_project).problems == []
    assert gc.isenabled()
