"""The uncertainty analyses as one-call functions on evidence and costs (the Python API)."""

from __future__ import annotations

from peervalue.costs.load import load_costs
from peervalue.costs.schema import CostFile
from peervalue.evidence.load import Evidence
from peervalue.model.spec import ModelSpec, PoolingMethod, Weighting, build_spec
from peervalue.uncertainty.psa import DEFAULT_CHUNK, run_psa
from peervalue.uncertainty.sensitivity import SensitivityResult, one_way
from peervalue.uncertainty.summary import Population, PsaResult, summarise
from peervalue.uncertainty.threshold import ThresholdResult, thresholds


def _spec(
    evidence: Evidence, costs: CostFile | None, weighting: Weighting
) -> tuple[ModelSpec, CostFile]:
    """The model spec, at ``costs`` or the bundled England 2011-12 costs."""
    cost_file = costs if costs is not None else load_costs()
    return build_spec(evidence, cost_file, weighting), cost_file


def psa(
    evidence: Evidence,
    costs: CostFile | None = None,
    *,
    draws: int = 100_000,
    seed: int = 1,
    weighting: Weighting = "all",
    chunk_size: int = DEFAULT_CHUNK,
    population: Population | None = None,
) -> PsaResult:
    """Monte Carlo over every input's distribution; see docs/uncertainty.md."""
    spec, cost_file = _spec(evidence, costs, weighting)
    run = run_psa(spec, draws, seed, chunk_size=chunk_size)
    return summarise(run, population, evidence=evidence.origin, costs=cost_file.name)


def sensitivity(
    evidence: Evidence,
    costs: CostFile | None = None,
    *,
    pooling: PoolingMethod = "weighted",
    weighting: Weighting = "all",
) -> SensitivityResult:
    """One-way sensitivity of pooled net benefit per FTE-year (tornado data)."""
    return one_way(_spec(evidence, costs, weighting)[0], pooling)


def threshold(
    evidence: Evidence,
    costs: CostFile | None = None,
    *,
    pooling: PoolingMethod = "weighted",
    weighting: Weighting = "all",
) -> ThresholdResult:
    """Break-even values of bed-days, cost per bed-day, caseload and peer worker cost."""
    return thresholds(_spec(evidence, costs, weighting)[0], pooling)
