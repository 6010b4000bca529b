"""One look for every figure: the Okabe-Ito colour-blind-safe palette, plain axes, and
sizes that read on a page and on a phone."""

from __future__ import annotations

from typing import Any, Final

#: Okabe & Ito (2008), distinguishable with the common colour-vision deficiencies
BLACK: Final = "#000000"
ORANGE: Final = "#E69F00"
SKY: Final = "#56B4E9"
GREEN: Final = "#009E73"
YELLOW: Final = "#F0E442"
BLUE: Final = "#0072B2"
VERMILLION: Final = "#D55E00"
PURPLE: Final = "#CC79A7"
GREY: Final = "#7F7F7F"

#: benefits exceed costs / costs exceed benefits
GAIN: Final = BLUE
LOSS: Final = VERMILLION

RC: Final[dict[str, Any]] = {
    "font.family": "DejaVu Sans",  # bundled with matplotlib: the same glyphs everywhere
    "font.size": 9.5,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "svg.fonttype": "none",  # text stays text in SVG: searchable, and smaller
    "svg.hashsalt": "peervalue",  # the same figure gives the same SVG bytes
}

#: the smallest text any figure uses, in points (annotations, weights, notes); the HTML
#: report keeps a figure wide enough on a phone for this to read at its minimum size
SMALL: Final = 8.5
