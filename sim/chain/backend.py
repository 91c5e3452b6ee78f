"""The chain backend interface: what every EVM backend provides.

A backend is an EVM chain the simulation drives in-process or over RPC. It deals in
raw bytes (addresses, calldata, return data, logs) and never decodes ABI or reverts:
that is ``sim.chain.Chain``'s job, done the same for every backend. A backend subclass
implements the abstract methods below, grouped as eth-tester groups its own backend API:

- accounts: ``accounts``, ``new_account``, ``balance``, ``set_balance``, ``nonce``
- execution: ``deploy``, ``transact``, ``call``, ``code``
- clock: ``now``, ``warp``, ``mine``, ``block_number``
- snapshots: ``snapshot``, ``revert``
- cheats (optional, for tests): ``impersonate``, ``storage``, ``set_storage``; a backend
  that cannot raises ``CheatUnsupported`` naming itself

Time: one block per simulated instant. ``warp(t)`` sets the timestamp the next
transaction runs at; every transaction at the same timestamp goes into the same block,
so ``block.timestamp`` is exactly the simulated time (a lock-up ending at day 180 ends at
day 180 for the contract too). Moving the clock seals the pending block. ``now()`` is the
timestamp of the pending block; the clock never goes backwards (``TimeTravelError``).

Gas is measured, not charged: the chain runs with a base fee of zero and transactions
carry a gas price of zero, so balances of ether never depend on gas and any account can
transact without funding. Receipts report ``gas_used``.

Reverted transactions are mined (status 0, nonce consumed), as on a real chain; the
receipt carries the revert data or the halt reason for ``Chain`` to decode.

Snapshots: ``snapshot()`` returns an id; ``revert(id)`` restores chain state, clock and
pending block to that point and uses the snapshot up, with every snapshot taken after it
(as Hardhat's ``evm_revert`` does). To go back to a point twice, take a new snapshot after
reverting.

``BackendConformance`` in ``sim.testing.conformance`` is the test suite every backend
passes; ``capabilities`` tells it what a backend cannot do.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from typing import NamedTuple

from eth_hash.auto import keccak

from sim.errors import BackendUnavailable, CheatUnsupported

DEFAULT_GAS_LIMIT = 30_000_000
"""Gas limit of a transaction when the caller gives none (mainnet's block gas limit)."""

DEFAULT_GENESIS_TIMESTAMP = 1_767_225_600
"""2026-01-01T00:00:00Z: genesis time when none is given (scenarios set their own start)."""

BLOCK_GAS_LIMIT = 2**62
"""Block gas limit: large enough that one simulated instant never fills a block."""

GENESIS_BALANCE = 10**24
"""Ether (wei) of each pre-funded account: one million ether."""


def account_key(index: int, seed: bytes = b"tokensim") -> bytes:
    """Private key of the ``index``-th deterministic account (same on every backend)."""
    return keccak(seed + b":account:" + index.to_bytes(8, "big"))


class Log(NamedTuple):
    """One log entry of a transaction (a named tuple: cheap to make, immutable)."""

    address: bytes
    topics: tuple[bytes, ...]
    data: bytes
    log_index: int


_RECEIPT_FIELDS = ("tx_hash", "block_number", "timestamp", "status", "gas_used", "logs", "contract_address",
                   "output", "revert_data", "halt_reason")


class RawReceipt:
    """The outcome of a mined transaction, undecoded (read-only: never assign to it).

    ``status`` is 1 for success, 0 for a revert or halt; then ``revert_data`` holds the
    revert payload (empty when the execution halted or reverted without data) and
    ``halt_reason`` says why execution stopped when there was no revert (out of gas...).
    ``output`` is the return data when the backend can report it (else None).

    A plain class with slots rather than a frozen dataclass: one is made per transaction,
    and a frozen dataclass's ``__init__`` costs a microsecond or two more. ``tx_hash`` and
    ``logs`` are properties so that a backend can make them on first access (the revm
    backend does: its transaction id is a hash it computes only when asked, its logs are
    turned into ``Log`` tuples only when read).
    """

    __slots__ = ("_logs", "_tx_hash", "block_number", "contract_address", "gas_used", "halt_reason", "output",
                 "revert_data", "status", "timestamp")

    def __init__(
        self,
        tx_hash: bytes,
        block_number: int,
        timestamp: int,
        status: int,
        gas_used: int,
        logs: tuple[Log, ...],
        contract_address: bytes | None = None,
        output: bytes | None = None,
        revert_data: bytes = b"",
        halt_reason: str | None = None,
    ) -> None:
        self._tx_hash = tx_hash
        self.block_number = block_number
        self.timestamp = timestamp
        self.status = status
        self.gas_used = gas_used
        self._logs = logs
        self.contract_address = contract_address
        self.output = output
        self.revert_data = revert_data
        self.halt_reason = halt_reason

    @property
    def tx_hash(self) -> bytes:
        return self._tx_hash

    @property
    def logs(self) -> tuple[Log, ...]:
        return self._logs

    def _fields(self) -> tuple:
        return tuple(getattr(self, name) for name in _RECEIPT_FIELDS)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RawReceipt) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "RawReceipt(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in _RECEIPT_FIELDS) + ")"


