"""revm compaction: the live state moves to a fresh EVM, and nothing observable changes."""

from __future__ import annotations

import pytest

from sim.chain import Chain
from sim.chain.revm import RevmBackend
from sim.contracts import deploy_cash_token


@pytest.fixture
def revm_chain():
    return Chain(RevmBackend(compact_every=None))


def _funded_cash(chain, holders):
    cash = deploy_cash_token(chain, admin=chain.deployer)
    for i, holder in enumerate(holders):
        cash.mint(holder, 1_000 + i, sender=chain.deployer)
    return cash


def test_compaction_keeps_balances_code_nonces_and_storage(revm_chain):
    chain = revm_chain
    holders = [chain.new_account() for _ in range(5)]
    cash = _funded_cash(chain, holders)
    cash.transfer(holders[1], 7, sender=holders[0])
    backend = chain.backend
    before = (
        [cash.balanceOf(h) for h in holders], cash.totalSupply(), backend.code(bytes.fromhex(cash.address[2:])),
        backend._evm.basic(cash.address.lower()).code_hash, backend.nonce(bytes.fromhex(chain.deployer[2:])),
        chain.balance(chain.deployer),
    )
    backend.compact()
    after = (
        [cash.balanceOf(h) for h in holders], cash.totalSupply(), backend.code(bytes.fromhex(cash.address[2:])),
        backend._evm.basic(cash.address.lower()).code_hash, backend.nonce(bytes.fromhex(chain.deployer[2:])),
        chain.balance(chain.deployer),
    )
    assert after == before
    assert backend.compactions == 1


def test_a_compacted_chain_keeps_working(revm_chain):
    chain = revm_chain
    holders = [chain.new_account() for _ in range(3)]
    cash = _funded_cash(chain, holders)
    chain.backend.compact()
    chain.backend.compact()  # twice: state read back from the fresh EVM's database
    receipt = cash.transfer(holders[2], 500, sender=holders[0])
    assert receipt.events_named("Transfer")[0].args["value"] == 500
    assert [cash.balanceOf(h) for h in holders] == [500, 1_001, 1_502]
    second = deploy_cash_token(chain, admin=chain.deployer)
    assert second.address != cash.address and second.totalSupply() == 0


def test_compaction_drops_the_journal(revm_chain):
    chain = revm_chain
    holders = [chain.new_account() for _ in range(2)]
    cash = _funded_cash(chain, holders)
    for _ in range(200):
        cash.transfer(holders[1], 1, sender=holders[0])
    grown = len(chain.backend._evm.journal_str)
    chain.backend.compact()
    assert len(chain.backend._evm.journal_str) < grown / 4


def test_compaction_is_refused_while_a_snapshot_is_open(revm_chain):
    chain = revm_chain
    chain.snapshot()
    with pytest.raises(RuntimeError, match="snapshot is open"):
        chain.backend.compact()


def test_automatic_compaction_waits_for_open_snapshots():
    chain = Chain(RevmBackend(compact_every=5))
    holders = [chain.new_account() for _ in range(2)]
    cash = _funded_cash(chain, holders)
    snapshot = chain.snapshot()
    for _ in range(10):
        cash.transfer(holders[1], 1, sender=holders[0])
    assert chain.backend.compactions == 0
    chain.revert(snapshot)
    assert cash.balanceOf(holders[0]) == 1_000
    cash.transfer(holders[1], 1, sender=holders[0])
    assert chain.backend.compactions == 1



def test_compaction_carries_every_written_slot_and_drops_the_cleared_ones(revm_chain):
    chain = revm_chain
    holders = [chain.new_account() for _ in range(4)]
    cash = _funded_cash(chain, holders)
    cash.transfer(holders[1], 1_000, sender=holders[0])  # holder 0's balance slot back to zero
    cash.transfer(holders[3], 3, sender=holders[2])
    backend, token = chain.backend, bytes.fromhex(cash.address[2:])
    slots = {holder: chain._balance_slot(cash, holder) for holder in holders}
    before = {holder: backend.storage(token, slot) for holder, slot in slots.items()}
    assert before[holders[0]] == 0 and before[holders[1]] == 2_001
    backend.compact()
    assert {holder: backend.storage(token, slot) for holder, slot in slots.items()} == before
    kept = backend._storage[cash.address.lower()]
    assert slots[holders[0]] not in kept  # a zero slot is not re-inserted
    assert kept[slots[holders[3]]] == 1_006


def test_the_storage_rendering_is_read_key_and_present_value():
    from sim.chain.revm import _slot_values

    rendering = ("7: StorageSlot { previous_or_original_value: 0, present_value: 12 }, "
                 "115792089237316195423570985008687907853269984665640564039457584007913129639935: "
                 "StorageSlot { previous_or_original_value: 5, present_value: 0 }")
    assert list(_slot_values(rendering)) == [(7, 12), (2**256 - 1, 0)]


@pytest.mark.parametrize("rendering", [
    "7: StorageSlot { previous_or_original_value: 0x0, present_value: 0xc }",  # hex, not decimal
    "7: Slot { original: 0, present: 12 }",  # renamed fields
])
def test_an_unexpected_storage_rendering_is_refused_not_misread(rendering):
    from sim.chain.revm import _slot_values
    from sim.errors import BackendUnavailable

    with pytest.raises(BackendUnavailable, match="unexpected storage rendering"):
        list(_slot_values(rendering))


def test_a_storage_map_longer_than_a_piece_is_read_whole_and_in_order():
    from sim.chain import revm

    slots = [(3**i % 2**256, 0 if i % 7 == 0 else 2**i) for i in range(5_000)]
    rendering = ", ".join(f"{key}: StorageSlot {{ previous_or_original_value: {i}, present_value: {value} }}"
                          for i, (key, value) in enumerate(slots))
    assert len(rendering) > 3 * revm._PIECE
    assert list(revm._slot_values(rendering)) == slots
