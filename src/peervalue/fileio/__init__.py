"""Reading data files and writing outputs safely.

* :func:`read_mapping` parses a YAML or TOML file into a dict, turning parse
  errors into :class:`~peervalue.errors.InputError` (:mod:`.reading`);
* :func:`validate` builds a pydantic model and turns validation errors into
  one readable problem per field (:mod:`.wording`);
* :func:`atomic_write_text` writes through a temporary file and a rename, so
  a reader never sees a half-written output (:mod:`.writing`).

Every name is re-exported here: ``from peervalue.fileio import read_mapping`` keeps working.
"""

from __future__ import annotations

from peervalue.fileio.reading import (
    DATA_SUFFIXES,
    MAX_ALIAS_VALUES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    check_input_path,
    input_path,
    read_mapping,
)
from peervalue.fileio.wording import field_names, fields_at, problems_from, validate
from peervalue.fileio.writing import (
    atomic_write_bytes,
    atomic_write_many,
    atomic_write_text,
    check_output,
    refuse_existing,
    refuse_overwriting_inputs,
)

__all__ = [
    "DATA_SUFFIXES",
    "MAX_ALIAS_VALUES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "atomic_write_bytes",
    "atomic_write_many",
    "atomic_write_text",
    "check_input_path",
    "check_output",
    "field_names",
    "fields_at",
    "input_path",
    "problems_from",
    "read_mapping",
    "refuse_existing",
    "refuse_overwriting_inputs",
    "validate",
]
