"""The ``revm`` backend: the Rust EVM (revm) through pyrevm, for speed.

Same interface and semantics as the eth-tester backend, tens of times faster: it is for
long scenarios, sweeps and benchmarks; eth-tester stays the reference, and the
equivalence tests hold the two to the same event log.

What revm does not do by itself, this backend does:

- Transactions are message calls from the sender (revm executes them and commits the
  state); there is no signature, so ``capabilities.signed_transactions`` is false.
- Nonces: pyrevm's message calls leave the sender's nonce alone, so the backend keeps
  each account's nonce (one per transaction, reverted or not, as on a chain) and writes
  it into the EVM before a deployment, so contract addresses are the ones eth-tester
  gives (CREATE addresses follow the deployer's nonce).
- Blocks: the block number and timestamp follow the same rule as eth-tester's: one block
  per simulated instant; moving the clock seals the pending block if it holds
  transactions.
- Reverts: pyrevm raises ``RuntimeError('Revert { gas_used: .., output: 0x.. }')`` or
  ``RuntimeError('Halt { reason: .., gas_used: .. }')``; the output bytes and the halt
  reason are extracted here and decoded by ``sim.chain.reverts`` like any other.
- Transient storage (EIP-1153) is cleared after every transaction.
- Snapshots use revm's journal checkpoints plus the backend's own clock and nonces.
- Memory: pyrevm (0.3.7) never finalizes revm's journal, so every state change and log
  of every transaction stays in memory (under 1 KB for a token transfer, ~7.5 KB on the
  benchmark scenario). Every ``compact_every`` transactions, when no snapshot is open,
  the backend compacts: it
  reads the live state out of the journal (accounts with their storage slots; pyrevm
  has no other way to list storage), starts a fresh EVM holding exactly that state and
  drops the old one. Memory then follows the chain's state, not its history.
"""

from __future__ import annotations

import importlib.metadata
import re
import string
from hashlib import blake2b

from eth_hash.auto import keccak
from eth_keys import keys

from sim.chain.backend import (
    BLOCK_GAS_LIMIT,
    DEFAULT_GAS_LIMIT,
    DEFAULT_GENESIS_TIMESTAMP,
    GENESIS_BALANCE,
    Backend,
    BackendInfo,
    CallResult,
    Capabilities,
    Log,
    RawReceipt,
    account_key,
)
from sim.errors import BackendUnavailable, TimeTravelError, TransactionInvalid

CHAIN_ID = 131277322940537
"""The chain id eth-tester's chain reports, so ``block.chainid`` is the same on both."""

SPEC = "CANCUN"
"""The hard fork the contracts are compiled for (``evmVersion: cancun``)."""

_REVERT = re.compile(r"^Revert \{ gas_used: (\d+), output: 0x([0-9a-fA-F]*) \}$")
_HALT = re.compile(r"^Halt \{ reason: ([A-Za-z]+)")
_ZERO = "0x" + "00" * 20
_PADDING = 33
_EMPTY_CODE_HASH = keccak(b"")
_ACCOUNT = re.compile(r"(0x[0-9a-f]{40}): Account \{ info: ")
_STORAGE_OPEN = "storage: {"
_STORAGE_CLOSE = "}, status: "
_SLOT_TEXT = ": StorageSlot { previous_or_original_value: "
_NOT_DIGITS = str.maketrans("", "", string.ascii_letters + "_:{},")
_PIECE = 200_000
"""Characters of a storage rendering read at once (about 1,300 slots)."""


