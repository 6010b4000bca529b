"""Who pays and who gains: the business case split by organisation.

Every line of the business case belongs to one organisation, a key of
:data:`~peervalue.scenario.schema.ORGANISATION_KEYS` (``trust``, ``icb``, ``local_authority``,
``other``), as the scenario's ``[organisations]`` table and each ``[[extra]]`` resource's
``organisation`` say (:func:`line_owners`):

* costs: ``posts`` (the peer workers' pay and on-costs) and each cost line of ``[costs]``
  (``costs.set_up`` ...), with the optimism uplift on costs as in the whole case;
* benefits: ``bed_days`` (bed-days saved, valued) and each ``extra[i]`` resource, after the
  optimism cut on benefits.

For organisation ``o`` in year ``t`` (money at the scenario's prices, shape ``(draws, years)``):

* benefit ``B_o,t = sum of the benefit lines o gains``;
* cash-releasing benefit ``C_o,t = B_o,t x cash share`` (the case's one cash-releasing share
  applies to every benefit line, so each organisation releases cash in proportion to what it
  gains);
* cost ``K_o,t = sum of the cost lines o pays``;
* net benefit (economic) ``B_o,t - K_o,t``; cash net benefit ``C_o,t - K_o,t``;
* their discounted totals, by the case's discount factors.

Summed over the organisations these are the case's own gross benefit, cash-releasing benefit,
total cost, net benefit and cash net benefit (up to rounding in the last place: the case adds
its cost lines before spreading them over the years). Pure: arrays in, typed rows out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from peervalue.scenario.organisation_results import (
    ByOrganisation,
    OptionOrganisation,
    OrganisationTotal,
    OrganisationYear,
)

if TYPE_CHECKING:
    from peervalue.model.core import Array
    from peervalue.scenario.model import Projection
    from peervalue.scenario.schema import ScenarioFile

# numpy is imported inside the functions, as the light modules that import this one load
# without it

__all__ = [
    "ByOrganisation",
    "OptionOrganisation",
    "OrganisationTotal",
    "OrganisationYear",
    "by_organisation",
    "line_owners",
    "scenario_by_organisation",
    "split",
]


def line_owners(scenario: ScenarioFile, cost_lines: Mapping[str, object]) -> dict[str, str]:
    """Every line of ``scenario``'s business case and the key of the organisation it belongs
    to: ``posts``, each of ``cost_lines`` (paths such as ``costs.set_up``: each has a field of
    the same name in ``[organisations]``), ``bed_days`` and ``extra[i]``."""
    o = scenario.organisations
    out: dict[str, str] = {"posts": o.posts}
    for path in cost_lines:
        field = path.partition(".")[2]
        if field not in type(o).model_fields:
            raise ValueError(f"the cost line {path!r} has no field {field!r} in [organisations]")
        out[path] = str(getattr(o, field))
    out["bed_days"] = o.bed_days
    out.update({f"extra[{i}]": e.organisation for i, e in enumerate(scenario.extra)})
    return out


def split(p: Projection, owners: Mapping[str, str], keys: tuple[str, ...]) -> dict[str, Array]:
    """Per organisation (``keys``, in order) arrays of shape ``(organisations, draws, years)``:
    ``benefit``, ``cash``, ``cost``, ``net``, ``cash_net`` (see the module docstring).

    Every line of ``p`` must have an owner among ``keys``."""
    import numpy as np

    lines = {**p.benefit_lines, **p.cost_by_line}
    missing = sorted(set(lines) - set(owners))
    if missing:
        raise ValueError(f"the lines {missing} belong to no organisation")
    unknown = sorted({owners[k] for k in lines} - set(keys))
    if unknown:
        raise ValueError(f"unknown organisations {unknown}; expected one of {list(keys)}")
    shape = np.shape(p.net_benefit)
    benefit = np.zeros((len(keys), *shape))
    cost = np.zeros((len(keys), *shape))
    for line, a in p.benefit_lines.items():
        benefit[keys.index(owners[line])] += a
    for line, a in p.cost_by_line.items():
        cost[keys.index(owners[line])] += a
    cash = benefit * np.asarray(p.cash_releasing_share, dtype=np.float64)
    return {
        "benefit": benefit,
        "cash": cash,
        "cost": cost,
        "net": benefit - cost,
        "cash_net": cash - cost,
    }


def by_organisation(
    p: Projection,
    owners: Mapping[str, str],
    names: Mapping[str, str],
    labels: list[str],
    line_names: Mapping[str, str] | None = None,
) -> ByOrganisation:
    """The point projection ``p`` (one draw) by organisation: ``names`` maps every key, in
    the order shown, to its name; ``labels`` names the years; ``line_names`` names the lines
    in words (default: their keys). Organisations with no line are left out."""
    import numpy as np

    keys = tuple(names)
    parts = split(p, owners, keys)
    factors = np.asarray(p.discount_factor, dtype=np.float64)

    def total(what: str, i: int) -> float:
        return float(np.sum(parts[what][i, 0] * factors))

    def at(what: str, i: int, t: int) -> float:
        return float(parts[what][i, 0, t])

    totals: list[OrganisationTotal] = []
    years: list[OrganisationYear] = []
    for i, key in enumerate(keys):
        lines = [line for line, o in owners.items() if o == key]
        if not lines:
            continue
        totals.append(
            OrganisationTotal(
                organisation=key,
                name=names[key],
                lines=lines,
                line_names=[(line_names or {}).get(line, line) for line in lines],
                discounted_benefit=total("benefit", i),
                discounted_cash_benefit=total("cash", i),
                discounted_cost=total("cost", i),
                net_present_value=total("net", i),
                cash_net_present_value=total("cash_net", i),
            )
        )
        years += [
            OrganisationYear(
                organisation=key,
                name=names[key],
                year=t + 1,
                label=label,
                benefit=at("benefit", i, t),
                cash_releasing=at("cash", i, t),
                cost=at("cost", i, t),
                net_benefit=at("net", i, t),
                cash_net_benefit=at("cash_net", i, t),
            )
            for t, label in enumerate(labels)
        ]
    return ByOrganisation(organisations=totals, years=years)


def scenario_by_organisation(
    scenario: ScenarioFile, p: Projection, cost_lines: Mapping[str, object], labels: list[str]
) -> ByOrganisation:
    """:func:`by_organisation` of a scenario's point projection, its owners and names from
    the scenario."""
    from peervalue.scenario.catalogue import catalogue
    from peervalue.scenario.schema import ORGANISATION_KEYS

    names = {k: scenario.organisations.name(k) for k, _ in ORGANISATION_KEYS}
    inputs = catalogue()
    words = {"posts": "peer worker posts", "bed_days": "bed-days saved"}
    words |= {p: _lower(inputs[p].input.title) for p in cost_lines if p in inputs}
    words |= {f"extra[{i}]": e.name for i, e in enumerate(scenario.extra)}
    return by_organisation(p, line_owners(scenario, cost_lines), names, labels, words)


def _lower(title: str) -> str:
    """A title in the middle of a sentence: "Set-up cost" -> "set-up cost"."""
    return title[:1].lower() + title[1:]
