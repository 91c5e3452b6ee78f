"""``Chain``: the typed face of a backend, the same for every backend.

Everything above the chain layer (contract handles, actors, the pytest plugin) talks to
a ``Chain``. It turns Python values into calldata and back through the artifacts' ABIs,
raises the typed exception of every revert (``sim.chain.reverts``), decodes logs into
events, and passes the clock and snapshots through to the backend::

    chain = Chain("eth-tester")
    token = chain.deploy("CashToken", "US Dollar", "USD", 6, chain.deployer, False,
                         sender=chain.deployer)
    chain.warp(chain.now() + 86_400)          # one day later
    with chain.isolation():                   # everything inside is undone after
        ...

For tests, the cheats Foundry and ape users reach for (backends without one raise
``CheatUnsupported`` naming themselves)::

    with chain.prank(treasury):               # send as an address without its key
        token.transfer(bob, 10, sender=treasury)
    chain.deal(alice, 10**18)                 # ether (wei)
    chain.deal(alice, 500, token=cash)        # a token balance, written in storage
    with chain.expect_emit("Transfer", emitter=cash, args={"from": alice, "value": 5}):
        cash.transfer(bob, 5, sender=alice)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from eth_hash.auto import keccak

from sim.chain.abi import AbiFunction, address_bytes, address_str, checksum
from sim.chain.artifacts import Artifact, load
from sim.chain.backend import DEFAULT_GAS_LIMIT, Backend, RawReceipt
from sim.chain.contract import Contract
from sim.chain.events import UNKNOWN, Event
from sim.chain.events import registry as event_registry
from sim.chain.reverts import decode_revert
from sim.chain.reverts import registry as error_registry
from sim.errors import ConfigError, ContractRevert

BACKENDS = {
    "eth-tester": ("sim.chain.eth_tester", "EthTesterBackend"),
    "revm": ("sim.chain.revm", "RevmBackend"),
    "rpc": ("sim.chain.rpc", "RpcBackend"),
}
"""Backend names and where their classes live."""

HANDLES: dict[str, str] = {
    "AssetRegistry": "sim.contracts.assets:AssetRegistry",
    "CashToken": "sim.contracts.token:CashToken",
    "CollateralRegistry": "sim.contracts.collateral:CollateralRegistry",
    "CustodyVault": "sim.contracts.custody:CustodyVault",
    "DvPSettlement": "sim.contracts.settlement:DvPSettlement",
    "IdentityRegistry": "sim.contracts.identity:IdentityRegistry",
    "MarginEngine": "sim.contracts.margin:MarginEngine",
    "OrderDesk": "sim.contracts.desk:OrderDesk",
    "PerpetualFutures": "sim.contracts.margin:PerpetualFutures",
    "PriceOracle": "sim.contracts.oracle:PriceOracle",
    "SafeHarborRegistry": "sim.contracts.taxonomy:SafeHarborRegistry",
    "SecurityToken": "sim.contracts.token:SecurityToken",
    "VenueRegistry": "sim.contracts.taxonomy:VenueRegistry",
}
"""The typed handle of each shipped contract that has one (``module:Class``, imported on first
use), so ``chain.deploy("DvPSettlement", ...)`` returns a ``DvPSettlement`` whatever was
imported before; any other artifact gets a plain ``Contract``. ``register_handle`` adds one."""

_handle_classes: dict[str, type[Contract]] = {}


def register_handle(artifact_name: str, handle: type[Contract]) -> None:
    """Make ``chain.deploy``/``chain.at`` return ``handle`` for the artifact called ``artifact_name``."""
    if not (isinstance(handle, type) and issubclass(handle, Contract)):
        raise ConfigError(f"handle(={handle!r}) must be a subclass of sim.chain.Contract")
    _handle_classes[artifact_name] = handle


def handle_class(artifact_name: str) -> type[Contract]:
    """The typed handle class for the artifact called ``artifact_name`` (``Contract`` if none)."""
    cls = _handle_classes.get(artifact_name)
    if cls is None:
        target = HANDLES.get(artifact_name)
        if target is None:
            return Contract
        import importlib

        module_name, class_name = target.split(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        _handle_classes[artifact_name] = cls
    return cls


def make_backend(name: str, **options: Any) -> Backend:
    """Create the backend called ``name`` (see ``BACKENDS``)."""
    try:
        module_name, class_name = BACKENDS[name]
    except KeyError:
        raise ConfigError(
            f"unknown chain backend {name!r}; expected one of: {', '.join(BACKENDS)}"
        ) from None
    import importlib

    cls = getattr(importlib.import_module(module_name), class_name)
    return cls(**options)


def register_artifact(artifact: Artifact) -> None:
    """Make the custom errors and events of ``artifact`` decode like the shipped ones."""
    error_registry.register(artifact)
    event_registry.register(artifact)


class Receipt:
    """A mined, successful transaction: block, time, gas, events, return value.

    The return value and the events are decoded on first access: most transactions of a
    run are never asked for either."""

    __slots__ = ("raw", "_function", "_return_value", "_events")

    def __init__(self, raw: RawReceipt, return_value: Any = None, *, function: AbiFunction | None = None) -> None:
        self.raw = raw
        self._function = function
        self._return_value = return_value
        self._events: list[Event] | None = None

    @property
    def return_value(self) -> Any:
        """The function's decoded return value (None if it returns nothing or the backend
        cannot report return data)."""
        function = self._function
        if function is not None:
            self._function = None
            output = self.raw.output
            if output is not None and function.output_types:
                self._return_value = function.decode_output(output)
        return self._return_value

    @property
    def tx_hash(self) -> str:
        return "0x" + self.raw.tx_hash.hex()

    @property
    def block_number(self) -> int:
        return self.raw.block_number

    @property
    def timestamp(self) -> int:
        return self.raw.timestamp

    @property
    def gas_used(self) -> int:
        return self.raw.gas_used

    @property
    def status(self) -> int:
        return self.raw.status

    @property
    def contract_address(self) -> str | None:
        address = self.raw.contract_address
        return checksum("0x" + address.hex()) if address else None

    @property
    def events(self) -> list[Event]:
        """Every log of the transaction, decoded, in order."""
        if self._events is None:
            self._events = [event_registry.decode(log) for log in self.raw.logs]
        return self._events

    def events_named(self, name: str) -> list[Event]:
        """The transaction's events called ``name``, in order (only those are decoded: a
        netted settlement batch's receipt holds hundreds of transfers its reader skips)."""
        if self._events is not None or name == UNKNOWN:
            return [e for e in self.events if e.name == name]
        keys, decode = event_registry.keys_named(name), event_registry.decode
        return [decode(log) for log in self.raw.logs if log.topics and (log.topics[0], len(log.topics)) in keys]

    def __repr__(self) -> str:
        names = ", ".join(e.name for e in self.events)
        return f"<Receipt {self.tx_hash[:10]} block={self.block_number} gas={self.gas_used} [{names}]>"


