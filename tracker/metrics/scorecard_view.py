"""What the scorecard knows of one metric for one organisation, as at a date.

`MetricView` is what `scorecard` judges and `scorecard_words` puts into words;
the dashboard, the pack and the charts read it. `ChartNote` is a month marked
on a metric's chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from tracker.spc.icons import ASSURANCE_NAMES, VARIATION_NAMES


@dataclass(frozen=True)
class ChartNote:
    """A month marked on a metric's chart: a rebase (with its reason, if one was given) or
    an event (with its words), as the metric's YAML declares them."""

    period: dt.date
    text: str | None = None


@dataclass
class MetricView:
    """One metric for one organisation, as at a date."""

    metric_id: str
    name: str
    org: str | None
    unit: str
    direction: str
    is_example: bool
    method: str                        # spc, run_chart, target_only, no_data
    method_reason: str
    # period, value (+ SPC columns when method is spc; + benchmark, lower_ci, upper_ci and
    # compared_to_benchmark when the metric has a benchmark)
    points: pd.DataFrame
    latest_period: dt.date | None = None
    latest_value: float | None = None
    target: float | None = None
    target_due: dt.date | None = None
    target_set_by: str | None = None   # who set the target, from the metric's YAML
    rag: str | None = None             # met / within_tolerance / missed, None without a target
    vs_previous: str | None = None     # improved / similar / worse
    vs_last_year: str | None = None
    # better / similar / worse / not_compared (tracker.metrics.benchmarking); None without a benchmark
    benchmark: str | None = None
    benchmark_name: str | None = None  # what it is compared with, e.g. England
    variation_icon: str | None = None
    assurance_icon: str | None = None
    explanation: str = ""
    flagged: list[str] = field(default_factory=list)
    # The latest data is older than the metric's freshness window at the as-at date: it is
    # shown as "no recent data", and not judged (no RAG, travel or icons) nor used as evidence.
    is_stale: bool = False
    rebases: list[ChartNote] = field(default_factory=list)   # the ones that split this chart's limits
    events: list[ChartNote] = field(default_factory=list)    # the ones within this chart's months
    # A sustained shift to the latest point, put in words: where a rebase might go. Never applied.
    rebase_suggestion: str | None = None

    @property
    def board_reading(self) -> str:
        """The explanation as a Board member reads it: without the analysts' advice on where a
        rebase might go, which ends `explanation` (the dashboard shows it apart, for analysts)."""
        advice = self.rebase_suggestion
        if advice and self.explanation.endswith(advice):
            return self.explanation[: -len(advice)].rstrip()
        return self.explanation

    @property
    def variation_label(self) -> str:
        """The variation icon's standard name (the icon's own text alternative), or a dash."""
        return "—" if self.variation_icon is None else VARIATION_NAMES[self.variation_icon]

    @property
    def assurance_label(self) -> str:
        """The assurance icon's standard name (the icon's own text alternative), or a dash."""
        return "—" if self.assurance_icon is None else ASSURANCE_NAMES[self.assurance_icon]
