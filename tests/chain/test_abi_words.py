"""The word fast path encodes and decodes exactly as eth-abi (strict) does."""

from __future__ import annotations

import eth_abi
import pytest
from eth_abi.exceptions import DecodingError, EncodingError
from hypothesis import given
from hypothesis import strategies as st

from sim.chain.abi import decode, tuple_encoder

UINT_BITS = [8, 16, 32, 64, 128, 256]


def _value(kind: str) -> st.SearchStrategy:
    if kind == "address":
        return st.binary(min_size=20, max_size=20)
    if kind == "bool":
        return st.booleans()
    if kind.startswith("bytes"):
        return st.binary(min_size=0, max_size=int(kind[5:]))
    bits = int(kind.lstrip("uint") or 256)
    if kind.startswith("u"):
        return st.integers(min_value=0, max_value=(1 << bits) - 1)
    return st.integers(min_value=-(1 << (bits - 1)), max_value=(1 << (bits - 1)) - 1)


KINDS = ["address", "bool", "bytes1", "bytes4", "bytes32"] + [f"uint{b}" for b in UINT_BITS] + [f"int{b}" for b in UINT_BITS]


@st.composite
def typed_tuples(draw):
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
    return tuple(kinds), [draw(_value(k)) for k in kinds]


@given(typed_tuples())
def test_encoding_is_byte_for_byte_eth_abi(case):
    kinds, values = case
    assert tuple_encoder(kinds)(values) == eth_abi.encode(list(kinds), values)


@st.composite
def mixed_tuples(draw):
    """Static words, static tuples (nested too: the signed orders the registries take) and
    ``bytes``/``string`` values in one argument list."""

    def member(depth: int):
        if depth < 2 and draw(st.booleans()):
            inner = [member(depth + 1) for _ in range(draw(st.integers(1, 4)))]
            return "(" + ",".join(k for k, _ in inner) + ")", tuple(v for _, v in inner)
        kind = draw(st.sampled_from(KINDS))
        return kind, draw(_value(kind))

    parts = []
    for _ in range(draw(st.integers(1, 6))):
        choice = draw(st.sampled_from(["member", "bytes", "string"]))
        if choice == "bytes":
            parts.append(("bytes", draw(st.binary(max_size=100))))
        elif choice == "string":
            parts.append(("string", draw(st.text(max_size=40))))
        else:
            parts.append(member(0))
    return tuple(k for k, _ in parts), [v for _, v in parts]


@given(mixed_tuples())
def test_static_tuples_and_dynamic_bytes_encode_byte_for_byte_as_eth_abi(case):
    kinds, values = case
    assert tuple_encoder(kinds)(values) == eth_abi.encode(list(kinds), values)


@pytest.mark.parametrize(
    ("kinds", "values"),
    [
        (("bytes",), ["not bytes"]),
        (("string",), [b"not text"]),
        (("(uint8,bool)",), [(1,)]),  # one member short
        (("(uint8,bool)",), [(256, True)]),  # out of range
        (("(uint8,bool)", "bytes"), [5, b""]),  # not a tuple
    ],
)
def test_the_fast_path_refuses_what_eth_abi_refuses(kinds, values):
    with pytest.raises(EncodingError):
        eth_abi.encode(list(kinds), values)
    with pytest.raises(EncodingError):
        tuple_encoder(kinds)(values)


@given(typed_tuples())
def test_decoding_gives_eth_abis_values(case):
    kinds, values = case
    data = eth_abi.encode(list(kinds), values)
    assert decode(kinds, data) == eth_abi.decode(list(kinds), data, strict=True)


@given(st.sampled_from(KINDS), st.binary(min_size=32, max_size=32))
def test_any_word_is_refused_or_accepted_as_eth_abi_does(kind, word):
    try:
        expected = eth_abi.decode([kind], word, strict=True)
    except DecodingError:
        with pytest.raises(DecodingError):
            decode((kind,), word)
    else:
        assert decode((kind,), word) == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [("uint8", 256), ("uint256", -1), ("int8", 128), ("int8", -129), ("uint256", True), ("uint256", "1"),
     ("bool", 1), ("bytes4", b"12345"), ("bytes4", "ab"), ("address", b"\x00" * 19), ("address", 5)],
)
def test_out_of_range_or_mistyped_values_are_refused(kind, value):
    with pytest.raises(EncodingError):
        eth_abi.encode([kind], [value])
    with pytest.raises(EncodingError):
        tuple_encoder((kind,))([value])


def test_short_data_is_refused():
    with pytest.raises(DecodingError):
        decode(("uint256", "address"), bytes(40))


def test_dynamic_types_go_through_eth_abi():
    kinds = ("string", "uint256[]", "bytes")
    values = ["hello", [1, 2, 3], b"\x01\x02"]
    assert tuple_encoder(kinds)(values) == eth_abi.encode(list(kinds), values)
    assert decode(kinds, eth_abi.encode(list(kinds), values)) == ("hello", (1, 2, 3), b"\x01\x02")


@st.composite
def tuples_with_bytes(draw):
    kinds = draw(st.lists(st.sampled_from(KINDS + ["bytes", "string"]), min_size=1, max_size=5))
    values = []
    for kind in kinds:
        if kind == "bytes":
            values.append(draw(st.binary(max_size=80)))
        elif kind == "string":
            values.append(draw(st.text(max_size=40)))
        else:
            values.append(draw(_value(kind)))
    return tuple(kinds), values


@given(tuples_with_bytes())
def test_words_mixed_with_bytes_and_strings_decode_as_eth_abi_does(case):
    kinds, values = case
    data = eth_abi.encode(list(kinds), values)
    assert decode(kinds, data) == eth_abi.decode(list(kinds), data, strict=True)


@given(tuples_with_bytes(), st.data())
def test_altered_data_with_bytes_is_refused_or_accepted_as_eth_abi_does(case, data):
    kinds, values = case
    encoded = bytearray(eth_abi.encode(list(kinds), values))
    change = data.draw(st.sampled_from(["flip", "truncate", "append"]))
    if change == "flip":
        at = data.draw(st.integers(0, len(encoded) - 1))
        encoded[at] ^= data.draw(st.integers(1, 255))
    elif change == "truncate":
        del encoded[data.draw(st.integers(0, len(encoded) - 1)):]
    else:
        encoded += data.draw(st.binary(min_size=1, max_size=64))
    altered = bytes(encoded)
    try:
        expected = eth_abi.decode(list(kinds), altered, strict=True)
    except Exception as exc:  # what eth-abi refuses is refused (a DecodingError for bad data)
        with pytest.raises(DecodingError if isinstance(exc, DecodingError) else type(exc)):
            decode(kinds, altered)
    else:
        assert decode(kinds, altered) == expected


def test_a_restriction_check_return_is_read_without_eth_abi():
    data = eth_abi.encode(["uint8", "bytes"], [16, b"\x12\x34"])
    assert decode(("uint8", "bytes"), data) == (16, b"\x12\x34")