def _slot_values(text: str, start: int = 0, end: int | None = None):
    """(key, present value) of each slot, as integers, from pyrevm's rendering of one
    account's storage map, ``text[start:end]``: ``K: StorageSlot { previous_or_original_value:
    P, present_value: V }, ...``. Deleting every character that is not a digit or a space
    leaves ``K P V K P V ...``: one translate and one split, in C. (A regular expression
    starting with ``\\d+`` was retried at every digit of the 78-digit keys and values, and
    was half of a compaction.) The map is read ``_PIECE`` characters of whole slots at a
    time, straight from the rendering: no copy of a 60,000-slot map, nor all its words, is
    ever made at once, so the compaction allocates nothing large but the rendering itself.
    Every slot listed is taken: ``previous_or_original_value`` is not the value this EVM
    started with (revm moves it on as transactions land), so it cannot tell an unchanged
    slot from a changed one.
    """
    end = len(text) if end is None else end
    while start < end:
        stop = text.find(" }, ", start + _PIECE, end)
        stop = end if stop < 0 else stop + 4
        piece = text[start:stop]
        words = piece.translate(_NOT_DIGITS).split()
        if len(words) != 3 * piece.count(_SLOT_TEXT) or "x" in piece:  # pyrevm changed its rendering
            raise BackendUnavailable("cannot read pyrevm's journaled state (unexpected storage rendering)")
        yield from zip(map(int, words[0::3]), map(int, words[2::3]))
        start = stop


COMPACT_EVERY = 10_000
"""Transactions between two compactions. pyrevm never finalises its journal, so without
compaction memory grows with every transaction (~7.5 KB each on the benchmark scenario). A
compaction renders the journal to text (4-11 KB a transaction) and parses the state part;
at 10,000 it takes 0.3-1.1 s, 10-15% of the run time (half of it pyrevm's rendering), and
the rendering adds a transient ~250 MB to the peak. Shorter intervals lower the peak,
longer ones raise it; the time is nearly the same (docs/performance.md has the measurements)."""


def _deployed_code(info) -> bytes | None:
    """An account's code as deployed: revm's analysed copy without its 33-byte padding."""
    if info.code_hash == _EMPTY_CODE_HASH or not info.code:
        return None
    code = bytes(info.code)
    return code[:-_PADDING] if code.endswith(b"\x00" * _PADDING) else code


def _hex(address: bytes) -> str:
    return "0x" + address.hex()


_LOG_ADDRESSES: dict[str, bytes] = {}
"""pyrevm's hex address of a log's emitter -> its 20 bytes (a run's logs come from a few contracts)."""


class _RevmReceipt(RawReceipt):
    """A revm receipt whose transaction id and ``Log`` tuples are made on first access.

    No signed transaction exists on revm, so the id is a synthetic hash, unique within the
    chain (of the sender, its nonce and the chain's transaction count): it costs a hash per
    transaction, so it is computed only when someone reads ``tx_hash``. The logs are kept as
    pyrevm returned them and turned into ``Log`` tuples, numbered from ``first`` (their
    index in the block), on the first read of ``logs``.
    """

    __slots__ = ("_first_log",)

    def __init__(self, seed: tuple, block_number: int, timestamp: int, status: int, gas_used: int,
                 raw_logs, first_log: int, contract_address: bytes | None = None, output: bytes | None = None,
                 revert_data: bytes = b"", halt_reason: str | None = None) -> None:
        # RawReceipt.__init__'s assignments, inlined: one receipt per transaction
        self._tx_hash = seed
        self.block_number = block_number
        self.timestamp = timestamp
        self.status = status
        self.gas_used = gas_used
        self._logs = raw_logs
        self.contract_address = contract_address
        self.output = output
        self.revert_data = revert_data
        self.halt_reason = halt_reason
        self._first_log = first_log

    @property
    def tx_hash(self) -> bytes:
        seed = self._tx_hash
        if type(seed) is tuple:
            sender, nonce, count = seed
            seed = self._tx_hash = blake2b(
                b"revm-tx" + sender + nonce.to_bytes(8, "big") + count.to_bytes(8, "big"), digest_size=32
            ).digest()
        return seed

    @property
    def logs(self) -> tuple[Log, ...]:
        logs = self._logs
        if type(logs) is not tuple:
            made = []
            index = self._first_log
            addresses = _LOG_ADDRESSES
            for entry in logs:
                emitter = entry.address
                address = addresses.get(emitter)
                if address is None:
                    address = addresses[emitter] = bytes.fromhex(emitter[2:])
                topics, data = entry.data  # bytes already
                made.append(Log(address, tuple(topics), data, index))
                index += 1
            logs = self._logs = tuple(made)
        return logs


