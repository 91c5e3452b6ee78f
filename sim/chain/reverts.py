"""Revert data to typed Python exceptions: the one place where that happens.

Every revert, from a transaction or a call on any backend, goes through
``decode_revert``. The table it reads is built from the ABIs of every known artifact:

- ``Error(string)`` (selector ``0x08c379a0``) becomes ``sim.errors.Error`` with ``reason``;
- ``Panic(uint256)`` (``0x4e487b71``) becomes ``sim.errors.Panic`` with ``code``;
- each Solidity custom error becomes an instance of a generated class with the error's
  exact name and its decoded arguments as attributes. The classes derive from
  ``sim.errors.CustomError``; those that stand for a transfer restriction derive from
  ``sim.errors.TransferRestricted`` and carry the restriction ``code``;
- anything else becomes ``sim.errors.UnknownRevert`` with the raw data.

The classes are reachable by name as ``sim.solidity.<Name>`` (this module's ``solidity``).
An issuer's own artifact adds its errors with ``registry.register(artifact)``. The classes
pickle by their signature, so a refusal crosses process boundaries (sweeps) intact.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from eth_abi.exceptions import DecodingError

from sim.chain.abi import AbiError
from sim.chain.artifacts import Artifact, shipped
from sim.errors import (
    ContractRevert,
    CustomError,
    Error,
    ExecutionHalted,
    Panic,
    TransferRestricted,
    UnknownRevert,
)

ERROR_SELECTOR = bytes.fromhex("08c379a0")
PANIC_SELECTOR = bytes.fromhex("4e487b71")


class ErrorRegistry:
    """Custom errors by selector, each with its generated exception class."""

    def __init__(self) -> None:
        self._by_selector: dict[bytes, tuple[AbiError, type[CustomError]]] = {}
        self._by_signature: dict[str, type[CustomError]] = {}
        self._by_name: dict[str, type[CustomError]] = {}
        self._loaded = False

    def _ensure_loaded(self) -> None:
        if not self._loaded:
            self._loaded = True
            for artifact in shipped():
                self.register(artifact)

    def register(self, artifact: Artifact) -> None:
        """Add every custom error of ``artifact``'s ABI (known ones are kept: the shipped
        contracts' are loaded first, so another artifact never redefines one of ours)."""
        from sim.chain.restrictions import RESTRICTION_OF_ERROR

        self._ensure_loaded()

        for entry in artifact.abi:
            if entry.get("type") != "error":
                continue
            abi_error = AbiError(entry)
            if abi_error.selector in self._by_selector:
                continue
            restriction = RESTRICTION_OF_ERROR.get(abi_error.name)
            base = TransferRestricted if restriction is not None else CustomError
            namespace: dict[str, Any] = {
                "signature": abi_error.signature,
                "selector": abi_error.selector,
                "fields": abi_error.fields,
                "__module__": "sim.solidity",
                "__doc__": f"Solidity custom error ``{abi_error.signature}``.",
                "__reduce__": _reduce_custom_error,
            }
            if restriction is not None:
                namespace["code"] = int(restriction)
                namespace["message"] = restriction.message
            cls = type(abi_error.name, (base,), namespace)
            self._by_selector[abi_error.selector] = (abi_error, cls)
            self._by_signature[abi_error.signature] = cls
            self._by_name.setdefault(abi_error.name, cls)
            setattr(solidity, abi_error.name, self._by_name[abi_error.name])

    def error_class(self, name_or_signature: str) -> type[CustomError]:
        """The class of a custom error, by name (``"LockupActive"``) or full signature."""
        self._ensure_loaded()
        cls = self._by_signature.get(name_or_signature) or self._by_name.get(name_or_signature)
        if cls is None:
            raise AttributeError(f"no Solidity custom error named {name_or_signature!r}")
        return cls

    def names(self) -> list[str]:
        self._ensure_loaded()
        return sorted(self._by_name)

    def decode(self, data: bytes) -> ContractRevert:
        """The exception that ``data`` (revert payload) stands for."""
        self._ensure_loaded()
        selector = data[:4]
        try:
            if selector == ERROR_SELECTOR:
                import eth_abi

                return Error(eth_abi.decode(["string"], data[4:])[0], data=data)
            if selector == PANIC_SELECTOR:
                import eth_abi

                return Panic(eth_abi.decode(["uint256"], data[4:])[0], data=data)
            known = self._by_selector.get(selector)
            if known is not None:
                abi_error, cls = known
                return cls(*abi_error.decode(data), data=data)
        except DecodingError:
            pass
        return UnknownRevert(data)


def _reduce_custom_error(error: CustomError) -> tuple:
    return (_rebuild_custom_error, (error.signature, tuple(error.values.values()), error.data))


def _rebuild_custom_error(signature: str, values: tuple, data: bytes) -> CustomError:
    return registry.error_class(signature)(*values, data=data)


class _SolidityNamespace(types.ModuleType):
    """``sim.solidity``: the generated custom-error classes, by Solidity name."""

    def __getattr__(self, name: str) -> type[CustomError]:
        if name.startswith("__"):
            raise AttributeError(name)
        return registry.error_class(name)

    def __dir__(self) -> list[str]:
        return registry.names()


solidity = _SolidityNamespace("sim.solidity")
sys.modules.setdefault("sim.solidity", solidity)
registry = ErrorRegistry()


def decode_revert(data: bytes, *, halt_reason: str | None = None) -> ContractRevert:
    """The typed exception for a failed execution: revert data, or a halt without data."""
    if halt_reason is not None and not data:
        return ExecutionHalted(halt_reason)
    return registry.decode(data)
