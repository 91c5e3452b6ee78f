"""The event log's encoding: the standard JSON encoder's bytes, whichever encoder wrote them.

The recorder encodes a record of plain values with orjson and everything else with
``json.JSONEncoder(separators=(",", ":"))``; a log's bytes must not depend on which one ran
(same scenario, same seed: byte-identical logs, whatever the values).
"""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.report.recorder import Recorder

STANDARD = json.JSONEncoder(separators=(",", ":"), default=lambda v: "0x" + v.hex() if isinstance(v, bytes) else v.item())


def standard(record: dict) -> bytes:
    return (STANDARD.encode(record) + "\n").encode("ascii")


scalars = st.one_of(
    st.none(), st.booleans(), st.text(), st.binary(max_size=40),
    st.integers(min_value=-(2**300), max_value=2**300),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e-3, max_value=1e-3),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=5), scalars, max_size=3))


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=12), values, max_size=8))
def test_a_record_is_written_as_the_standard_encoder_writes_it(fields):
    assert Recorder(None, start=0).line(fields) == standard(fields)


def test_every_ascii_character_and_some_beyond_are_escaped_as_the_standard_encoder_escapes_them():
    recorder = Recorder(None, start=0)
    for code in [*range(128), 0xE9, 0x2028, 0x1F600]:
        record = {"reason": f"a{chr(code)}b"}
        assert recorder.line(record) == standard(record), hex(code)


def test_floats_at_the_edges_of_the_two_spellings_are_written_as_python_writes_them():
    recorder = Recorder(None, start=0)
    for value in (0.0, -0.0, 1e-4, 9.999999999999999e-05, 1e-05, 1e15, 1e16, 1.2345e16, 1e22, 1.7976931348623157e308,
                  5e-324, float("nan"), float("inf"), -float("inf"), 0.1, 2.5):
        record = {"price": value}
        assert recorder.line(record) == standard(record), value


def test_numpy_scalars_and_integers_past_64_bits_are_written_as_the_standard_encoder_writes_them():
    recorder = Recorder(None, start=0)
    for value in (np.float64(1e-05), np.float64(0.25), np.int64(7), np.float32(0.5), 2**64, -(2**63) - 1, 2**256 - 1):
        record = {"amount": value}
        assert recorder.line(record) == standard(record), repr(value)


def test_each_record_is_on_disk_as_soon_as_it_is_recorded(tmp_path):
    path = tmp_path / "events.jsonl"
    recorder = Recorder(path, start=1_767_225_600)
    recorder.record(5, "venue", "order", shares=40, investor="retail-0003")
    assert path.read_bytes() == (b'{"seq":1,"t":5,"time":"2026-01-01T00:00:05Z","actor":"venue","act":"order",'
                                 b'"outcome":"ok","shares":40,"investor":"retail-0003"}\n')
    recorder.record(6, "venue", "order", "refused", code=15, to=b"\x01" * 2)
    assert path.read_bytes().splitlines()[1] == (b'{"seq":2,"t":6,"time":"2026-01-01T00:00:06Z","actor":"venue",'
                                                 b'"act":"order","outcome":"refused","code":15,"to":"0x0101"}')
    recorder.close()


def test_a_float_from_1e16_is_written_as_python_writes_it_whatever_orjson_spells(monkeypatch):
    import orjson

    real = orjson.dumps
    # orjson before 3.11.7 (which the package allows) writes 1.5e16 as "1.5e16", Python "1.5e+16"
    monkeypatch.setattr(orjson, "dumps", lambda *args, **kwargs: real(*args, **kwargs).replace(b"e+", b"e"))
    recorder = Recorder(None, start=0)
    for value in (1e16, 1.5e16, -2.5e20, 1.7976931348623157e308):
        record = {"notional": value, "shares": 3}
        assert recorder.line(record) == standard(record), value


def test_a_record_the_disk_cannot_take_whole_raises_instead_of_leaving_part_of_a_line(tmp_path):
    import subprocess
    import sys

    script = f"""
import errno, resource, signal
from pathlib import Path
from sim.report.recorder import Recorder
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
recorder = Recorder(Path({str(tmp_path / "events.jsonl")!r}), start=0)
recorder.record(0, "venue", "order", shares=1)
resource.setrlimit(resource.RLIMIT_FSIZE, (150, resource.RLIM_INFINITY))
try:
    recorder.record(1, "venue", "order", note="x" * 150)
except OSError as error:
    print("raised", errno.errorcode[error.errno])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "raised EFBIG"
