"""Printing HTML to PDF with WeasyPrint, on two cores where that is safe.

WeasyPrint lays a document out on one core, and the quarterly pack spends
most of its time there. The pack's two halves (cover to exceptions;
scorecard to data quality) do not depend on each other, so where we may fork
they are printed in two processes at once and joined. Their page footers
("page N of M") cannot be known until both are done, so the halves are
printed without them and the footers are printed afterwards on M blank pages
and laid over the joined pages. The result reads exactly like the document
printed whole, bookmarks included.

Forking is only safe in a process with no other busy threads (a lock held by
another thread stays locked for ever in the child), so only the command line
asks for it; the dashboard's server, and any machine with one core, prints
the whole document in one go.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tracker.forking import may_fork


def html_to_pdf(html: str, base_url: Path) -> bytes:
    """One HTML document printed by WeasyPrint (imported here: it is slow to import)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(base_url)).write_pdf()


def can_fork_safely() -> bool:
    """True where we may fork (see tracker.forking) and a second core is there to use.

    Callers still opt in: only the command line, which reads the database and
    closes it before printing, asks for two processes.
    """
    return may_fork() and (os.cpu_count() or 1) >= 2


def print_in_halves(
    first: str, second: str, footers: Callable[[int], str], base_url: Path
) -> bytes | None:
    """The two halves printed at once and joined, with footers laid over; None if it failed.

    The second half is printed in a forked child and sent back through a pipe;
    if the child fails for any reason the caller prints the whole document
    instead, so a failure here costs time, never the pack.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: print the second half, send it, leave without cleanup
        os.close(read_end)
        code = 0
        try:
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(html_to_pdf(second, base_url))
        except BaseException:  # noqa: BLE001 - the parent falls back; nothing to report here
            code = 1
        os._exit(code)
    os.close(write_end)
    try:
        first_pdf = html_to_pdf(first, base_url)
    finally:
        with os.fdopen(read_end, "rb") as pipe:
            second_pdf = pipe.read()
        _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not second_pdf:
        return None
    return join_with_footers([first_pdf, second_pdf], footers, base_url)


def join_with_footers(parts: list[bytes], footers: Callable[[int], str], base_url: Path) -> bytes:
    """Join PDFs (keeping their bookmarks) and lay page footers printed for the whole over them."""
    from pypdf import PdfReader, PdfWriter

    readers = [PdfReader(io.BytesIO(part)) for part in parts]
    writer = PdfWriter()
    writer.append(readers[0])
    outlines = writer.root_object.get("/Outlines")
    top = outlines.get_object().raw_get("/First") if outlines and "/First" in outlines.get_object() else None
    for reader in readers[1:]:
        offset = len(writer.pages)
        writer.append(reader, import_outline=False)
        _copy_outline(reader, reader.outline, writer, offset, parent=top)
    total = len(writer.pages)
    footer_pages = PdfReader(io.BytesIO(html_to_pdf(footers(total), base_url))).pages
    if len(footer_pages) != total:
        raise RuntimeError(f"footers printed on {len(footer_pages)} pages for {total}")
    for page, footer in zip(writer.pages, footer_pages, strict=True):
        page.merge_page(footer)
        page.compress_content_streams()
    if readers[0].metadata:
        writer.add_metadata({k: v for k, v in readers[0].metadata.items() if isinstance(v, str)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _copy_outline(reader: Any, items: list[Any], writer: Any, offset: int, parent: Any) -> None:
    """Bookmarks of a later half, under the report's title as they are in the whole document.

    pypdf gives an outline as a list of items, each followed by a list of its
    children where it has any.
    """
    last = None
    for item in items:
        if isinstance(item, list):
            _copy_outline(reader, item, writer, offset, parent=last)
        else:
            last = writer.add_outline_item(
                title=item.title, page_number=offset + reader.get_destination_page_number(item),
                parent=parent)