class RevmBackend(Backend):
    """revm chain with one block per simulated instant."""

    name = "revm"
    capabilities = Capabilities(signed_transactions=False, impersonation=True, storage_writes=True)

    def __init__(
        self,
        *,
        genesis_timestamp: int = DEFAULT_GENESIS_TIMESTAMP,
        accounts: int = 10,
        compact_every: int | None = COMPACT_EVERY,
    ) -> None:
        try:
            from pyrevm import EVM, BlockEnv, CfgEnv, Env
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise BackendUnavailable(f"the revm backend needs pyrevm: {exc}") from exc
        self._block_env = BlockEnv
        self._make_evm = lambda: EVM(
            env=Env(cfg=CfgEnv(chain_id=CHAIN_ID), block=self._block()),
            spec_id=SPEC,
            gas_limit=BLOCK_GAS_LIMIT,
        )
        self._number = 1
        self._timestamp = genesis_timestamp + 1
        self._sealed_timestamp = genesis_timestamp
        self._evm = self._make_evm()
        self.compact_every = compact_every
        self.compactions = 0
        self._since_compaction = 0
        self._storage: dict[str, dict[int, int]] = {}
        self._nonces: dict[bytes, int] = {}
        self._pending = 0
        self._log_count = 0
        self._tx_count = 0
        self._account_count = 0
        self._keys: dict[bytes, bytes] = {}
        self._hexes: dict[bytes, str] = {}
        self._accounts = [self.new_account() for _ in range(accounts)]
        for address in self._accounts:
            self._evm.set_balance(_hex(address), GENESIS_BALANCE)
        self._snapshots: dict[int, tuple] = {}
        self._next_snapshot = 1

    def _block(self):
        return self._block_env(
            number=self._number, timestamp=self._timestamp, basefee=0, gas_limit=BLOCK_GAS_LIMIT,
            prevrandao=b"\x00" * 32,
        )

    # ---------------------------------------------------------------- accounts

    @property
    def accounts(self) -> list[bytes]:
        return list(self._accounts)

    def new_account(self) -> bytes:
        key = keys.PrivateKey(account_key(self._account_count))
        self._account_count += 1
        address = key.public_key.to_canonical_address()
        self._keys[address] = key.to_bytes()
        return address

    def private_key(self, account: bytes) -> bytes:
        key = self._keys.get(account)
        if key is None:
            raise BackendUnavailable(f"no key for 0x{account.hex()}: not an account of this backend")
        return key

    def balance(self, address: bytes) -> int:
        return self._evm.get_balance(_hex(address))

    def set_balance(self, address: bytes, wei: int) -> None:
        self._evm.set_balance(_hex(address), wei)

    def nonce(self, address: bytes) -> int:
        return self._nonces.get(address, 0)

    def code(self, address: bytes) -> bytes:
        # revm keeps analysed bytecode, padded with 33 zero bytes (a STOP and room for a
        # PUSH32 at the end); the deployed code is what precedes the padding.
        return _deployed_code(self._evm.basic(_hex(address))) or b""

    # --------------------------------------------------------------- execution

    def deploy(
        self, sender: bytes, initcode: bytes, *, value: int = 0, gas: int = DEFAULT_GAS_LIMIT
    ) -> RawReceipt:
        from pyrevm import AccountInfo

        nonce = self._nonces.get(sender, 0)
        account = _hex(sender)
        balance = self._evm.get_balance(account)
        self._evm.insert_account_info(account, AccountInfo(nonce=nonce))
        self._evm.set_balance(account, balance)
        nonce = self._begin(sender)
        try:
            output = self._evm.deploy(account, initcode, value, gas)
        except RuntimeError as exc:
            return self._failed(sender, nonce, exc)
        return self._receipt(sender, nonce, bytes.fromhex(output[2:]), None)

    def transact(
        self,
        sender: bytes,
        to: bytes,
        data: bytes,
        *,
        value: int = 0,
        gas: int = DEFAULT_GAS_LIMIT,
    ) -> RawReceipt:
        # The hot path of every run: kept flat (no closures, hex forms of addresses cached).
        hexes = self._hexes
        account = hexes.get(sender) or self._remember(sender)
        nonce = self._begin(sender)
        try:
            output = self._evm.message_call(account, hexes.get(to) or self._remember(to), data, value, gas)
        except RuntimeError as exc:
            return self._failed(sender, nonce, exc)
        return self._receipt(sender, nonce, None, bytes(output))

    def _remember(self, address: bytes) -> str:
        """The ``0x`` hex form pyrevm takes, cached (a run's addresses repeat)."""
        if len(self._hexes) > 1_000_000:  # bounded whatever the run
            self._hexes.clear()
        text = self._hexes[address] = "0x" + address.hex()
        return text

    def _begin(self, sender: bytes) -> int:
        """Count the transaction, compact if due; the sender's nonce for this transaction."""
        nonce = self._nonces.get(sender, 0)
        self._nonces[sender] = nonce + 1
        self._pending += 1
        self._tx_count += 1
        self._since_compaction += 1
        if self.compact_every is not None and self._since_compaction > self.compact_every and not self._snapshots:
            self.compact()
        return nonce

    def _failed(self, sender: bytes, nonce: int, exc: RuntimeError) -> RawReceipt:
        revert_data, halt_reason, gas_used = self._failure(exc)
        self._evm.reset_transient_storage()
        return _RevmReceipt(
            (sender, nonce, self._tx_count), self._number, self._timestamp, 0, gas_used, (), 0,
            revert_data=revert_data, halt_reason=halt_reason,
        )

    def _receipt(self, sender: bytes, nonce: int, contract_address: bytes | None, output: bytes | None) -> RawReceipt:
        evm = self._evm
        evm.reset_transient_storage()
        result = evm.result
        logs = result.logs
        first = self._log_count
        self._log_count = first + len(logs)
        return _RevmReceipt(
            (sender, nonce, self._tx_count), self._number, self._timestamp, 1, result.gas_used,
            logs or (), first, contract_address, output,
        )

    @staticmethod
    def _failure(exc: RuntimeError) -> tuple[bytes, str | None, int]:
        """(revert data, halt reason, gas used) from pyrevm's error, or TransactionInvalid."""
        text = str(exc)
        revert = _REVERT.match(text)
        if revert:
            return bytes.fromhex(revert.group(2)), None, int(revert.group(1))
        halt = _HALT.match(text)
        if halt:
            used = re.search(r"gas_used: (\d+)", text)
            return b"", halt.group(1), int(used.group(1)) if used else 0
        raise TransactionInvalid(f"revm refused the transaction: {text}") from exc

    def call(
        self, to: bytes, data: bytes, *, sender: bytes | None = None, value: int = 0
    ) -> CallResult:
        evm = self._evm
        hexes = self._hexes
        caller = (hexes.get(sender) or self._remember(sender)) if sender else _ZERO
        checkpoint = evm.snapshot()
        try:
            output = evm.message_call(caller, hexes.get(to) or self._remember(to), data, value)
        except RuntimeError as exc:
            revert_data, halt_reason, _ = self._failure(exc)
            return CallResult(False, revert_data, halt_reason)
        finally:
            evm.revert(checkpoint)
            evm.reset_transient_storage()
        return CallResult(True, bytes(output))

    # -------------------------------------------------------------------- clock

    def now(self) -> int:
        return self._timestamp

    def warp(self, timestamp: int) -> None:
        if timestamp == self._timestamp:
            return
        if timestamp < self._timestamp:
            raise TimeTravelError(f"cannot move the clock back from {self._timestamp} to {timestamp}")
        if self._pending:
            self._seal()
        if timestamp <= self._sealed_timestamp:
            raise TimeTravelError(
                f"timestamp {timestamp} is not after the last sealed block's {self._sealed_timestamp}"
            )
        self._timestamp = timestamp
        self._evm.set_block_env(self._block())

    def _seal(self) -> None:
        self._sealed_timestamp = self._timestamp
        self._number += 1
        self._timestamp += 1
        self._pending = 0
        self._log_count = 0
        self._evm.set_block_env(self._block())

    def mine(self, blocks: int = 1) -> None:
        if blocks < 1:
            raise ValueError(f"blocks(={blocks}) must be >= 1")
        for _ in range(blocks):
            self._seal()

    @property
    def block_number(self) -> int:
        return self._number

    # ----------------------------------------------------------------- snapshots

    def _state(self) -> tuple:
        return (dict(self._nonces), self._number, self._timestamp, self._sealed_timestamp, self._pending,
                self._log_count)

    def snapshot(self) -> int:
        snapshot_id = self._next_snapshot
        self._next_snapshot += 1
        self._snapshots[snapshot_id] = (self._evm.snapshot(), self._state())
        return snapshot_id

    def revert(self, snapshot_id: int) -> None:
        try:
            checkpoint, state = self._snapshots[snapshot_id]
        except KeyError:
            raise ValueError(f"unknown snapshot id {snapshot_id}") from None
        # revm pops one journal level per revert: unwind later checkpoints first, newest
        # first, so the journal depth stays that of the snapshots still open.
        for later in sorted((k for k in self._snapshots if k > snapshot_id), reverse=True):
            self._evm.revert(self._snapshots.pop(later)[0])
        self._evm.revert(checkpoint)
        del self._snapshots[snapshot_id]
        nonces, self._number, self._timestamp, self._sealed_timestamp, self._pending, self._log_count = state
        self._nonces = nonces
        self._evm.set_block_env(self._block())

    # ---------------------------------------------------------------- compaction

    def compact(self) -> None:
        """Move the live state into a fresh EVM and drop the old one with its journal.

        The accounts and their storage are read from pyrevm's debug rendering of the
        journaled state (its only listing of storage slots); slots that are zero are
        dropped. Refused while a snapshot is open (its checkpoint lives in the journal).
        """
        if self._snapshots:
            raise RuntimeError("cannot compact the revm state while a snapshot is open")
        text = self._evm.journal_str
        end = text.find(", transient_storage: ")
        if not text.startswith("JournaledState { state: {") or end < 0:  # pragma: no cover - pyrevm changed
            raise BackendUnavailable("cannot read pyrevm's journaled state (unexpected pyrevm version)")
        starts = [(m.end(), m.group(1)) for m in _ACCOUNT.finditer(text, 0, end)]
        for i, (start, address) in enumerate(starts):
            stop = starts[i + 1][0] if i + 1 < len(starts) else end
            body = text.find(_STORAGE_OPEN, start, stop)
            close = text.find(_STORAGE_CLOSE, body, stop)
            if body < 0 or close < 0:  # pragma: no cover - pyrevm changed
                raise BackendUnavailable("cannot read pyrevm's journaled state (unexpected account rendering)")
            slots = self._storage.setdefault(address, {})  # every account, storage or none
            for key, value in _slot_values(text, body + len(_STORAGE_OPEN), close):
                if value:
                    slots[key] = value
                else:
                    slots.pop(key, None)
        del text
        accounts = {address: self._evm.basic(address) for address in self._storage}
        self._evm = self._make_evm()
        for address, info in accounts.items():
            self._evm.insert_account_info(address, info)  # as is: the code stays analysed
            for key, value in self._storage[address].items():
                self._evm.insert_account_storage(address, key, value)
        self._since_compaction = 0
        self.compactions += 1

    # ------------------------------------------------------------------- cheats

    def impersonate(self, address: bytes) -> None:
        """Nothing to do: revm runs message calls from any address, key or not."""

    def storage(self, address: bytes, slot: int) -> int:
        return self._evm.storage(_hex(address), slot)

    def set_storage(self, address: bytes, slot: int, value: int) -> None:
        self._evm.insert_account_storage(_hex(address), slot, value)

    # --------------------------------------------------------------------- misc

    def info(self) -> BackendInfo:
        try:
            version = importlib.metadata.version("pyrevm")
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover
            version = "unknown"
        return BackendInfo(self.name, {"pyrevm": version})
