"""Logging for engineers, set up once for the command line and once for the dashboard.

People read plain messages; engineers read the log. Every caught exception is
logged with its traceback under a short reference (`7F3A2C1B`) that the message
shown to people repeats, so the one finds the other. Records go to stderr and to
a rotating file: `$TRACKER_LOG_FILE` if set (`off` for none), else
`<project>/logs/tracker.log`. The file is kept out of `data/` on purpose: the
database is rebuilt whenever a file there changes.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import uuid
from contextlib import suppress
from pathlib import Path

LOG_FILE_ENV = "TRACKER_LOG_FILE"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(reference)s] %(message)s"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 3
OUR_LOGGERS = ("tracker", "ui", "dashboard")
# The attribute that marks our handlers with the log file they were asked for (a string).
WANTED_MARK = "tracker_wanted"
# The attribute that keeps an exception's reference once it has been logged.
REFERENCE_MARK = "tracker_reference"

logger = logging.getLogger(__name__)


class _Reference(logging.Filter):
    """Gives every record a `reference` (`-` when it has none), for the format."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "reference"):
            record.reference = "-"
        return True


def log_path(root: Path) -> Path | None:
    """Where the log file goes for the project at `root`; None when switched off."""
    chosen = os.environ.get(LOG_FILE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in {"", "off", "none", "-"} else Path(chosen)
    return root / "logs" / "tracker.log"


def setup(root: Path, stderr_level: int = logging.INFO) -> Path | None:
    """Send our loggers' records to stderr and the rotating file; safe to call on every rerun.

    The dashboard's stderr is its server log, so it gets everything; the command line's
    stderr is read by people, so it passes `stderr_level=logging.CRITICAL` and leaves the
    tracebacks to the file.

    Returns the log file in use (None if there is none, or it cannot be opened: then a
    warning on stderr says so and stderr alone is used).
    """
    wanted = log_path(root)
    root_logger = logging.getLogger()
    # Our handlers are marked with the file they were asked for, so that a second call
    # (the dashboard runs its script on every rerun) keeps them rather than adding more.
    ours = [h for h in root_logger.handlers if hasattr(h, WANTED_MARK)]
    same = all(getattr(h, WANTED_MARK) == str(wanted) for h in ours)
    if ours and same and ours[0].level == stderr_level:
        files = [h for h in ours if isinstance(h, logging.FileHandler)]
        return Path(files[0].baseFilename) if files else None
    for handler in ours:
        root_logger.removeHandler(handler)
        handler.close()
    formatter = logging.Formatter(LOG_FORMAT)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    opened: Path | None = None
    if wanted is not None:
        try:
            wanted.parent.mkdir(parents=True, exist_ok=True)
            handlers.append(logging.handlers.RotatingFileHandler(
                wanted, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"))
            opened = wanted
        except OSError as exc:
            print(f"warning: cannot write the log file {wanted} ({exc}); logging to stderr only",
                  file=sys.stderr)
    handlers[0].setLevel(stderr_level)
    for handler in handlers[1:]:
        handler.setLevel(logging.INFO)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(_Reference())
        setattr(handler, WANTED_MARK, str(wanted))
        root_logger.addHandler(handler)
    for name in OUR_LOGGERS:
        if logging.getLogger(name).level == logging.NOTSET:
            logging.getLogger(name).setLevel(logging.INFO)
    return opened


def new_reference() -> str:
    """A short reference a person can read out, e.g. `7F3A2C1B`."""
    return uuid.uuid4().hex[:8].upper()


def log_exception(log: logging.Logger, message: str) -> str:
    """Log the exception being handled, with its traceback, under a new reference; return it.

    The reference is kept on the exception, so that a caller further up that catches it
    again reports the same reference instead of logging it twice.
    """
    exc = sys.exc_info()[1]
    known = getattr(exc, REFERENCE_MARK, None)
    if isinstance(known, str):
        return known
    reference = new_reference()
    log.exception("%s (reference %s)", message, reference, extra={"reference": reference})
    if exc is not None:
        with suppress(AttributeError):
            setattr(exc, REFERENCE_MARK, reference)
    return reference
