"""The Making Data Count variation and assurance icons, drawn here as small SVGs.

The icons follow NHS England's design (a ring in the kind's colour; H or L for a
special cause high or low, beside five points of which the last two are coloured;
P, F or ? over a dashed target line and the process's line for assurance), drawn by
us from circles, lines and letters. Each carries its standard name as its text
alternative (`role="img"`, `aria-label` and `<title>`), so a screen reader says
"Special cause concerning variation, high" where a sighted reader sees the icon.

The kinds are the codes `tracker.spc.xmr` gives (`variation_icon`, `assurance_icon`); the
names and the pictures are mapped from them here, once. Pure functions returning
strings: the dashboard and the pack both use them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from tracker.spc.palette import COMMON, CONCERN, IMPROVEMENT, NEUTRAL

FONT = "'Liberation Sans', Arial, Helvetica, 'DejaVu Sans', sans-serif"

# The standard names, as Making Data Count words them; each icon's text alternative.
VARIATION_NAMES: dict[str, str] = {
    "common_cause": "Common cause variation",
    "improvement_high": "Special cause improving variation, high",
    "improvement_low": "Special cause improving variation, low",
    "concern_high": "Special cause concerning variation, high",
    "concern_low": "Special cause concerning variation, low",
    "neutral_high": "Special cause neither improving nor concerning variation, high",
    "neutral_low": "Special cause neither improving nor concerning variation, low",
}
ASSURANCE_NAMES: dict[str, str] = {
    "consistent_pass": "The system is expected to consistently pass the target",
    "consistent_fail": "The system is expected to consistently fail the target",
    "inconsistent": "The system may achieve or fail the target subject to random variation",
}
# What each icon means, for the key.
VARIATION_MEANINGS: dict[str, str] = {
    "common_cause": "The latest point shows only the usual ups and downs: no significant change.",
    "improvement_high": "The latest point shows a significant change for the better, higher.",
    "improvement_low": "The latest point shows a significant change for the better, lower.",
    "concern_high": "The latest point shows a significant change for the worse, higher.",
    "concern_low": "The latest point shows a significant change for the worse, lower.",
    "neutral_high": "A significant rise, in a measure where higher is neither better nor worse.",
    "neutral_low": "A significant fall, in a measure where lower is neither better nor worse.",
}
ASSURANCE_MEANINGS: dict[str, str] = {
    "consistent_pass": "The target lies outside the process limits on the good side: it will be met.",
    "consistent_fail": "The target lies outside the process limits on the wrong side: it will be "
                       "missed unless the process changes.",
    "inconsistent": "The target lies between the process limits: it will be hit and miss.",
}

_VARIATION_COLOURS = {"common": COMMON, "improvement": IMPROVEMENT, "concern": CONCERN,
                      "neutral": NEUTRAL}
_ASSURANCE_COLOURS = {"consistent_pass": IMPROVEMENT, "consistent_fail": CONCERN,
                      "inconsistent": COMMON}
_ASSURANCE_LETTERS = {"consistent_pass": "P", "consistent_fail": "F", "inconsistent": "?"}
_XS = (22, 36, 50, 64, 78)  # the five points' x positions


def text(value: object) -> str:
    """Text from a file made safe inside our HTML: escaped (quotes too), and every run of
    white space one space, so no blank line can end an HTML block where Markdown reads it."""
    return escape(" ".join(str(value).split()), quote=True)


def variation_colour(kind: str) -> str:
    """The palette colour of a variation kind (its part before `_high` / `_low`)."""
    return _VARIATION_COLOURS[kind.split("_")[0]]


def _open(kind: str, name: str, size: int, colour: str) -> list[str]:
    label = escape(name, quote=True)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="{size}" '
        f'height="{size}" role="img" aria-label="{label}" class="mdc-icon" data-kind="{kind}">',
        f"<title>{label}</title>",
        f'<circle cx="50" cy="50" r="45" fill="#ffffff" stroke="{colour}" stroke-width="7"/>',
    ]


def _letter(text: str, y: float, colour: str) -> str:
    return (f'<text x="50" y="{y}" text-anchor="middle" font-family="{FONT}" font-weight="700" '
            f'font-size="30" fill="{colour}">{escape(text)}</text>')


def _points(ys: Sequence[float], colours: Sequence[str]) -> list[str]:
    line = " ".join(f"{x},{y}" for x, y in zip(_XS, ys, strict=True))
    parts = [f'<polyline points="{line}" fill="none" stroke="{COMMON}" stroke-width="2.5"/>']
    parts += [f'<circle cx="{x}" cy="{y}" r="5.5" fill="{c}"/>'
              for x, y, c in zip(_XS, ys, colours, strict=True)]
    return parts


def variation_svg(kind: str, size: int = 40) -> str:
    """The variation icon for a `tracker.spc.xmr.variation_icon` code, with its standard name."""
    name = VARIATION_NAMES[kind]  # an unknown kind is a bug: KeyError names it
    colour = variation_colour(kind)
    parts = _open(kind, name, size, colour)
    if kind == "common_cause":
        parts += _points((56, 66, 40, 62, 52), [COMMON] * 5)
    elif kind.endswith("_high"):
        parts.append(_letter("H", 40, colour))
        parts += _points((72, 76, 71, 58, 54), [COMMON] * 3 + [colour] * 2)
    else:
        parts.append(_letter("L", 84, colour))
        parts += _points((28, 24, 29, 42, 46), [COMMON] * 3 + [colour] * 2)
    parts.append("</svg>")
    return "".join(parts)


def assurance_svg(kind: str, size: int = 40) -> str:
    """The assurance icon for a `tracker.spc.xmr.assurance_icon` code, with its standard name."""
    name = ASSURANCE_NAMES[kind]
    colour = _ASSURANCE_COLOURS[kind]
    parts = _open(kind, name, size, colour)
    parts.append(_letter(_ASSURANCE_LETTERS[kind], 40, colour))
    target, process = {"consistent_pass": (76, (60, 55, 61, 56, 59)),
                       "consistent_fail": (54, (70, 75, 69, 74, 71)),
                       "inconsistent": (64, (56, 72, 57, 73, 60))}[kind]
    half = math.sqrt(40 ** 2 - (target - 50) ** 2)  # the line ends inside the ring
    parts.append(f'<line x1="{50 - half:.1f}" y1="{target}" x2="{50 + half:.1f}" y2="{target}" '
                 f'stroke="{colour}" stroke-width="3.5" stroke-dasharray="7,3"/>')
    line = " ".join(f"{x},{y}" for x, y in zip(_XS, process, strict=True))
    parts.append(f'<polyline points="{line}" fill="none" stroke="{COMMON}" stroke-width="4" '
                 'stroke-linejoin="round" stroke-linecap="round"/>')
    parts.append("</svg>")
    return "".join(parts)


def icon_key_html(size: int = 28, compact: bool = False) -> str:
    """A small legend of every icon with its name and meaning, as an HTML table.

    `compact` (for the printed pack): two icons a row, names only, to keep the page count down.
    """
    rows = [(variation_svg(kind, size), VARIATION_NAMES[kind], VARIATION_MEANINGS[kind])
            for kind in VARIATION_NAMES]
    rows += [(assurance_svg(kind, size), ASSURANCE_NAMES[kind], ASSURANCE_MEANINGS[kind])
             for kind in ASSURANCE_NAMES]
    caption = "<caption>Icon key: Making Data Count variation and assurance icons</caption>"
    if compact:
        cells = [f'<td class="key-icon">{svg}</td><th scope="row">{escape(name)}</th>'
                 for svg, name, _ in rows]
        pairs = ["".join(cells[i:i + 2]) for i in range(0, len(cells), 2)]
        return (f'<table class="icon-key compact">{caption}<tbody>'
                + "".join(f"<tr>{pair}</tr>" for pair in pairs) + "</tbody></table>")
    body = "".join(
        f'<tr><td class="key-icon">{svg}</td><th scope="row">{escape(name)}</th>'
        f"<td>{escape(meaning)}</td></tr>" for svg, name, meaning in rows)
    return (f'<table class="icon-key">{caption}<thead><tr><th scope="col">Icon</th>'
            '<th scope="col">Name</th><th scope="col">What it means</th></tr></thead>'
            f"<tbody>{body}</tbody></table>")


def sparkline_svg(values: Sequence[float], label: str, width: int = 96, height: int = 28,
                  colour: str = COMMON, last_colour: str | None = None) -> str:
    """A small line of the series (no axes): its shape at a glance, the latest point marked.

    `label` is the text alternative (escaped here). Values that are not finite are gaps.
    """
    finite = [v for v in values if v is not None and math.isfinite(v)]
    alt = text(label)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{alt}" class="sparkline">'
            f"<title>{alt}</title>")
    if not finite:
        return head + "</svg>"
    low, high = min(finite), max(finite)
    span = (high - low) or 1.0
    if not math.isfinite(span):
        return head + "</svg>"
    pad = 3
    n = len(values)

    def x(i: int) -> float:
        return pad + (width - 2 * pad) * (i / max(n - 1, 1))

    def y(v: float) -> float:
        return pad + (height - 2 * pad) * (1 - (v - low) / span) if high != low else height / 2

    steps, pen = [], False
    for i, v in enumerate(values):
        if v is None or not math.isfinite(v):
            pen = False
            continue
        steps.append(f"{'L' if pen else 'M'}{x(i):.1f},{y(v):.1f}")
        pen = True
    last = next(((i, v) for i, v in reversed(list(enumerate(values)))
                 if v is not None and math.isfinite(v)))
    return (head + f'<path d="{" ".join(steps)}" fill="none" stroke="{colour}" stroke-width="1.5"/>'
            f'<circle cx="{x(last[0]):.1f}" cy="{y(last[1]):.1f}" r="2.8" '
            f'fill="{last_colour or colour}"/></svg>')