class Chain:
    """A backend with ABI, events, typed reverts and handles on top.

    Args:
        backend: a ``Backend``, or the name of one (``"eth-tester"``).
        **options: passed to the backend when given by name.
    """

    def __init__(self, backend: Backend | str = "eth-tester", **options: Any) -> None:
        self.backend = make_backend(backend, **options) if isinstance(backend, str) else backend
        self._accounts = [checksum("0x" + a.hex()) for a in self.backend.accounts]
        self._receipt_listeners: list[Any] = []
        self.transactions = 0
        """Transactions and deployments sent through this chain, whatever their outcome."""
        self.calls = 0
        """Read-only calls made through this chain."""

    def on_receipt(self, listener: Any) -> None:
        """Call ``listener(raw_receipt)`` after every successful transaction (indexers)."""
        self._receipt_listeners.append(listener)

    # ---------------------------------------------------------------- accounts

    @property
    def accounts(self) -> list[str]:
        """The pre-funded accounts (checksum addresses)."""
        return list(self._accounts)

    @property
    def deployer(self) -> str:
        """The first account: deploys and administers the system unless told otherwise."""
        return self._accounts[0]

    def sign(self, account: Any, digest: bytes) -> bytes:
        """``account``'s signature (65 bytes, v 27/28) of a 32-byte ``digest``, e.g. an EIP-712
        typed-data hash (``sim.chain.eip712``): how an investor signs an order or an intent."""
        return self.backend.sign_digest(address_bytes(account), digest)

    def new_account(self) -> str:
        """A new account with a key the backend holds (deterministic order)."""
        return checksum("0x" + self.backend.new_account().hex())

    def balance(self, account: Any) -> int:
        """Ether balance (wei)."""
        return self.backend.balance(address_bytes(account))

    # -------------------------------------------------------------- test cheats

    def impersonate(self, account: Any) -> str:
        """Let ``sender=account`` work without the account's key from now on (a contract,
        a multisig, someone else's wallet); return its checksum address. Raises
        ``CheatUnsupported`` on a backend that cannot (``rpc``)."""
        self.backend.impersonate(address_bytes(account))
        return address_str(account)

    def stop_impersonating(self, account: Any) -> None:
        """Undo ``impersonate``."""
        self.backend.stop_impersonating(address_bytes(account))

    @contextlib.contextmanager
    def prank(self, account: Any) -> Iterator[str]:
        """Impersonate ``account`` inside the block (Foundry's ``startPrank``/``stopPrank``,
        ape's impersonated accounts); yields its checksum address. Pass it as ``sender=``:
        tokensim never guesses who sends."""
        address = self.impersonate(account)
        try:
            yield address
        finally:
            self.stop_impersonating(account)

    def deal(self, account: Any, amount: int, *, token: Any = None, minter: Any = None,
             adjust_supply: bool = False) -> None:
        """Give ``account`` exactly ``amount``: ether (wei) without ``token``, else a balance
        of ``token`` (a handle or address of an ERC-20).

        A token balance is written in storage by default (the slot of the balances mapping
        is found by probing ``balanceOf``, as forge-std's ``deal`` does), bypassing every
        rule: a security token's compliance modules do not see it (no lock-up lot, no holder
        count). ``adjust_supply=True`` moves ``totalSupply`` by the same difference. With
        ``minter=``, the difference is minted or burned instead (``mint(account, n)`` /
        ``burn(account, n)`` sent by ``minter``), so the token's rules apply and its
        modules record it.

        Raises:
            ConfigError: a negative amount, or no balances mapping found.
            CheatUnsupported: the backend cannot write storage.
        """
        if not isinstance(amount, int) or amount < 0:
            raise ConfigError(f"amount(={amount!r}) must be an integer >= 0")
        if token is None:
            if minter is not None or adjust_supply:
                raise ConfigError("minter= and adjust_supply= apply to a token balance: pass token=")
            self.backend.set_balance(address_bytes(account), amount)
            return
        if not isinstance(token, Contract):
            raise ConfigError(f"token(={token!r}) must be a contract handle (chain.at(address, artifact))")
        handle = token
        current = handle.balanceOf(account)
        if minter is not None:
            if amount > current:
                handle.mint(account, amount - current, sender=minter)
            elif amount < current:
                handle.burn(account, current - amount, sender=minter)
            return
        slot = self._balance_slot(handle, account)
        self.backend.set_storage(handle._address_bytes, slot, amount)
        if adjust_supply:
            self._adjust_supply(handle, amount - current)

    _BALANCE_MAPPINGS = tuple(range(16)) + (
        # ERC-7201 namespace of OpenZeppelin's upgradeable ERC20 ("openzeppelin.storage.ERC20")
        0x52C63247E1F47DB19D5CE0460030C497F067CA4CEBF71BA98EEADABE20BACE00,
    )

    def _balance_slot(self, handle: Contract, account: Any) -> int:
        address = handle._address_bytes
        for base in self._BALANCE_MAPPINGS:
            slot = _mapping_slot(account, base)
            before = self.backend.storage(address, slot)
            probe = before ^ 0x5EED
            self.backend.set_storage(address, slot, probe)
            try:
                found = handle.balanceOf(account) == probe
            except ContractRevert:
                found = False
            self.backend.set_storage(address, slot, before)
            if found:
                handle.__dict__["_deal_mapping"] = base
                return slot
        raise ConfigError(
            f"{handle!r}: no balances mapping found in slots 0-15 or the OpenZeppelin ERC-7201 namespace; "
            "pass minter= to deal through mint and burn"
        )

    def _adjust_supply(self, handle: Contract, difference: int) -> None:
        # OpenZeppelin's ERC20 layout: _balances, _allowances, _totalSupply
        slot = handle.__dict__["_deal_mapping"] + 2
        supply = handle.totalSupply()
        if self.backend.storage(handle._address_bytes, slot) != supply:
            raise ConfigError(f"{handle!r}: totalSupply is not two slots after the balances mapping")
        self.backend.set_storage(handle._address_bytes, slot, supply + difference)

    @contextlib.contextmanager
    def expect_emit(self, name: str, *, emitter: Any = None, args: Mapping[str, Any] | None = None,
                    **fields: Any) -> Iterator[list[Event]]:
        """Assert that a transaction sent inside the block emits event ``name`` with these
        arguments (``args=`` for names Python reserves, such as ``from``; keywords for the
        rest), from ``emitter`` when given. Addresses compare in any form. Yields the list
        the matching events are put in; raises ``AssertionError`` listing what was emitted
        when none matches (Foundry's ``expectEmit``, ape's ``tx.events`` checks)."""
        wanted = {**(args or {}), **fields}
        emitted: list[Event] = []

        def listener(raw: RawReceipt) -> None:
            emitted.extend(event_registry.decode(log) for log in raw.logs)

        self._receipt_listeners.append(listener)
        matches: list[Event] = []
        try:
            yield matches
        finally:
            self._receipt_listeners.remove(listener)
        where = None if emitter is None else address_str(getattr(emitter, "address", emitter))
        matches.extend(
            e for e in emitted
            if e.name == name and (where is None or e.address == where)
            and all(k in e.args and _same(e.args[k], v) for k, v in wanted.items())
        )
        if not matches:
            seen = "; ".join(f"{e.name}{e.args} from {e.address}" for e in emitted) or "no events"
            raise AssertionError(f"expected {name}{wanted or ''}{f' from {where}' if where else ''}, got: {seen}")

    # --------------------------------------------------------------- contracts

    def deploy(
        self,
        contract: str | Artifact,
        *args: Any,
        sender: Any,
        value: int = 0,
        gas: int | None = None,
        handle: type[Contract] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Deploy a shipped contract by name, or any artifact; return its handle (``handle``,
        or the artifact's typed handle class, or a plain ``Contract``)."""
        artifact = load(contract) if isinstance(contract, str) else contract
        if not artifact.bytecode:
            raise ConfigError(f"{artifact.name} has no creation bytecode (abstract or interface?)")
        constructor = next((e for e in artifact.abi if e.get("type") == "constructor"), None)
        if constructor is not None:
            fn = AbiFunction({**constructor, "name": "constructor"})
            encoded_args = fn.encode(args, kwargs)[4:]
        elif args or kwargs:
            raise ConfigError(f"{artifact.name} has no constructor arguments, got {len(args)}")
        else:
            encoded_args = b""
        initcode = artifact.bytecode + encoded_args
        self.transactions += 1
        raw = self.backend.deploy(address_bytes(sender), initcode, value=value, gas=gas or DEFAULT_GAS_LIMIT)
        self._raise_if_failed(raw, f"{artifact.name}.constructor")
        for listener in self._receipt_listeners:
            listener(raw)
        return self.at(raw.contract_address, artifact, handle=handle)

    def at(self, address: Any, contract: str | Artifact, *, handle: type[Contract] | None = None) -> Any:
        """A handle on an already deployed contract (``handle``, or the artifact's typed
        handle class, or a plain ``Contract``)."""
        artifact = load(contract) if isinstance(contract, str) else contract
        return (handle or handle_class(artifact.name))(self, address, artifact)

    # --------------------------------------------------------------- execution

    def transact(
        self,
        sender: Any,
        to: Any,
        data: bytes,
        *,
        value: int = 0,
        gas: int | None = None,
        context: str | None = None,
        function: AbiFunction | None = None,
    ) -> Receipt:
        """Send a transaction; raise the typed exception if it reverted."""
        self.transactions += 1
        raw = self.backend.transact(address_bytes(sender), address_bytes(to), data, value=value,
                                    gas=gas or DEFAULT_GAS_LIMIT)
        if raw.status != 1:
            self._raise_if_failed(raw, context)
        for listener in self._receipt_listeners:
            listener(raw)
        return Receipt(raw, function=function)

    def call(
        self,
        to: Any,
        data: bytes,
        *,
        sender: Any = None,
        value: int = 0,
        context: str | None = None,
    ) -> bytes:
        """Execute read-only against the pending state; return the raw output."""
        self.calls += 1
        result = self.backend.call(
            address_bytes(to), data, sender=address_bytes(sender) if sender is not None else None,
            value=value,
        )
        if not result.success:
            exc = decode_revert(result.output, halt_reason=result.halt_reason)
            exc.context = context
            raise exc
        return result.output

    def _raise_if_failed(self, raw: RawReceipt, context: str | None) -> None:
        if raw.status != 1:
            exc = decode_revert(raw.revert_data, halt_reason=raw.halt_reason)
            exc.receipt = Receipt(raw)
            exc.context = context
            raise exc

    # -------------------------------------------------------------------- clock

    def now(self) -> int:
        """Timestamp (seconds) the next transaction runs at."""
        return self.backend.now()

    def warp(self, timestamp: int) -> None:
        """Move the clock to ``timestamp`` (never backwards)."""
        self.backend.warp(int(timestamp))

    def advance(self, seconds: int) -> int:
        """Move the clock ``seconds`` forward; return the new time."""
        if seconds < 0:
            raise ConfigError(f"seconds(={seconds}) must be >= 0")
        target = self.now() + int(seconds)
        self.warp(target)
        return target

    def mine(self, blocks: int = 1) -> None:
        """Seal the pending block (and ``blocks - 1`` empty ones)."""
        self.backend.mine(blocks)

    @property
    def block_number(self) -> int:
        return self.backend.block_number

    # ----------------------------------------------------------------- snapshots

    def snapshot(self) -> int:
        return self.backend.snapshot()

    def revert(self, snapshot_id: int) -> None:
        self.backend.revert(snapshot_id)

    @contextlib.contextmanager
    def isolation(self) -> Iterator[None]:
        """Undo every change (state and clock) made inside the block."""
        snapshot_id = self.snapshot()
        try:
            yield
        finally:
            self.revert(snapshot_id)

    def close(self) -> None:
        self.backend.close()

    def __repr__(self) -> str:
        return f"<Chain {self.backend.name} block={self.block_number} now={self.now()}>"


def _mapping_slot(key: Any, base: int) -> int:
    """Storage slot of ``mapping[key]`` for a mapping at slot ``base`` (Solidity layout)."""
    return int.from_bytes(keccak(address_bytes(key).rjust(32, b"\0") + base.to_bytes(32, "big")), "big")


def _same(actual: Any, expected: Any) -> bool:
    """Equal, with addresses compared in any case and bytes against hex."""
    if isinstance(actual, str) and isinstance(expected, str) and actual.startswith("0x"):
        return actual.lower() == expected.lower()
    if isinstance(expected, Contract):
        return isinstance(actual, str) and actual.lower() == expected.address.lower()
    return actual == expected


__all__ = ["Chain", "Receipt", "handle_class", "make_backend", "register_artifact", "register_handle", "address_str"]
