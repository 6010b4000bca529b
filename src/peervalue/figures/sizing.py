"""How wide a figure must be shown for its smallest text to stay readable.

An SVG figure scales as a whole: shown ``w`` CSS pixels wide, text of ``f`` units in a
``viewBox`` ``W`` units wide is ``f * w / W`` pixels tall. The HTML report and the web
pages keep each figure at least :func:`readable_width` pixels wide (in a box that
scrolls sideways on a phone), so no figure text is smaller than
:data:`MIN_FIGURE_TEXT_PX`. Pure text parsing: no plotting library needed.
"""

from __future__ import annotations

import math
import re
from typing import Final

#: the smallest figure text, in CSS pixels, on any screen (a phone 390 px wide included)
MIN_FIGURE_TEXT_PX: Final = 10.0

_VIEWBOX = re.compile(rb'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) [\d.]+"')
_FONT_SIZE = re.compile(rb"font-size:\s*([\d.]+)px")


def readable_width(svg: bytes, min_px: float = MIN_FIGURE_TEXT_PX) -> int:
    """The width in CSS pixels at which the SVG's smallest text is ``min_px`` tall
    (rounded up); 0 when the SVG has no sized text or no ``viewBox``."""
    box = _VIEWBOX.search(svg)
    sizes = [float(m) for m in _FONT_SIZE.findall(svg) if float(m) > 0]
    if box is None or not sizes:
        return 0
    return math.ceil(min_px * float(box.group(1)) / min(sizes))
