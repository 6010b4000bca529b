"""Loading a unit-cost file and checking that every cost can be brought to its price year."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from peervalue.costs.indices import PriceIndex, nhs_pay_and_prices
from peervalue.costs.schema import CostFile
from peervalue.errors import InputError, Problem, input_error, see_also
from peervalue.fileio import input_path, read_mapping, validate

#: the bundled cost set used when none is named: the 2013 report's price year
DEFAULT_COST_SET = "england-2011-12"


def bundled_cost_sets() -> dict[str, Path]:
    """The cost sets shipped with peervalue, by name (the file name without ``.yaml``)."""
    folder = Path(str(resources.files("peervalue") / "data" / "costs"))
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def bundled_costs_file() -> Path:
    """The default cost file: England at 2011-12 prices."""
    return bundled_cost_sets()[DEFAULT_COST_SET]


def cost_file_path(path_or_name: str | Path | None) -> Path:
    """The file behind a path or a bundled cost set's name (``None``: the default set).

    A bundled name (``england-2024-25``) wins only when no file of that name exists,
    so a user's own file is never shadowed.
    """
    if path_or_name is None:
        return bundled_costs_file()
    path = input_path(path_or_name, "costs", "a path to a YAML or TOML cost file, or a set's name")
    sets = bundled_cost_sets()
    if str(path_or_name) in sets and not path.exists():
        return sets[str(path_or_name)]
    if not path.exists() and not path.is_symlink() and not path.suffix:
        raise input_error(
            path,
            "",
            "is neither a cost file nor the name of a bundled cost set",
            f"a YAML or TOML cost file, or one of: {', '.join(sets)} ({see_also('cost-sets')})",
        )
    return path


def price_year_problems(costs: CostFile, index: PriceIndex | None = None) -> list[Problem]:
    """Every price year in ``costs`` (the output year and each cost's own) the index lacks."""
    index = index or nhs_pay_and_prices()
    years = {"price_year": costs.price_year}
    years.update(
        {
            f"{field}.price_year": q.price_year
            for field, q in costs.quantities().items()
            if q.price_year
        }
    )
    return [
        Problem(
            field,
            f"price year {year!r} is not covered by the {index.name}",
            index.expected_years(),
        )
        for field, year in years.items()
        if not index.covers(year)
    ]


def load_costs(path: str | Path | None = None, index: PriceIndex | None = None) -> CostFile:
    """Read and validate a cost file, or a bundled set by name; ``None``: England 2011-12.

    Every price year in the file (the output year and each cost's own year)
    must be covered by the price index, so that costs can be rebased. A bundled set is
    read once per process (its file is part of the installed package).
    """
    file = cost_file_path(path)
    if index is None and file in bundled_cost_sets().values():
        return _bundled_costs(file)
    return _read_costs(file, index)


@cache
def _bundled_costs(file: Path) -> CostFile:
    return _read_costs(file, None)


def _read_costs(file: Path, index: PriceIndex | None) -> CostFile:
    costs = validate(CostFile, read_mapping(file), file)
    problems = price_year_problems(costs, index)
    if problems:
        raise InputError(file, problems)
    return costs
