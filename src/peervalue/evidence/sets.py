"""Evidence sets: named selections of studies, as data files (which studies, and why).

A set file (YAML or TOML) names the studies of an analysis, either as a list of ids or
as a filter on the study fields (design, quality, outcome) over another set::

    name: rct-only
    title: Randomised trials only
    why: Trials that allocated people at random, where ...
    from: all-2026
    where:
      randomisation: [individual, cluster]

The bundled sets live in ``peervalue/data/evidence-sets``; the studies they draw on are
the bundled library (the six of 2013 in ``data/evidence`` and the studies added since in
``data/evidence-2026``), or the folder given with ``--evidence``. The selected studies
keep the library's order, so ``cmh2013`` gives exactly the result of the bundled six.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator

from peervalue.errors import InputError, field_error, input_error, quote, see_also
from peervalue.evidence.load import Evidence, load_evidence
from peervalue.evidence.schema import (
    BED_DAY_KINDS,
    NOT_POOLED,
    READMISSION_KINDS,
    STUDY_ID,
    Design,
    PeerRole,
    Randomisation,
    RiskOfBias,
    Study,
)
from peervalue.fileio import DATA_SUFFIXES, read_mapping, validate
from peervalue.provenance import StrictModel
from peervalue.results import ResultModel

SET_NAME = r"^[a-z0-9][a-z0-9_-]*$"
#: the set ``reproduce`` and every other command use unless told otherwise
DEFAULT_SET = "cmh2013"


def bundled_sets_dir() -> Path:
    """The folder of evidence-set files shipped with peervalue."""
    return Path(str(resources.files("peervalue") / "data" / "evidence-sets"))


def added_evidence_dir() -> Path:
    """The folder of the studies added since 2013 (the rest of the bundled library)."""
    return Path(str(resources.files("peervalue") / "data" / "evidence-2026"))


def bundled_set_names() -> list[str]:
    """Names of the bundled evidence sets, sorted."""
    return sorted(p.stem for p in bundled_sets_dir().iterdir() if p.suffix in DATA_SUFFIXES)


def outcome_family(study: Study) -> str:
    """``bed-days``, ``readmission`` or ``none`` (not pooled): what a study's outcome measures."""
    kind = study.outcome.kind
    if kind in BED_DAY_KINDS:
        return "bed-days"
    if kind in READMISSION_KINDS:
        return "readmission"
    assert kind == NOT_POOLED
    return "none"


#: the study fields a set (and ``--subgroup``) may filter on, and how each is read
STUDY_FIELDS: dict[str, Callable[[Study], str]] = {
    "design": lambda s: s.design.value,
    "country": lambda s: s.country,
    "peer_role": lambda s: s.peer_role.value,
    "randomisation": lambda s: "not stated" if s.quality is None else s.quality.randomisation.value,
    "bundled": lambda s: (
        "not stated" if s.quality is None else ("bundled" if s.quality.bundled else "peer only")
    ),
    "risk_of_bias": lambda s: "not stated" if s.quality is None else s.quality.risk_of_bias.value,
    "outcome": outcome_family,
}


class Where(StrictModel):
    """Keep a study only if every field given here holds one of the listed values."""

    design: list[Design] | None = None
    randomisation: list[Randomisation] | None = None
    country: list[str] | None = None
    peer_role: list[PeerRole] | None = None
    bundled: bool | None = None
    risk_of_bias: list[RiskOfBias] | None = None
    outcome: list[Literal["bed-days", "readmission"]] | None = Field(
        default=None, description="outcome families: bed-days, readmission"
    )

    def keeps(self, study: Study) -> bool:
        q = study.quality
        tests: list[bool] = []
        if self.design is not None:
            tests.append(study.design in self.design)
        if self.country is not None:
            tests.append(study.country in self.country)
        if self.peer_role is not None:
            tests.append(study.peer_role in self.peer_role)
        if self.randomisation is not None:
            tests.append(q is not None and q.randomisation in self.randomisation)
        if self.bundled is not None:
            tests.append(q is not None and q.bundled == self.bundled)
        if self.risk_of_bias is not None:
            tests.append(q is not None and q.risk_of_bias in self.risk_of_bias)
        if self.outcome is not None:
            tests.append(outcome_family(study) in self.outcome)
        return all(tests)


class EvidenceSet(StrictModel):
    """One evidence set file: its studies (ids, or ``from`` a set filtered by ``where``)."""

    name: str = Field(pattern=SET_NAME)
    title: str = Field(min_length=1)
    why: str = Field(min_length=1, description="why these studies, in a sentence or two")
    studies: list[str] | None = Field(default=None, min_length=1)
    from_: str | None = Field(default=None, alias="from", pattern=SET_NAME)
    where: Where | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if (self.studies is None) == (self.from_ is None):
            raise ValueError(
                "give either 'studies' (a list of study ids) or 'from' (another set's name, "
                "with 'where' to filter it)"
            )
        if self.studies is not None:
            bad = [i for i in self.studies if not _is_id(i)]
            if bad:
                raise ValueError(f"{quote(bad[0])} is not a study id (lower-case, e.g. core2018)")
            if len(set(self.studies)) != len(self.studies):
                raise ValueError("a study id is listed twice")
        if self.where is not None and self.from_ is None:
            raise ValueError("'where' filters another set: give 'from' with it")
        if self.from_ is not None and self.from_ == self.name:
            raise ValueError(
                f"set {self.name!r} draws on itself ('from: {self.from_}'); expected the name "
                "of another set in 'from'"
            )
        return self


