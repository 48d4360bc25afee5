"""Printing HTML to a tagged PDF with WeasyPrint, in one process.

The PDF is tagged (a structure tree, so screen readers and reflow work, with the
document's language from `<html lang>`) and its h1-h3 become bookmarks. The
pack used to be printed in two forked processes whose halves were joined with
pypdf; a join cannot keep the structure tree, so a tagged pack must be printed
whole. Measured on the 2-core machine, the simpler printer costs too little to
matter: see the README's benchmarks.
"""

from __future__ import annotations

from pathlib import Path


def html_to_pdf(html: str, base_url: Path) -> bytes:
    """One HTML document printed by WeasyPrint as a tagged PDF (imported here: it is slow to
    import, and only printing needs it)."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=str(base_url)).write_pdf(pdf_tags=True)
    return pdf
