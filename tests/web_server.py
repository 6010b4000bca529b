"""``peervalue serve`` as a real process for the tests that need one: on a free loopback
port, in its own process group (so stopping it reaches every worker), with its own SQLite
file and its output in a log file (never a pipe nobody reads)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def running_server(folder: Path, workers: int = 1, timeout: float = 60) -> Iterator[str]:
    """Start the server, wait until ``/api/v1/costs`` answers, yield its base URL, stop it.

    Raises ``AssertionError`` with the server's log when it exits or does not answer in
    ``timeout`` seconds."""
    port = free_port()
    env = {**os.environ, "PEERVALUE_DATABASE_URL": f"sqlite:///{folder / 'serve.db'}"}
    env.pop("PEERVALUE_API_TOKEN", None)
    command = [sys.executable, "-c", "from peervalue.cli import main; main()", "serve"]
    log = folder / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*command, "--host", HOST, "--port", str(port), "--workers", str(workers)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert proc.poll() is None, f"peervalue serve exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"no answer in {timeout:g} s:\n{log.read_text()}"
            try:
                with urllib.request.urlopen(url + "/api/v1/costs", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
