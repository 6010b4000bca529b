"""The structural panel of a business case (``ScenarioResult.structural``) as plain cells,
for the HTML and PDF report and the calculator's page: one row per effect choice."""

from __future__ import annotations

from peervalue.report.words import money, percent
from peervalue.scenario.results import ScenarioResult

HEAD = [
    "Effect",
    "Bed-days saved per patient-year",
    "Relative effect (peer support / usual care)",
    "Net present value",
    "95% interval",
    "P(NPV > 0)",
    "Benefit:cost",
]
#: the columns holding numbers
NUMERIC = {1, 2, 3, 4, 5, 6}


def _num(x: float | None, digits: int) -> str:
    return "-" if x is None or x != x else f"{x:,.{digits}f}"


def structural_cells(r: ScenarioResult) -> tuple[list[list[str]], str]:
    """The panel's rows as text cells (not escaped) and a sentence naming the default and
    why; no rows without a panel."""
    panel = r.structural
    if panel is None:
        return [], ""
    cur = r.currency
    rows = []
    for row in panel.rows:
        marks = [m for m, on in (("default", row.is_default), ("this case", row.is_scenario)) if on]
        label = f"{row.label} ({row.source})" + (f" [{', '.join(marks)}]" if marks else "")
        if row.note is not None:
            rows.append([label, "-", "-", "-", row.note, "-", "-"])
            continue
        rows.append(
            [
                label,
                _num(row.bed_days_saved_per_patient_year, 2),
                _num(row.ratio, 2),
                money(row.net_present_value, cur),
                f"{money(row.net_present_value_p2_5, cur)} to "
                f"{money(row.net_present_value_p97_5, cur)}",
                percent(row.prob_net_present_value_positive),
                _num(row.benefit_cost_ratio, 2),
            ]
        )
    # the evidence in brackets (a folder's name alone, "own", does not read as a noun), and
    # the default named once: the reason given for it already begins "The default is ..."
    default = (
        panel.why_default
        if panel.why_default.startswith("The default is")
        else f"The default is {panel.default}. {panel.why_default}"
    )
    words = (
        f"The answer under each choice of effect (evidence: {panel.evidence}). {default} "
        f"{panel.note}"
    )
    return rows, words
