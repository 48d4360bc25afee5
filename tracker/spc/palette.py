"""The Making Data Count colours, written down once: the icons and the charts' points use these.

NHS England's Making Data Count uses blue for special cause improvement, orange for
special cause concern, purple for special cause that is neither, and grey for common
cause. The shades vary between its tools: NHSRplotthedots 0.2.2 colours points
#00b0f0 / #e46c0a / #490092 / #a6a6a6 and draws its icons' rings in #0072c6 / #ff6600,
grey #bfbfbf; the MDC Excel tool's blue is close to #289de0 and its orange #fab428.

We keep the hues and take, of each, a shade that stands out from white by at least 3 to 1
(WCAG 1.4.11, non-text contrast), so a ring, a dot or a letter in an icon can be seen by a
reader with low vision: the light blues, #fab428 and the light greys do not (1.8 to 3.0 to 1).

| kind        | colour    | contrast on white |
|-------------|-----------|-------------------|
| improvement | `#0072c6` | 5.0 : 1           |
| concern     | `#e46c0a` | 3.3 : 1           |
| neutral     | `#490092` | 12.4 : 1          |
| common      | `#7b7d7d` | 4.1 : 1           |
"""

from __future__ import annotations

IMPROVEMENT = "#0072c6"
CONCERN = "#e46c0a"
NEUTRAL = "#490092"
COMMON = "#7b7d7d"
TARGET = "#c0392b"   # the target line on charts (red, 5.4 : 1)
INK = "#231f20"      # mean and limit lines

# The colour of each SPC point type (`tracker.spc.xmr.point_type`), for the charts.
POINT_COLOURS: dict[str, str] = {
    "special_cause_improvement": IMPROVEMENT,
    "special_cause_concern": CONCERN,
    "special_cause_neutral_high": NEUTRAL,
    "special_cause_neutral_low": NEUTRAL,
    "common_cause": COMMON,
}
