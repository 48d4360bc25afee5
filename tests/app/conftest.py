"""Every dashboard test fails if anything was logged at error level during it.

The pages catch every exception (a Board member never sees a traceback) and log it,
so without this a test's `assert not at.exception` could never fail. A test that
provokes an error on purpose says so with `@pytest.mark.logs_errors`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "logs_errors: the test provokes an error on purpose, so error logs are expected")


class _ErrorRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_error_logged(request: pytest.FixtureRequest) -> Iterator[_ErrorRecords]:
    """Fail the test at teardown if an ERROR record was logged (unless marked logs_errors)."""
    handler = _ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
    if handler.records and request.node.get_closest_marker("logs_errors") is None:
        formatter = logging.Formatter("%(levelname)s %(name)s: %(message)s")
        shown = "\n\n".join(formatter.format(r) for r in handler.records)
        pytest.fail(f"{len(handler.records)} record(s) logged at error level:\n{shown}", pytrace=False)
