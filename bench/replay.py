"""A run's chain operations, recorded once and replayed through four loops.

``RecordingBackend`` wraps a backend and writes every deployment, transaction and
read-only call a simulation makes (sender, target, calldata, value, block time and
number, and whether it succeeded) to a file. The loops then replay the same operations:

- ``raw_pyrevm``: pyrevm ``message_call`` / ``deploy`` in a plain loop, addresses and
  calldata prepared beforehand; the floor for the revm backend;
- ``tokensim``: ``sim.chain.Chain`` on a named backend: calldata encoded from the
  function and its arguments, receipts, return values and reverts decoded;
- ``naive_web3``: web3.py's ``contract.functions.f(*args).transact()`` / ``.call()`` on a
  default ``Web3(EthereumTesterProvider())`` (its genesis time set before the recording's
  start), which estimates gas, fills in fees and mines a block per transaction.

Each loop reports its wall time and how many operations came out differently from the
recording (a faithful replay gives zero).
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import eth_abi

from sim.chain.abi import AbiFunction, canonical_type
from sim.chain.artifacts import Artifact, shipped
from sim.chain.backend import DEFAULT_GAS_LIMIT, Backend, BackendInfo, CallResult, RawReceipt

DEPLOY, TX, CALL = "deploy", "tx", "call"


@dataclass(slots=True)
class Op:
    """One recorded chain operation."""

    kind: str
    sender: bytes | None
    to: bytes | None  # the new contract's address for a deployment
    data: bytes  # calldata, or initcode for a deployment
    value: int
    timestamp: int
    number: int
    ok: bool
    nonce: int = 0  # the sender's nonce, for a deployment


class RecordingBackend(Backend):
    """A backend that records every operation it executes (see the module docstring)."""

    def __init__(self, inner: Backend, path: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.capabilities = inner.capabilities
        self.path = path
        self._file = path.open("wb")
        self._pickler = pickle.Pickler(self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.accounts_created = len(inner.accounts)
        self.recorded = 0

    def _record(self, op: Op) -> None:
        self.recorded += 1
        self._pickler.dump(op)
        self._pickler.clear_memo()

    @property
    def accounts(self) -> list[bytes]:
        return self.inner.accounts

    def new_account(self) -> bytes:
        self.accounts_created += 1
        return self.inner.new_account()

    def balance(self, address: bytes) -> int:
        return self.inner.balance(address)

    def set_balance(self, address: bytes, wei: int) -> None:
        self.inner.set_balance(address, wei)

    def nonce(self, address: bytes) -> int:
        return self.inner.nonce(address)

    def code(self, address: bytes) -> bytes:
        return self.inner.code(address)

    def deploy(self, sender: bytes, initcode: bytes, *, value: int = 0, gas: int = DEFAULT_GAS_LIMIT) -> RawReceipt:
        nonce = self.inner.nonce(sender)
        raw = self.inner.deploy(sender, initcode, value=value, gas=gas)
        self._record(Op(DEPLOY, sender, raw.contract_address, initcode, value, raw.timestamp, raw.block_number,
                        raw.status == 1, nonce))
        return raw

    def transact(self, sender: bytes, to: bytes, data: bytes, *, value: int = 0, gas: int = DEFAULT_GAS_LIMIT) -> RawReceipt:
        raw = self.inner.transact(sender, to, data, value=value, gas=gas)
        self._record(Op(TX, sender, to, data, value, raw.timestamp, raw.block_number, raw.status == 1))
        return raw

    def call(self, to: bytes, data: bytes, *, sender: bytes | None = None, value: int = 0) -> CallResult:
        result = self.inner.call(to, data, sender=sender, value=value)
        self._record(Op(CALL, sender, to, data, value, self.inner.now(), self.inner.block_number, result.success))
        return result

    def now(self) -> int:
        return self.inner.now()

    def warp(self, timestamp: int) -> None:
        self.inner.warp(timestamp)

    def mine(self, blocks: int = 1) -> None:
        self.inner.mine(blocks)

    @property
    def block_number(self) -> int:
        return self.inner.block_number

    def snapshot(self) -> int:
        return self.inner.snapshot()

    def revert(self, snapshot_id: int) -> None:
        self.inner.revert(snapshot_id)

    def info(self) -> BackendInfo:
        return self.inner.info()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.inner.close()


def read_ops(path: Path, limit: int | None = None) -> list[Op]:
    """The first ``limit`` (or all) operations of a recording."""
    ops: list[Op] = []
    with path.open("rb") as handle:
        unpickler = pickle.Unpickler(handle)
        while limit is None or len(ops) < limit:
            try:
                ops.append(unpickler.load())
            except EOFError:
                break
    return ops


@dataclass
class LoopResult:
    loop: str
    ops: int
    transactions: int
    wall_seconds: float
    mismatches: int

    @property
    def ops_per_second(self) -> float:
        return self.ops / self.wall_seconds

    def as_dict(self) -> dict[str, Any]:
        return {"loop": self.loop, "ops": self.ops, "transactions": self.transactions,
                "wall_seconds": round(self.wall_seconds, 3), "ops_per_second": round(self.ops_per_second, 1),
                "mismatches": self.mismatches}


def _transactions(ops: list[Op]) -> int:
    return sum(op.kind != CALL for op in ops)


# ------------------------------------------------------------------ decoding


class Decoded:
    """What each recorded operation calls: artifact, function and arguments."""

    def __init__(self, ops: list[Op]) -> None:
        self._by_code = sorted(((a.bytecode, a) for a in shipped() if a.bytecode), key=lambda x: -len(x[0]))
        self._contracts: dict[bytes, Artifact] = {}
        self._functions: dict[str, dict[bytes, tuple[AbiFunction, dict[str, Any]]]] = {}
        self.calls: list[tuple[Artifact, AbiFunction | None, dict[str, Any] | None, tuple]] = []
        for op in ops:
            self.calls.append(self._decode(op))

    def _artifact_of_initcode(self, initcode: bytes) -> Artifact:
        for code, artifact in self._by_code:
            if initcode.startswith(code):
                return artifact
        raise ValueError("a deployment of a contract that is not shipped")

    def _decode(self, op: Op) -> tuple[Artifact, AbiFunction | None, dict[str, Any] | None, tuple]:
        if op.kind == DEPLOY:
            artifact = self._artifact_of_initcode(op.data)
            if op.ok:
                self._contracts[op.to] = artifact
            constructor = next((e for e in artifact.abi if e.get("type") == "constructor"), None)
            if constructor is None:
                return artifact, None, None, ()
            fn = AbiFunction({**constructor, "name": "constructor"})
            args = eth_abi.decode(list(fn.input_types), op.data[len(artifact.bytecode):])
            return artifact, fn, constructor, args
        artifact = self._contracts[op.to]
        functions = self._functions.get(artifact.name)
        if functions is None:
            functions = {}
            for entry in artifact.abi:
                if entry.get("type") == "function":
                    fn = AbiFunction(entry)
                    functions[fn.selector] = (fn, entry)
            self._functions[artifact.name] = functions
        fn, entry = functions[op.data[:4]]
        return artifact, fn, entry, eth_abi.decode(list(fn.input_types), op.data[4:])


# --------------------------------------------------------------------- loops


def raw_pyrevm(ops: list[Op]) -> LoopResult:
    """pyrevm in a plain loop: the same calls, nothing decoded."""
    from pyrevm import EVM, AccountInfo, BlockEnv, CfgEnv, Env

    from sim.chain.backend import BLOCK_GAS_LIMIT
    from sim.chain.revm import CHAIN_ID, SPEC

    def block(timestamp: int, number: int):
        return BlockEnv(number=number, timestamp=timestamp, basefee=0, gas_limit=BLOCK_GAS_LIMIT, prevrandao=bytes(32))

    evm = EVM(env=Env(cfg=CfgEnv(chain_id=CHAIN_ID), block=block(ops[0].timestamp, ops[0].number)), spec_id=SPEC,
              gas_limit=BLOCK_GAS_LIMIT)
    zero = "0x" + "00" * 20
    prepared = [
        (op.kind, "0x" + op.sender.hex() if op.sender else zero, "0x" + op.to.hex() if op.to else None, op.data,
         op.value, (op.timestamp, op.number), op.ok, op.nonce)
        for op in ops
    ]
    current = None
    mismatches = 0
    start = time.perf_counter()
    for kind, sender, to, data, value, at, ok, nonce in prepared:
        if at != current:
            current = at
            evm.set_block_env(block(*at))
        try:
            if kind == TX:
                evm.message_call(sender, to, data, value, DEFAULT_GAS_LIMIT)
            elif kind == CALL:
                checkpoint = evm.snapshot()
                try:
                    evm.message_call(sender, to, data, value)
                finally:
                    evm.revert(checkpoint)
            else:
                evm.insert_account_info(sender, AccountInfo(nonce=nonce))
                evm.deploy(sender, data, value, DEFAULT_GAS_LIMIT)
            success = True
        except RuntimeError:
            success = False
        evm.reset_transient_storage()
        mismatches += success != ok
    return LoopResult("raw pyrevm message_call loop", len(ops), _transactions(ops), time.perf_counter() - start,
                      mismatches)


def tokensim(ops: list[Op], backend: str, accounts_created: int) -> LoopResult:
    """``sim.chain.Chain`` on ``backend``: encode, send, decode, as the simulation does."""
    from sim.chain import Chain
    from sim.errors import ContractRevert

    decoded = Decoded(ops).calls
    created = 0
    chain = Chain(backend, genesis_timestamp=ops[0].timestamp - 1)
    while len(chain.accounts) + created < accounts_created:  # the run's accounts, same keys
        chain.new_account()
        created += 1
    prepared = list(zip(ops, decoded, strict=True))
    mismatches = 0
    start = time.perf_counter()
    for op, (artifact, fn, _, args) in prepared:
        if op.timestamp != chain.now():
            chain.warp(op.timestamp)
        try:
            if op.kind == TX:
                chain.transact(op.sender, op.to, fn.encode(args), value=op.value, function=fn)
            elif op.kind == CALL:
                fn.decode_output(chain.call(op.to, fn.encode(args), sender=op.sender, value=op.value))
            else:
                chain.deploy(artifact, *args, sender=op.sender, value=op.value)
            success = True
        except ContractRevert:
            success = False
        mismatches += success != op.ok
    wall = time.perf_counter() - start
    chain.close()
    return LoopResult(f"tokensim Chain({backend!r})", len(ops), _transactions(ops), wall, mismatches)


def _web3_value(param: dict[str, Any], value: Any) -> Any:
    """A decoded argument in the form web3.py accepts (checksum addresses)."""
    from eth_utils import to_checksum_address

    kind = canonical_type(param)
    if kind.endswith("]"):
        element = dict(param, type=param["type"][: param["type"].rindex("[")])
        return [_web3_value(element, v) for v in value]
    if kind == "address":
        return to_checksum_address(value)
    if kind.startswith("("):
        return tuple(_web3_value(c, v) for c, v in zip(param["components"], value, strict=True))
    return value


def naive_web3(ops: list[Op], accounts_created: int) -> LoopResult:
    """web3.py's ``.transact()`` / ``.call()`` loop on a default ``EthereumTesterProvider``."""
    from eth_tester.exceptions import TransactionFailed
    from web3 import EthereumTesterProvider, Web3
    from web3.exceptions import ContractLogicError, Web3Exception

    from sim.chain.backend import account_key

    from eth_tester import EthereumTester, PyEVMBackend

    decoded = Decoded(ops).calls
    # The default provider in all but its genesis time, set before the recording starts
    # (the default is the wall clock, which may be past a scenario's start).
    # Each block of the funding below is a second later than the last.
    genesis = PyEVMBackend.generate_genesis_params(overrides={"timestamp": ops[0].timestamp - 2 * accounts_created - 10})
    provider = EthereumTesterProvider(EthereumTester(PyEVMBackend(genesis_parameters=genesis)))
    w3 = Web3(provider)
    tester = provider.ethereum_tester
    funder = w3.eth.accounts[0]
    keys = {}
    for index in range(accounts_created):
        key = account_key(index)
        from eth_keys import keys as eth_keys

        keys[eth_keys.PrivateKey(key).public_key.to_canonical_address()] = key
    senders = {op.sender for op in ops if op.sender is not None}
    for sender in sorted(senders):
        address = tester.add_account("0x" + keys[sender].hex())
        w3.eth.send_transaction({"from": funder, "to": address, "value": 10**21})
    contracts: dict[bytes, Any] = {}
    prepared = []
    for op, (artifact, fn, entry, args) in zip(ops, decoded, strict=True):
        values = tuple(_web3_value(p, v) for p, v in zip(entry["inputs"], args, strict=True)) if entry else ()
        prepared.append((op, artifact, fn, values))
    clock = w3.eth.get_block("pending")["timestamp"]
    if ops[0].timestamp < clock:
        raise ValueError(f"the recording starts at {ops[0].timestamp}, before the provider's clock {clock}")
    mismatches = 0
    start = time.perf_counter()
    for op, artifact, fn, values in prepared:
        sender = Web3.to_checksum_address(op.sender) if op.sender else None
        if op.timestamp > clock:  # follow the simulated clock, as the recording did
            tester.time_travel(op.timestamp)
            clock = op.timestamp
        try:
            if op.kind == DEPLOY:
                factory = w3.eth.contract(abi=list(artifact.abi), bytecode=artifact.bytecode)
                tx_hash = factory.constructor(*values).transact({"from": sender, "value": op.value})
                receipt = w3.eth.get_transaction_receipt(tx_hash)
                contracts[op.to] = w3.eth.contract(address=receipt["contractAddress"], abi=list(artifact.abi))
            else:
                contract = contracts[op.to]
                function = contract.get_function_by_selector("0x" + fn.selector.hex())(*values)
                if op.kind == TX:
                    function.transact({"from": sender, "value": op.value})
                else:
                    function.call({"from": sender} if sender else {})
            success = True
        except (ContractLogicError, TransactionFailed, Web3Exception, ValueError):
            success = False
        mismatches += success != op.ok
    wall = time.perf_counter() - start
    return LoopResult("naive web3 .transact()/.call() loop", len(ops), _transactions(ops), wall, mismatches)


def iter_kinds(ops: list[Op]) -> Iterator[tuple[str, int]]:
    for kind in (DEPLOY, TX, CALL):
        yield kind, sum(op.kind == kind for op in ops)
