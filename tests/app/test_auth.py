"""ui/auth.py: whether sign-in is set up, read from Streamlit's secrets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROBE = """
import logging, sys
sys.path.insert(0, {repo!r})
logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(message)s")
from ui.auth import sign_in_configured
print("configured:", sign_in_configured())
"""


def _probe(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PROBE.format(repo=str(REPO))], cwd=folder,
                          capture_output=True, text=True, timeout=120,
                          env={"HOME": str(folder), "PATH": "/usr/bin:/bin"})


def test_no_secrets_file_means_read_only_without_a_warning(tmp_path: Path) -> None:
    result = _probe(tmp_path)
    assert "configured: False" in result.stdout, result.stderr
    assert "WARNING" not in result.stderr


def test_a_secrets_file_that_cannot_be_parsed_is_logged_as_a_warning(tmp_path: Path) -> None:
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text("[auth\nredirect_uri = 1\n")
    result = _probe(tmp_path)
    assert "configured: False" in result.stdout, result.stderr
    assert "WARNING the secrets file cannot be read: sign-in is off" in result.stderr
