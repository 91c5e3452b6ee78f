"""ABI encoding and decoding of functions, events and errors, with eth-abi.

Each ABI entry is compiled once into an object that encodes and decodes it: what Python
values a call accepts and what it returns. Inputs are forgiving (an address may be a
checksum string, 20 bytes, or anything with an ``.address``; a struct may be a tuple, a
mapping or an object with the fields as attributes; a ``bytesN`` may be raw bytes, a
``0x`` hex string, or short text such as ``"US"``); outputs are exact (addresses as
checksum strings, structs as named tuples named after the Solidity struct).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from eth_abi.codec import ABICodec
from eth_abi.exceptions import DecodingError, EncodingError, InsufficientDataBytes
from eth_abi.registry import registry as _abi_registry
from eth_hash.auto import keccak
from eth_utils import to_checksum_address

from sim.errors import ConfigError

Converter = Callable[[Any], Any] | None

_STREAM = ABICodec(_abi_registry).stream_class


_STATIC_WORD = re.compile(r"^(address|bool|(u?)int(\d*)|bytes(\d+))$")


def _word_codec(kind: str) -> tuple[Callable[[Any], bytes], Callable[[bytes], Any]] | None:
    """Encoder and decoder of one 32-byte word of a static elementary type, or None.

    The fast path for the types almost every call uses: the same bytes as eth-abi and the
    same values as its strict decoder, refusing what it refuses (``tests/chain/test_abi_words.py``
    holds them equal), without eth-abi's per-value dispatch (its cost dominated the
    framework's time on the revm backend; docs/performance.md).
    """
    m = _STATIC_WORD.match(kind)
    if m is None:
        return None
    if kind == "address":
        return _encode_address, _decode_address
    if kind == "bool":
        return _encode_bool, _decode_bool
    if m.group(4) is not None:
        size = int(m.group(4))
        if not 1 <= size <= 32:
            return None
        return _bytes_codec(size)
    bits = int(m.group(3) or 256)
    if bits % 8 or not 8 <= bits <= 256:
        return None
    return _int_codec(bits, signed=m.group(2) != "u")


_PAD12 = bytes(12)
_FALSE = bytes(32)
_TRUE = bytes(31) + b"\x01"


def _encode_address(value: Any) -> bytes:
    if type(value) is bytes and len(value) == 20:
        return _PAD12 + value
    if isinstance(value, str) and len(value) == 42 and value[:2] in ("0x", "0X"):
        try:
            return _PAD12 + bytes.fromhex(value[2:])
        except ValueError:
            pass
    raise EncodingError(f"value {value!r} is not an address")


def _decode_address(word: bytes) -> str:
    if word[:12] != _PAD12:
        raise DecodingError(f"padding bytes of an address are not empty: 0x{word.hex()}")
    return "0x" + word[12:].hex()


def _encode_bool(value: Any) -> bytes:
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    raise EncodingError(f"value {value!r} is not a bool")


def _decode_bool(word: bytes) -> bool:
    if word == _FALSE:
        return False
    if word == _TRUE:
        return True
    raise DecodingError(f"not a bool: 0x{word.hex()}")


def _bytes_codec(size: int) -> tuple[Callable[[Any], bytes], Callable[[bytes], Any]]:
    zeros = bytes(32 - size)

    def encode(value: Any) -> bytes:
        if not isinstance(value, bytes | bytearray) or len(value) > size:
            raise EncodingError(f"value {value!r} is not bytes of at most {size} bytes")
        return bytes(value).ljust(32, b"\x00")

    def decode(word: bytes) -> bytes:
        if word[size:] != zeros:
            raise DecodingError(f"padding bytes of a bytes{size} are not empty: 0x{word.hex()}")
        return word[:size]

    return encode, decode


def _int_codec(bits: int, signed: bool) -> tuple[Callable[[Any], bytes], Callable[[bytes], Any]]:
    low, high = (-(1 << (bits - 1)), 1 << (bits - 1)) if signed else (0, 1 << bits)

    def encode(value: Any) -> bytes:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value < high:
            raise EncodingError(f"value {value!r} is not an {'int' if signed else 'uint'}{bits}")
        return value.to_bytes(32, "big", signed=signed)

    def decode(word: bytes) -> int:
        value = int.from_bytes(word, "big", signed=signed)
        if not low <= value < high:
            raise DecodingError(f"value 0x{word.hex()} does not fit an {'int' if signed else 'uint'}{bits}")
        return value

    return encode, decode


def _split_members(inner: str) -> list[str]:
    """The member types of a tuple type's inside, split at the commas of depth 0."""
    members, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            members.append(inner[start:i])
            start = i + 1
    members.append(inner[start:])
    return [m for m in members if m]


