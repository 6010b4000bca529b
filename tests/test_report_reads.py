"""A report reads each input file once (issue 17, item 6): its dozen analyses, the bridge's
check of the studies and the workbook's inputs sheets share what the run loaded."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import peervalue
from peervalue.service.report import report_bytes, run_report
from peervalue.service.requests import ReportRequest

DATA = Path(peervalue.__file__).parent / "data"


def _count_reads(monkeypatch: pytest.MonkeyPatch, root: Path) -> Counter[str]:
    import peervalue.costs.load as costs_load
    import peervalue.evidence.load as evidence_load
    from peervalue.fileio import read_mapping as real

    reads: Counter[str] = Counter()

    def counted(path: Path, *args: Any, **kwargs: Any) -> Any:
        if root in Path(path).parents:
            reads[Path(path).name] += 1
        return real(path, *args, **kwargs)

    monkeypatch.setattr(costs_load, "read_mapping", counted)
    monkeypatch.setattr(evidence_load, "read_mapping", counted)
    return reads


def test_a_report_and_its_workbook_read_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(DATA / "evidence", tmp_path / "studies")
    shutil.copy(DATA / "costs" / "england-2011-12.yaml", tmp_path / "costs.yaml")
    files = [*sorted(p.name for p in (tmp_path / "studies").glob("*.yaml")), "costs.yaml"]
    assert len(files) == 7  # the six studies of 2013 and the cost file
    reads = _count_reads(monkeypatch, tmp_path)
    request = ReportRequest(evidence=tmp_path / "studies", costs=tmp_path / "costs.yaml", draws=200)
    data = run_report(request)
    # before: 15 reads of each study file and 13 of the cost file (one per analysis)
    assert reads == Counter(dict.fromkeys(files, 1))
    assert data.prepared is not None
    assert [s.id for s in data.prepared.evidence.studies] == [
        s.id for s in peervalue.load_evidence(tmp_path / "studies").studies
    ]
    reads.clear()
    workbook = report_bytes(data, "xlsx")
    assert workbook[:2] == b"PK" and not reads  # the workbook reads no file again


def test_outside_a_report_each_run_reads_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(DATA / "costs" / "england-2011-12.yaml", tmp_path / "costs.yaml")
    reads = _count_reads(monkeypatch, tmp_path)
    peervalue.threshold(costs=tmp_path / "costs.yaml")
    peervalue.threshold(costs=tmp_path / "costs.yaml")
    # no run-long memory outside a run: an edited file is read afresh by the next run
    assert reads == Counter({"costs.yaml": 2})
