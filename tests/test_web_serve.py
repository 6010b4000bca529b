"""``peervalue serve`` as a real uvicorn process: it answers on loopback, with several
workers, without the 40 ms wait for a delayed acknowledgement on a kept-alive connection."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    folder = tmp_path_factory.mktemp("serve")
    port = _free_port()
    env = {**os.environ, "PEERVALUE_DATABASE_URL": f"sqlite:///{folder / 'serve.db'}"}
    env.pop("PEERVALUE_API_TOKEN", None)
    command = [sys.executable, "-c", "from peervalue.cli import main; main()", "serve"]
    with (folder / "serve.log").open("wb") as log:
        proc = subprocess.Popen(
            [*command, "--host", HOST, "--port", str(port), "--workers", "2"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (folder / "serve.log").read_text()
            assert time.monotonic() < deadline, "the server did not answer within 60 s"
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=5)
                conn.request("GET", "/api/v1/evidence")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def test_two_workers_answer_a_kept_alive_connection_without_delay(two_workers: int) -> None:
    conn = http.client.HTTPConnection(HOST, two_workers, timeout=30)
    times = []
    for _ in range(12):
        start = time.perf_counter()
        conn.request("GET", "/api/v1/evidence/sledge2011")
        response = conn.getresponse()
        body = json.loads(response.read())
        times.append(time.perf_counter() - start)
        assert response.status == 200 and body["id"] == "sledge2011"
    conn.close()
    # Nagle's algorithm left on made every answer after the first wait about 40 ms
    assert statistics.median(times[2:]) < 0.02, times
