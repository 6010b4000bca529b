"""The uncertainty analyses as one-call functions on evidence and costs (the Python API)."""

from __future__ import annotations

from dataclasses import replace

from peervalue.costs.load import load_costs
from peervalue.costs.schema import CostFile
from peervalue.evidence.load import Evidence
from peervalue.model.spec import PoolingMethod, Weighting, build_spec
from peervalue.uncertainty.psa import DEFAULT_CHUNK, run_psa
from peervalue.uncertainty.sensitivity import SensitivityResult, one_way
from peervalue.uncertainty.summary import Population, PsaResult, summarise
from peervalue.uncertainty.threshold import ThresholdResult, thresholds


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
    cost_file = costs if costs is not None else load_costs()
    spec = build_spec(evidence, cost_file, weighting)
    result = summarise(run_psa(spec, draws, seed, chunk_size=chunk_size), population)
    return replace(result, evidence=evidence.origin, costs=cost_file.name)


def sensitivity(
    evidence: Evidence,
    costs: CostFile | None = None,
    *,
    pooling: PoolingMethod = "weighted",
    weighting: Weighting = "all",
) -> SensitivityResult:
    """One-way sensitivity of pooled net benefit per FTE-year (tornado data)."""
    spec = build_spec(evidence, costs if costs is not None else load_costs(), weighting)
    return one_way(spec, pooling)


def threshold(
    evidence: Evidence,
    costs: CostFile | None = None,
    *,
    pooling: PoolingMethod = "weighted",
    weighting: Weighting = "all",
) -> ThresholdResult:
    """Break-even values of bed-days, cost per bed-day, caseload and peer worker cost."""
    spec = build_spec(evidence, costs if costs is not None else load_costs(), weighting)
    return thresholds(spec, pooling)
