"""Loading study files into a validated :class:`Evidence` collection."""

from __future__ import annotations

import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import get_args

from peervalue.errors import InputError, InputErrorGroup, field_ref, input_error, quote
from peervalue.evidence.schema import Outcome, Study
from peervalue.fileio import (
    DATA_SUFFIXES,
    check_input_path,
    input_path,
    read_mapping,
    validate,
)

OUTCOME_KINDS = frozenset(
    get_args(model.model_fields["kind"].annotation)[0] for model in get_args(get_args(Outcome)[0])
)


def bundled_evidence_dir() -> Path:
    """The folder of study files shipped with peervalue (the 2013 reference six)."""
    return Path(str(resources.files("peervalue") / "data" / "evidence"))


@dataclass(frozen=True)
class Evidence:
    """A validated, ordered collection of studies and the files they came from."""

    studies: tuple[Study, ...]
    files: tuple[Path, ...]
    origin: str
    #: studies recorded but not pooled (outcome ``no_usable_outcome``): listed, never computed
    excluded: tuple[Study, ...] = ()
    #: (study id, file) for every study read from a file, in file order
    sources: tuple[tuple[str, Path], ...] = ()

    def __iter__(self) -> Iterator[Study]:
        return iter(self.studies)

    def __len__(self) -> int:
        return len(self.studies)

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.studies]

    @property
    def listed(self) -> tuple[Study, ...]:
        """Every study, pooled ones first, then those recorded but not pooled."""
        return self.studies + self.excluded

    def get(self, study_id: str) -> Study:
        for study in self.listed:
            if study.id == study_id:
                return study
        raise input_error(
            self.origin,
            "id",
            f"no study with id {quote(study_id)}",
            f"one of {', '.join(s.id for s in self.listed)}",
        )

    @classmethod
    def of(
        cls,
        studies: Iterable[Study],
        files: tuple[Path, ...],
        origin: str,
        resources: str = "bed-days",
        sources: tuple[tuple[str, Path], ...] = (),
    ) -> Evidence:
        """An :class:`Evidence` with ``studies`` split into pooled and not pooled, for an
        analysis counting ``resources`` (``bed-days`` or ``all``)."""
        everything = list(studies)
        return cls(
            tuple(s for s in everything if s.pooled_in(resources)),
            files,
            origin,
            tuple(s for s in everything if not s.pooled_in(resources)),
            sources,
        )

    def counting(self, resources: str) -> Evidence:
        """The same studies, split for an analysis counting ``resources``."""
        return Evidence.of(self.listed, self.files, self.origin, resources, self.sources)


def load_study(path: Path) -> Study:
    """Read and validate one study file."""
    data = read_mapping(path)
    if "id" not in data and "why" in data and ("studies" in data or "from" in data):
        raise input_error(
            path,
            "",
            "this is an evidence-set file (name, why, studies or from), not a study file",
            "a study file (docs/evidence-format.md); a set is used by its name, with "
            + field_ref("evidence_set"),
        )
    return validate(Study, data, path, union_tags=OUTCOME_KINDS)


def study_files(directory: Path) -> list[Path]:
    """The study files in ``directory`` (``*.yaml``, ``*.yml``, ``*.toml``), sorted by name.

    Sub-folders are skipped. A broken symbolic link or a link loop with a
    study-file name is kept, so that reading it reports the problem instead
    of the study silently going missing.
    """
    try:
        entries = list(directory.iterdir())
    except OSError as exc:
        raise input_error(
            directory,
            "",
            f"cannot list the folder ({exc.strerror or exc})",
            "a folder of study files you may read",
        ) from None
    return sorted(p for p in entries if p.suffix in DATA_SUFFIXES and not p.is_dir())


def load_evidence(path: str | Path | None = None) -> Evidence:
    """Load every study file in a folder (or one file); ``None`` loads the bundled evidence
    (read once per process: its files are part of the installed package).

    Raises
    ------
    InputError
        the path is missing (or a broken symbolic link), holds no study
        files, or is a single study file with problems.
    InputErrorGroup
        (a subclass of :class:`InputError`) one or more files in a folder are
        invalid, or two files share a study id; every problem in every file
        is reported, not just the first.
    """
    if path is None:
        return _bundled_evidence()
    return _read_evidence(path)


@cache
def _bundled_evidence() -> Evidence:
    return _read_evidence(None)


def _read_evidence(path: str | Path | None) -> Evidence:
    expected = "a folder of study files, or one study file (.yaml, .yml or .toml)"
    root = bundled_evidence_dir() if path is None else input_path(path, "evidence", expected)
    info = check_input_path(root, expected)
    if not stat.S_ISDIR(info.st_mode):
        study = load_study(root)
        return Evidence.of((study,), (root,), str(root), sources=((study.id, root),))
    files = study_files(root)
    if not files:
        raise input_error(
            root,
            "",
            "the folder holds no study files",
            "one or more *.yaml, *.yml or *.toml files, each describing a study",
        )
    studies: list[Study] = []
    loaded: list[Path] = []
    errors: list[InputError] = []
    seen: dict[str, Path] = {}
    for file in files:
        try:
            study = load_study(file)
        except InputError as exc:
            errors.append(exc)
            continue
        if study.id in seen:
            errors.append(
                input_error(
                    file,
                    "id",
                    f"study id {study.id!r} is already used by {seen[study.id]}",
                    "a unique id for every study",
                )
            )
            continue
        seen[study.id] = file
        studies.append(study)
        loaded.append(file)
    if errors:
        raise InputErrorGroup(errors, root)
    origin = "bundled evidence (peervalue/data/evidence)" if path is None else str(root)
    sources = tuple((s.id, f) for s, f in zip(studies, loaded, strict=True))
    return Evidence.of(studies, tuple(loaded), origin, sources=sources)
