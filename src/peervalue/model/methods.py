"""Names of the pooling methods and weightings, and the one table of their labels."""

from __future__ import annotations

from typing import Final, Literal

Weighting = Literal["all", "intervention"]
#: what the benefits count: psychiatric bed-days only (the reference), or every resource a
#: study reports and the cost file prices (other resources as bed-day equivalents)
Resources = Literal["bed-days", "all"]
RESOURCE_NOTES: Final[dict[Resources, str]] = {
    "bed-days": "benefits count psychiatric bed-days only (the reference analysis)",
    "all": "benefits count psychiatric bed-days and every other resource a study reports "
    "(valued at the cost file's unit costs and shown as bed-day equivalents)",
}
#: one study holding this share of a pooled result's weight or more dominates it, and the
#: outputs say so (``compare``'s words, a business case's notes)
DOMINANT_SHARE: Final = 0.5
#: "weighted": the 2013 report's weighted mean of ratios; "sums": total benefit / total cost
PoolingMethod = Literal["weighted", "sums"]
POOLING_METHODS: Final[tuple[PoolingMethod, ...]] = ("weighted", "sums")

#: short names, for table rows and titles
METHOD_TITLES: Final[dict[PoolingMethod, str]] = {
    "weighted": "weighted mean of ratios",
    "sums": "ratio of sums",
}
#: one-line descriptions, carried in results
METHOD_LABELS: Final[dict[PoolingMethod, str]] = {
    "weighted": "weighted mean of ratios (the 2013 report's method)",
    "sums": "ratio of sums (total benefit / total cost)",
}
#: which parts of a peer worker's cost count: pay (salary and employer on-costs), or the
#: full cost with overheads and capital
CostBasis = Literal["full", "pay"]
COST_BASIS_NOTES: Final[dict[CostBasis, str]] = {
    "full": "full cost: salary, employer on-costs, overheads and capital (the PSSRU build-up)",
    "pay": "pay cost: salary and employer on-costs only (the 'additional pay costs' the 2013 "
    "report's words describe)",
}
#: the cost basis of a cost file that gives the post's cost as one figure (``total``): it
#: is counted as full, but was not built up from salary, on-costs and overheads here
TOTAL_COST_NOTE: Final = "the whole cost of a post, one figure from the cost file"


def cost_basis_note(basis: CostBasis, form: Literal["total", "components"]) -> str:
    """What the peer worker's cost counts, in words: the build-up for a cost file with
    components, the cost file's own figure for one that gives a total."""
    return TOTAL_COST_NOTE if form == "total" else COST_BASIS_NOTES[basis]


WEIGHTING_NOTES: Final[dict[Weighting, str]] = {
    "all": "weights are all patients in each study (intervention + control): one reading of "
    "the 2013 report's 'size of each study's patient sample'",
    "intervention": "weights are the patients who received peer support: the other reading of "
    "the 2013 report's 'size of each study's patient sample'",
}

#: the 2013 report's classes of a study's ratio, and zero (no effect), by the codes
#: ``core.classify`` returns
Classification = Literal["> 1", "0 to 1", "0", "< 0"]
CLASS_LABELS: Final[dict[int, Classification]] = {-1: "< 0", 0: "0 to 1", 1: "> 1", 2: "0"}
