"""The audit trail: every write, who made it, when, and what changed.

Each change is one JSON line appended to `data/audit/audit.jsonl` (nothing in the
tracker rewrites or deletes a line), and, when the project folder is a git
repository, a commit of the changed file authored by the person, so the plan's own
history is the trail too. The build ignores this folder: an audit line never
makes the database out of date.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from tracker.access.people import Person
from tracker.project import Project

logger = logging.getLogger(__name__)

AUDIT_PATH = Path("data") / "audit" / "audit.jsonl"
LOCK_SECONDS = 30


def audit_path(project: Project) -> Path:
    return project.root / AUDIT_PATH


def lock_dir(project: Project) -> Path:
    return project.data_dir / "locks"


@contextmanager
def held(project: Project, name: str) -> Iterator[None]:
    """Hold the named lock of the project (under data/locks/), or say plainly we could not."""
    folder = lock_dir(project)
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / f"{name}.lock"), timeout=LOCK_SECONDS)
    try:
        lock.acquire()
    except Timeout as exc:
        raise TimeoutError(f"another change to {name} has been saving for over {LOCK_SECONDS} "
                           "seconds: try again in a minute") from exc
    try:
        yield
    finally:
        lock.release()


def record(project: Project, person: Person, entry: dict[str, Any]) -> dict[str, Any]:
    """Append one change to the trail, stamped with who and when (UTC)."""
    line = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "by": person.id, "name": person.name, "email": person.email, **entry}
    path = audit_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(line, ensure_ascii=False, default=str) + "\n"
    # O_APPEND: every line goes to the end, whoever else is writing; never truncated.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return line


def history(project: Project, objective_id: str | None = None) -> list[dict[str, Any]]:
    """The recorded changes, oldest first (of one objective, if given). A damaged line is
    skipped and logged, never fatal: the rest of the trail still shows."""
    path = audit_path(project)
    if not path.is_file():
        return []
    found = []
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, 1):
            try:
                entry = json.loads(text)
            except json.JSONDecodeError:
                logger.warning("%s:%d is not a JSON line: skipped", AUDIT_PATH, number)
                continue
            if isinstance(entry, dict) and (objective_id is None
                                            or entry.get("objective") == objective_id):
                found.append(entry)
    return found


def is_git_repository(root: Path) -> bool:
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"],  # noqa: S603, S607 - fixed arguments
                              capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        logger.warning("git could not be run in %s", root, exc_info=True)
        return False
    return done.returncode == 0 and Path(done.stdout.strip()).resolve() == root.resolve()


def commit(project: Project, person: Person, paths: list[Path], message: str) -> str | None:
    """Commit these files (only these) with the person as author; the commit's id, or None
    when the folder is not a git repository or git refused (logged: the write stands)."""
    root = project.root
    if not is_git_repository(root):
        return None
    names = [str(p.relative_to(root)) for p in paths]
    identity = ["-c", "user.name=Sefton plan tracker", "-c", "user.email=tracker@localhost"]
    author = f"{_plain(person.name)} <{person.email}>"
    steps = [["git", "-C", str(root), "add", "--", *names],
             ["git", "-C", str(root), *identity, "commit", "--quiet", f"--author={author}",
              "-m", message, "--only", "--", *names],
             ["git", "-C", str(root), "rev-parse", "HEAD"]]
    out = ""
    for step in steps:
        # a list, never a shell: the name and message are arguments, not code
        done = subprocess.run(step, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
        if done.returncode != 0:
            logger.warning("git %s failed in %s: %s", step[3], root, done.stderr.strip())
            return None
        out = done.stdout.strip()
    return out


def _plain(name: str) -> str:
    """A name git accepts as an author (no angle brackets or line ends)."""
    return " ".join(name.replace("<", "").replace(">", "").split())
