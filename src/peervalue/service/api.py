"""One-call functions for Python users: keyword arguments -> request -> result.

Each builds the matching request with :func:`~peervalue.service.requests.make_request`
(so a bad option raises :class:`~peervalue.errors.InputError` with the same wording
the command line prints) and runs it. ``evidence`` and ``costs`` may be paths,
loaded objects (:func:`peervalue.load_evidence`, :func:`peervalue.load_costs`), a
list of studies, or ``None`` for the bundled defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from peervalue.service import runs
from peervalue.service.requests import (
    AnalysisRequest,
    MetaRequest,
    PsaRequest,
    SensitivityRequest,
    ThresholdRequest,
    make_request,
)

if TYPE_CHECKING:
    from peervalue.costs.schema import CostFile
    from peervalue.evidence.load import Evidence
    from peervalue.evidence.schema import Study
    from peervalue.model.methods import CostBasis, PoolingMethod, Weighting
    from peervalue.model.results import AnalysisResult
    from peervalue.service.requests import Indexation
    from peervalue.synthesis.results import SynthesisResult
    from peervalue.uncertainty.results import (
        MetaRunResult,
        PsaResult,
        SensitivityResult,
        ThresholdResult,
    )

    EvidenceArg = Evidence | list[Study] | str | Path | None
    CostsArg = CostFile | str | Path | None


def _inputs(evidence: Any, costs: Any) -> dict[str, Any]:
    def path(x: Any) -> Any:
        return Path(x) if isinstance(x, str) else x

    return {"evidence": path(evidence), "costs": path(costs)}


def analyse(
    evidence: EvidenceArg = None,
    costs: CostsArg = None,
    weighting: Weighting = "all",
    with_reference: bool = False,
    *,
    price_year: str | None = None,
    indexation: Indexation = "pay-and-prices",
    cost_basis: CostBasis | None = None,
) -> AnalysisResult:
    """The Trachtenberg et al. (2013) reference analysis (see :class:`AnalysisRequest`)."""
    request = make_request(
        AnalysisRequest,
        **_inputs(evidence, costs),
        weighting=weighting,
        with_reference=with_reference,
        price_year=price_year,
        indexation=indexation,
        cost_basis=cost_basis,
    )
    return runs.run_analysis(request)


def psa(
    evidence: EvidenceArg = None,
    costs: CostsArg = None,
    *,
    draws: int = 100_000,
    seed: int = 1,
    weighting: Weighting = "all",
    chunk_size: int = 1 << 14,
    population_fte: float = 100.0,
    horizon: int = 5,
    discount_rate: float = 0.035,
    keep_draws: bool = False,
    price_year: str | None = None,
    indexation: Indexation = "pay-and-prices",
    cost_basis: CostBasis | None = None,
) -> PsaResult:
    """Monte Carlo over every input's distribution; see docs/uncertainty.md."""
    request = make_request(
        PsaRequest,
        **_inputs(evidence, costs),
        draws=draws,
        seed=seed,
        weighting=weighting,
        chunk_size=chunk_size,
        population_fte=population_fte,
        horizon=horizon,
        discount_rate=discount_rate,
        keep_draws=keep_draws,
        price_year=price_year,
        indexation=indexation,
        cost_basis=cost_basis,
    )
    return runs.run_psa(request)


def sensitivity(
    evidence: EvidenceArg = None,
    costs: CostsArg = None,
    *,
    pooling: PoolingMethod = "weighted",
    weighting: Weighting = "all",
    price_year: str | None = None,
    indexation: Indexation = "pay-and-prices",
    cost_basis: CostBasis | None = None,
) -> SensitivityResult:
    """One-way sensitivity of pooled net benefit per FTE-year (tornado data)."""
    request = make_request(
        SensitivityRequest,
        **_inputs(evidence, costs),
        pooling=pooling,
        weighting=weighting,
        price_year=price_year,
        indexation=indexation,
        cost_basis=cost_basis,
    )
    return runs.run_sensitivity(request)


def threshold(
    evidence: EvidenceArg = None,
    costs: CostsArg = None,
    *,
    pooling: PoolingMethod = "weighted",
    weighting: Weighting = "all",
    price_year: str | None = None,
    indexation: Indexation = "pay-and-prices",
    cost_basis: CostBasis | None = None,
) -> ThresholdResult:
    """Break-even values of bed-days, cost per bed-day, caseload and peer worker cost."""
    request = make_request(
        ThresholdRequest,
        **_inputs(evidence, costs),
        pooling=pooling,
        weighting=weighting,
        price_year=price_year,
        indexation=indexation,
        cost_basis=cost_basis,
    )
    return runs.run_threshold(request)


def meta(
    evidence: EvidenceArg = None,
    costs: CostsArg = None,
    *,
    caseload: float = 15.0,
    level: float = 0.95,
    weighting: Weighting = "all",
    price_year: str | None = None,
    indexation: Indexation = "pay-and-prices",
    cost_basis: CostBasis | None = None,
) -> MetaRunResult:
    """Meta-analysis of bed-days saved per patient-year of support, and pooled ratios."""
    request = make_request(
        MetaRequest,
        **_inputs(evidence, costs),
        caseload=caseload,
        level=level,
        weighting=weighting,
        price_year=price_year,
        indexation=indexation,
        cost_basis=cost_basis,
    )
    return runs.run_meta(request)


def synthesise(
    evidence: EvidenceArg = None,
    *,
    evidence_set: str | None = None,
    scale: Literal["relative", "absolute"] = "relative",
    tau_prior: str | None = None,
    mu_prior: str | None = None,
    bias_prior: str | None = None,
    level: float = 0.95,
) -> SynthesisResult:
    """The evidence synthesis (``peervalue synthesis``): every study on one scale and the
    exact Bayesian random-effects model; priors as text, e.g. ``tau_prior="halfnormal:0.5"``
    (``None``: the scale's default)."""
    from peervalue.service.requests import SynthesisRequest
    from peervalue.service.synthesis import run_synthesis

    request = make_request(
        SynthesisRequest,
        evidence=_inputs(evidence, None)["evidence"],
        evidence_set=evidence_set,
        scale=scale,
        tau_prior=tau_prior,
        mu_prior=mu_prior,
        bias_prior=bias_prior,
        level=level,
    )
    return run_synthesis(request)
