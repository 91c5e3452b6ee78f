"""Typed handles on deployed contracts, built from their artifacts.

A ``Contract`` exposes each ABI function under its Solidity name. View and pure
functions are calls and return decoded values; the others send a transaction and
return a ``Receipt``, and need an explicit ``sender=``::

    token.balanceOf(alice)                      # -> 100
    receipt = token.transfer(bob, 10, sender=alice)
    receipt.events                              # -> [Event(name='Transfer', ...)]
    token.transfer.call(bob, 10, sender=alice)  # simulate: -> True, nothing sent

A revert raises the typed exception (``sim.errors``) with ``receipt`` and ``context``
set. Overloaded functions are chosen by argument count, or by full signature with
``token.fn("transfer(address,uint256)")``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.chain.abi import AbiFunction, address_str
from sim.chain.artifacts import Artifact
from sim.errors import ConfigError

if TYPE_CHECKING:
    from sim.chain.chain import Chain, Receipt


class ContractFunction:
    """One ABI function (or its overloads) bound to a deployed contract."""

    __slots__ = ("__name__", "_context", "_contract", "_only", "_overloads")

    def __init__(self, contract: Contract, overloads: list[AbiFunction]) -> None:
        self._contract = contract
        self._overloads = overloads
        self.__name__ = overloads[0].name
        self._only = overloads[0] if len(overloads) == 1 else None
        self._context = f"{contract._name}.{self.__name__}"  # what a revert says it came from

    def _select(self, args: tuple, kwargs: dict) -> AbiFunction:
        if len(self._overloads) == 1:
            return self._overloads[0]
        count = len(args) + len(kwargs)
        matches = [f for f in self._overloads if len(f.input_types) == count]
        if len(matches) != 1:
            options = ", ".join(f.signature for f in self._overloads)
            raise ConfigError(
                f"{self._contract._name}.{self.__name__} is overloaded ({options}); "
                f"use .fn('<signature>') to choose"
            )
        return matches[0]

    def __call__(
        self, *args: Any, sender: Any = None, value: int = 0, gas: int | None = None, **kwargs: Any
    ) -> Any:
        # The typed hot path (every act of a run): what ``Contract._call`` and
        # ``Contract._transact`` do, without their frames.
        fn = self._only or self._select(args, kwargs)
        contract = self._contract
        data = fn.encode(args, kwargs)
        if fn.is_view:
            return fn.decode_output(
                contract.chain.call(contract._address_bytes, data, sender=sender, value=value, context=self._context)
            )
        if sender is None:
            raise ConfigError(f"{contract._name}.{fn.name} sends a transaction: pass sender=")
        return contract.chain.transact(
            sender, contract._address_bytes, data, value=value, gas=gas, context=self._context, function=fn
        )

    def call(self, *args: Any, sender: Any = None, value: int = 0, **kwargs: Any) -> Any:
        """Run without sending a transaction; return the decoded return value."""
        return self._contract._call(self._select(args, kwargs), args, kwargs, sender, value)

    def transact(
        self, *args: Any, sender: Any = None, value: int = 0, gas: int | None = None, **kwargs: Any
    ) -> Receipt:
        """Send a transaction even for a view function."""
        return self._contract._transact(self._select(args, kwargs), args, kwargs, sender, value, gas)

    def encode(self, *args: Any, **kwargs: Any) -> bytes:
        """Calldata for these arguments."""
        return self._select(args, kwargs).encode(args, kwargs)

    @property
    def signatures(self) -> list[str]:
        return [f.signature for f in self._overloads]

    def __repr__(self) -> str:
        return f"<{self._contract._name}.{' | '.join(self.signatures)}>"


class Contract:
    """A deployed contract of a known artifact on a ``Chain``.

    Attributes:
        address: checksum address.
        artifact: the artifact its ABI comes from.
        chain: the chain it lives on.
    """

    def __init__(self, chain: Chain, address: Any, artifact: Artifact) -> None:
        self.chain = chain
        self.address = address_str(address)
        self._address_bytes = bytes.fromhex(self.address[2:])
        self.artifact = artifact
        self._name = artifact.name
        grouped: dict[str, list[AbiFunction]] = {}
        self._by_signature: dict[str, AbiFunction] = {}
        for entry in artifact.abi:
            if entry.get("type") == "function":
                fn = AbiFunction(entry)
                grouped.setdefault(fn.name, []).append(fn)
                self._by_signature[fn.signature] = fn
        self._functions = grouped

    def __getattr__(self, name: str) -> ContractFunction:
        functions = self.__dict__.get("_functions")
        if functions is None or name not in functions:
            raise AttributeError(
                f"{self.__dict__.get('_name', 'contract')} has no function {name!r}"
            )
        bound = ContractFunction(self, functions[name])
        self.__dict__[name] = bound
        return bound

    def __dir__(self) -> list[str]:
        """Attributes and every ABI function, so ``dir(token)`` and completion show them."""
        return sorted(set(super().__dir__()) | set(self.__dict__.get("_functions", ())))

    def fn(self, signature: str) -> ContractFunction:
        """The function with this exact signature, e.g. ``"transfer(address,uint256)"``."""
        try:
            return ContractFunction(self, [self._by_signature[signature]])
        except KeyError:
            raise AttributeError(f"{self._name} has no function {signature}") from None

    @property
    def function_names(self) -> list[str]:
        return sorted(self._functions)

    def _call(self, fn: AbiFunction, args: tuple, kwargs: dict, sender: Any, value: int) -> Any:
        data = fn.encode(args, kwargs)
        output = self.chain.call(
            self._address_bytes, data, sender=sender, value=value, context=f"{self._name}.{fn.name}"
        )
        return fn.decode_output(output)

    def _transact(
        self, fn: AbiFunction, args: tuple, kwargs: dict, sender: Any, value: int, gas: int | None
    ) -> Receipt:
        if sender is None:
            raise ConfigError(f"{self._name}.{fn.name} sends a transaction: pass sender=")
        data = fn.encode(args, kwargs)
        return self.chain.transact(
            sender, self._address_bytes, data, value=value, gas=gas,
            context=f"{self._name}.{fn.name}", function=fn,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Contract) and other.address == self.address

    def __hash__(self) -> int:
        return hash(self.address)

    def __repr__(self) -> str:
        return f"<{self._name} {self.address}>"
