"""A file's text read exactly as stored, and replaced all at once.

Shared by the plan editor (area files) and the report (snapshots): both must
never leave a half-written file for a reader or the next build to find.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def read_text(path: Path) -> str:
    """The file's text exactly as stored: a byte order mark and CRLF line ends are kept
    (the splice writes new lines with the file's own line end)."""
    return path.read_bytes().decode("utf-8")


def write_atomically(path: Path, text: str, check: Callable[[Path], None] | None = None) -> None:
    """Replace the file's contents all at once: readers see the old or the new, never half.

    `check`, if given, is called with the written temporary file before it replaces
    the original; if it raises, the original is left as it was.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if check is not None:
            check(Path(tmp))
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
