"""What the web tests share: a test client of the whole app on a fresh SQLite database,
and the scenario template as the JSON document the API takes."""

from __future__ import annotations

import tomllib
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient

from peervalue.scenario.schema import template_file
from peervalue.web.app import create_app


@contextmanager
def app_client(folder: Path, name: str = "peervalue.db") -> Iterator[TestClient]:
    """The app (API and pages) on a new database ``folder / name``, answering the test
    client's host, with no per-client run limit (a test module sends many runs)."""
    url = f"sqlite:///{folder / name}"
    with TestClient(create_app(url, allowed_hosts=["testserver"], runs_per_minute=0)) as c:
        yield c


def template_document() -> dict[str, Any]:
    """The scenario template as JSON: its start date written as ISO text."""
    document = tomllib.loads(template_file().read_text(encoding="utf-8"))
    document["scenario"]["start"] = document["scenario"]["start"].isoformat()
    return document
