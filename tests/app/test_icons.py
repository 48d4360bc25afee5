"""ui/icons.py: our SVG icons go onto a page as images of themselves, named as the SVG was."""

from __future__ import annotations

import base64
import re

from tracker.spc.icons import VARIATION_NAMES, variation_svg
from ui.icons import svg_as_images


def _pictures(html: str) -> list[str]:
    return [base64.b64decode(m).decode("utf-8")
            for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]*)"', html)]


def test_an_icon_becomes_an_image_of_the_same_svg_named_by_its_label() -> None:
    svg = variation_svg("improvement_high")
    html = svg_as_images(f"<td>{svg}</td>")
    name = VARIATION_NAMES["improvement_high"]
    assert "<svg" not in html
    assert f'alt="{name}" title="{name}"' in html and 'class="mdc-icon"' in html
    assert _pictures(html) == [svg]


def test_an_svg_without_a_label_is_a_decorative_image_and_inner_attributes_stay_inside() -> None:
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="2" class="x"/></svg>'
    html = svg_as_images(f"<p>a</p>{svg}<p>b</p>")
    assert html.startswith("<p>a</p><img ") and html.endswith("<p>b</p>")
    assert ' alt=""' in html and 'width="8"' in html and 'class="x"' not in html
    assert _pictures(html) == [svg]
