"""The base of every typed result: a frozen pydantic model with one JSON policy.

Every result peervalue returns (the reference analysis, the Monte Carlo summary,
tornado rows, thresholds, the meta-analysis ...) is a :class:`ResultModel`:

* ``model_dump(mode="json")`` (and :meth:`ResultModel.to_dict`) gives JSON-ready
  data in which **every NaN or infinity becomes ``null``**: a figure that cannot be
  computed (a ratio of sums without peer input, a prediction interval from two
  studies) is missing, never a number. ``model_dump()`` in Python mode keeps NaN;
* ``to_pandas()``, where a table makes sense, builds a DataFrame on request
  (pandas is imported only then); no result stores a DataFrame.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    model_serializer,
)

if TYPE_CHECKING:
    import pandas as pd


def clean_json(x: Any) -> Any:
    """JSON-safe: NaN and infinities become None; tuples become lists."""
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, dict):
        return {k: clean_json(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [clean_json(v) for v in x]
    return x


class ResultModel(BaseModel):
    """Base of every result model: frozen, no unknown fields, NaN as ``null`` in JSON."""

    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_inf_nan="null")
    #: optional fields left out of a dump when unset, so that adding one leaves the
    #: output of every run that does not use it unchanged
    omit_when_none: ClassVar[frozenset[str]] = frozenset()

    @model_serializer(mode="wrap")
    def _serialise(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            for name in self.omit_when_none:
                if data.get(name, 0) is None:
                    del data[name]
        return clean_json(data) if info.mode_is_json() else data

    def to_dict(self) -> dict[str, Any]:
        """``model_dump(mode="json")``: JSON-ready, NaN and infinity as ``None``."""
        return self.model_dump(mode="json")


def frame(rows: list[dict[str, Any]], columns: list[str] | None = None) -> pd.DataFrame:
    """A DataFrame from row dicts (pandas imported here, on first use)."""
    import pandas as pd

    return pd.DataFrame(rows, columns=columns)


def columns_frame(columns: dict[str, Any]) -> pd.DataFrame:
    """A DataFrame from a mapping of column name to values."""
    import pandas as pd

    return pd.DataFrame(columns)
