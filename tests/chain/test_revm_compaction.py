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

