"""How `streamlit run dashboard.py` serves by default: to this computer only, with no error details.

Issue 20, finding 11: the dashboard listened on every interface unless told otherwise,
and showed full tracebacks to anyone who could open it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _streamlit_option(*names: str) -> list[str]:
    """Options as Streamlit reads them when started in the repository, as the README does."""
    code = ("import sys; from streamlit import config; config.get_config_options(force_reparse=True); "
            "print('\\n'.join(str(config.get_option(n)) for n in sys.argv[1:]))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    result = subprocess.run([sys.executable, "-c", code, *names], cwd=REPO, capture_output=True,
                            text=True, check=True, env={**env, "HOME": str(REPO / "no-home")})
    return result.stdout.split("\n")[: len(names)]


def test_the_repositorys_config_binds_to_loopback_and_hides_error_details() -> None:
    assert _streamlit_option("server.address", "client.showErrorDetails") == ["127.0.0.1", "none"]


def _outward_address() -> str | None:
    """This machine's address on its network (no packet is sent), or None if it has none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.254", 9))
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def test_the_readme_command_answers_on_localhost_only(tmp_path: Path) -> None:
    outward = _outward_address()
    if outward is None:
        pytest.skip("this machine has no network address besides loopback")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    env.update(TRACKER_ROOT=str(tmp_path), HOME=str(tmp_path))
    with (tmp_path / "streamlit.log").open("w") as log:
        process = subprocess.Popen(  # the README's command, plus a free port and no browser
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
             "--server.headless", "true"], cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while not _answers("127.0.0.1", port):
            assert process.poll() is None and time.monotonic() < deadline, "streamlit did not start"
            time.sleep(0.3)
        with urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=5) as answer:
            assert answer.read() == b"ok"
        assert not _answers(outward, port), f"the dashboard answers on {outward}"
    finally:
        process.terminate()
        process.wait(timeout=15)
