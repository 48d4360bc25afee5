"""The core `tracker/` never imports streamlit: the command line, the Board pack and the
pre-commit hook run without the dashboard's packages, and quickly."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORE = REPO / "tracker"


def streamlit_imports(source: str, name: str) -> list[str]:
    """Each `import streamlit…` / `from streamlit… import` in `source`, as 'name:line'."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules = [node.module or ""]
        else:
            continue
        if any(m == "streamlit" or m.startswith("streamlit.") for m in modules):
            found.append(f"{name}:{node.lineno}")
    return found


def test_the_check_finds_a_streamlit_import_however_it_is_written() -> None:
    source = ("import os\nif True:\n    import streamlit as st\n"
              "def f():\n    from streamlit.runtime import x\n")
    assert streamlit_imports(source, "m.py") == ["m.py:3", "m.py:5"]
    assert streamlit_imports("import streamlit_extras\nfrom . import streamlit\n", "m.py") == []


def test_no_module_under_tracker_imports_streamlit() -> None:
    modules = sorted(CORE.rglob("*.py"))
    assert len(modules) > 20  # the walk found the package
    found = [hit for path in modules
             for hit in streamlit_imports(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))]
    assert found == [], f"tracker/ must not import streamlit (the UI lives in ui/): {found}"


def test_importing_every_tracker_module_leaves_streamlit_unloaded() -> None:
    names = sorted(".".join(path.relative_to(REPO).with_suffix("").parts)
                   for path in CORE.rglob("*.py") if path.name != "__main__.py")
    script = ("import importlib, sys\n"
              f"for name in {names!r}:\n"
              "    importlib.import_module(name)\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] == 'streamlit'))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"importing tracker loaded streamlit: {done.stdout}"
