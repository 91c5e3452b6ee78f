"""The typed path's shortcuts give what the general path gives.

- A function's precompiled call encoder (elementary static arguments) produces the same
  calldata as the general path (input converters, then the tuple encoder), and any value it
  does not take as is falls through to the general path, which encodes it or refuses it
  with the same ``ConfigError``.
- The revm backend's receipts make their transaction id and their ``Log`` tuples on first
  access: the same values as made eagerly, numbered across a block, one id per transaction.
- ``Receipt.return_value`` is decoded on first access.
"""

from __future__ import annotations

from hashlib import blake2b

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_abi_words import _value  # one strategy per ABI kind for both files

from sim.chain import Chain
from sim.chain.abi import AbiFunction, checksum
from sim.errors import ConfigError

KINDS = ["address", "bool", "bytes1", "bytes4", "bytes32"] + [f"{s}int{b}" for s in ("u", "") for b in (8, 64, 256)]


def _entry(kinds: tuple[str, ...]) -> dict:
    return {"type": "function", "name": "f", "stateMutability": "nonpayable",
            "inputs": [{"name": f"a{i}", "type": k} for i, k in enumerate(kinds)], "outputs": []}


def _general(fn: AbiFunction, args: list) -> bytes:
    """The general path: converters, then the tuple encoder (what ``encode`` did before)."""
    if fn._in is not None:
        args = [c(a) if c else a for c, a in zip(fn._in, args)]
    return fn.selector + fn._encode(args)


@st.composite
def calls(draw):
    kinds = tuple(draw(st.lists(st.sampled_from(KINDS), min_size=0, max_size=5)))
    values = []
    for kind in kinds:
        value = draw(_value(kind))
        if kind == "address" and draw(st.booleans()):  # the form the simulation passes
            value = checksum("0x" + value.hex()) if draw(st.booleans()) else "0x" + value.hex()
        values.append(value)
    return kinds, values


@given(calls())
def test_precompiled_encoder_gives_the_general_paths_calldata(case):
    kinds, values = case
    fn = AbiFunction(_entry(kinds))
    assert fn._fast is not None
    assert fn.encode(values) == fn._fast(values) == _general(fn, values)


@pytest.mark.parametrize(
    ("kind", "value"),
    [("uint8", 256), ("uint256", -1), ("uint256", True), ("uint256", "1"), ("bool", 1), ("bytes4", b"12345"),
     ("address", b"\x00" * 19), ("address", 5), ("address", "0x" + "zz" * 20), ("address", "0x12")],
)
def test_values_it_does_not_take_are_refused_as_before(kind, value):
    fn = AbiFunction(_entry((kind,)))
    general = AbiFunction(_entry((kind,)))
    general._fast = None  # the path every call took before
    with pytest.raises(ConfigError) as before:
        general.encode([value])
    with pytest.raises(ConfigError) as now:
        fn.encode([value])
    assert str(now.value) == str(before.value)


def test_other_forms_fall_through_to_the_general_path():
    fn = AbiFunction(_entry(("address", "bytes2", "uint8")))

    class Holder:
        address = "0x" + "ab" * 20

    assert fn.encode([Holder(), "US", 7]) == _general(fn, [bytes.fromhex("ab" * 20), b"US", 7])
    assert fn.encode([Holder()], {"a1": b"US", "a2": 7}) == fn.encode([Holder(), "US", 7])
    with pytest.raises(ConfigError, match="takes 3 argument"):
        fn.encode([Holder(), "US"])


def test_revm_receipts_make_ids_and_logs_on_access_as_before():
    chain = Chain("revm")
    admin = chain.deployer
    cash = chain.deploy("CashToken", "US Dollar", "USD", 6, admin, False, sender=admin)
    cash.grantRole(cash.MINTER_ROLE(), admin, sender=admin)
    alice, bob = chain.new_account(), chain.new_account()
    chain.mine()
    first = cash.mint(alice, 100, sender=admin)
    second = cash.transfer(bob, 40, sender=alice)
    # ids: the same synthetic hash as before, one per transaction
    backend = chain.backend
    count = backend._tx_count
    expected = blake2b(b"revm-tx" + bytes.fromhex(alice[2:]) + (0).to_bytes(8, "big") + count.to_bytes(8, "big"),
                       digest_size=32).digest()
    assert second.raw.tx_hash == expected and second.tx_hash == "0x" + expected.hex()
    assert first.raw.tx_hash != second.raw.tx_hash
    # logs: numbered across the block, decoded the same
    assert [log.log_index for log in first.raw.logs] == [0]
    assert [log.log_index for log in second.raw.logs] == [1]
    (log,) = second.raw.logs
    assert log.address == bytes.fromhex(cash.address[2:]) and log.data == (40).to_bytes(32, "big")
    assert second.raw.logs is second.raw.logs  # made once
    (event,) = second.events
    assert event.name == "Transfer" and event.args["value"] == 40
    assert second.return_value is True
    assert cash.balanceOf(bob) == 40


def test_a_handles_call_and_transaction_say_where_a_revert_came_from_as_before():
    """The handle's direct path (no ``Contract._call`` / ``_transact`` frame) gives a revert
    the same ``context`` and receipt, and refuses a transaction without a sender the same."""
    from sim.errors import ContractRevert

    chain = Chain("revm")
    admin = chain.deployer
    cash = chain.deploy("CashToken", "US Dollar", "USD", 6, admin, False, sender=admin)
    stranger = chain.new_account()
    with pytest.raises(ContractRevert) as sent:
        cash.mint(stranger, 1, sender=stranger)  # no MINTER_ROLE
    assert sent.value.context == "CashToken.mint" and sent.value.receipt.status == 0
    with pytest.raises(ContractRevert) as called:
        cash.mint.call(stranger, 1, sender=stranger)
    assert called.value.context == "CashToken.mint"
    with pytest.raises(ConfigError, match="CashToken.mint sends a transaction: pass sender="):
        cash.mint(stranger, 1)
