"""The web API's JSON writes bidirectional controls in user text as ``\\uXXXX`` escapes
(web/json_escapes.py): a saved case's own words come back with no raw U+202A-U+202E or
U+2066-U+2069 in the bytes, and the same text once the JSON is read."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice about httpx versions
    from fastapi.testclient import TestClient

from peervalue.web.json_escapes import escaped_body
from tests.web_helpers import app_client, template_document

#: the embeddings and overrides (U+202A-U+202E) and the isolates (U+2066-U+2069)
BIDI = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with app_client(tmp_path_factory.mktemp("db")) as c:
        yield c


def _case_with(words: str) -> dict[str, Any]:
    document = template_document()
    document["case"] = {"strategic": words}
    return document


def test_the_escape_of_each_character_and_nothing_else() -> None:
    assert len(BIDI) == 9
    # '{"a":"x<U+202E>y £"}': the override becomes the six characters \u202e, the pound
    # sign (not a format character) stays as its two UTF-8 bytes
    body = '{"a":"x\u202ey £"}'.encode()
    assert escaped_body(body) == b'{"a":"x\\u202ey \xc2\xa3"}'
    for char in BIDI:
        escaped = escaped_body(json.dumps({"a": char}, ensure_ascii=False).encode())
        assert escaped == b'{"a": "\\u%04x"}' % ord(char)
    # nothing to escape: the very same bytes
    plain = '{"name":"Ward A, £1,000 élan"}'.encode()
    assert escaped_body(plain) is plain


def test_a_saved_case_comes_back_with_its_bidi_controls_escaped(client: TestClient) -> None:
    words = "Ward " + "".join(f"{c}{i}" for i, c in enumerate(BIDI)) + " end"
    made = client.post("/api/v1/scenarios", json={"name": "Ward A", "scenario": _case_with(words)})
    assert made.status_code == 201, made.text
    for answer in (made, client.get(f"/api/v1/scenarios/{made.json()['id']}")):
        raw = answer.content
        assert not any(c.encode() in raw for c in BIDI)
        assert all(b"\\u%04x" % ord(c) in raw for c in BIDI)
        assert int(answer.headers["content-length"]) == len(raw)
        # a JSON reader gets the same text back
        assert answer.json()["scenario"]["case"]["strategic"] == words
