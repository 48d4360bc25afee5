"""RAG words and symbols, shared by the dashboard and the report.

Colour is never the only signal: every status has a word and a symbol that
read the same in black and white and for colour-blind readers.
"""

from __future__ import annotations

from dataclasses import dataclass


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
