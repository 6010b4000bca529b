"""Readable names for model inputs on figures: ``ward2024: length of peer support, 3 to 12
months`` for the parameter id ``ward2024:peer_input.support_duration`` ranging 0.25 to 1.

Parameter ids are ``<study id>:<field path>`` or ``costs:<field path>``; their values are in
the model's units (durations in years, costs in the output year's currency, shares as
proportions). A name says what the input is and gives its range in the unit a reader
thinks in: durations of up to three years in months, proportions as percentages, money with
its sign. An id this table does not know keeps its field's last part, spaces for
underscores, and the model's numbers.
"""

from __future__ import annotations

from peervalue.figures.labels import money_value, plain

#: field path -> (what it is, how its values read: "months", "%", "money", or a unit word)
_FIELDS: dict[str, tuple[str, str]] = {
    "bed_day": ("cost per bed-day", "money"),
    "peer_worker.total": ("cost of a peer worker per FTE-year", "money"),
    "peer_worker.components.salary": ("peer worker salary per year", "money"),
    "peer_worker.components.on_costs": ("employer on-costs", "%"),
    "peer_worker.components.overheads": ("overheads as a share of salary", "%"),
    "peer_worker.components.capital_overheads": ("capital overheads as a share of salary", "%"),
    "peer_input.support_duration": ("length of peer support", "months"),
    "peer_input.employment_duration": ("time the peer workers were employed", "months"),
    "peer_input.caseload": ("caseload", "patients per FTE"),
    "peer_input.fte": ("peer workers employed", "FTE"),
    "peer_input.fte_years": ("peer input", "FTE-years"),
    "follow_up": ("follow-up", "months"),
    "arms.intervention": ("patients with peer support", "patients"),
    "arms.control": ("patients in the comparison group", "patients"),
    "outcome.saved_per_patient": ("bed-days saved per patient", "bed-days"),
    "outcome.intervention_mean": ("bed-days per patient with peer support", "bed-days"),
    "outcome.control_mean": ("bed-days per patient in the comparison group", "bed-days"),
    "outcome.intervention_readmitted": ("readmitted with peer support", ""),
    "outcome.control_readmitted": ("readmitted in the comparison group", ""),
}


def _range(low: float, high: float, how: str, currency: str) -> str:
    if how == "months" and max(abs(low), abs(high)) <= 3:
        return f"{plain(low * 12)} to {plain(high * 12)} months"
    if how == "months":
        return f"{plain(low)} to {plain(high)} years"
    if how == "%":
        return f"{plain(low * 100)}% to {plain(high * 100)}%"
    if how == "money":
        return f"{money_value(low, currency)} to {money_value(high, currency)}"
    unit = f" {how}" if how else ""
    return f"{plain(low)} to {plain(high)}{unit}"


def input_label(parameter: str, low: float, high: float, currency: str = "GBP") -> str:
    """``<owner>: <what it is>, <low> to <high> <unit>`` for a tornado bar or an EVPPI row."""
    owner, _, field = parameter.partition(":")
    if not field:
        owner, field = "", parameter
    what, how = _FIELDS.get(field, (field.rsplit(".", 1)[-1].replace("_", " "), ""))
    prefix = f"{owner}: " if owner else ""
    return f"{prefix}{what}, {_range(low, high, how, currency)}"


def field_name(field: str) -> str:
    """What a study's or cost file's field is, in words (``peer_input.caseload`` ->
    ``caseload``); a field this table does not know keeps its last part, spaces for
    underscores."""
    return _FIELDS.get(field, (field.rsplit(".", 1)[-1].replace("_", " "), ""))[0]
