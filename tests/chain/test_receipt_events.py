"""A receipt's events: ``events_named(name)`` decodes only the logs called ``name`` and gives
exactly what filtering ``events`` by name gives, in the same order, before or after
``events`` was read; logs no ABI knows are ``<unknown>`` either way."""

from __future__ import annotations

import pytest
from eth_hash.auto import keccak

from sim.chain.backend import Log, RawReceipt
from sim.chain.chain import Receipt
from sim.chain.events import UNKNOWN

TOKEN = bytes.fromhex("11" * 20)
ALICE, BOB = bytes.fromhex("aa" * 20), bytes.fromhex("bb" * 20)


def word(value: int | bytes) -> bytes:
    return value.rjust(32, b"\x00") if isinstance(value, bytes) else value.to_bytes(32, "big")


def logs() -> tuple[Log, ...]:
    transfer = keccak(b"Transfer(address,address,uint256)")
    approval = keccak(b"Approval(address,address,uint256)")
    return (
        Log(TOKEN, (transfer, word(ALICE), word(BOB)), word(5), 0),
        Log(TOKEN, (approval, word(ALICE), word(BOB)), word(7), 1),
        Log(TOKEN, (keccak(b"NoSuchEvent()"),), b"", 2),
        Log(TOKEN, (transfer, word(BOB), word(ALICE)), word(2), 3),
        Log(TOKEN, (), b"\x01", 4),
        Log(TOKEN, (transfer, word(ALICE)), word(BOB) + word(1), 5),  # another indexing: not ERC-20's
    )


def receipt() -> Receipt:
    return Receipt(RawReceipt(b"\x00" * 32, 1, 1, 1, 21_000, logs()))


@pytest.mark.parametrize("name", ["Transfer", "Approval", UNKNOWN, "Settled"])
@pytest.mark.parametrize("events_read_first", [False, True])
def test_events_named_is_events_filtered_by_name(name, events_read_first):
    fresh = receipt()
    if events_read_first:
        fresh.events  # noqa: B018 - decodes and caches every log
    assert fresh.events_named(name) == [e for e in receipt().events if e.name == name]


def test_events_named_reads_the_erc20_transfers_with_their_arguments():
    transfers = receipt().events_named("Transfer")
    assert [(e.args["value"], e.log_index) for e in transfers] == [(5, 0), (2, 3)]
