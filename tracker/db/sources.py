"""Which files the database is made from, and whether the database on disk is still theirs.

`source_signature` fingerprints the sources (and the tracker's own code); the database
records the signature it was built from, so `stale_reason` can say, cheaply and without
building, whether it must be rebuilt and why. `input_fingerprints` is the same per input,
for a build that redoes only what changed (`tracker.db.changes`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
from pathlib import Path

import duckdb

from tracker.project import Project

FAILURE_SUFFIX = ".failure.json"  # beside the database: the last failed build, for the banner
# Beside the database: the file as its build left it (inode, size, time) and its signature.
VOUCH_SUFFIX = ".built.json"
DB_SUFFIXES = (".duckdb", ".duckdb.wal", ".lock", ".tmp", ".tmp.wal", FAILURE_SUFFIX, VOUCH_SUFFIX)

NOT_SOURCES = frozenset({"snapshots", "audit", "locks"})  # folders written by the tracker itself

logger = logging.getLogger(__name__)


def source_files(project: Project) -> list[Path]:
    """Every file the database is made from: plans, metric definitions, extracts, settings, and
    every SQL file under queries/ (the build's own SQL, the extracts' rules, and the queries
    the pages run over it), so an edit to any of them makes the database out of date."""
    files = []
    for root in (project.objectives_dir, project.data_dir, project.queries_dir):
        for folder, subfolders, names in os.walk(root):  # links to folders are not followed
            # The audit trail and the write locks are written by every update: not sources.
            subfolders[:] = [d for d in subfolders if d not in NOT_SOURCES]
            files += [Path(folder, name) for name in names if not name.endswith(DB_SUFFIXES)
                      and os.path.isfile(os.path.join(folder, name))]
    if project.settings_path.is_file():
        files.append(project.settings_path)
    return sorted(files)


@functools.cache
def tracker_fingerprint() -> str:
    """The tracker's own version: its version number and a digest of its source files.

    A new release or an edited rule in the code makes every database out of date. Reading the
    package's files takes a few milliseconds, so it is done once per process.
    """
    import tracker

    digest = hashlib.sha256(f"version={tracker.__version__}\n".encode())
    package = Path(tracker.__file__).resolve().parent
    for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".j2")):
        digest.update(f"{path.relative_to(package).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def source_signature(project: Project, inputs: dict[tuple[str, str], str] | None = None) -> str:
    """A fingerprint of the source files and the tracker's version: it changes when a file is
    added, removed or edited, or the tracker is upgraded. (`inputs`: the project's
    `input_fingerprints`, when the caller has them already.)"""
    inputs = input_fingerprints(project) if inputs is None else inputs
    digest = hashlib.sha256(f"tracker={tracker_fingerprint()}\n".encode())
    for (kind, path), fingerprint in sorted(inputs.items(), key=lambda item: item[0][1]):
        if kind != "tracker":
            digest.update(f"{path}|{fingerprint.replace(':', '|')}\n".encode())
    digest.update(f"example_data={project.example_data}".encode())
    return digest.hexdigest()


def file_fingerprint(path: Path) -> str | None:
    """A file's size and modification time, `size:mtime_ns`; None when it has gone.

    Times and sizes, not the bytes' digest: reading 10 million rows of extracts to learn
    that nothing changed would cost more than a build with nothing to do may take.
    """
    try:
        stat = path.stat()
    except OSError:
        return None
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def input_fingerprints(project: Project) -> dict[tuple[str, str], str]:
    """Each input of the build, `(kind, path)` -> its fingerprint: the tracker itself (its
    code, version and whether example data is shown), settings, SQL, plan files (`plan`: in a
    plan's folder; `plans_shared`: beside them, like people.yaml), metric definition files and
    extracts (everything else under data/). Paths are relative to the project, with `/`."""
    inputs = {("tracker", ""): f"{tracker_fingerprint()}|example_data={project.example_data}"}
    root = str(project.root) + os.sep
    settings = str(project.settings_path)
    for path in source_files(project):
        fingerprint = file_fingerprint(path)
        text = str(path)
        if fingerprint is not None and text.startswith(root):
            relative = text[len(root):].replace(os.sep, "/")
            inputs[("settings" if text == settings else _kind(relative), relative)] = fingerprint
    return inputs


def _kind(relative: str) -> str:
    """The kind of input at `relative` (a path inside the project, with `/`)."""
    parts = relative.split("/")
    if parts[0] == "queries":
        return "sql"
    if parts[0] == "data":
        return "metric" if parts[1] == "metrics" and len(parts) > 2 else "extract"
    if parts[0] == "objectives":
        return "plan" if len(parts) >= 3 else "plans_shared"  # objectives/<plan>/...
    return "settings"  # any other source: treated like settings (a change rebuilds everything)


def built_signature(db_path: Path) -> str | None:
    """The source signature the database was built from; None if it is missing, cannot be
    opened, or any of its tables cannot be read in full (a file corrupt mid-way or cut short).

    The build that swapped the file in left a note beside it (`vouch_for`): while the file
    is as that build left it (its inode, size and time), the note's signature is the answer
    without opening the database, so a command that reads pays nothing on a big one.
    Otherwise every table is read (a second on 10 million rows), once per process for each
    version of the file, and the answer remembered.
    """
    try:
        stat = db_path.stat()
    except OSError:
        return None
    key = (str(db_path), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    vouched = _vouched(db_path, key)
    if vouched is not None:
        return vouched
    if key not in _CHECKED:
        if len(_CHECKED) >= 64:
            _CHECKED.clear()
        _CHECKED[key] = _read_and_check(db_path)
    return _CHECKED[key]


_CHECKED: dict[tuple[str, int, int, int], str | None] = {}


def vouch_for(db_path: Path, signature: str) -> None:
    """Note beside a database just swapped in that it is whole and built from `signature`
    (see `built_signature`). Without the note a reader checks the file itself: so a note
    that cannot be written costs time, never correctness."""
    try:
        stat = db_path.stat()
        note = {"inode": stat.st_ino, "mtime_ns": stat.st_mtime_ns, "size": stat.st_size,
                "signature": signature}
        tmp = db_path.with_name(f".{db_path.name}{VOUCH_SUFFIX}.tmp")
        tmp.write_text(json.dumps(note))
        os.replace(tmp, Path(str(db_path) + VOUCH_SUFFIX))
    except OSError as error:
        logger.warning("cannot note beside %s that it is whole: %s", db_path, error)


def _vouched(db_path: Path, key: tuple[str, int, int, int]) -> str | None:
    try:
        note = json.loads(Path(str(db_path) + VOUCH_SUFFIX).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(note, dict) or (str(db_path), note.get("inode"), note.get("mtime_ns"),
                                      note.get("size")) != key:
        return None
    signature = note.get("signature")
    return signature if isinstance(signature, str) else None


def database_is_whole(db_path: Path) -> bool:
    """True when every table of the database reads in full (or the build's note says so)."""
    return built_signature(db_path) is not None


def _read_and_check(db_path: Path) -> str | None:
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except (duckdb.Error, OSError) as exc:
        logger.warning("the database %s cannot be opened, so it will be rebuilt: %s", db_path, exc)
        return None
    try:
        row = con.execute("select source_signature from build_info").fetchall()
        tables = con.execute(
            "select table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
        for (table,) in tables:  # DuckDB checks each block's checksum as it reads it
            quoted = '"' + table.replace('"', '""') + '"'
            con.execute(f"select sum(hash(t)) from {quoted} as t").fetchall()  # noqa: S608 - its own tables
        return row[0][0] if row else None
    except (duckdb.Error, OSError) as exc:
        logger.warning("the database %s fails its check, so it will be rebuilt: %s", db_path, exc)
        return None
    finally:
        con.close()


def stale_reason(project: Project) -> str | None:
    """Why the database must be built before it is read, in a few words; None when it is
    current (built from the sources as they are now, by this version of the tracker)."""
    current = built_signature(project.db_path)
    if current == source_signature(project):
        return None
    if current is None:
        return "there is none yet" if not project.db_path.exists() else "the one there cannot be read"
    return "the plan, metric or query files (or the tracker) changed since the last build"


def is_stale(project: Project) -> bool:
    """True when the database is missing, unreadable, or built from other sources."""
    return stale_reason(project) is not None
