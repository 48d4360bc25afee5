"""The status vocabulary, once: the statuses, their order and ranks, words and symbols.

The dashboard, the report, the command line and the status SQL (which takes
the ranks as a parameter) all use these definitions, so a status reads and
compares the same everywhere. Colour is never the only signal: every status
has a word and a symbol that read the same in black and white and for
colour-blind readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# What a lead can report, worst first, then "no update": the order of every count and filter.
REPORTED_STATUSES = ("red", "amber", "green", "blue", "not_reported")
# What the evidence says (the derived status), in the order the dashboard lists it.
DERIVED_STATUSES = ("complete", "on_track", "at_risk", "overdue", "no_date")
# What the `exceptions_include` setting may add to the exception rule (tracker.status.objectives).
EXCEPTION_WIDENINGS = ("amber", "not_reported", "at_risk")
MOVEMENTS = ("improved", "deteriorated", "unchanged", "new", "not_reported")

# Worse is lower. Reported and derived statuses share one scale, so "reported rosier than the
# evidence" is a comparison of ranks. Statuses without a rank (not reported, no date) are
# never compared.
STATUS_RANKS: dict[str, int] = {
    "red": 1, "amber": 2, "green": 3, "blue": 4,
    "overdue": 1, "at_risk": 2, "on_track": 3, "complete": 4,
}


def status_rank_rows() -> list[dict[str, Any]]:
    """`STATUS_RANKS` as the `$status_ranks` parameter of the status SQL (a list of structs)."""
    return [{"status": status, "rank": rank} for status, rank in STATUS_RANKS.items()]


@dataclass(frozen=True)
class StatusStyle:
    word: str
    symbol: str
    colour: str  # from a colour-blind-safe palette; never used alone

    @property
    def label(self) -> str:
        return f"{self.symbol} {self.word}"


STATUS_STYLES: dict[str, StatusStyle] = {
    "red": StatusStyle("Red", "✖", "#c0392b"),
    "amber": StatusStyle("Amber", "▲", "#e69f00"),
    "green": StatusStyle("Green", "✔", "#009e73"),
    "blue": StatusStyle("Complete", "★", "#0072b2"),
    "not_reported": StatusStyle("Not reported", "?", "#6b6b6b"),
    "no_date": StatusStyle("No date set", "–", "#6b6b6b"),
    "overdue": StatusStyle("Overdue", "⚑", "#c0392b"),
}


def status_label(status: str | None) -> str:
    """'amber' -> '▲ Amber'; unknown values are shown as they are, never hidden."""
    if status is None:
        return STATUS_STYLES["not_reported"].label
    style = STATUS_STYLES.get(status)
    return style.label if style else status


# What the evidence says (the derived status), in words and symbols.
DERIVED_LABELS = {
    "complete": "★ Complete", "on_track": "✔ On track", "at_risk": "▲ At risk",
    "overdue": "⚑ Overdue", "no_date": "– No date set",
}
MOVEMENT_LABELS = {
    "improved": "↑ Improved", "deteriorated": "↓ Deteriorated", "unchanged": "→ Unchanged",
    "new": "● New", "not_reported": "? Not reported",
}
EXAMPLE_MARK = " (example)"
# A movement between a real update and an example (or two examples) says so.
EXAMPLE_MOVEMENT_MARK = " (involves an example)"
# A metric's latest value against its target, and its travel since the last period.
TARGET_WORDS = {"met": "✔ Target met", "within_tolerance": "▲ Within tolerance",
                "missed": "✖ Target missed", None: "– No target"}
# A metric whose latest data is older than its freshness window is not judged.
NOT_JUDGED = "– Not judged: no recent data"
TRAVEL_WORDS = {"improved": "↑ Improved", "worse": "↓ Worse", "similar": "→ Similar", None: "—"}


def reported_label(status: str | None, is_example: bool) -> str:
    """The reported status as every place shows it: '★ Complete (example)' when it comes
    from an example update, directly or carried forward."""
    return status_label(status) + (EXAMPLE_MARK if is_example else "")


def movement_label(movement: str, involves_example: bool) -> str:
    """'↓ Deteriorated (involves an example)' when either side of the comparison is an example."""
    return MOVEMENT_LABELS.get(movement, movement) + (EXAMPLE_MOVEMENT_MARK if involves_example else "")
