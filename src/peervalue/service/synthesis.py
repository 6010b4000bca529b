"""The evidence synthesis (``peervalue synthesis``): a request in, a
:class:`~peervalue.synthesis.results.SynthesisResult` out.

numpy and scipy are imported by :func:`run_synthesis` only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from peervalue.errors import field_ref, input_error
from peervalue.service.inputs import resolve_evidence
from peervalue.service.requests import SynthesisRequest

if TYPE_CHECKING:
    from peervalue.synthesis.results import SynthesisResult


def run_synthesis(request: SynthesisRequest) -> SynthesisResult:
    """Put the request's studies on its scale and synthesise them (every study listed
    without a usable outcome is reported with its reason, never pooled)."""
    if not isinstance(request, SynthesisRequest):
        raise input_error(
            "request",
            "",
            f"got {type(request).__name__}",
            "a SynthesisRequest, built with peervalue.service.make_request",
        )
    import numpy as np

    from peervalue.synthesis.analysis import NothingToPool, Options, synthesise
    from peervalue.synthesis.priors import DEFAULT_MU, DEFAULT_TAU

    evidence = resolve_evidence(request)
    scale = request.scale
    opts = Options(
        scale=scale,
        tau_prior=request.tau_prior or DEFAULT_TAU[scale],
        mu_prior=request.mu_prior or DEFAULT_MU[scale],
        level=request.level,
        bias_prior=request.bias_prior,
        bias=request.bias,
    )
    studies = list(evidence.listed)
    try:
        with np.errstate(all="ignore"):
            return synthesise(studies, opts, evidence.origin)
    except NothingToPool as exc:
        raise input_error(
            evidence.origin,
            "outcome",
            str(exc),
            "at least one study whose effect and arm sizes put it on this scale (try "
            f"{field_ref('scale', 'absolute')}, which takes savings reported without a "
            "control-arm level)",
        ) from None
