"""The ``[[options]]`` of a scenario file: other ways of running the service, each a name
and overrides of the case's own staffing and cost fields, appraised beside business as
usual (:mod:`peervalue.scenario.options`)::

    [[options]]
    name = "4 FTE at band 3"
    staffing.funded_fte = 4
    costs.band = "3"

An option is the whole business case with its overrides layered on (a figure replaces the
case's as a whole; setting one of ``costs.band``, ``costs.salary`` or
``costs.cost_per_fte_year`` clears the other two). The fields an option may set are those
the schema declares for ``[staffing]`` and ``[costs]``: the service checks them against
the schema (:mod:`peervalue.service.scenario_options`), as this module is below it.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from peervalue.errors import quote
from peervalue.provenance import StrictModel
from peervalue.scenario.options import BUSINESS_AS_USUAL, MAX_OPTIONS

#: the tables whose fields an option may set
OPTION_TABLES: tuple[str, ...] = ("staffing", "costs")
#: the three ways of costing a post: an option that sets one clears the others
PEER_COST_FIELDS: tuple[str, ...] = ("cost_per_fte_year", "salary", "band")


class ScenarioOption(StrictModel):
    """One option: its name and the fields of ``[staffing]`` and ``[costs]`` it sets."""

    name: str = Field(min_length=1, max_length=100)
    staffing: dict[str, Any] = Field(default_factory=dict)
    costs: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _known_fields(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(
                f"an option needs a 'name' (got {quote(name) if name is not None else 'none'}); "
                'expected text such as name = "4 FTE at band 3"'
            )
        for key, value in data.items():
            if key == "name":
                continue
            if key not in OPTION_TABLES:
                raise ValueError(
                    f"option {name!r} sets {key!r}, which an option cannot change; expected "
                    f"fields of {' or '.join(f'[{t}]' for t in OPTION_TABLES)}, such as "
                    "staffing.funded_fte = 4"
                )
            if not isinstance(value, dict):
                raise ValueError(
                    f"option {name!r}: {key!r} is {quote(value)}; expected fields of [{key}] "
                    f"set one by one, such as {key}.<field> = <value>"
                )
        return data

    def overrides(self) -> list[str]:
        """The dotted paths the option sets (``staffing.funded_fte`` ...)."""
        return [f"{t}.{f}" for t in OPTION_TABLES for f in getattr(self, t)]


def _distinct_and_few(options: list[ScenarioOption]) -> list[ScenarioOption]:
    if len(options) > MAX_OPTIONS:
        raise ValueError(
            f"{len(options)} options; expected at most {MAX_OPTIONS} beside business as usual "
            "(split a longer list over several scenario files)"
        )
    names = [o.name for o in options]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(
            f"options name {', '.join(repr(n) for n in twice)} more than once; give each "
            "option its own name"
        )
    if any(n.strip().lower() == BUSINESS_AS_USUAL for n in names):
        raise ValueError(
            f"an option is named {BUSINESS_AS_USUAL!r}, the name of the implicit option (no "
            "posts, no cost, no benefit); give the option another name"
        )
    return options


#: the ``options`` field of a scenario file
OptionList = Annotated[list[ScenarioOption], AfterValidator(_distinct_and_few)]
