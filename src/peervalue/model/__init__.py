"""The model: pure numpy functions (core), parameter tables (spec), evaluation and results."""

from peervalue.model.analysis import analyse
from peervalue.model.results import AnalysisResult

__all__ = ["AnalysisResult", "analyse"]
