"""What a proposed trial in England is worth: EVSI, ENBS and the best size (``peervalue evsi``).

The model (every assumption is listed on the result, ``EvsiResult.assumptions``):

* **The effect.** ``theta``, the log ratio of hospital use with peer support over usual
  care in a new setting, is drawn from the synthesis's predictive distribution (the exact
  Bayesian random-effects model of :mod:`peervalue.synthesis.bayes`, intercept only, no
  bias adjustment): a node of the tau grid by its posterior mass, then ``theta ~ N(m,
  V + tau^2)`` at that node. The synthesis pools log risk ratios of readmission and log
  ratios of mean bed-days on one relative scale, so both designs inform the same theta.
* **Net benefit per FTE-year** of employing peer workers (against not)::

      NB = K x (1 - exp(theta)) x D x c_bed - c_fte,     D = p12 x LOS / T

  ``K`` patients supported at once per FTE (patient-years of support per FTE-year), ``D``
  bed-days per patient-year of support without peer support (the baseline: 12-month
  readmission risk ``p12`` times days per readmission ``LOS``, for each episode of
  support lasting ``T`` years), ``c_bed`` the cost per bed-day and ``c_fte`` the cost per
  FTE-year from the cost set (drawn as ``peervalue psa`` draws them). This follows NICE
  DSU TSD 2 and 5: relative effect from the synthesis, baseline from data on the setting.
* **The trial** reports a summary statistic: the estimated log risk ratio of
  readmission over ``follow_up_months`` with the control arm's log count (binomial arms;
  the control risk over the
  follow-up is ``1 - (1 - p12')^(F/12)``, ``p12'`` drawn from the same distribution as
  ``p12`` but independently: the trial's sites need not match the national baseline, so
  the trial informs theta only) or the estimated log ratio of mean bed-days (normal, with
  the coefficient of variation of bed-days per patient drawn from the range of the unit
  SDs the synthesis found in the studies that report a spread).
* **EVSI** by regression (Strong, Oakley, Brennan & Breeze 2015) of NB on the statistic;
  the ceiling is the EVPPI of theta (regression of NB on theta itself).
* **Population:** EVSI per FTE-year x FTE x the discounted years of the horizon (year 0
  undiscounted), as the EVPI of ``peervalue psa``. The trial's result is counted as known
  at once (no delay for recruitment and follow-up), which overstates its value a little.
* **ENBS** = population EVSI - (set-up + cost per participant x 2n). The best n maximises
  it; its interval is the 2.5th to 97.5th percentile of the best n over bootstrap
  resamples of the draws (the fitted ``E[NB | t]`` held; see
  :func:`peervalue.uncertainty.evsi.evsi_bootstrap`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from peervalue.errors import field_ref
from peervalue.results.evsi import Assumption, EvsiPoint, EvsiResult
from peervalue.service.requests import EvsiRequest

if TYPE_CHECKING:
    from peervalue.model.core import Array

#: the baseline (12-month readmission risk, days per readmission, months of support) is the
#: business case's: the ``[baseline]`` table of the national defaults, drawn as declared there
#: (Beta(83, 133) from CORE's control arm; triangular 16-32-39 days; triangular 2.5-3-4
#: months) and combined by :func:`peervalue.scenario.baseline.baseline_bed_days`
#: patients one FTE supports at once, triangular (the bundled default and range)
CASELOAD: Final = (8.0, 15.0, 25.0)
#: fallback CV of bed-days per patient when no study reports a spread (assumed)
CV_FALLBACK: Final = (0.75, 1.5, 3.0)
DESIGN_LABELS: Final = {
    "rct-readmission": "two-arm RCT, readmission within the follow-up (binary)",
    "rct-bed-days": "two-arm RCT, bed-days per patient (continuous, log ratio of means)",
}


def _triangular(rng_seed: int, name: str, spec: tuple[float, float, float], n: int) -> Array:
    from peervalue.uncertainty.distributions import parameter_stream

    low, mode, high = spec
    out: Array = parameter_stream(rng_seed, f"evsi:{name}").triangular(low, mode, high, n)
    return out


def _baseline_draws(rng_seed: int, name: str, path: str, n: int) -> tuple[Array, Any]:
    """Draws of one baseline figure of the national defaults, on the stream ``evsi:name``,
    and its distribution."""
    from peervalue.model.spec import Parameter
    from peervalue.scenario.defaults import national_defaults
    from peervalue.uncertainty.distributions import distributions_of, parameter_stream

    q = national_defaults().quantities()[path]
    (dist,) = distributions_of([Parameter("baseline", path, q, 1.0, q.unit)])
    out: Array = dist.sample(parameter_stream(rng_seed, f"evsi:{name}"), n)
    return out, dist


def run_evsi(request: EvsiRequest) -> EvsiResult:
    import numpy as np

    from peervalue.errors import input_error
    from peervalue.model.evaluate import unit_costs
    from peervalue.model.spec import COSTS
    from peervalue.service.inputs import prepare, resolve_evidence
    from peervalue.synthesis import bayes
    from peervalue.synthesis.analysis import Options, summarise
    from peervalue.synthesis.effects import effect_sizes
    from peervalue.synthesis.priors import DEFAULT_MU, DEFAULT_TAU
    from peervalue.uncertainty import evsi as ev
    from peervalue.uncertainty.distributions import (
        draw_chunk,
        parameter_distributions,
        parameter_stream,
    )
    from peervalue.uncertainty.summary import discounted_years

    seed, n_draws = request.seed, request.draws
    evidence = resolve_evidence(request)
    effects, _excluded, imputation = effect_sizes(list(evidence.listed), "relative")
    if not effects:
        raise input_error(
            evidence.origin,
            "outcome",
            "no study gives a relative effect (a log ratio of bed-days or of readmission)",
            "evidence with at least one such study, e.g. " + field_ref("evidence_set", "all-2026"),
        )
    opts = Options(
        scale="relative", tau_prior=DEFAULT_TAU["relative"], mu_prior=DEFAULT_MU["relative"]
    )
    with np.errstate(all="ignore"):
        summary, fit = summarise(effects, opts, "all studies")
    mean_j, sd_j = bayes.predictive_parts(fit)
    node = parameter_stream(seed, "evsi:node").choice(mean_j.size, size=n_draws, p=fit.mass)
    theta = mean_j[node] + sd_j[node] * parameter_stream(seed, "evsi:theta").standard_normal(
        n_draws
    )

    prepared = prepare(request)
    spec = prepared.spec
    cost_dists = [d for d in parameter_distributions(spec) if d.name.startswith(f"{COSTS}:")]
    streams = {d.name: parameter_stream(seed, d.name) for d in cost_dists}
    with np.errstate(all="ignore"):
        c_bed, c_fte = unit_costs(spec, draw_chunk(cost_dists, streams, n_draws))
    c_bed = np.broadcast_to(np.asarray(c_bed, dtype=np.float64), (n_draws,))
    c_fte = np.broadcast_to(np.asarray(c_fte, dtype=np.float64), (n_draws,))

    from peervalue.scenario import baseline as home

    p12, p12_dist = _baseline_draws(seed, "p12", home.ADMISSIONS, n_draws)
    los, los_dist = _baseline_draws(seed, "los", home.LENGTH_OF_STAY, n_draws)
    months, months_dist = _baseline_draws(seed, "support", home.SUPPORT_MONTHS, n_draws)
    caseload = _triangular(seed, "caseload", CASELOAD, n_draws)
    baseline = home.baseline_bed_days(p12, los, months)
    nb = caseload * (1.0 - np.exp(theta)) * baseline * c_bed - c_fte

    cv_key = "log ratio of mean bed-days"
    cv_spec = CV_FALLBACK
    cv_source = "assumed (no study on the evidence reports a spread of bed-days)"
    if cv_key in imputation.unit_sd:
        med, lo, hi = imputation.unit_sd[cv_key]
        cv_spec = (lo, med, hi)
        cv_source = (
            "the synthesis's imputation: median unit SD of the studies reporting mean "
            "bed-days with SDs, ranged from their lowest to highest and at least half to "
            "twice the median"
        )
    trial_p12, _ = _baseline_draws(seed, "trial-p12", home.ADMISSIONS, n_draws)
    trial_risk = 1.0 - (1.0 - trial_p12) ** (request.follow_up_months / 12.0)
    cv = _triangular(seed, "cv", cv_spec, n_draws)

    evpi = ev.value_from_conditional(nb, nb)
    # the regression's small upward bias can put the EVPPI a little above the EVPI: capped
    evppi = min(ev.value_from_conditional(ev.conditional_mean(theta, nb), nb), evpi)
    pop = request.population_fte
    pop_low = request.population_low if request.population_low is not None else pop / 2
    pop_high = request.population_high if request.population_high is not None else pop * 2
    years = discounted_years(request.horizon, request.discount_rate)
    multiplier = pop * years

    counts = (
        ev.bootstrap_counts(n_draws, request.bootstrap, parameter_stream(seed, "evsi:bootstrap"))
        if request.bootstrap
        else None
    )
    sizes = list(request.n)
    evsi_point = np.empty(len(sizes))
    evsi_boot = np.empty((request.bootstrap, len(sizes)))
    for k, n in enumerate(sizes):
        rng = parameter_stream(seed, "evsi:trial")  # the same noise stream for every size
        if request.design == "rct-readmission":
            stat = ev.readmission_statistic(theta, trial_risk, n, rng)
        else:
            stat = ev.bed_days_statistic(theta, cv, n, rng)
        g = ev.conditional_mean(stat, nb)
        evsi_point[k] = ev.value_from_conditional(g, nb)
        if counts is not None:
            evsi_boot[:, k] = ev.evsi_bootstrap(g, nb, counts)

    def trial_cost(setup: float, per: float) -> Array:
        return ev.enbs(np.zeros(len(sizes)), setup, per, sizes) * -1.0

    cost = trial_cost(request.setup_cost, request.cost_per_participant)
    enbs = evsi_point * multiplier - cost
    worst = evsi_point * pop_low * years - trial_cost(
        request.setup_cost_high, request.cost_per_participant_high
    )
    best = evsi_point * pop_high * years - trial_cost(
        request.setup_cost_low, request.cost_per_participant_low
    )
    if counts is not None:
        e_lo, e_hi = np.percentile(evsi_boot, [2.5, 97.5], axis=0)
        enbs_boot = evsi_boot * multiplier - cost[np.newaxis, :]
        s_lo, s_hi = np.percentile(enbs_boot, [2.5, 97.5], axis=0)
    else:
        e_lo = e_hi = evsi_point
        enbs_boot = enbs[np.newaxis, :]
        s_lo = s_hi = enbs
    points = [
        EvsiPoint(
            n_per_arm=n,
            participants=2 * n,
            evsi_per_fte_year=float(evsi_point[k]),
            evsi_per_fte_year_low=float(e_lo[k]),
            evsi_per_fte_year_high=float(e_hi[k]),
            evsi_population=float(evsi_point[k] * multiplier),
            trial_cost=float(cost[k]),
            enbs=float(enbs[k]),
            enbs_low=float(s_lo[k]),
            enbs_high=float(s_hi[k]),
            enbs_worst_case=float(worst[k]),
            enbs_best_case=float(best[k]),
            share_of_evppi=float(evsi_point[k] / evppi) if evppi > 0 else float("nan"),
        )
        for k, n in enumerate(sizes)
    ]
    best_k = int(np.argmax(enbs))
    optimal = sizes[best_k] if enbs[best_k] > 0 else None
    opt_low = opt_high = None
    if optimal is not None:
        chosen = np.asarray(sizes)[np.argmax(enbs_boot, axis=1)]
        opt_low = int(np.percentile(chosen, 2.5, method="lower"))
        opt_high = int(np.percentile(chosen, 97.5, method="higher"))

    cur = spec.currency
    assumptions = [
        Assumption(
            name="relative effect in a new setting (log ratio)",
            value=summary.predictive.mean,
            low=summary.predictive.low,
            high=summary.predictive.high,
            unit="log ratio, peer support over control",
            status="derived",
            source=f"synthesis predictive distribution ({summary.tau_prior}, {summary.mu_prior})"
            f" of {', '.join(summary.studies)}",
        ),
        Assumption(
            name="12-month readmission risk without peer support",
            value=p12_dist.value,
            low=float(np.percentile(p12, 2.5)),
            high=float(np.percentile(p12, 97.5)),
            unit="proportion",
            status="reported",
            source="CORE trial control arm, 83 of 216 (Johnson et al. 2018), as Beta(83, 133): "
            "the business case's baseline (national defaults, baseline."
            "admissions_per_patient_year)",
        ),
        Assumption(
            name="days per readmission",
            value=los_dist.value,
            low=los_dist.lo,
            high=los_dist.hi,
            unit="days",
            status="assumed",
            source="England adult acute mean stay 32 (2014) to 39 (2023) days, King's Fund "
            "Mental health 360; 16 if half of readmissions use no bed (as core2018.yaml); "
            f"{los_dist.describe()} (national defaults, baseline.length_of_stay)",
        ),
        Assumption(
            name="peer support per patient",
            value=months_dist.value,
            low=months_dist.lo,
            high=months_dist.hi,
            unit="months",
            status="assumed",
            source="CORE: up to ten weekly sessions (as core2018.yaml); "
            f"{months_dist.describe()} (national defaults, baseline.support_months)",
        ),
        Assumption(
            name="caseload",
            value=CASELOAD[1],
            low=CASELOAD[0],
            high=CASELOAD[2],
            unit="patients/FTE",
            status="assumed",
            source="the bundled default and range for studies without reported staffing",
        ),
        Assumption(
            name="cost per bed-day",
            value=float(np.mean(c_bed)),
            low=float(np.min(c_bed)),
            high=float(np.max(c_bed)),
            unit=f"{cur}/bed-day",
            status="reported",
            source=f"cost set {prepared.costs.name}",
        ),
        Assumption(
            name="cost per FTE-year",
            value=float(np.mean(c_fte)),
            low=float(np.percentile(c_fte, 2.5)),
            high=float(np.percentile(c_fte, 97.5)),
            unit=f"{cur}/FTE-year",
            status="derived",
            source=f"cost set {prepared.costs.name}, drawn as peervalue psa draws it",
        ),
        Assumption(
            name="trial control risk over the follow-up",
            value=float(np.mean(trial_risk)),
            low=float(np.percentile(trial_risk, 2.5)),
            high=float(np.percentile(trial_risk, 97.5)),
            unit="proportion",
            status="derived",
            source=f"1 - (1 - p12)^({request.follow_up_months}/12), p12 as above drawn "
            "independently (constant hazard; the risk ratio held over the follow-up)",
        ),
        Assumption(
            name="coefficient of variation of bed-days per patient",
            value=cv_spec[1],
            low=cv_spec[0],
            high=cv_spec[2],
            unit="ratio",
            status="derived" if cv_spec is not CV_FALLBACK else "assumed",
            source=cv_source + " (bed-days design only)",
        ),
        Assumption(
            name="population",
            value=pop,
            low=pop_low,
            high=pop_high,
            unit="FTE",
            status="user",
            source="--population-fte; range --population-range LOW,HIGH (default half and "
            "twice: assumed, no count of peer worker posts in England was found)",
        ),
        Assumption(
            name="trial set-up cost",
            value=request.setup_cost,
            low=request.setup_cost_low,
            high=request.setup_cost_high,
            unit=cur,
            status="assumed",
            source="trial management, a trials unit, analysis and reporting of a multi-site "
            "trial; no published figure found",
        ),
        Assumption(
            name="trial cost per participant",
            value=request.cost_per_participant,
            low=request.cost_per_participant_low,
            high=request.cost_per_participant_high,
            unit=cur,
            status="assumed",
            source="recruitment, follow-up data and peer support delivered in the trial; no "
            "published figure found",
        ),
    ]
    return EvsiResult(
        design=request.design,
        design_label=DESIGN_LABELS[request.design],
        follow_up_months=request.follow_up_months,
        evidence=evidence.origin,
        studies=summary.studies,
        currency=cur,
        price_year=spec.price_year,
        draws=n_draws,
        seed=seed,
        bootstrap=request.bootstrap,
        effect_mean=summary.predictive.mean,
        effect_low=summary.predictive.low,
        effect_high=summary.predictive.high,
        prob_net_benefit_positive=float(np.mean(nb > 0)),
        mean_net_benefit_per_fte_year=float(np.mean(nb)),
        evpi_per_fte_year=evpi,
        evppi_effect_per_fte_year=evppi,
        evppi_effect_population=evppi * multiplier,
        population_fte=pop,
        population_low=pop_low,
        population_high=pop_high,
        horizon=request.horizon,
        discount_rate=request.discount_rate,
        population_multiplier=multiplier,
        points=points,
        optimal_n_per_arm=optimal,
        optimal_n_low=opt_low,
        optimal_n_high=opt_high,
        optimal_enbs=float(enbs[best_k]),
        assumptions=assumptions,
    )
