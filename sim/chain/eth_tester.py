"""The ``eth-tester`` backend: py-evm under eth-tester, in-process.

This is the reference backend: transactions are signed (secp256k1 through coincurve),
the sender is recovered from the signature, blocks are built, sealed and validated by
py-evm, and a web3.py ``Web3`` over eth-tester's provider (``backend.w3``) reads the
sealed blocks and receipts with the API web3 users know.

It departs from eth-tester's own ``send_raw_transaction`` path on purpose (see
docs/architecture.md): eth-tester either mines a block per transaction, which forces
every transaction one second later than the previous, or defers execution until the
block is mined, so no result is known when it is sent. tokensim needs many transactions
at one simulated instant, each with its outcome at once. So this backend keeps its own
pending block on eth-tester's py-evm chain: each signed transaction is applied with the
VM's ``apply_transaction`` to the pending state, its receipt and return or revert data
come back at once, and the block is assembled, finalised, validated and persisted when
the clock moves (``warp``/``mine``). No gas estimation round trip, no JSON-RPC
formatting, no receipt lookup: that is where the speed over the naive web3 loop comes
from (``bench/chain_micro.py``).

A test may impersonate an address it holds no key for (``impersonate``): that sender's
transactions run with the sender spoofed, and the block records them signed by a stand-in
key (a synthetic hash, as on revm).
"""

from __future__ import annotations

import importlib.metadata

from eth.constants import GENESIS_PARENT_HASH
from eth_hash.auto import keccak
from eth_utils import ValidationError as EVMValidationError
from eth_keys import keys

from sim.chain.backend import (
    BLOCK_GAS_LIMIT,
    DEFAULT_GAS_LIMIT,
    DEFAULT_GENESIS_TIMESTAMP,
    Backend,
    BackendInfo,
    CallResult,
    Capabilities,
    Log,
    RawReceipt,
    account_key,
)
from sim.chain.backend import GENESIS_BALANCE as GENESIS_BALANCE
from sim.errors import BackendUnavailable, TimeTravelError, TransactionInvalid

_ZERO_ADDRESS = b"\x00" * 20
_STAND_IN_KEY = keys.PrivateKey(keccak(b"tokensim:impersonation"))
"""Signs the block's record of an impersonated transaction; its address is never the sender."""


