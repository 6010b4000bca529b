"""The evidence base: study schema, loading and validation, bundled studies."""

from peervalue.evidence.load import Evidence, bundled_evidence_dir, load_evidence, load_study
from peervalue.evidence.schema import Design, PeerRole, Study

__all__ = [
    "Design",
    "Evidence",
    "PeerRole",
    "Study",
    "bundled_evidence_dir",
    "load_evidence",
    "load_study",
]
