"""``peervalue serve`` as a real uvicorn process: it answers on loopback, with several
workers, without the 40 ms wait for a delayed acknowledgement on a kept-alive connection; a
request too slow to arrive gets 408, and connections beyond the cap get 503."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import statistics
import time
from collections.abc import Iterator

import pytest

from tests.web_server import HOST, running_server


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with running_server(tmp_path_factory.mktemp("serve"), workers=2) as url:
        yield int(url.rsplit(":", 1)[1])


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


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A server that wants each request within 2 s and takes 10 connections at most."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PEERVALUE_REQUEST_TIMEOUT", "2")
        env.setenv("PEERVALUE_MAX_CONNECTIONS", "10")
        with running_server(tmp_path_factory.mktemp("strict")) as url:
            yield int(url.rsplit(":", 1)[1])


def _answer(sock: socket.socket, seconds: float) -> bytes:
    sock.settimeout(seconds)
    data = b""
    with contextlib.suppress(TimeoutError, ConnectionError):
        while chunk := sock.recv(4096):
            data += chunk
    return data


def test_a_slow_body_gets_408_and_the_connection_closes(strict: int) -> None:
    slow = socket.create_connection((HOST, strict))
    slow.sendall(
        b"POST /api/v1/analysis HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json"
        b"\r\ncontent-length: 100\r\n\r\n{"
    )
    start = time.monotonic()
    # meanwhile others are served at once
    quick = http.client.HTTPConnection(HOST, strict, timeout=10)
    quick.request("GET", "/api/v1/evidence/sledge2011")
    assert quick.getresponse().status == 200
    quick.close()
    answer = _answer(slow, 10)  # read until the server closes the connection
    waited = time.monotonic() - start
    slow.close()
    assert answer.startswith(b"HTTP/1.1 408 ")
    assert b"PEERVALUE_REQUEST_TIMEOUT" in answer and b"connection: close" in answer.lower()
    assert 1.5 < waited < 6, waited


def test_slow_headers_get_408_too(strict: int) -> None:
    slow = socket.create_connection((HOST, strict))
    slow.sendall(b"GET /api/v1/evidence HTTP/1.1\r\nHost: 127.0")
    answer = _answer(slow, 10)
    slow.close()
    assert answer.startswith(b"HTTP/1.1 408 ")


def test_connections_beyond_the_cap_get_503(strict: int) -> None:
    held = [socket.create_connection((HOST, strict)) for _ in range(10)]
    try:
        time.sleep(0.3)  # let the server accept them all
        extra = http.client.HTTPConnection(HOST, strict, timeout=10)
        extra.request("GET", "/api/v1/evidence/sledge2011")
        assert extra.getresponse().status == 503
        extra.close()
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.3)
    again = http.client.HTTPConnection(HOST, strict, timeout=10)
    again.request("GET", "/api/v1/evidence/sledge2011")
    assert again.getresponse().status == 200
    again.close()