class CallResult(NamedTuple):
    """The outcome of a read-only call: return data, or revert data / halt reason (a named
    tuple: one is made per call)."""

    success: bool
    output: bytes
    halt_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a backend can do; the conformance suite skips what it cannot.

    Attributes:
        return_data: receipts carry the transaction's return data.
        same_block_transactions: several transactions can share one block (and so one
            timestamp); without it each transaction needs its own second.
        signed_transactions: transactions are signed and their sender recovered.
        web3: the backend exposes a web3.py ``Web3`` object (``backend.w3``).
        impersonation: transactions can be sent as an address whose key it does not hold.
        storage_writes: contract storage can be read and written slot by slot.
    """

    return_data: bool = True
    same_block_transactions: bool = True
    signed_transactions: bool = True
    web3: bool = False
    impersonation: bool = False
    storage_writes: bool = False


@dataclass
class BackendInfo:
    """Name and version facts for summaries."""

    name: str
    versions: dict[str, str] = field(default_factory=dict)


class Backend(abc.ABC):
    """An EVM chain. Subclasses implement every abstract method; see the module docstring."""

    name: str = ""
    capabilities: Capabilities = Capabilities()

    # ---------------------------------------------------------------- accounts

    @property
    @abc.abstractmethod
    def accounts(self) -> list[bytes]:
        """The pre-funded accounts, in a fixed order (the first is the deployer)."""

    @abc.abstractmethod
    def new_account(self) -> bytes:
        """Create a new account whose key the backend holds; deterministic per backend."""

    @abc.abstractmethod
    def balance(self, address: bytes) -> int:
        """Ether balance in wei."""

    @abc.abstractmethod
    def set_balance(self, address: bytes, wei: int) -> None:
        """Set an ether balance directly (a test-chain cheat, like ``hardhat_setBalance``)."""

    @abc.abstractmethod
    def nonce(self, address: bytes) -> int:
        """Transactions sent so far by ``address`` (pending ones included)."""

    @abc.abstractmethod
    def code(self, address: bytes) -> bytes:
        """Runtime bytecode at ``address`` (empty for accounts without code)."""

    # --------------------------------------------------------------- execution

    @abc.abstractmethod
    def deploy(
        self, sender: bytes, initcode: bytes, *, value: int = 0, gas: int = DEFAULT_GAS_LIMIT
    ) -> RawReceipt:
        """Create a contract; ``contract_address`` is set when the receipt succeeded."""

    @abc.abstractmethod
    def transact(
        self,
        sender: bytes,
        to: bytes,
        data: bytes,
        *,
        value: int = 0,
        gas: int = DEFAULT_GAS_LIMIT,
    ) -> RawReceipt:
        """Send a transaction in the pending block and return its receipt."""

    @abc.abstractmethod
    def call(
        self, to: bytes, data: bytes, *, sender: bytes | None = None, value: int = 0
    ) -> CallResult:
        """Execute without changing state, against the pending block's state."""

    # -------------------------------------------------------------------- clock

    @abc.abstractmethod
    def now(self) -> int:
        """Timestamp the next transaction runs at (the pending block's)."""

    @abc.abstractmethod
    def warp(self, timestamp: int) -> None:
        """Make ``timestamp`` the time of the next transaction.

        Seals the pending block if it holds transactions and ``timestamp`` is later.
        Raises ``TimeTravelError`` if ``timestamp`` is earlier than ``now()``, or equal to
        the last sealed block's timestamp (a new block needs a later one).
        """

    @abc.abstractmethod
    def mine(self, blocks: int = 1) -> None:
        """Seal the pending block and then ``blocks - 1`` empty ones, one second apart.

        The next pending block is one second after the last sealed one.
        """

    @property
    @abc.abstractmethod
    def block_number(self) -> int:
        """Number of the pending block."""

    # ----------------------------------------------------------------- snapshots

    @abc.abstractmethod
    def snapshot(self) -> int:
        """Remember the whole chain state; return an id for ``revert``."""

    @abc.abstractmethod
    def revert(self, snapshot_id: int) -> None:
        """Go back to the state of ``snapshot_id``; it and later snapshots are used up."""

    # ------------------------------------------------------------------ signing

    def private_key(self, account: bytes) -> bytes:
        """The secp256k1 key of one of the backend's accounts (a backend that holds none
        raises ``BackendUnavailable``)."""
        raise BackendUnavailable(f"the {self.name or type(self).__name__} backend holds no keys to sign with")

    def sign_digest(self, account: bytes, digest: bytes) -> bytes:
        """``account``'s signature of a 32-byte ``digest`` (an EIP-712 hash): 65 bytes r, s, v
        with v 27 or 28, deterministic (RFC 6979), as a wallet signs a typed-data intent."""
        if len(digest) != 32:
            raise ValueError(f"digest(={digest.hex()}) must be 32 bytes")
        signers = self.__dict__.setdefault("_signers", {})
        signer = signers.get(account)
        if signer is None:
            from coincurve import PrivateKey

            signer = signers[account] = PrivateKey(self.private_key(account))
        signature = signer.sign_recoverable(digest, hasher=None)
        return signature[:64] + bytes([signature[64] + 27])

    # ------------------------------------------------------------------- cheats

    def impersonate(self, address: bytes) -> None:
        """Accept transactions sent as ``address`` without its key from now on (like
        ``anvil_impersonateAccount``). A backend that cannot raises ``CheatUnsupported``."""
        raise CheatUnsupported(self.name or type(self).__name__, "impersonate an address without its key")

    def stop_impersonating(self, address: bytes) -> None:
        """Undo ``impersonate``: transactions as ``address`` need its key again."""

    def storage(self, address: bytes, slot: int) -> int:
        """The word at storage ``slot`` of the contract at ``address``."""
        raise CheatUnsupported(self.name or type(self).__name__, "read storage slots")

    def set_storage(self, address: bytes, slot: int, value: int) -> None:
        """Write a storage word directly (like ``hardhat_setStorageAt``); undone by ``revert``."""
        raise CheatUnsupported(self.name or type(self).__name__, "write storage slots")

    # --------------------------------------------------------------------- misc

    def info(self) -> BackendInfo:
        """Name and library versions, for run summaries."""
        return BackendInfo(self.name)

    def close(self) -> None:
        """Release external resources (processes, connections). Idempotent."""
