"""Where a project's files live, and its settings.

A project is a folder with `objectives/`, `data/` and `queries/`. The command
line and the dashboard find it the same way, so both see the same files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.plans.problems import SourceError
from tracker.plans.yamlio import read_yaml

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = "settings.yaml"

DEFAULT_SETTINGS: dict[str, Any] = {
    # Show the shipped example updates and example metric values (labelled).
    "example_data": True,
    # Months before a target date within which late milestones make an objective "at risk".
    "at_risk_window_months": 3,
    # Let the dashboard write updates (off for read-only hosting). Writing also needs sign-in
    # ([auth] in .streamlit/secrets.toml) and a person in objectives/people.yaml.
    "allow_dashboard_updates": False,
    # Reminders: an update is due this many days after its quarter ends; the e-mails link to
    # the dashboard's form at dashboard_url, and `reminders --send` sends them through this
    # SMTP server (its user and password, if any, from TRACKER_SMTP_USER/_PASSWORD).
    "update_due_days": 30,
    "dashboard_url": "http://localhost:8501",
    "smtp_host": "",
    "smtp_port": 587,
    "smtp_tls": True,
    "smtp_sender": "",
    # With sign-in configured, whether viewing the dashboard needs it too (false: anyone who
    # can reach the dashboard reads it; writing always needs sign-in).
    "require_sign_in": True,
    # Whether a signed-in person who is not in objectives/people.yaml may read (true) or is
    # refused (false).
    "unregistered_may_read": True,
    # The organisations whose sign-off each quarterly update needs (the plan is joint).
    "signoff_orgs": ["Sefton Council", "NHS Cheshire and Merseyside"],
    # The organisations that make up the place: the scorecard, the pack and `spc` show a
    # metric for each of these it has data for (a metric's `orgs:` overrides), never for
    # another organisation picked by the amount of its data. "Sefton" is the name the
    # place-level extracts use; E08000014 Sefton Council; 01T and 01V the sub-ICB locations
    # (formerly South Sefton and Southport & Formby CCGs); RVY Southport and Ormskirk
    # Hospital; REM Aintree University Hospital, now Liverpool University Hospitals.
    "place_orgs": ["Sefton", "E08000014", "01T", "01V", "RVY", "REM"],
    # How old a metric's latest data may be, in months before the quarter's last month, and
    # still be shown as current (a metric's `freshness_months:` overrides). Older data shows
    # as "no recent data" and is not used as evidence.
    "freshness_months_monthly": 3,
    "freshness_months_quarterly": 6,
    "freshness_months_annual": 24,
    # Limits on each extract, so that one file cannot take the build's time or memory: an
    # extract over the columns or rows is refused with its size; a sandbox over its memory
    # or time fails that file only.
    "extract_max_columns": 1000,
    "extract_max_rows": 20_000_000,
    "extract_max_xlsx_rows": 500_000,
    "extract_memory_limit_mb": 2048,
    "extract_time_limit_seconds": 60,
    # What the exception rule adds to red, overdue, rosier than the evidence, deteriorated and
    # a linked metric of concern (tracker.status.objectives.exceptions): any of amber, not_reported, at_risk.
    "exceptions_include": [],
    # The Board paper's cover: the meeting dates (the pack takes the first after the quarter's
    # end; `report --meeting-date` overrides), who sponsors and who presents the paper, and the
    # optional fields of the Board's template (left out when empty).
    "board_meeting_dates": [],
    "report_sponsor": "",
    "report_presenter": "",
    "report_board_assurance_framework": "",
    "report_risk_register": "",
    "report_financial_implications": "",
    "report_legal_implications": "",
    "report_equality_implications": "",
}


@dataclass(frozen=True)
class Project:
    """The folders and settings of one tracker project."""

    root: Path
    settings: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_SETTINGS))
    db_override: Path | None = None

    @property
    def objectives_dir(self) -> Path:
        return self.root / "objectives"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def db_path(self) -> Path:
        return self.db_override or self.data_dir / "tracker.duckdb"

    @property
    def settings_path(self) -> Path:
        return self.root / SETTINGS_FILE

    @property
    def example_data(self) -> bool:
        return bool(self.settings["example_data"])


def find_root(start: Path | None = None) -> Path:
    """The project folder: $TRACKER_ROOT, else the working folder if it has
    `objectives/`, else the folder this package was installed from."""
    env = os.environ.get("TRACKER_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    if (here / "objectives").is_dir():
        return here
    return PACKAGE_ROOT


def load_project(root: Path | None = None, db: Path | None = None) -> Project:
    """Read the project's settings (defaults where `settings.yaml` is absent).

    `TRACKER_EXAMPLE_DATA=0` switches example data off without editing files.
    """
    base = (root or find_root()).resolve()
    settings = dict(DEFAULT_SETTINGS)
    path = base / SETTINGS_FILE
    if path.is_file():
        try:  # the same safe, bounded reader as the plans; `validate` reports what is wrong
            loaded = read_yaml(path, SETTINGS_FILE).data or {}
        except (SourceError, ValueError, RecursionError):  # the defaults stand
            loaded = {}
        if isinstance(loaded, dict):
            # Unknown or ill-typed settings are reported by `validate`; the defaults stand.
            settings.update({
                k: v for k, v in loaded.items()
                if k in DEFAULT_SETTINGS and type(v) is type(DEFAULT_SETTINGS[k])
            })
    env = os.environ.get("TRACKER_EXAMPLE_DATA")
    if env is not None:
        settings["example_data"] = env.strip().lower() not in {"0", "false", "no", "off"}
    return Project(root=base, settings=settings, db_override=db.resolve() if db else None)
