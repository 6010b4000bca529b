"""Evidence synthesis: every study on one scale and the exact Bayesian random-effects model.

* :mod:`~peervalue.synthesis.effects`: effect sizes (relative log ratios, or bed-days saved
  per patient-year), with missing spreads imputed and marked;
* :mod:`~peervalue.synthesis.bayes`: the normal-normal model by integration over tau;
* :mod:`~peervalue.synthesis.small_study`: Egger's test, trim-and-fill, Baujat;
* :mod:`~peervalue.synthesis.analysis`: all of it for ``peervalue synthesis``;
* :mod:`~peervalue.synthesis.priors` and :mod:`~peervalue.synthesis.results`: light
  (no numpy), for requests and renderers.

Pure modules: no file is read and nothing is printed. Importing this package imports
nothing heavy; numpy and scipy come with ``bayes``, ``small_study`` and ``analysis``.
"""
