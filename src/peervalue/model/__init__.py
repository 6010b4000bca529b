"""The model: pure numpy functions (core), parameter tables (spec), evaluation and results.

Import the submodules you need (``peervalue.model.core``, ``.spec``, ``.evaluate``,
``.analysis``, ``.results``, ``.methods``); this package imports nothing itself, so
that light modules (``methods``, ``results``) load without numpy.
"""
