"""Printing HTML to PDF with WeasyPrint, on two cores where that is safe.

WeasyPrint lays a document out on one core, and the quarterly pack spends
most of its time there. The pack's two halves (cover to exceptions;
scorecard to data quality) do not depend on each other, so where we may fork
they are printed in two processes at once and joined. Their page footers
("page N of M") cannot be known until both are laid out, so the halves are
printed without them; the process printing the second (shorter) half then
prints the footers on M blank pages while the first is still being written,
and lays each footer over its page. The result reads exactly like the
document printed whole, bookmarks included.

The command line starts a `Printer` before it reads the database: a forked
process that imports WeasyPrint and pypdf (most of a second) while the
caller gathers the data and renders the HTML. Given the halves, it prints
them (itself and one more fork), asks the caller for the footers once it
knows the page total, and sends back the joined PDF. If it fails in any way
the caller prints the whole document itself: a failure costs time, never
the pack.

Forking is only safe in a process with no other busy threads (a lock held by
another thread stays locked for ever in the child), so only the command line
asks for it, before it starts any work; the dashboard's server, and any
machine with one core, prints the whole document in one go.
"""

from __future__ import annotations

import io
import logging
import os
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection, Pipe
from pathlib import Path
from typing import Any, NoReturn

from tracker.forking import may_fork

logger = logging.getLogger(__name__)


def html_to_pdf(html: str, base_url: Path) -> bytes:
    """One HTML document printed by WeasyPrint."""
    return _laid_out(html, base_url).write_pdf()


def _laid_out(html: str, base_url: Path) -> Any:
    """One HTML document laid out in pages by WeasyPrint (imported here: it is slow to import)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(base_url)).render()


def can_fork_safely() -> bool:
    """True where we may fork (see tracker.forking) and a second core is there to use.

    Callers still opt in: only the command line asks, at the start of `report`,
    before it opens the database.
    """
    return may_fork() and (os.cpu_count() or 1) >= 2


class Printer:
    """A forked process, started early, that prints the halves it is later sent.

    Messages on the pipe: the caller sends (first, second, base_url); the
    printer may answer ("footers", page total), to which the caller replies with
    the footers' HTML; it ends with ("pdf", the joined PDF) or ("failed", None).
    """

    # Seconds to wait for each answer before giving up on a printer that hangs (a pack's
    # halves take seconds). The caller then prints the whole pack itself.
    patience = 300.0

    def __init__(self, pid: int, conn: Connection) -> None:
        self.pid = pid
        self.conn = conn
        self.finished = False

    @classmethod
    def fork(cls) -> Printer:
        """Start the printer now; callers check `can_fork_safely` first (see `start_printer`)."""
        mine, theirs = Pipe()
        pid = os.fork()
        if pid == 0:
            mine.close()
            _serve(theirs)
        theirs.close()
        return cls(pid, mine)

    def print_halves(
        self, first: str, second: str, footers: Callable[[int], str], base_url: Path
    ) -> bytes | None:
        """The joined PDF, or None if the printer failed, died or hung (the caller then prints
        the whole)."""
        try:
            self.conn.send((first, second, str(base_url)))
            while True:
                if not self.conn.poll(self.patience):
                    return None  # hung: `close` stops it
                kind, value = self.conn.recv()
                if kind != "footers":
                    self.finished = kind == "pdf"
                    return value if self.finished else None
                self.conn.send(footers(value))
        except (EOFError, OSError):  # it died: the pipe is closed or broken
            return None
        finally:
            self.close()

    def close(self) -> None:
        """Reap the printer, stopping it first unless it finished; safe to call again."""
        if self.conn.closed:
            return
        self.conn.close()
        if not self.finished:  # not yet reaped, so the pid is still this printer's
            os.kill(self.pid, signal.SIGTERM)
        os.waitpid(self.pid, 0)


def start_printer() -> Printer | None:
    """A printer for the halves where we may fork (see `can_fork_safely`), otherwise None."""
    return Printer.fork() if can_fork_safely() else None


def _serve(conn: Connection) -> NoReturn:
    """The printer's life: import, wait for the halves, print them, leave without cleanup."""
    code = 1
    try:
        import pypdf  # noqa: F401 - imported now, while the caller is busy
        import weasyprint  # noqa: F401

        first, second, base_url = conn.recv()
        pdf = print_in_halves(first, second, lambda total: _ask(conn, total), Path(base_url))
        conn.send(("pdf", pdf) if pdf is not None else ("failed", None))
        code = 0
    except BaseException:  # logged; the caller falls back to printing the whole
        logger.warning("the printer process failed; the pack is printed whole instead", exc_info=True)
    os._exit(code)


