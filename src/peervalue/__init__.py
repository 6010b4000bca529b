"""peervalue: do peer support workers pay for themselves?

Quick use::

    import peervalue
    evidence = peervalue.load_evidence()          # the bundled six studies
    result = peervalue.analyse(evidence, peervalue.load_costs())
    result.to_pandas()                             # one row per study
    result.to_dict()["pooled"]                     # pooled ratios
    mc = peervalue.psa(evidence, draws=100_000, seed=1)
    mc.pooled_frame()                              # P(ratio > 1), intervals, EVPI
"""

from peervalue._version import package_version
from peervalue.costs import load_costs
from peervalue.errors import InputError, InputErrorGroup
from peervalue.evidence import Evidence, load_evidence
from peervalue.model import AnalysisResult, analyse
from peervalue.uncertainty.api import psa, sensitivity, threshold

__version__ = package_version()

__all__ = [
    "AnalysisResult",
    "Evidence",
    "InputError",
    "InputErrorGroup",
    "__version__",
    "analyse",
    "load_costs",
    "load_evidence",
    "psa",
    "sensitivity",
    "threshold",
]