def _is_id(text: str) -> bool:
    import re

    return re.match(STUDY_ID, text) is not None


def set_path(name_or_path: str | Path) -> Path:
    """The file of a bundled set name, or the given path to a set file."""
    text = str(name_or_path)
    if Path(text).suffix in DATA_SUFFIXES:
        return Path(text)
    path = bundled_sets_dir() / f"{text}.yaml"
    if not path.is_file():
        raise field_error(
            "evidence_set",
            f"no evidence set {quote(text)}",
            f"one of {', '.join(bundled_set_names())} ({see_also('evidence-sets')})",
        )
    return path


def load_set(name_or_path: str | Path) -> tuple[EvidenceSet, Path]:
    """Read and validate one set file (by bundled name or path)."""
    path = set_path(name_or_path)
    return validate(EvidenceSet, read_mapping(path), path), path


def load_library(path: str | Path | None = None) -> Evidence:
    """Every study a set may draw on: the folder or file at ``path``, or (``None``) the
    bundled library, the six of 2013 followed by the studies added since."""
    if path is not None:
        return load_evidence(path)
    return _bundled_library()


@cache
def _bundled_library() -> Evidence:
    """The bundled library, read once per process (files of the installed package)."""
    six = load_evidence(None)
    added = load_evidence(added_evidence_dir())
    return Evidence(
        six.studies + added.studies,
        six.files + added.files,
        "bundled studies (peervalue/data/evidence, evidence-2026)",
        six.excluded + added.excluded,
        six.sources + added.sources,
    )


def set_ids(name_or_path: str | Path, library: Evidence, _seen: tuple[str, ...] = ()) -> list[str]:
    """The ids of a set's studies, in the set file's terms (``from`` sets resolved)."""
    spec, path = load_set(name_or_path)
    if spec.name in _seen:
        raise input_error(
            path, "from", f"set {spec.name!r} draws on itself", "a chain of sets without a loop"
        )
    everything = {s.id: s for s in library.listed}
    if spec.studies is not None:
        missing = [i for i in spec.studies if i not in everything]
        if missing:
            raise input_error(
                path,
                "studies",
                f"no study with id {quote(missing[0])} in {library.origin}",
                f"ids of studies in that evidence: {', '.join(everything)}",
            )
        return list(spec.studies)
    assert spec.from_ is not None
    if spec.from_ not in bundled_set_names():
        raise input_error(
            path,
            "from",
            f"no evidence set {quote(spec.from_)}",
            f"the name of a bundled set: {', '.join(bundled_set_names())}",
        )
    base = set_ids(spec.from_, library, (*_seen, spec.name))
    where = spec.where
    return [i for i in base if where is None or where.keeps(everything[i])]


def select_set(
    name_or_path: str | Path, library: Evidence, resources: str = "bed-days"
) -> Evidence:
    """The studies of a set, in the library's order, pooled and not pooled apart (for an
    analysis counting ``resources``)."""
    spec, _ = load_set(name_or_path)
    ids = set(set_ids(name_or_path, library))
    chosen = [s for s in library.listed if s.id in ids]
    label = f"evidence set {spec.name} ({spec.title})"
    sources = tuple((i, f) for i, f in library.sources if i in ids)
    files = tuple(f for _, f in sources) if library.sources else library.files
    selected = Evidence.of(chosen, files, label, resources, sources)
    if not selected.studies:
        raise input_error(
            set_path(name_or_path),
            "studies" if spec.studies is not None else "where",
            "the set holds no study that can be pooled",
            "at least one study with a usable outcome",
        )
    return selected


class SetSummary(ResultModel):
    """One evidence set: its name, title, why, and the studies it pools and lists."""

    name: str
    title: str
    why: str
    rule: str
    pooled: list[str]
    not_pooled: list[str]


class EvidenceSets(ResultModel):
    """The bundled evidence sets (``peervalue evidence sets``)."""

    sets: list[SetSummary]

    def rows(self) -> list[dict[str, object]]:
        return [
            {**s.model_dump(), "pooled": " ".join(s.pooled), "not_pooled": " ".join(s.not_pooled)}
            for s in self.sets
        ]


def list_sets() -> EvidenceSets:
    """Every bundled set, resolved against the bundled library."""
    library = load_library()
    found = []
    for name in bundled_set_names():
        spec, _ = load_set(name)
        chosen = select_set(name, library)
        where = spec.where.model_dump(mode="json", exclude_none=True) if spec.where else {}
        shown = {k: ", ".join(v) if isinstance(v, list) else str(v) for k, v in where.items()}
        rule = (
            "listed ids"
            if spec.studies is not None
            else f"from {spec.from_} where " + "; ".join(f"{k}: {v}" for k, v in shown.items())
        )
        found.append(
            SetSummary(
                name=spec.name,
                title=spec.title,
                why=" ".join(spec.why.split()),
                rule=rule,
                pooled=chosen.ids,
                not_pooled=[s.id for s in chosen.excluded],
            )
        )
    return EvidenceSets(sets=found)


def check_bundled_sets() -> list[InputError]:
    """Every problem with the bundled sets against the bundled library (for tests)."""
    library = load_library()
    problems: list[InputError] = []
    for name in bundled_set_names():
        try:
            select_set(name, library)
        except InputError as exc:
            problems.append(exc)
    return problems