class EthTesterBackend(Backend):
    """py-evm chain with one block per simulated instant.

    Args:
        genesis_timestamp: time of the genesis block; the first pending block is one
            second later.
        accounts: number of pre-funded accounts.
    """

    name = "eth-tester"
    capabilities = Capabilities(web3=True, impersonation=True, storage_writes=True)

    def __init__(
        self, *, genesis_timestamp: int = DEFAULT_GENESIS_TIMESTAMP, accounts: int = 10
    ) -> None:
        try:
            from eth.vm.forks import CancunVM
            from eth_tester import EthereumTester, PyEVMBackend
        except ImportError as exc:  # pragma: no cover - dependency of the package
            raise BackendUnavailable(f"eth-tester backend needs eth-tester and py-evm: {exc}") from exc

        self._keys: dict[bytes, keys.PrivateKey] = {}
        self._account_count = 0
        genesis_keys = [self._add_key() for _ in range(accounts)]
        self._accounts = list(self._keys)
        genesis_state = {
            address: {"balance": GENESIS_BALANCE, "nonce": 0, "code": b"", "storage": {}}
            for address in self._accounts
        }
        genesis_params = PyEVMBackend.generate_genesis_params(
            overrides={"gas_limit": BLOCK_GAS_LIMIT, "timestamp": genesis_timestamp}
        )
        genesis_params["base_fee_per_gas"] = 0
        self._pyevm = PyEVMBackend(
            genesis_parameters=genesis_params,
            genesis_state=genesis_state,
            vm_configuration=((0, CancunVM),),
        )
        self._pyevm.account_keys = tuple(genesis_keys)
        self._tester = EthereumTester(backend=self._pyevm)
        self._chain = self._pyevm.chain
        self.chain_id = self._chain.chain_id
        self._snapshots: dict[int, tuple] = {}
        self._next_snapshot = 1
        self._w3 = None
        self._impersonated: set[bytes] = set()
        self._open_block(self._chain.header.copy(timestamp=genesis_timestamp + 1))

    # ---------------------------------------------------------------- accounts

    def _add_key(self) -> keys.PrivateKey:
        key = keys.PrivateKey(account_key(self._account_count))
        self._account_count += 1
        self._keys[key.public_key.to_canonical_address()] = key
        return key

    @property
    def accounts(self) -> list[bytes]:
        return list(self._accounts)

    def new_account(self) -> bytes:
        return self._add_key().public_key.to_canonical_address()

    def private_key(self, account: bytes) -> bytes:
        key = self._keys.get(account)
        if key is None:
            raise BackendUnavailable(f"no key for 0x{account.hex()}: not an account of this backend")
        return key.to_bytes()

    def balance(self, address: bytes) -> int:
        return self._vm.state.get_balance(address)

    def set_balance(self, address: bytes, wei: int) -> None:
        self._vm.state.set_balance(address, wei)

    def nonce(self, address: bytes) -> int:
        return self._vm.state.get_nonce(address)

    def code(self, address: bytes) -> bytes:
        return self._vm.state.get_code(address)

    # --------------------------------------------------------------- execution

    def deploy(
        self, sender: bytes, initcode: bytes, *, value: int = 0, gas: int = DEFAULT_GAS_LIMIT
    ) -> RawReceipt:
        return self._send(sender, b"", initcode, value, gas)

    def transact(
        self,
        sender: bytes,
        to: bytes,
        data: bytes,
        *,
        value: int = 0,
        gas: int = DEFAULT_GAS_LIMIT,
    ) -> RawReceipt:
        return self._send(sender, to, data, value, gas)

    def _send(self, sender: bytes, to: bytes, data: bytes, value: int, gas: int) -> RawReceipt:
        key = self._keys.get(sender)
        if key is None and sender not in self._impersonated:
            raise TransactionInvalid(f"no key for sender 0x{sender.hex()}")
        vm = self._vm
        builder = vm.get_transaction_builder()
        unsigned = builder.create_unsigned_transaction(
            nonce=vm.state.get_nonce(sender), gas_price=0, gas=gas, to=to, value=value, data=data
        )
        try:
            if key is not None:
                tx = unsigned.as_signed_transaction(key, chain_id=self.chain_id)
                receipt, computation = vm.apply_transaction(self._header, tx)
            else:
                tx, receipt, computation = self._apply_impersonated(vm, unsigned, sender)
        except EVMValidationError as exc:
            raise TransactionInvalid(str(exc)) from exc
        gas_before = self._header.gas_used
        self._header = vm.add_receipt_to_header(self._header, receipt)
        self._txs.append(tx)
        self._receipts.append(receipt)
        log_base = self._log_count
        logs = tuple(
            Log(address, tuple(t.to_bytes(32, "big") for t in topics), log_data, log_base + i)
            for i, (address, topics, log_data) in enumerate(computation.get_log_entries())
        )
        self._log_count += len(logs)
        success = computation.is_success
        revert_data = b""
        halt_reason = None
        if not success:
            from eth.exceptions import Revert

            if isinstance(computation.error, Revert):
                revert_data = computation.output
            else:
                halt_reason = type(computation.error).__name__
        return RawReceipt(
            tx_hash=tx.hash,
            block_number=self._header.block_number,
            timestamp=self._header.timestamp,
            status=1 if success else 0,
            gas_used=self._header.gas_used - gas_before,
            logs=logs if success else (),
            contract_address=computation.msg.storage_address if (success and not to) else None,
            output=computation.output if success else None,
            revert_data=revert_data,
            halt_reason=halt_reason,
        )

    def _apply_impersonated(self, vm, unsigned, sender: bytes) -> tuple:
        """Execute ``unsigned`` as ``sender`` (what ``vm.apply_transaction`` does, with the
        sender spoofed); the block records the same transaction signed by a stand-in key,
        so its hash is synthetic, as on revm."""
        from eth.vm.spoof import SpoofTransaction

        spoofed = SpoofTransaction(unsigned, from_=sender)
        stand_in = unsigned.as_signed_transaction(_STAND_IN_KEY, chain_id=self.chain_id)
        vm.validate_transaction_against_header(self._header, spoofed)
        vm.state.lock_changes()
        computation = vm.state.apply_transaction(spoofed)
        receipt = vm.make_receipt(self._header, stand_in, computation, vm.state)
        vm.validate_receipt(receipt)
        return stand_in, receipt, computation

    def call(
        self, to: bytes, data: bytes, *, sender: bytes | None = None, value: int = 0
    ) -> CallResult:
        from eth.exceptions import Revert
        from eth.vm.spoof import SpoofTransaction

        vm = self._vm
        state = vm.state
        origin = sender or _ZERO_ADDRESS
        unsigned = vm.get_transaction_builder().create_unsigned_transaction(
            nonce=state.get_nonce(origin),
            gas_price=0,
            gas=DEFAULT_GAS_LIMIT,
            to=to,
            value=value,
            data=data,
        )
        spoofed = SpoofTransaction(unsigned, from_=origin)
        snapshot = state.snapshot()
        try:
            computation = state.costless_execute_transaction(spoofed)
        finally:
            state.revert(snapshot)
        if computation.is_success:
            return CallResult(True, computation.output)
        if isinstance(computation.error, Revert):
            return CallResult(False, computation.output)
        return CallResult(False, b"", type(computation.error).__name__)

    # -------------------------------------------------------------------- clock

    def _open_block(self, header) -> None:
        """Start a pending block on ``header`` (its parent is the chain head)."""
        self._header = header
        self._vm = self._chain.get_vm(header)
        self._txs: list = []
        self._receipts: list = []
        self._log_count = 0

    def _seal(self) -> None:
        """Assemble, finalise, validate and persist the pending block."""
        vm = self._vm
        block = vm.set_block_transactions_and_withdrawals(
            vm.get_block(), self._header, self._txs, self._receipts
        )
        number = self._header.block_number
        mined = vm.mine_block(block, mix_hash=keccak(b"prevrandao" + number.to_bytes(8, "big"))).block
        self._chain.persist_block(mined)
        self._chain.header = self._chain.create_header_from_parent(mined.header)
        self._sealed_timestamp = mined.header.timestamp
        self._open_block(self._chain.header.copy(timestamp=mined.header.timestamp + 1))

    def now(self) -> int:
        return self._header.timestamp

    def warp(self, timestamp: int) -> None:
        current = self._header.timestamp
        if timestamp == current:
            return
        if timestamp < current:
            raise TimeTravelError(
                f"cannot move the clock back from {current} to {timestamp}"
            )
        if self._txs:
            self._seal()
        self._retime(timestamp)

    def _retime(self, timestamp: int) -> None:
        parent = self._chain.get_canonical_head()
        if timestamp <= parent.timestamp:
            raise TimeTravelError(
                f"timestamp {timestamp} is not after the last sealed block's {parent.timestamp}"
            )
        self._open_block(self._header.copy(timestamp=timestamp))

    def mine(self, blocks: int = 1) -> None:
        if blocks < 1:
            raise ValueError(f"blocks(={blocks}) must be >= 1")
        for _ in range(blocks):
            self._seal()

    @property
    def block_number(self) -> int:
        return self._header.block_number

    # ----------------------------------------------------------------- snapshots

    def snapshot(self) -> int:
        # Persist the pending state so its root names it; the trie nodes stay in the
        # in-memory database, so the header alone can rebuild the pending state later.
        state = self._vm.state
        state.persist()
        header = self._header.copy(state_root=state.state_root)
        self._header = header
        snapshot_id = self._next_snapshot
        self._next_snapshot += 1
        self._snapshots[snapshot_id] = (
            self._chain.get_canonical_head(),
            header,
            list(self._txs),
            list(self._receipts),
            self._log_count,
        )
        return snapshot_id

    def revert(self, snapshot_id: int) -> None:
        try:
            head, header, txs, receipts, log_count = self._snapshots[snapshot_id]
        except KeyError:
            raise ValueError(f"unknown snapshot id {snapshot_id}") from None
        for later in [k for k in self._snapshots if k >= snapshot_id]:
            del self._snapshots[later]
        chaindb = self._chain.chaindb
        chaindb._set_as_canonical_chain_head(chaindb.db, head, GENESIS_PARENT_HASH)
        self._chain.header = self._chain.create_header_from_parent(head)
        self._open_block(header)
        self._txs = txs[:]
        self._receipts = receipts[:]
        self._log_count = log_count

    # --------------------------------------------------------------------- misc

    @property
    def w3(self):
        """A web3.py ``Web3`` on eth-tester, for reading sealed blocks and receipts."""
        if self._w3 is None:
            from web3 import EthereumTesterProvider, Web3

            self._w3 = Web3(EthereumTesterProvider(self._tester))
        return self._w3

    # ------------------------------------------------------------------- cheats

    def impersonate(self, address: bytes) -> None:
        """Transactions as ``address`` run with the sender spoofed (py-evm's
        ``SpoofTransaction``); nothing is signed by ``address``."""
        self._impersonated.add(address)

    def stop_impersonating(self, address: bytes) -> None:
        self._impersonated.discard(address)

    def storage(self, address: bytes, slot: int) -> int:
        return self._vm.state.get_storage(address, slot)

    def set_storage(self, address: bytes, slot: int, value: int) -> None:
        self._vm.state.set_storage(address, slot, value)

    def info(self) -> BackendInfo:
        versions = {}
        for dist in ("py-evm", "eth-tester", "web3"):
            try:
                versions[dist] = importlib.metadata.version(dist)
            except importlib.metadata.PackageNotFoundError:  # pragma: no cover
                versions[dist] = "unknown"
        return BackendInfo(self.name, versions)
