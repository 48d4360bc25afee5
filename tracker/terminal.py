"""What the command line prints shows control characters as escapes, never raw.

Validation refuses them in the plans, but an extract's column names, organisation codes and
sheet names come from files we do not check for them; printed raw, an escape sequence can
retitle, clear or rewrite a lead's terminal. `\\u001b` is visible, and still valid JSON.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from typing import Any, TextIO

# C0 controls but tab and line feed (a carriage return alone rewrites the line), DEL and C1.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """`text` with each control character written as a visible `\\uXXXX`."""
    return CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class VisibleText:
    """A text stream that writes control characters as visible escapes."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(visible(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, encoding, isatty ... as the stream has them
        return getattr(self._stream, name)


@contextlib.contextmanager
def visible_output() -> Iterator[None]:
    """Within the block, sys.stdout and sys.stderr show control characters as escapes."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = VisibleText(out), VisibleText(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