def _ask(conn: Connection, total: int) -> str:
    """The footers' HTML for `total` pages, from the caller, who has the data."""
    conn.send(("footers", total))
    footers: str = conn.recv()
    return footers


def print_in_halves(
    first: str, second: str, footers: Callable[[int], str], base_url: Path
) -> bytes | None:
    """The two halves printed at once and joined, with footers laid over; None if it failed.

    The first half (the longer, in the Board pack) is printed in a forked child,
    which sends its page count as soon as it is laid out and then its PDF. This
    process meanwhile prints the second half and then, knowing the total, the
    footers, so that only the join waits for both. If the child fails for any
    reason the caller prints the whole document instead, so a failure here
    costs time, never the pack.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _print_first_half(first, base_url, write_end)
    os.close(write_end)
    first_pdf = second_pdf = footer_pdf = b""
    try:
        with os.fdopen(read_end, "rb") as pipe:  # closed before the wait, so a blocked child ends
            second_pdf, second_pages = _print(second, base_url)
            count = pipe.read(_COUNT_BYTES)
            if len(count) == _COUNT_BYTES:
                total = int.from_bytes(count, "big") + second_pages
                footer_pdf = html_to_pdf(footers(total), base_url)
                first_pdf = pipe.read()
    finally:
        _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not first_pdf:
        return None
    return join_with_footers([first_pdf, second_pdf], footer_pdf)


_COUNT_BYTES = 4  # the first half's page count, sent ahead of its PDF


def _print(html: str, base_url: Path) -> tuple[bytes, int]:
    """One document printed, with its number of pages."""
    document = _laid_out(html, base_url)
    return document.write_pdf(), len(document.pages)


def _print_first_half(html: str, base_url: Path, write_end: int) -> NoReturn:
    """The child's part: lay out, send the page count, print, send the PDF, leave without cleanup."""
    code = 0
    try:
        with os.fdopen(write_end, "wb") as pipe:
            document = _laid_out(html, base_url)
            pipe.write(len(document.pages).to_bytes(_COUNT_BYTES, "big"))
            pipe.flush()
            pipe.write(document.write_pdf())
    except BaseException:  # logged; the parent falls back to printing the whole
        logger.warning("printing the first half failed; the pack is printed whole instead",
                       exc_info=True)
        code = 1
    os._exit(code)


def join_with_footers(parts: list[bytes], footer_pdf: bytes) -> bytes:
    """Join PDFs (keeping their bookmarks) and lay the pages of `footer_pdf` over theirs, one each."""
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
    footer_pages = PdfReader(io.BytesIO(footer_pdf)).pages
    if len(footer_pages) != len(writer.pages):
        raise RuntimeError(f"footers printed on {len(footer_pages)} pages for {len(writer.pages)}")
    for page, footer in zip(writer.pages, footer_pages, strict=True):
        _lay_over(page, footer, writer)
    if readers[0].metadata:
        writer.add_metadata({k: v for k, v in readers[0].metadata.items() if isinstance(v, str)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _lay_over(page: Any, footer: Any, writer: Any) -> None:
    """Draw `footer` (a page of another PDF) over `page`, as a form XObject.

    Unlike pypdf's merge_page this never parses the page's own drawing, which
    made most of the join's time; the form also keeps the footer's resource
    names apart from the page's.
    """
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    form = footer.raw_get("/Contents").clone(writer)  # the footer's drawing, still compressed
    form.get_object().update({
        NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject(footer.mediabox),
        NameObject("/Resources"): footer["/Resources"].clone(writer),
    })
    resources = DictionaryObject(page["/Resources"])  # copies: pages may share these dictionaries
    xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
    xobjects[NameObject(_FOOTER)] = form
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources
    content = page.get_contents()
    content.set_data(b"q\n" + content.get_data() + f"\nQ\n{_FOOTER} Do\n".encode())
    page.replace_contents(content)
    page.compress_content_streams()


_FOOTER = "/TrackerFooter"


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
