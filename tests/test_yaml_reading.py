"""How peervalue reads YAML: YAML 1.1's surprises refused, a %YAML 1.2 file read by the
1.2 core schema (docs/evidence-format.md, section 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from peervalue.errors import InputError
from peervalue.fileio import read_mapping


def _read(tmp_path: Path, text: str) -> dict[str, object]:
    path = tmp_path / "x.yaml"
    path.write_text(text)
    return read_mapping(path)


@pytest.mark.parametrize(
    ("written", "fragment"),
    [
        ("040", "'040' (line 2) has a leading zero"),
        ("+040", "expected 40 (without"),
        ("-0_7", "expected -7 (without"),
        ("1:30", "base-60 number (90)"),
        ("-1:30", "base-60 number (-90)"),
        ("1:00:00", "base-60 number (3600)"),
        ("20:00", "base-60 number (1200)"),
        ("NO", "a bare 'NO' (line 2) is read by YAML 1.1 as false"),
        ("Yes", "read by YAML 1.1 as true"),
        ("off", "read by YAML 1.1 as false"),
    ],
)
def test_yaml_1_1_surprises_are_refused_with_the_line(
    tmp_path: Path, written: str, fragment: str
) -> None:
    with pytest.raises(InputError) as caught:
        _read(tmp_path, f"a: 1\nb: {written}\n")
    assert fragment in str(caught.value)
    assert "field 'b'" in str(caught.value)


@pytest.mark.parametrize("written", ["'040'", '"1:30"', "'NO'", "0", "-0", "40", "1.5", "true"])
def test_what_people_write_plainly_or_quote_is_read_as_written(
    tmp_path: Path, written: str
) -> None:
    expected = {"'040'": "040", '"1:30"': "1:30", "'NO'": "NO", "0": 0, "-0": 0, "40": 40}
    expected |= {"1.5": 1.5, "true": True}
    assert _read(tmp_path, f"b: {written}\n") == {"b": expected[written]}


def test_a_yaml_1_2_file_is_read_by_the_core_schema(tmp_path: Path) -> None:
    text = (
        "%YAML 1.2\n---\n"
        "leading: 040\noctal: 0o40\nhex: 0x1F\nclock: 20:00\ncountry: NO\nyes_word: yes\n"
        "exp: 1e5\nneg: -2.5\ninf: -.inf\nnull_word: null\nflag: True\nquoted: '040'\n"
    )
    data = _read(tmp_path, text)
    # 1.2 core: decimal 040 is 40, 0o40 is 4 x 8 = 32, 0x1F is 31; 1e5 is a float
    assert data == {
        "leading": 40,
        "octal": 32,
        "hex": 31,
        "clock": "20:00",
        "country": "NO",
        "yes_word": "yes",
        "exp": 100000.0,
        "neg": -2.5,
        "inf": float("-inf"),
        "null_word": None,
        "flag": True,
        "quoted": "040",
    }
    assert isinstance(data["exp"], float) and isinstance(data["leading"], int)
