"""Unit costs, price indices and rebasing."""

from peervalue.costs.indices import PriceIndex, nhs_pay_and_prices
from peervalue.costs.load import bundled_costs_file, load_costs
from peervalue.costs.schema import CostFile

__all__ = ["CostFile", "PriceIndex", "bundled_costs_file", "load_costs", "nhs_pay_and_prices"]
