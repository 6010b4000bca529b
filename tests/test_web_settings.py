"""Every PEERVALUE_* setting checked at start-up: ``peervalue serve`` with a bad one exits 2
with one line naming it (no traceback, nothing started); the secret file shared by every
worker; what serve hands to uvicorn, and its warnings."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from peervalue.errors import InputError
from peervalue.web.settings import (
    LOOPBACK_HOSTS,
    SECRET_FILE_NAME,
    is_loopback,
    load_settings,
)
from tests.cli_helpers import run_cli
from tests.web_server import free_port

SERVE = [sys.executable, "-c", "from peervalue.cli import main; main()", "serve"]


def _serve(tmp: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PEERVALUE_")}
    return subprocess.run(
        [*SERVE, "--port", str(free_port()), *args],
        env={**clean, "PEERVALUE_DATA_DIR": str(tmp / "data"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def _bad_settings(tmp: Path) -> list[tuple[dict[str, str], str]]:
    (tmp / "notes.db").write_text("these are notes, not a database\n")
    return [
        ({"PEERVALUE_DATABASE_URL": "mongodb://db/peer"}, "the scheme 'mongodb'"),
        ({"PEERVALUE_DATABASE_URL": "mysql://u@db/peer"}, "the scheme 'mysql'"),
        ({"PEERVALUE_DATABASE_URL": "not a url"}, "is not a database URL"),
        (
            {"PEERVALUE_DATABASE_URL": f"sqlite:///{tmp / 'missing' / 'cases.db'}"},
            f"the folder {tmp / 'missing'} does not exist",
        ),
        (
            {"PEERVALUE_DATABASE_URL": f"sqlite:///{tmp / 'notes.db'}"},
            "is not a SQLite database",
        ),
        (
            # port 1 on loopback: nothing listens there, so the refusal is immediate
            {"PEERVALUE_DATABASE_URL": "postgresql+psycopg://peer:pw@127.0.0.1:1/peer"},
            "cannot connect to 'postgresql+psycopg://peer:***@127.0.0.1:1/peer'",
        ),
        ({"PEERVALUE_RUN_TIMEOUT": "soon"}, "expected a number from 0.001 to 3600"),
        ({"PEERVALUE_MAX_RUNS": "2.5"}, "expected a whole number from 1 to 64"),
        ({"PEERVALUE_MAX_CONNECTIONS": "lots"}, "a whole number from 10 to 1,000,000"),
        ({"PEERVALUE_REQUEST_TIMEOUT": "0"}, "got '0'; expected a number from 1 to 3600"),
        ({"PEERVALUE_KEEP_ALIVE": "-5"}, "a whole number from 1 to 300"),
        ({"PEERVALUE_TOKEN_FAILURES_PER_MINUTE": "0"}, "a whole number from 1 to 10,000"),
        ({"PEERVALUE_RUNS_PER_MINUTE": "1e9"}, "a whole number from 0 to 100,000"),
        ({"PEERVALUE_ALLOWED_HOSTS": "calc.example.org,exa mple.org"}, "'exa mple.org'"),
        ({"PEERVALUE_BASE_URL": "https://calc.example.org/peer"}, "has a path"),
        ({"PEERVALUE_BASE_URL": "calc.example.org"}, "is not an http or https address"),
        ({"PEERVALUE_SECRET_KEY": "too-short"}, "holds 9 characters"),
        ({"PEERVALUE_SECRET_FILE": str(tmp / "no-such.key")}, "cannot be read"),
        ({"PEERVALUE_API_TOKEN": "two words"}, "without spaces"),
        ({"PEERVALUE_DATA_DIR": str(tmp / "notes.db" / "data")}, "cannot be created"),
    ]


def test_each_bad_setting_stops_serve_with_one_line(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    cases = _bad_settings(tmp_path)
    with ThreadPoolExecutor(4) as pool:  # each is a process that starts and stops
        runs = list(pool.map(lambda case: _serve(tmp_path, **case[0]), cases))
    for (env, fragment), run in zip(cases, runs, strict=True):
        name = next(iter(env))
        report = f"{env}: exit {run.returncode}\n{run.stderr}"
        assert run.returncode == 2, report
        assert "Traceback" not in run.stderr + run.stdout, report
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1, report
        assert lines[0].startswith(f"error: {name}: "), report
        assert fragment in lines[0], report
        assert "Uvicorn running" not in run.stderr + run.stdout


def test_a_host_that_does_not_resolve_names_the_option(tmp_path: Path) -> None:
    run = _serve(tmp_path, "--host", "not a host")
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("error: --host: 'not a host' is not an address")
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="file permissions do not bind the super-user")
def test_an_unwritable_folder(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        run = _serve(tmp_path, PEERVALUE_DATABASE_URL=f"sqlite:///{folder / 'cases.db'}")
    finally:
        folder.chmod(0o700)
    assert run.returncode == 2
    assert f"PEERVALUE_DATABASE_URL: the folder {folder} is not writable" in run.stderr


# --- values ---------------------------------------------------------------------------


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings({"PEERVALUE_DATA_DIR": str(tmp_path / "data")})
    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'peervalue.db'}"
    assert settings.allowed_hosts == LOOPBACK_HOSTS
    assert settings.base_url is None and settings.api_token is None
    assert settings.runs_per_minute == 60 and settings.token_failures_per_minute == 10
    assert settings.max_connections == 4000 and settings.request_timeout == 30


def test_the_base_url_is_an_origin_and_its_host_is_allowed(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "PEERVALUE_DATA_DIR": str(tmp_path),
            "PEERVALUE_BASE_URL": "HTTPS://Calc.Example.org:443/",
            "PEERVALUE_ALLOWED_HOSTS": " calc.example.org , Peer.Example.net,",
        }
    )
    assert settings.base_url == "https://calc.example.org"  # default port and slash dropped
    assert settings.allowed_hosts == ("calc.example.org", "peer.example.net")


def test_the_secret_is_made_once_private_and_shared(tmp_path: Path) -> None:
    """Workers starting together all read one secret, made with mode 0600 beside the
    SQLite file, and the next start reads it again (tokens survive a restart)."""
    env = {"PEERVALUE_DATABASE_URL": f"sqlite:///{tmp_path / 'cases.db'}"}
    found: list[bytes] = []

    def start() -> None:
        found.append(load_settings(env).secret_key)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(found) == 8 and len(set(found)) == 1 and len(found[0]) >= 32
    path = tmp_path / SECRET_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [SECRET_FILE_NAME]  # no leftovers
    assert load_settings(env).secret_key == found[0]
    path.chmod(0o644)
    with pytest.raises(InputError, match="can be read by other users"):
        load_settings(env)
    path.chmod(0o600)
    key = "k" * 40
    assert load_settings({**env, "PEERVALUE_SECRET_KEY": key}).secret_key == key.encode()


def test_loopback() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "localhost", "::1", "[::1]", "127.3.2.1"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "192.168.1.5", "calc.example.org"))


# --- what serve hands to uvicorn -----------------------------------------------------


def _serve_in_process(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    *args: str,
    **env: str,
) -> tuple[Any, dict[str, Any]]:
    import uvicorn

    for name in list(os.environ):
        if name.startswith("PEERVALUE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PEERVALUE_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    given: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: given.update(kwargs))
    return run_cli(capsys, "serve", *args), given


def test_serve_sets_the_connection_limits(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run, given = _serve_in_process(
        capsys,
        monkeypatch,
        tmp_path,
        PEERVALUE_MAX_CONNECTIONS="500",
        PEERVALUE_KEEP_ALIVE="7",
    )
    assert run.code == 0 and run.err == ""  # loopback: no warning
    assert given["limit_concurrency"] == 500 and given["timeout_keep_alive"] == 7
    assert given["host"] == "127.0.0.1" and given["http"].endswith("NoDelayH11Protocol")


def test_serving_beyond_loopback_without_a_token_warns_first(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run, given = _serve_in_process(capsys, monkeypatch, tmp_path, "--host", "0.0.0.0")
    lines = run.err.splitlines()
    assert lines[0] == (
        "warning: serving on 0.0.0.0, beyond this machine, without PEERVALUE_API_TOKEN: "
        "anyone who can reach it can save cases, and no admin token can manage them"
    )
    assert lines[1].startswith("warning: PEERVALUE_ALLOWED_HOSTS is not set")
    assert given["host"] == "0.0.0.0"
    monkeypatch.setenv("PEERVALUE_API_TOKEN", "s3cret")
    monkeypatch.setenv("PEERVALUE_ALLOWED_HOSTS", "calc.example.org")
    quiet = run_cli(capsys, "serve", "--host", "0.0.0.0")
    assert quiet.code == 0 and quiet.err == ""
