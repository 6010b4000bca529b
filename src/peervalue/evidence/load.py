"""Loading study files into a validated :class:`Evidence` collection."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import get_args

from peervalue.errors import InputError, InputErrorGroup, input_error
from peervalue.evidence.schema import Outcome, Study
from peervalue.fileio import DATA_SUFFIXES, read_mapping, validate

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

    def __iter__(self) -> Iterator[Study]:
        return iter(self.studies)

    def __len__(self) -> int:
        return len(self.studies)

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.studies]

    def get(self, study_id: str) -> Study:
        for study in self.studies:
            if study.id == study_id:
                return study
        raise input_error(
            self.origin, "id", f"no study with id {study_id!r}", f"one of {', '.join(self.ids)}"
        )

    def file_of(self, study_id: str) -> Path:
        return self.files[self.ids.index(study_id)]


def load_study(path: Path) -> Study:
    """Read and validate one study file."""
    return validate(Study, read_mapping(path), path, union_tags=OUTCOME_KINDS)


def study_files(directory: Path) -> list[Path]:
    """The study files in ``directory`` (``*.yaml``, ``*.yml``, ``*.toml``), sorted by name."""
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in DATA_SUFFIXES)


def load_evidence(path: str | Path | None = None) -> Evidence:
    """Load every study file in a folder (or one file); ``None`` loads the bundled evidence.

    Raises
    ------
    InputError
        the path is missing or holds no study files.
    InputErrorGroup
        one or more files are invalid, or two files share a study id; every
        problem in every file is reported, not just the first.
    """
    root = bundled_evidence_dir() if path is None else Path(path)
    if not root.exists():
        raise input_error(root, "", "does not exist", "a folder of study files (.yaml or .toml)")
    files = [root] if root.is_file() else study_files(root)
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
        raise InputErrorGroup(errors)
    origin = "bundled evidence (peervalue/data/evidence)" if path is None else str(root)
    return Evidence(tuple(studies), tuple(loaded), origin)
