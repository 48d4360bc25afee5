"""Replace an area file only if the next build would still read and accept it.

The new text is written to a temporary file beside the original, read back
with the build's own reader (size limit included) and checked as the build
checks an area file, and only then renamed over the original: a refused or
failed change leaves the file untouched, and a saved one is never left out
by the next build. Problems the file already had do not refuse a change;
only what the change adds does.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

from tracker.files import write_atomically
from tracker.plans.catalogue import Catalogue, area_file_problems
from tracker.plans.models import AreaFile, Plan
from tracker.plans.problems import Problem, SourceError
from tracker.plans.refusals import EditRefused
from tracker.plans.validation import validate_document
from tracker.plans.yamlio import MAX_FILE_BYTES, LocatedDocument, parse_yaml_text, read_yaml

logger = logging.getLogger(__name__)


def write_checked(
    path: Path, before: str, after: str, shown_as: str, plan: Plan, area_code: str,
    catalogue: Catalogue,
) -> None:
    """Replace the file with `after` only if the build would read and accept it.

    The check runs on the bytes written, read back by the build's reader
    (`read_yaml`, with its size limit) and validated as the build validates an
    area file; problems the file already had before this change do not refuse it.
    """
    old = _build_problems_of_text(before, shown_as, plan, area_code, catalogue)

    def check(written: Path) -> None:
        try:
            doc = read_yaml(written, shown_as)
        except SourceError as exc:
            logger.info("refused a write to %s: %s", shown_as, exc.problem)
            raise EditRefused(_unreadable_reason(exc.problem)) from exc
        new = _build_problems(doc, plan, area_code, catalogue)
        added = [p for p in new if not _already_there(p, old)]
        if added:
            logger.info("refused a write to %s: %s", shown_as, "; ".join(map(str, added)))
            raise EditRefused("the change would break the file: " + "; ".join(map(str, added)))

    write_atomically(path, after, check)


def _unreadable_reason(problem: Problem) -> str:
    if problem.message.startswith("is ") and "the limit is" in problem.message:
        return (f"the file would become too big for the tracker to read ({problem.path} "
                f"{problem.message} bytes), and the next build would leave out every objective "
                f"in it: shorten the text (a file can hold at most {MAX_FILE_BYTES // 1024 // 1024} "
                "MiB), or put the long detail in a separate document and refer to it")
    return f"the change would break the file: {problem}"


def _build_problems(
    doc: LocatedDocument, plan: Plan, area_code: str, catalogue: Catalogue
) -> list[Problem]:
    area_file, problems = validate_document(doc, AreaFile)
    if problems or not isinstance(area_file, AreaFile):
        return problems
    return area_file_problems(plan, area_code, doc, area_file, catalogue.people, catalogue.signoff_orgs)


def _build_problems_of_text(
    text: str, shown_as: str, plan: Plan, area_code: str, catalogue: Catalogue
) -> Counter[str]:
    """The problems the build finds in the file as it is now, by message (lines move)."""
    try:
        doc = parse_yaml_text(text, shown_as)
    except SourceError as exc:
        return Counter([exc.problem.message])
    return Counter(p.message for p in _build_problems(doc, plan, area_code, catalogue))


def _already_there(problem: Problem, old: Counter[str]) -> bool:
    if old[problem.message] > 0:
        old[problem.message] -= 1
        return True
    return False
