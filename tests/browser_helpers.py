"""Debian's chromium for the browser tests, driven by Playwright: found (or the test
skipped, and failed in CI, which must install it) and launched once per module."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest


def chromium_path() -> str:
    """The chromium executable; skips the test without chromium or Playwright (fails in CI)."""
    path = shutil.which("chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium and Playwright (.ci/run)")
        pytest.skip("chromium or Playwright not installed")
    return path


@contextmanager
def launched() -> Iterator[Any]:
    """A chromium browser (as root it needs --no-sandbox), closed afterwards."""
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()
