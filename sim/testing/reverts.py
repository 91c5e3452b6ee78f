"""``reverts``: assert that a block of code reverts with a given typed error."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sim.chain.abi import address_str
from sim.errors import ContractRevert
from sim.chain.reverts import solidity as _solidity


class RevertsContext:
    """Context manager returned by ``reverts``; ``.value`` is the caught error."""

    def __init__(self, expected: type[ContractRevert] | str, fields: dict[str, Any]) -> None:
        if isinstance(expected, str):
            expected = getattr(_solidity, expected)
        if not (isinstance(expected, type) and issubclass(expected, ContractRevert)):
            raise TypeError(f"reverts() needs a ContractRevert class or an error name, got {expected!r}")
        self.expected = expected
        self.fields = fields
        self.value: ContractRevert | None = None

    def __enter__(self) -> RevertsContext:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        __tracebackhide__ = True
        if exc is None:
            raise AssertionError(f"did not revert; expected {self.expected.__name__}")
        if not isinstance(exc, self.expected):
            raise AssertionError(f"expected {self.expected.__name__}, got {exc!r}") from exc
        mismatches = []
        for name, wanted in self.fields.items():
            if not hasattr(exc, name):
                raise AssertionError(f"{type(exc).__name__} has no field {name!r}") from exc
            actual = getattr(exc, name)
            if not _equal(actual, wanted):
                mismatches.append(f"{name}: expected {wanted!r}, got {actual!r}")
        if mismatches:
            raise AssertionError(f"{exc} does not match: " + "; ".join(mismatches)) from exc
        self.value = exc  # type: ignore[assignment]
        return True


def _equal(actual: Any, wanted: Any) -> bool:
    if isinstance(actual, str) and actual.startswith("0x") and len(actual) == 42:
        try:
            return actual == address_str(wanted)
        except Exception:
            return False
    return bool(actual == wanted)


def reverts(expected: type[ContractRevert] | str, **fields: Any) -> RevertsContext:
    """Assert the ``with`` block raises ``expected`` whose attributes equal ``fields``."""
    return RevertsContext(expected, fields)
