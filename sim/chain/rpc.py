"""The ``rpc`` backend: any external JSON-RPC dev node (Hardhat, Anvil, a private chain).

Transactions are signed here (coincurve) and sent raw; the clock is driven with
``evm_setNextBlockTimestamp``, isolation with ``evm_snapshot`` / ``evm_revert``, balances
with ``hardhat_setBalance``. Read-only calls run against the ``pending`` block, whose
timestamp is the simulation's present.

A dev node mines one block per transaction, so transactions at one simulated instant get
blocks of their own that share the instant's timestamp (Hardhat needs
``allowBlocksWithSameTimestamp``); block numbers therefore differ from the in-process
backends', which seal one block per instant (``capabilities.same_block_transactions`` is
false), while timestamps, outcomes, events and state are the same. Receipts carry no
return data. The node must charge no gas (base fee 0) and its clock must not be past the
run's start: start it with an initial date before the scenario (Hardhat: ``initialDate``).
``tools/hardhat/`` holds the configuration the tests use.

An unreachable URL, a node without a needed method, or a node whose clock is past the
requested start raise ``BackendUnavailable`` naming the problem.
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_keys import keys

from sim.chain.backend import (
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
from sim.errors import BackendUnavailable, ChainError, TimeTravelError, TransactionInvalid

_NOT_SUPPORTED = (-32601, -32004)


def _hex(address: bytes) -> str:
    return "0x" + address.hex()


def _bytes(value: str | None) -> bytes:
    return bytes.fromhex(value[2:]) if value and value != "0x" else b""


class RpcBackend(Backend):
    """A JSON-RPC dev node, driven to tokensim's clock.

    Args:
        url: HTTP URL of the node, e.g. ``http://127.0.0.1:8545``.
        genesis_timestamp: the run starts one second after it; the node's latest block
            must not be later than that.
        accounts: number of accounts to fund (deterministic keys, as the other backends).
        isolate: snapshot the node first and revert to it on ``close()``, leaving the node
            as it was found (tests share one node this way).
    """

    name = "rpc"
    capabilities = Capabilities(return_data=False, same_block_transactions=False, web3=True)

    def __init__(
        self, *, url: str = "http://127.0.0.1:8545", genesis_timestamp: int = DEFAULT_GENESIS_TIMESTAMP,
        accounts: int = 10, isolate: bool = False,
    ) -> None:
        from web3 import HTTPProvider, Web3

        self.url = url
        self._w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": 60}))
        try:
            self.chain_id = int(self._w3.provider.make_request("eth_chainId", [])["result"], 16)
            self.client = self._w3.provider.make_request("web3_clientVersion", []).get("result", "unknown")
        except Exception as exc:
            raise BackendUnavailable(f"cannot reach the RPC node at {url}: {exc}") from None
        latest = self._request("eth_getBlockByNumber", ["latest", False])
        if int(latest.get("baseFeePerGas", "0x0"), 16) != 0:
            raise BackendUnavailable(
                f"the node at {url} charges a base fee; start it with a base fee of 0 (Hardhat: initialBaseFeePerGas: 0)"
            )
        node_time = int(latest["timestamp"], 16)
        if node_time > genesis_timestamp + 1:
            raise BackendUnavailable(
                f"the node at {url} is at time {node_time}, after the run's start {genesis_timestamp + 1}: "
                "start it with an earlier initial date (Hardhat: initialDate)"
            )
        self._timestamp = genesis_timestamp + 1
        self._node_next: int | None = None
        self._keys: dict[bytes, keys.PrivateKey] = {}
        self._nonces: dict[bytes, int] = {}
        self._account_count = 0
        self._snapshots: dict[int, tuple[str, tuple]] = {}
        self._next_snapshot = 1
        self._initial = self._request("evm_snapshot", []) if isolate else None
        self._check_methods()
        self._accounts = [self.new_account() for _ in range(accounts)]
        for address in self._accounts:
            self.set_balance(address, GENESIS_BALANCE)

    # -------------------------------------------------------------------- rpc

    def _raw(self, method: str, params: list[Any]) -> dict[str, Any]:
        try:
            return self._w3.provider.make_request(method, params)
        except Exception as exc:
            raise ChainError(f"RPC {method} to {self.url} failed: {exc}") from None

    def _request(self, method: str, params: list[Any]) -> Any:
        response = self._raw(method, params)
        error = response.get("error")
        if error is not None:
            if error.get("code") in _NOT_SUPPORTED:
                raise BackendUnavailable(f"the node at {self.url} does not support {method}, which the rpc backend needs")
            raise ChainError(f"RPC {method} failed: {error.get('message')}")
        return response.get("result")

    def _at_now(self) -> None:
        """Make the node's next block (and pending calls) run at the simulation's present."""
        if self._node_next != self._timestamp:
            self._request("evm_setNextBlockTimestamp", [self._timestamp])
            self._node_next = self._timestamp

    # ---------------------------------------------------------------- accounts

    @property
    def accounts(self) -> list[bytes]:
        return list(self._accounts)

    def new_account(self) -> bytes:
        key = keys.PrivateKey(account_key(self._account_count))
        self._account_count += 1
        address = key.public_key.to_canonical_address()
        self._keys[address] = key
        return address

    def private_key(self, account: bytes) -> bytes:
        key = self._keys.get(account)
        if key is None:
            raise BackendUnavailable(f"no key for 0x{account.hex()}: not an account of this backend")
        return key.to_bytes()

    def balance(self, address: bytes) -> int:
        return int(self._request("eth_getBalance", [_hex(address), "pending"]), 16)

    def set_balance(self, address: bytes, wei: int) -> None:
        self._request("hardhat_setBalance", [_hex(address), hex(wei)])

    def nonce(self, address: bytes) -> int:
        if address not in self._nonces:
            self._nonces[address] = int(self._request("eth_getTransactionCount", [_hex(address), "pending"]), 16)
        return self._nonces[address]

    def code(self, address: bytes) -> bytes:
        return _bytes(self._request("eth_getCode", [_hex(address), "pending"]))

    # --------------------------------------------------------------- execution

    def deploy(
        self, sender: bytes, initcode: bytes, *, value: int = 0, gas: int = DEFAULT_GAS_LIMIT
    ) -> RawReceipt:
        return self._send(sender, None, initcode, value, gas)

    def transact(
        self, sender: bytes, to: bytes, data: bytes, *, value: int = 0, gas: int = DEFAULT_GAS_LIMIT
    ) -> RawReceipt:
        return self._send(sender, to, data, value, gas)

    def _send(self, sender: bytes, to: bytes | None, data: bytes, value: int, gas: int) -> RawReceipt:
        key = self._keys.get(sender)
        if key is None:
            raise TransactionInvalid(f"no key for sender 0x{sender.hex()}")
        nonce = self.nonce(sender)
        tx = {"nonce": nonce, "gas": gas, "gasPrice": 0, "value": value, "data": data, "chainId": self.chain_id}
        if to is not None:
            tx["to"] = to
        signed = Account.sign_transaction(tx, key.to_bytes())
        self._at_now()
        response = self._raw("eth_sendRawTransaction", ["0x" + bytes(signed.raw_transaction).hex()])
        self._node_next = None  # the node moved past the block it just mined
        error = response.get("error")
        if error is not None:
            info = error.get("data") or {}
            tx_hash = info.get("txHash") if isinstance(info, dict) else None
            if tx_hash is None and "revert" not in error.get("message", "").lower() and "ran out of gas" not in error.get("message", ""):
                raise TransactionInvalid(f"the node refused the transaction: {error.get('message')}")
            self._nonces[sender] = nonce + 1
            revert_data, halt_reason = self._failure(error)
            receipt = self._request("eth_getTransactionReceipt", [tx_hash]) if tx_hash else None
            return RawReceipt(
                tx_hash=_bytes(tx_hash), block_number=int(receipt["blockNumber"], 16) if receipt else 0,
                timestamp=self._timestamp, status=0,
                gas_used=int(receipt["gasUsed"], 16) if receipt else gas, logs=(),
                revert_data=revert_data, halt_reason=halt_reason,
            )
        self._nonces[sender] = nonce + 1
        receipt = self._request("eth_getTransactionReceipt", [response["result"]])
        status = int(receipt["status"], 16)
        logs = tuple(
            Log(_bytes(entry["address"]), tuple(_bytes(t) for t in entry["topics"]), _bytes(entry["data"]),
                int(entry["logIndex"], 16))
            for entry in receipt["logs"]
        )
        contract = receipt.get("contractAddress")
        return RawReceipt(
            tx_hash=_bytes(receipt["transactionHash"]),
            block_number=int(receipt["blockNumber"], 16),
            timestamp=self._timestamp,
            status=status,
            gas_used=int(receipt["gasUsed"], 16),
            logs=logs if status else (),
            contract_address=_bytes(contract) if contract and status else None,
        )

    @staticmethod
    def _failure(error: dict[str, Any]) -> tuple[bytes, str | None]:
        """(revert data, halt reason) from a node's error object."""
        message = error.get("message", "")
        info = error.get("data")
        data = info.get("data") if isinstance(info, dict) else info if isinstance(info, str) else None
        if "revert" in message.lower():
            return _bytes(data), None
        if "out of gas" in message:
            return b"", "OutOfGas"
        if "invalid opcode" in message:
            return b"", "InvalidOpcode"
        return _bytes(data), (None if data and data != "0x" else message)

    def call(self, to: bytes, data: bytes, *, sender: bytes | None = None, value: int = 0) -> CallResult:
        self._at_now()
        call = {"to": _hex(to), "data": "0x" + data.hex(), "from": _hex(sender or b"\x00" * 20),
                "gas": hex(DEFAULT_GAS_LIMIT), "value": hex(value)}
        response = self._raw("eth_call", [call, "pending"])
        error = response.get("error")
        if error is None:
            return CallResult(True, _bytes(response["result"]))
        revert_data, halt_reason = self._failure(error)
        return CallResult(False, revert_data, halt_reason)

    # -------------------------------------------------------------------- clock

    def now(self) -> int:
        return self._timestamp

    def warp(self, timestamp: int) -> None:
        if timestamp < self._timestamp:
            raise TimeTravelError(f"cannot move the clock back from {self._timestamp} to {timestamp}")
        self._timestamp = timestamp

    def mine(self, blocks: int = 1) -> None:
        if blocks < 1:
            raise ValueError(f"blocks(={blocks}) must be >= 1")
        for _ in range(blocks):
            self._request("evm_mine", [self._timestamp])
            self._node_next = None
            self._timestamp += 1

    @property
    def block_number(self) -> int:
        return int(self._request("eth_blockNumber", []), 16) + 1

    # ----------------------------------------------------------------- snapshots

    def snapshot(self) -> int:
        node_id = self._request("evm_snapshot", [])
        snapshot_id = self._next_snapshot
        self._next_snapshot += 1
        self._snapshots[snapshot_id] = (node_id, (self._timestamp, dict(self._nonces)))
        return snapshot_id

    def revert(self, snapshot_id: int) -> None:
        try:
            node_id, (timestamp, nonces) = self._snapshots[snapshot_id]
        except KeyError:
            raise ValueError(f"unknown snapshot id {snapshot_id}") from None
        for later in [k for k in self._snapshots if k >= snapshot_id]:
            del self._snapshots[later]
        if not self._request("evm_revert", [node_id]):
            raise ChainError(f"the node at {self.url} refused to revert to snapshot {node_id}")
        self._timestamp, self._nonces = timestamp, nonces
        self._node_next = None

    # --------------------------------------------------------------------- misc

    @property
    def w3(self):
        return self._w3

    def info(self) -> BackendInfo:
        return BackendInfo(self.name, {"node": self.client})

    def _check_methods(self) -> None:
        """Fail now, naming the method, if the node lacks one the backend needs."""
        snapshot = self._request("evm_snapshot", [])
        self._request("hardhat_setBalance", [_hex(b"\x00" * 20), "0x0"])
        self._at_now()
        self._request("evm_revert", [snapshot])
        self._node_next = None

    def close(self) -> None:
        if self._initial is not None:
            self._request("evm_revert", [self._initial])
            self._initial = None
