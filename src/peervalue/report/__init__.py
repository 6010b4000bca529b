"""Renderers: results and evidence to terminal tables, JSON and CSV text."""
