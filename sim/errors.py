"""The exception tree of tokensim.

Every error tokensim raises derives from ``TokensimError``::

    TokensimError
    ├── ConfigError (ValueError)        bad parameters, found before anything is deployed
    ├── CompilerError                   compiling the contracts failed
    ├── ChainError                      the chain backend refused or failed
    │   ├── BackendUnavailable          a backend cannot start (missing package, bad URL)
    │   ├── TimeTravelError (ValueError) the clock was asked to go backwards
    │   ├── CheatUnsupported            the backend cannot do a test-chain cheat (impersonation, storage writes)
    │   └── TransactionInvalid          the chain rejected a transaction before executing it
    └── ContractRevert                  a contract call reverted or halted
        ├── Error                       Solidity ``Error(string)``: ``reason``
        ├── Panic                       Solidity ``Panic(uint256)``: ``code``, ``meaning``
        ├── ExecutionHalted             out of gas, invalid opcode... (no revert data)
        ├── UnknownRevert               revert data that matches no known error
        └── CustomError                 base of one generated class per Solidity custom error
            └── TransferRestricted      base of the errors that carry a restriction code

Classes for Solidity custom errors are generated from the compiled artifacts, one per
error, with the Solidity name and the decoded arguments as attributes (by
``sim.chain.reverts``); reach them through ``sim.solidity``::

    from sim import solidity
    try:
        token.transfer(bob, 10, sender=alice)
    except solidity.LockupActive as refused:
        refused.holder, refused.unlocked, refused.needed, refused.nextRelease
        refused.code        # 10, the ERC-1404 restriction code
"""

from __future__ import annotations

from typing import Any, ClassVar


class TokensimError(Exception):
    """Root of every tokensim error."""


class ConfigError(TokensimError, ValueError):
    """Bad parameters: wrong type, out of range, inconsistent. Raised before any deployment."""


class CompilerError(TokensimError):
    """Compiling the Solidity sources failed."""


class ChainError(TokensimError):
    """The chain backend refused an operation or failed."""


class BackendUnavailable(ChainError):
    """A backend cannot be created (missing package, unreachable node, missing method)."""


class TimeTravelError(ChainError, ValueError):
    """The clock was asked to move backwards."""


class CheatUnsupported(ChainError):
    """The backend cannot do a test-chain cheat: send as an address without its key
    (``Chain.impersonate``/``prank``) or write storage (``Chain.deal`` of a token).

    Attributes:
        backend: the backend's name (``"rpc"``...).
        cheat: what was asked (``"impersonate"``, ``"set_storage"``...).
    """

    def __init__(self, backend: str, cheat: str, why: str = "") -> None:
        super().__init__(f"the {backend} backend cannot {cheat}" + (f": {why}" if why else ""))
        self.backend = backend
        self.cheat = cheat


class TransactionInvalid(ChainError):
    """The chain rejected a transaction before executing it (nonce, gas, funds)."""


class ContractRevert(TokensimError):
    """A contract call reverted or halted.

    Attributes:
        data: the raw revert data.
        receipt: the receipt of the mined transaction (None for calls).
        context: what was called, e.g. ``"SecurityToken.transfer"``, when known.
    """

    def __init__(self, message: str = "", *, data: bytes = b"") -> None:
        super().__init__(message)
        self.data = data
        self.receipt: Any = None
        self.context: str | None = None

    def __str__(self) -> str:
        text = super().__str__()
        return f"{self.context}: {text}" if self.context else text


class Error(ContractRevert):
    """Solidity ``Error(string)``, from ``require(cond, "reason")`` or ``revert("reason")``."""

    def __init__(self, reason: str, *, data: bytes = b"") -> None:
        super().__init__(f"Error({reason!r})", data=data)
        self.reason = reason


PANIC_MEANINGS = {
    0x00: "generic compiler panic",
    0x01: "assert failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "invalid enum value",
    0x22: "invalid storage byte array encoding",
    0x31: "pop on an empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
    0x51: "call to an uninitialised internal function",
}


class Panic(ContractRevert):
    """Solidity ``Panic(uint256)``: a failed assert, overflow, bad index..."""

    def __init__(self, code: int, *, data: bytes = b"") -> None:
        self.code = code
        self.meaning = PANIC_MEANINGS.get(code, "unknown panic code")
        super().__init__(f"Panic(0x{code:02x}: {self.meaning})", data=data)


class ExecutionHalted(ContractRevert):
    """Execution stopped without revert data: out of gas, invalid opcode, stack error."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"execution halted: {reason}")
        self.reason = reason


class UnknownRevert(ContractRevert):
    """Revert data that matches no known error (or no data at all)."""

    def __init__(self, data: bytes) -> None:
        text = "reverted without data" if not data else f"unknown revert data 0x{data.hex()}"
        super().__init__(text, data=data)


class CustomError(ContractRevert):
    """Base of the classes generated for Solidity custom errors.

    Subclasses set ``signature`` and ``fields``; instances hold one attribute per field
    (unnamed Solidity parameters become ``arg0``, ``arg1``...).
    """

    signature: ClassVar[str] = ""
    selector: ClassVar[bytes] = b""
    fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *values: Any, data: bytes = b"") -> None:
        self.values = dict(zip(self.fields, values, strict=True))
        for name, value in self.values.items():
            setattr(self, name, value)
        shown = ", ".join(f"{k}={_show(v)}" for k, v in self.values.items())
        super().__init__(f"{type(self).__name__}({shown})", data=data)


class TransferRestricted(CustomError):
    """Base of the custom errors a refused transfer reverts with.

    ``code`` is the ERC-1404 restriction code (what ``detectTransferRestriction`` returns
    for the same transfer) and ``message`` its text.
    """

    code: ClassVar[int] = 0
    message: ClassVar[str] = ""


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return repr(value) if isinstance(value, str) else str(value)
