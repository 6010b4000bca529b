"""The web service's own files (its script, style sheets, icon and Swagger UI's assets),
served from a list made at start-up.

Starlette's ``StaticFiles`` joins a request's path to its folder and resolves the result
on disk, so a request for ``/static/../../../tmp/x`` makes the server look at paths outside
the package (it serves none of them, but it touches them). Here a request's path is only a
key into the list of files the folder held when the service started: a name not in it is a
404 without any file being looked at."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from starlette.staticfiles import StaticFiles


class KnownFiles(StaticFiles):
    """``StaticFiles`` over the files ``directory`` held at start-up, and no others."""

    def __init__(self, directory: str | Path) -> None:
        super().__init__(directory=directory)
        root = Path(directory)
        self.known: dict[str, str] = {
            path.relative_to(root).as_posix(): str(path)
            for path in sorted(root.rglob("*"))
            if path.is_file()
        }

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        full = self.known.get(path.replace(os.sep, "/"))
        if full is None:
            return "", None
        return full, os.stat(full)


def package_assets() -> Path:
    """The folder of peervalue's own web assets."""
    return Path(str(files("peervalue.web") / "static"))


def swagger_assets() -> Path:
    """The folder of Swagger UI's script and style sheet (from the fastapi-offline wheel)."""
    return Path(str(files("fastapi_offline") / "static"))
