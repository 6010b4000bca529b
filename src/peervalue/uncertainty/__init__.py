"""Uncertainty: parameter distributions, Monte Carlo, sensitivity, thresholds, meta-analysis."""