def _static_encoder(kind: str) -> tuple[Callable[[Any], bytes], int] | None:
    """Encoder of a static value (an elementary word, or a tuple of static members, encoded
    in place) and its size in bytes; None for anything else."""
    codec = _word_codec(kind)
    if codec is not None:
        return codec[0], 32
    if not (kind.startswith("(") and kind.endswith(")")):
        return None
    members = [_static_encoder(m) for m in _split_members(kind[1:-1])]
    if not members or any(m is None for m in members):
        return None
    encoders = [m[0] for m in members]  # type: ignore[index]
    count = len(encoders)

    def encode(value: Any) -> bytes:
        if not isinstance(value, list | tuple) or len(value) != count:
            raise EncodingError(f"value {value!r} is not a tuple of {count} values")
        return b"".join([e(v) for e, v in zip(encoders, value)])

    return encode, sum(m[1] for m in members)  # type: ignore[index]


def _dynamic_bytes(kind: str) -> Callable[[Any], bytes]:
    """Encoder of a ``bytes`` or ``string`` value's tail: its length word, then the data
    padded to a whole word."""
    text = kind == "string"

    def encode(value: Any) -> bytes:
        if text:
            if not isinstance(value, str):
                raise EncodingError(f"value {value!r} is not a string")
            data = value.encode("utf-8")
        else:
            if not isinstance(value, bytes | bytearray):
                raise EncodingError(f"value {value!r} is not bytes")
            data = bytes(value)
        return len(data).to_bytes(32, "big") + data.ljust((len(data) + 31) // 32 * 32, b"\x00")

    return encode


@lru_cache(maxsize=None)
def tuple_encoder(types: tuple[str, ...]) -> Callable[[Any], bytes]:
    """Encoder of a tuple of ``types``, built once per signature: the word fast path when
    every type is static (elementary, or a tuple of static members) or ``bytes``/``string``
    in the head-and-tail layout; eth-abi's for anything else."""
    parts: list[tuple[Callable[[Any], bytes], bool]] = []
    head = 0
    for kind in types:
        static = _static_encoder(kind)
        if static is not None:
            parts.append((static[0], False))
            head += static[1]
        elif kind in ("bytes", "string"):
            parts.append((_dynamic_bytes(kind), True))
            head += 32
        else:
            return _abi_registry.get_tuple_encoder(*types)
    count = len(parts)
    if not any(dynamic for _, dynamic in parts):
        encoders = [e for e, _ in parts]

        def encode_static(values: Sequence[Any]) -> bytes:
            if len(values) != count:
                raise EncodingError(f"expected {count} values, got {len(values)}")
            return b"".join([e(v) for e, v in zip(encoders, values)])

        return encode_static

    def encode(values: Sequence[Any]) -> bytes:
        if len(values) != count:
            raise EncodingError(f"expected {count} values, got {len(values)}")
        heads, tails, offset = [], [], head
        for (encoder, dynamic), value in zip(parts, values):
            if dynamic:
                tail = encoder(value)
                heads.append(offset.to_bytes(32, "big"))
                tails.append(tail)
                offset += len(tail)
            else:
                heads.append(encoder(value))
        return b"".join(heads + tails)

    return encode


_DYNAMIC_BYTES = ("bytes", "string")


@lru_cache(maxsize=None)
def _tuple_decoder(types: tuple[str, ...]) -> Callable[[bytes], tuple]:
    codecs = [_word_codec(t) for t in types]
    if any(c is None and t not in _DYNAMIC_BYTES for c, t in zip(codecs, types)):
        decoder = _abi_registry.get_tuple_decoder(*types, strict=True)
        return lambda data: decoder(_STREAM(data))
    if any(c is None for c in codecs):
        return _bytes_tuple_decoder(types, codecs)
    decoders = [c[1] for c in codecs]  # type: ignore[index]
    size = 32 * len(decoders)

    def decode_words(data: bytes) -> tuple:
        if len(data) < size:
            raise InsufficientDataBytes(f"tried to read {size} bytes, only got {len(data)}")
        return tuple([d(data[i : i + 32]) for i, d in zip(range(0, size, 32), decoders)])

    return decode_words


def _bytes_tuple_decoder(types: tuple[str, ...], codecs: list) -> Callable[[bytes], tuple]:
    """Decoder of static words mixed with ``bytes`` / ``string`` values (``(uint8,bytes)``,
    the restriction checks' return). Data in the canonical layout (what Solidity returns:
    tails in order right after the head, zero padding, nothing after) is read directly;
    anything else goes to eth-abi's strict decoder, which accepts or refuses it itself."""
    strict = _abi_registry.get_tuple_decoder(*types, strict=True)
    head = 32 * len(types)
    parts = [(i, c[1] if c else None, t == "string") for i, (c, t) in enumerate(zip(codecs, types))]

    def decode_canonical(data: bytes) -> tuple | None:
        if len(data) < head:
            return None
        values = []
        expected = head
        for i, word_decoder, text in parts:
            word = data[32 * i : 32 * i + 32]
            if word_decoder is not None:
                values.append(word_decoder(word))
                continue
            offset = int.from_bytes(word, "big")
            if offset != expected or offset + 32 > len(data):
                return None
            length = int.from_bytes(data[offset : offset + 32], "big")
            padded = (length + 31) // 32 * 32
            end = offset + 32 + padded
            if end > len(data) or any(data[offset + 32 + length : end]):
                return None
            raw = data[offset + 32 : offset + 32 + length]
            if text:
                try:
                    values.append(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    return None
            else:
                values.append(raw)
            expected = end
        return tuple(values) if expected == len(data) else None

    def decode_mixed(data: bytes) -> tuple:
        values = decode_canonical(data)
        return strict(_STREAM(data)) if values is None else values

    return decode_mixed


def decode(types: tuple[str, ...], data: bytes) -> tuple:
    """Decode ``data`` as a tuple of ``types`` (strictly: what eth-abi's strict decoder refuses
    is refused), with the decoder built once per signature."""
    return _tuple_decoder(types)(data)


_ARRAY_SUFFIX = re.compile(r"(\[\d*\])$")
_DYNAMIC_INDEXED = re.compile(r"^(string|bytes|\(.*\).*|.*\[\d*\])$")


@lru_cache(maxsize=None)
def checksum(address: str) -> str:
    """Checksum form of a ``0x`` address string (cached: addresses repeat)."""
    return to_checksum_address(address)


_ADDRESS_BYTES: dict[str, bytes] = {}
"""Address strings already converted (a run's addresses repeat on every call)."""


def address_bytes(value: Any) -> bytes:
    """20-byte form of an address given as bytes, hex string or object with ``.address``."""
    kind = type(value)
    if kind is bytes and len(value) == 20:
        return value
    if kind is str:
        known = _ADDRESS_BYTES.get(value)
        if known is not None:
            return known
        converted = _address_bytes(value)
        if len(_ADDRESS_BYTES) > 1_000_000:  # bounded whatever the run
            _ADDRESS_BYTES.clear()
        _ADDRESS_BYTES[value] = converted
        return converted
    return _address_bytes(value)


def _address_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        if len(value) != 20:
            raise ConfigError(f"an address has 20 bytes, got {len(value)}")
        return value
    if not isinstance(value, str):
        value = getattr(value, "address", value)
    if isinstance(value, str) and len(value) == 42 and value[:2] in ("0x", "0X"):
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            pass
    raise ConfigError(f"not an address: {value!r}")


def address_str(value: Any) -> str:
    """Checksum string of an address given in any accepted form."""
    if isinstance(value, str) and len(value) == 42:
        return checksum(value)
    return checksum("0x" + address_bytes(value).hex())


def canonical_type(param: Mapping[str, Any]) -> str:
    """ABI type string of a parameter, with tuples spelled out: ``(address,uint256)[]``."""
    kind = param["type"]
    if kind.startswith("tuple"):
        inner = ",".join(canonical_type(c) for c in param["components"])
        return f"({inner}){kind[5:]}"
    return kind


# ------------------------------------------------------------------ input side


def _array_converter(param: Mapping[str, Any], make: Callable[[Mapping[str, Any]], Converter]) -> Converter:
    """Converter of an array parameter from that of its element (``list`` if none needed)."""
    suffix = _ARRAY_SUFFIX.search(param["type"])
    element = dict(param, type=param["type"][: -len(suffix.group(1))])  # type: ignore[union-attr]
    convert = make(element)
    if convert is None:
        return list
    return lambda values: [convert(v) for v in values]


def _input_converter(param: Mapping[str, Any]) -> Converter:
    kind = param["type"]
    if _ARRAY_SUFFIX.search(kind):
        return _array_converter(param, _input_converter)
    if kind == "address":
        return _to_address_input
    if kind == "tuple":
        names = [c["name"] for c in param["components"]]
        converters = [_input_converter(c) for c in param["components"]]
        return lambda value: _struct_input(value, names, converters)
    if kind.startswith("bytes") and kind != "bytes":
        return _fixed_bytes_input(int(kind[5:]))
    return None


def _to_address_input(value: Any) -> bytes:
    """20 bytes: eth-abi then skips checksum validation (a keccak) of every address string."""
    if isinstance(value, str) and len(value) == 42 and value[:2] in ("0x", "0X"):
        try:
            return bytes.fromhex(value[2:])
        except ValueError:
            pass
    return address_bytes(value)


def _fixed_bytes_input(size: int) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        if isinstance(value, str):
            if value.startswith("0x"):
                return bytes.fromhex(value[2:])
            raw = value.encode()
            if len(raw) > size:
                raise ConfigError(f"{value!r} does not fit in bytes{size}")
            return raw.ljust(size, b"\x00")
        return value

    return convert


def _struct_input(value: Any, names: list[str], converters: list[Converter]) -> tuple:
    if isinstance(value, Mapping):
        missing = [n for n in names if n not in value]
        if missing:
            raise ConfigError(f"struct is missing field(s) {', '.join(missing)}")
        items = [value[n] for n in names]
    elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
        items = list(value)
    else:
        try:
            items = [getattr(value, n) for n in names]
        except AttributeError as exc:
            raise ConfigError(f"cannot read struct fields {names} from {value!r}") from exc
    return tuple(c(v) if c else v for c, v in zip(converters, items, strict=True))


# ----------------------------------------------------------------- output side


@lru_cache(maxsize=None)
def _struct_class(name: str, fields: tuple[str, ...]) -> type:
    return NamedTuple(name, [(f, Any) for f in fields])  # type: ignore[misc]


def _output_converter(param: Mapping[str, Any]) -> Converter:
    kind = param["type"]
    if _ARRAY_SUFFIX.search(kind):
        return _array_converter(param, _output_converter)
    if kind == "address":
        return checksum
    if kind == "tuple":
        components = param["components"]
        fields = tuple(c["name"] or f"field{i}" for i, c in enumerate(components))
        internal = param.get("internalType", "")
        cls_name = internal.split(".")[-1].split(" ")[-1].rstrip("[]0123456789") or "Struct"
        cls = _struct_class(cls_name.replace("struct", "").strip() or "Struct", fields)
        converters = [_output_converter(c) for c in components]
        return lambda value: cls(*(c(v) if c else v for c, v in zip(converters, value)))
    return None


def _apply(converters: list[Converter], values: Sequence[Any]) -> list[Any]:
    return [c(v) if c else v for c, v in zip(converters, values)]


# ------------------------------------------------------- precompiled call encoders


class _Slow(Exception):
    """A value the precompiled encoder does not take as is: the general path decides."""


_ADDRESS_WORDS: dict[str, bytes] = {}
"""Address strings already encoded as an ABI word."""


def _fast_address(value: Any) -> bytes:
    if type(value) is str:
        word = _ADDRESS_WORDS.get(value)
        if word is None:
            if len(value) != 42 or value[:2] not in ("0x", "0X"):
                raise _Slow
            try:
                raw = bytes.fromhex(value[2:])
            except ValueError:
                raise _Slow from None
            if len(raw) != 20:
                raise _Slow
            if len(_ADDRESS_WORDS) > 1_000_000:  # bounded whatever the run
                _ADDRESS_WORDS.clear()
            word = _ADDRESS_WORDS[value] = _PAD12 + raw
        return word
    if type(value) is bytes and len(value) == 20:
        return _PAD12 + value
    inner = getattr(value, "address", None)  # a contract handle, a participant
    if type(inner) is str:
        return _fast_address(inner)
    raise _Slow


def _fast_bool(value: Any) -> bytes:
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    raise _Slow


def _fast_word(param: Mapping[str, Any]) -> Callable[[Any], bytes] | None:
    """An encoder of one argument of an elementary static type that takes the common
    Python forms (int, bool, address string or 20 bytes, bytes of a ``bytesN``) straight to
    its 32-byte word and raises ``_Slow`` for anything else; None for other types."""
    kind = param["type"]
    if kind == "address":
        return _fast_address
    if kind == "bool":
        return _fast_bool
    m = _STATIC_WORD.match(kind)
    if m is None:
        return None
    if m.group(4) is not None:
        size = int(m.group(4))
        if not 1 <= size <= 32:
            return None

        def encode_bytes(value: Any) -> bytes:
            if type(value) is bytes and len(value) <= size:
                return value.ljust(32, b"\x00")
            raise _Slow

        return encode_bytes
    bits = int(m.group(3) or 256)
    if bits % 8 or not 8 <= bits <= 256:
        return None
    signed = m.group(2) != "u"
    low, high = (-(1 << (bits - 1)), 1 << (bits - 1)) if signed else (0, 1 << bits)

    def encode_int(value: Any) -> bytes:
        if type(value) is int and low <= value < high:
            return value.to_bytes(32, "big", signed=signed)
        raise _Slow

    return encode_int


def _fast_call_encoder(selector: bytes, inputs: Sequence[Mapping[str, Any]]) -> Callable[[Sequence[Any]], bytes] | None:
    """Calldata of a function whose arguments are all elementary static words, built with
    one precompiled encoder per argument (the same bytes as the general path, which takes
    over, through ``_Slow``, for any value not in a common form); None for other functions."""
    words = [_fast_word(p) for p in inputs]
    if any(w is None for w in words):
        return None
    count = len(words)
    if count == 0:
        def encode0(args: Sequence[Any]) -> bytes:
            if len(args):
                raise _Slow
            return selector
        return encode0
    if count == 1:
        (w0,) = words

        def encode1(args: Sequence[Any]) -> bytes:
            if len(args) != 1:
                raise _Slow
            return selector + w0(args[0])  # type: ignore[misc]
        return encode1
    if count == 2:
        w0, w1 = words

        def encode2(args: Sequence[Any]) -> bytes:
            if len(args) != 2:
                raise _Slow
            return selector + w0(args[0]) + w1(args[1])  # type: ignore[misc]
        return encode2

    def encode(args: Sequence[Any]) -> bytes:
        if len(args) != count:
            raise _Slow
        return selector + b"".join([w(a) for w, a in zip(words, args)])  # type: ignore[misc]
    return encode


# --------------------------------------------------------------------- entries


class AbiFunction:
    """One function of an ABI: encodes calls, decodes return values."""

    __slots__ = (
        "name",
        "signature",
        "selector",
        "input_names",
        "input_types",
        "output_types",
        "is_view",
        "_in",
        "_out",
        "_encode",
        "_fast",
        "_decode",
        "_single",
    )

    def __init__(self, entry: Mapping[str, Any]) -> None:
        self.name: str = entry["name"]
        inputs = entry.get("inputs", [])
        outputs = entry.get("outputs", [])
        self.input_names = tuple(p.get("name") or f"arg{i}" for i, p in enumerate(inputs))
        self.input_types = tuple(canonical_type(p) for p in inputs)
        self.output_types = tuple(canonical_type(p) for p in outputs)
        self.signature = f"{self.name}({','.join(self.input_types)})"
        self.selector = keccak(self.signature.encode())[:4]
        self.is_view = entry.get("stateMutability") in ("view", "pure")
        converters = [_input_converter(p) for p in inputs]
        self._in = converters if any(converters) else None
        outs = [_output_converter(p) for p in outputs]
        self._out = outs if any(outs) else None
        self._encode = tuple_encoder(self.input_types)
        self._fast = _fast_call_encoder(self.selector, inputs)
        self._decode = _tuple_decoder(self.output_types) if self.output_types else None
        self._single = None
        if len(self.output_types) == 1 and self._out is None:
            codec = _word_codec(self.output_types[0])
            self._single = codec[1] if codec is not None else None

    def encode(self, args: Sequence[Any], kwargs: Mapping[str, Any] | None = None) -> bytes:
        """Calldata: selector and arguments (positional, or by parameter name)."""
        fast = self._fast
        if fast is not None and not kwargs:
            try:
                return fast(args)
            except _Slow:
                pass  # the general path below encodes it or says why not
        if kwargs:
            args = self._merge_kwargs(args, kwargs)
        if len(args) != len(self.input_types):
            raise ConfigError(
                f"{self.signature} takes {len(self.input_types)} argument(s)"
                f" ({', '.join(self.input_names)}), got {len(args)}"
            )
        if self._in is not None:
            args = [c(a) if c else a for c, a in zip(self._in, args)]
        try:
            return self.selector + self._encode(args)
        except (EncodingError, TypeError, ValueError, OverflowError) as exc:
            raise ConfigError(f"{self.signature}: cannot encode arguments {list(args)!r}: {exc}") from exc

    def _merge_kwargs(self, args: Sequence[Any], kwargs: Mapping[str, Any]) -> list[Any]:
        merged = list(args)
        for name in self.input_names[len(args) :]:
            if name not in kwargs:
                raise ConfigError(f"{self.signature}: missing argument {name!r}")
            merged.append(kwargs[name])
        unknown = set(kwargs) - set(self.input_names[len(args) :])
        if unknown:
            raise ConfigError(f"{self.signature}: unknown argument(s) {', '.join(sorted(unknown))}")
        return merged

    def decode_output(self, data: bytes) -> Any:
        """Return value: None for none, the value for one, a tuple for several."""
        if not self.output_types:
            return None
        single = self._single
        if single is not None and len(data) >= 32:
            try:
                return single(data[:32] if len(data) > 32 else data)
            except DecodingError:
                pass  # the general path below refuses it with the function's name
        try:
            values = self._decode(data)
        except DecodingError as exc:
            raise ConfigError(f"{self.signature}: cannot decode return data 0x{data.hex()}: {exc}") from exc
        if self._out is not None:
            values = _apply(self._out, values)
        return values[0] if len(values) == 1 else tuple(values)


class AbiEvent:
    """One event of an ABI: decodes logs into named arguments."""

    __slots__ = ("name", "signature", "topic0", "topic_count", "_indexed", "_data_names", "_data_types", "_data_out", "_order")

    def __init__(self, entry: Mapping[str, Any]) -> None:
        self.name: str = entry["name"]
        inputs = entry.get("inputs", [])
        types = [canonical_type(p) for p in inputs]
        self.signature = f"{self.name}({','.join(types)})"
        self.topic0 = keccak(self.signature.encode())
        names = [p.get("name") or f"arg{i}" for i, p in enumerate(inputs)]
        self._order = names
        self._indexed = [
            (n, t, _output_converter(p)) for n, t, p in zip(names, types, inputs) if p.get("indexed")
        ]
        self.topic_count = 1 + len(self._indexed)
        data = [(n, t, p) for n, t, p in zip(names, types, inputs) if not p.get("indexed")]
        self._data_names = [n for n, _, _ in data]
        self._data_types = [t for _, t, _ in data]
        self._data_out = [_output_converter(p) for _, _, p in data]
        self._data_types = tuple(self._data_types)

    def decode(self, topics: Sequence[bytes], data: bytes) -> dict[str, Any]:
        args: dict[str, Any] = {}
        for (name, kind, convert), topic in zip(self._indexed, topics[1:]):
            if _DYNAMIC_INDEXED.match(kind):
                args[name] = topic  # indexed dynamic values are stored as their hash
            else:
                value = decode((kind,), topic)[0]
                args[name] = convert(value) if convert else value
        values = decode(self._data_types, data) if self._data_types else ()
        for name, value, convert in zip(self._data_names, values, self._data_out):
            args[name] = convert(value) if convert else value
        return {name: args[name] for name in self._order}


class AbiError:
    """One custom error of an ABI: decodes revert data into field values."""

    __slots__ = ("name", "signature", "selector", "fields", "types", "_out")

    def __init__(self, entry: Mapping[str, Any]) -> None:
        self.name: str = entry["name"]
        inputs = entry.get("inputs", [])
        self.types = tuple(canonical_type(p) for p in inputs)
        self.fields = tuple(p.get("name") or f"arg{i}" for i, p in enumerate(inputs))
        self.signature = f"{self.name}({','.join(self.types)})"
        self.selector = keccak(self.signature.encode())[:4]
        self._out = [_output_converter(p) for p in inputs]

    def decode(self, data: bytes) -> list[Any]:
        """Field values from revert data (selector included)."""
        values = decode(self.types, data[4:]) if self.types else ()
        return _apply(self._out, values)
