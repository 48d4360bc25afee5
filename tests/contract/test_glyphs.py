"""Every character the dashboard and the pack print is in a font the project installs.

The base machine has few fonts: a glyph outside them (`〰`, `✅`, an emoji) prints as an
empty box in the dashboard and in the PDF. CI installs DejaVu Sans (`.ci/run`); the
dashboard's own icons are Streamlit's Material Symbols (`:material/...:`), a font it ships.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCES = [REPO / "dashboard.py", *sorted((REPO / "ui").rglob("*.py")),
           *sorted((REPO / "tracker").rglob("*.py")),
           *sorted((REPO / "tracker" / "report" / "templates").iterdir())]
FONT = "DejaVu Sans"


def _printed_characters() -> dict[str, str]:
    """Each non-ASCII character that prints (not a format character such as a word joiner),
    with the first file it is in."""
    found: dict[str, str] = {}
    for path in SOURCES:
        for char in path.read_text(encoding="utf-8"):
            if ord(char) > 127 and unicodedata.category(char) not in ("Cf", "Mn", "Zs"):
                found.setdefault(char, str(path.relative_to(REPO)))
    return found


def _covered(char: str) -> bool:
    families = subprocess.run(["fc-list", f":charset={ord(char):x}", "family"],
                              capture_output=True, text=True, check=True).stdout
    return FONT in families


def test_every_glyph_is_in_the_installed_font() -> None:
    installed = shutil.which("fc-list") and FONT in subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, check=True).stdout
    if not installed:
        if os.environ.get("CI"):
            pytest.fail(f"{FONT} is not installed: .ci/run installs fonts-dejavu-core")
        pytest.skip(f"needs fontconfig and {FONT} (apt-get install -y fonts-dejavu-core)")
    missing = {f"{char} U+{ord(char):04X} {unicodedata.name(char, '?')}": where
               for char, where in _printed_characters().items() if not _covered(char)}
    assert missing == {}, f"glyphs no installed font has (use one {FONT} has, or an icon)"
