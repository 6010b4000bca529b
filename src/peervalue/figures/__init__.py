"""Figures drawn from typed results (matplotlib): pure functions from results to a figure.

:mod:`peervalue.figures.catalogue` names every figure, says which results it needs
and gives it alt text; :mod:`peervalue.figures.charts` draws them in one style
(:mod:`peervalue.figures.style`). A figure never recomputes the model: the service
layer (:mod:`peervalue.service.figures`) runs what a figure needs, once.
"""
