"""``peervalue serve`` as a real uvicorn process: it answers on loopback, with several
workers, without the 40 ms wait for a delayed acknowledgement on a kept-alive connection."""

from __future__ import annotations

import http.client
import json
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
