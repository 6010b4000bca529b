"""The service layer: requests in, typed results out; the one API every front end calls.

* :mod:`~peervalue.service.requests`: one pydantic request per kind of run, holding
  the inputs (paths or in-memory documents) and the run options, with every check;
* :mod:`~peervalue.service.inputs`: loads the inputs and builds the model spec once;
* :mod:`~peervalue.service.runs`: ``run_analysis``, ``run_psa``, ``run_sensitivity``,
  ``run_threshold``, ``run_meta`` (and ``run`` for any of them), ``run_evidence``,
  ``run_study``;
* :mod:`~peervalue.service.costs` (``run_rebase``, ``run_cost_sets``,
  ``run_cost_comparison``), :mod:`~peervalue.service.scenario` (``run_scenario``) and
  :mod:`~peervalue.service.two_way` (``run_two_way``), :mod:`~peervalue.service.cumulative`
  (``run_cumulative``), :mod:`~peervalue.service.compare` (``run_compare``: evidence sets
  side by side) and :mod:`~peervalue.service.synthesis` (``run_synthesis``: the Bayesian
  evidence synthesis), imported from their modules.

Importing this package loads pydantic and the schemas but not numpy, scipy or
pandas; a run imports what it needs.
"""

from peervalue.service.requests import (
    AnalysisRequest,
    CostComparisonRequest,
    CumulativeRequest,
    EvidenceComparisonRequest,
    EvidenceRequest,
    MetaRequest,
    PsaRequest,
    RebaseRequest,
    RunRequest,
    ScenarioRequest,
    SensitivityRequest,
    StudyRequest,
    ThresholdRequest,
    TwoWayRequest,
    make_request,
)
from peervalue.service.runs import (
    run,
    run_analysis,
    run_evidence,
    run_meta,
    run_psa,
    run_sensitivity,
    run_study,
    run_threshold,
)

__all__ = [
    "AnalysisRequest",
    "CostComparisonRequest",
    "CumulativeRequest",
    "EvidenceComparisonRequest",
    "EvidenceRequest",
    "MetaRequest",
    "PsaRequest",
    "RebaseRequest",
    "RunRequest",
    "ScenarioRequest",
    "SensitivityRequest",
    "StudyRequest",
    "ThresholdRequest",
    "TwoWayRequest",
    "make_request",
    "run",
    "run_analysis",
    "run_evidence",
    "run_meta",
    "run_psa",
    "run_sensitivity",
    "run_study",
    "run_threshold",
]
