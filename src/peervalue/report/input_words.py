"""A quantity in the words of a report's inputs appendix: its number, value with unit and
price year, range and source (one home for the national analysis's rows,
:func:`peervalue.service.report.input_rows`, and a business case's,
:mod:`peervalue.service.report_case_inputs`)."""

from __future__ import annotations

from peervalue.provenance import Quantity


def number(x: float) -> str:
    """Up to six significant figures, with thousands separators."""
    return f"{x:,.6g}"


def shown_quantity(q: Quantity) -> str:
    """``2,500 GBP/FTE, 2024-25 prices``."""
    return f"{number(q.value)} {q.unit}" + (f", {q.price_year} prices" if q.price_year else "")


def shown_range(q: Quantity) -> str:
    """``6 to 20``, or empty without a range."""
    return "" if q.range is None else f"{number(q.range[0])} to {number(q.range[1])}"


def source_words(q: Quantity) -> str:
    """The citation (with its locator), else the formula it is derived by, else the
    rationale of an assumption, on one line."""
    if q.source is not None:
        text = q.source.citation + (f", {q.source.locator}" if q.source.locator else "")
    elif q.formula:
        text = f"derived: {q.formula}"
    else:
        text = q.rationale or ""
    return " ".join(text.split())
