"""Where tests save what a person may want to look at afterwards (screenshots, axe findings,
pages of the printed pack).

Browser screenshots and axe findings go to test-output/ in the checkout (issue 17 asks for
them there; it is git-ignored); TRACKER_TEST_OUTPUT=/some/folder puts every artefact there
instead. The unit tests' rendered pages go to the test's temporary folder unless
TRACKER_TEST_OUTPUT is set.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHOSEN = os.environ.get("TRACKER_TEST_OUTPUT")
OUTPUT = Path(CHOSEN) if CHOSEN else REPO / "test-output"


def artefact_folder(kind: str, default: Path | None = None) -> Path:
    """The folder for artefacts of `kind`: TRACKER_TEST_OUTPUT/kind when set, else `default`
    (a temporary folder) when given, else test-output/kind."""
    folder = OUTPUT / kind if CHOSEN or default is None else default
    folder.mkdir(parents=True, exist_ok=True)
    return folder
