"""Our own HTML with inline SVG icons (tracker.spc.icons, tracker.report.ipr) drawn on a page.

`st.html` runs its HTML through a sanitiser that removes every `<svg>`, so each icon and
sparkline goes in as an image of the same SVG (a `data:` address), with its `aria-label` as
the image's `alt` and `title`. `st.markdown(unsafe_allow_html=True)` kept the SVGs inline,
but Streamlit parses Markdown's HTML in the browser: the scorecard's 36 KB summary took
a warm visit from 1.27x to 1.35x a bare Streamlit page (benchmarks/browser_paint.py). The
pack keeps its SVGs inline (tracker.report). Only HTML built by `tracker.spc.icons` /
`tracker.report.ipr` comes here: every text in it from a file is escaped there (html.escape),
so an `aria-label` is already fit to be an attribute, and nothing a user wrote is read as HTML.
"""

from __future__ import annotations

import base64
import re

import streamlit as st

from tracker.report.ipr import CSS

_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_ATTRIBUTE = re.compile(r'\s(aria-label|width|height|class)="([^"]*)"')


def our_html(markup: str) -> None:
    """Draw HTML built by tracker.spc.icons / tracker.report.ipr (never user text unescaped)."""
    st.html(svg_as_images(markup))


def ipr_styles() -> None:
    """The summary table's and the icon key's styles, once per page."""
    st.html(f"<style>{CSS}</style>")


def svg_as_images(markup: str) -> str:
    """Each inline `<svg>` of our markup as an `<img>` of the same picture: named by its
    `aria-label` (alt and title: a reader hears it, a pointer shows it), as wide and high, with
    its class for the page's styles; one without a label is decorative (alt="")."""
    return _SVG.sub(_image, markup)


def _image(match: re.Match[str]) -> str:
    svg = match.group(0)
    attributes = dict(_ATTRIBUTE.findall(svg[: svg.index(">")]))  # the <svg> tag's own only
    label = attributes.get("aria-label", "")
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    kept = "".join(f' {name}="{attributes[name]}"' for name in ("width", "height", "class")
                   if name in attributes)
    named = f' alt="{label}" title="{label}"' if label else ' alt=""'
    return f'<img src="data:image/svg+xml;base64,{data}"{named}{kept}>'
