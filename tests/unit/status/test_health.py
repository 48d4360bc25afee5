"""What the figures leave out, said the same way in every place that shows counts."""

from __future__ import annotations

import datetime as dt

from tracker.plans.problems import Problem
from tracker.status.health import SourceHealth

BAD = Problem("objectives/p/a.yaml", 8, "target_date '2023-13' is not a month")


def test_sound_files_say_nothing() -> None:
    assert SourceHealth().sentences(99) == []
    assert SourceHealth().ok


def test_a_bad_value_is_named_with_its_objective_and_line() -> None:
    health = SourceHealth(objective_problems={"LW-CAN-01": str(BAD)}, problems=[BAD])
    assert health.sentences(99) == [
        "99 objectives shown, 1 of them with a problem.",
        "1 objective has a problem in its plan file and is shown without the bad value: "
        "LW-CAN-01 (objectives/p/a.yaml:8: target_date '2023-13' is not a month).",
    ]
    assert not health.ok


def test_objectives_from_an_old_build_say_its_date_and_a_lost_file_is_counted() -> None:
    carried = {"path": "objectives/p/a.yaml", "line": 20, "message": "is not valid YAML",
               "shown_as_at": dt.datetime(2024, 7, 3, 9, 30), "objectives": 2}
    lost = {"path": "objectives/p/b.yaml", "line": None, "message": "is too big",
            "shown_as_at": None, "objectives": 0}
    health = SourceHealth(objective_problems={"A-01": "shown as at ...", "A-02": "shown as at ..."},
                          carried=frozenset({"A-01", "A-02"}), unread=[carried, lost],
                          problems=[BAD])
    assert health.sentences(97) == [
        "97 objectives shown, 2 of them with a problem; 1 plan file could not be read and the "
        "objectives in it are not counted.",
        "2 objectives of objectives/p/a.yaml are shown as at 3 July 2024: the file now has a "
        "problem (objectives/p/a.yaml:20: is not valid YAML).",
        "objectives/p/b.yaml could not be read, and there is no earlier build to show its "
        "objectives from (objectives/p/b.yaml: is too big).",
    ]
