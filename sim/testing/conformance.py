"""The backend conformance suite: what every chain backend must do the same way.

A backend's test module subclasses ``BackendConformance`` and says how to build the
backend; every test below then runs against it::

    class TestEthTester(BackendConformance):
        @classmethod
        def make_backend(cls):
            return EthTesterBackend(genesis_timestamp=GENESIS)

Tests that need a capability the backend lacks (``Backend.capabilities``) are skipped
with the reason. The suite checks outcomes through ``Chain``, so it also proves that
reverts, events and return values decode the same on every backend.
"""

from __future__ import annotations

from typing import ClassVar

import pytest

from sim.chain import Backend, Chain
from sim.errors import (
    Error,
    ExecutionHalted,
    Panic,
    TimeTravelError,
    UnknownRevert,
)
from sim.chain.reverts import solidity

GENESIS = 1_767_225_600  # 2026-01-01T00:00:00Z
TAG = b"conformance".ljust(32, b"\x00")


class BackendConformance:
    """Subclass and implement ``make_backend``; pytest collects the tests."""

    genesis: ClassVar[int] = GENESIS

    @classmethod
    def make_backend(cls) -> Backend:  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------------ fixtures

    @pytest.fixture
    def chain(self) -> Chain:
        """A fresh chain on the backend under test (not the plugin's shared one)."""
        chain = Chain(self.make_backend())
        yield chain
        chain.close()

    @pytest.fixture
    def probe(self, chain: Chain):
        """A ``ChainProbe`` deployed with ``value() == 7``."""
        return chain.deploy("ChainProbe", 7, sender=chain.deployer)

    def _require(self, chain: Chain, capability: str) -> None:
        if not getattr(chain.backend.capabilities, capability):
            pytest.skip(f"{chain.backend.name} lacks capability {capability!r}")

    # ------------------------------------------------------------------ accounts

    def test_accounts_are_prefunded_and_distinct(self, chain: Chain) -> None:
        accounts = chain.accounts
        assert len(accounts) >= 2
        assert len(set(accounts)) == len(accounts)
        assert all(chain.balance(a) > 10**18 for a in accounts)

    def test_new_accounts_are_distinct_and_can_transact_without_ether(self, chain, probe) -> None:
        first, second = chain.new_account(), chain.new_account()
        assert first != second and first not in chain.accounts
        assert chain.balance(first) == 0
        receipt = probe.setValue(1, TAG, sender=first)
        assert receipt.status == 1
        assert chain.backend.nonce(bytes.fromhex(first[2:])) == 1

    def test_set_balance_changes_the_ether_balance(self, chain) -> None:
        account = chain.new_account()
        chain.backend.set_balance(bytes.fromhex(account[2:]), 12345)
        assert chain.balance(account) == 12345

    # --------------------------------------------------------------- execution

    def test_deploy_runs_the_constructor_and_stores_code(self, chain, probe) -> None:
        assert probe.value() == 7
        assert chain.backend.code(bytes.fromhex(probe.address[2:])) == probe.artifact.deployed_bytecode

    def test_transaction_changes_state_and_returns_events(self, chain, probe) -> None:
        receipt = probe.setValue(42, TAG, sender=chain.deployer)
        assert probe.value() == 42
        assert [e.name for e in receipt.events] == ["ValueSet"]
        event = receipt.events[0]
        assert event.address == probe.address
        assert event.args == {"caller": chain.deployer, "previous": 7, "value": 42, "tag": TAG}
        assert receipt.gas_used > 21_000

    def test_transaction_return_value_is_decoded(self, chain, probe) -> None:
        self._require(chain, "return_data")
        receipt = probe.setValue(9, TAG, sender=chain.deployer)
        assert receipt.return_value == 7

    def test_call_sees_msg_sender_and_chain_id(self, chain, probe) -> None:
        timestamp, number, sender, chain_id = probe.context(sender=chain.accounts[1])
        assert sender == chain.accounts[1]
        assert chain_id > 0
        assert number == chain.block_number

    def test_value_transfer_moves_ether(self, chain, probe) -> None:
        before = chain.balance(chain.deployer)
        probe.deposit(sender=chain.deployer, value=1000)
        assert chain.balance(probe.address) == 1000
        assert chain.balance(chain.deployer) == before - 1000

    def test_gas_is_not_charged(self, chain, probe) -> None:
        before = chain.balance(chain.deployer)
        probe.setValue(1, TAG, sender=chain.deployer)
        assert chain.balance(chain.deployer) == before

    # ------------------------------------------------------------------ reverts

    def test_error_string_revert_becomes_Error(self, chain, probe) -> None:
        with pytest.raises(Error) as info:
            probe.failWithReason.transact("no such thing", sender=chain.deployer)
        assert info.value.reason == "no such thing"
        assert info.value.receipt.status == 0

    def test_error_string_in_a_call_becomes_Error(self, chain, probe) -> None:
        with pytest.raises(Error) as info:
            probe.failWithReason("from a call")
        assert info.value.reason == "from a call"
        assert info.value.receipt is None

    def test_custom_error_becomes_its_own_class_with_fields(self, chain, probe) -> None:
        with pytest.raises(solidity.ProbeFailed) as info:
            probe.failWithCustomError.transact(3, "three", sender=chain.accounts[1])
        refused = info.value
        assert (refused.code, refused.caller, refused.note) == (3, chain.accounts[1], "three")
        assert refused.context == "ChainProbe.failWithCustomError"

    def test_panic_becomes_Panic_with_code(self, chain, probe) -> None:
        with pytest.raises(Panic) as info:
            probe.failWithPanic(5)
        assert info.value.code == 0x32
        with pytest.raises(Panic) as info:
            probe.divide(1, 0)
        assert info.value.code == 0x12

    def test_empty_revert_becomes_UnknownRevert(self, chain, probe) -> None:
        with pytest.raises(UnknownRevert) as info:
            probe.failEmpty.transact(sender=chain.deployer)
        assert info.value.data == b""

    def test_out_of_gas_halts(self, chain, probe) -> None:
        with pytest.raises(ExecutionHalted):
            probe.burnGas(sender=chain.deployer, gas=200_000)

    def test_invalid_opcode_halts(self, chain, probe) -> None:
        with pytest.raises(ExecutionHalted):
            probe.invalid.transact(sender=chain.deployer)

    def test_reverted_transaction_leaves_state_unchanged(self, chain, probe) -> None:
        with pytest.raises(Error):
            probe.failWithReason.transact("x", sender=chain.deployer)
        assert probe.value() == 7

    # -------------------------------------------------------------------- clock

    def test_first_block_is_one_second_after_genesis(self, chain) -> None:
        assert chain.now() == self.genesis + 1

    def test_transactions_run_at_the_warped_time(self, chain, probe) -> None:
        chain.warp(self.genesis + 1000)
        assert chain.now() == self.genesis + 1000
        probe.setValue(1, TAG, sender=chain.deployer)
        assert probe.context()[0] == self.genesis + 1000

    def test_transactions_at_one_instant_share_its_timestamp(self, chain, probe) -> None:
        chain.warp(self.genesis + 700)
        first = probe.setValue(1, TAG, sender=chain.deployer)
        second = probe.setValue(2, TAG, sender=chain.accounts[1])
        assert first.timestamp == second.timestamp == self.genesis + 700
        assert probe.context()[0] == self.genesis + 700

    def test_transactions_at_one_instant_share_block_and_timestamp(self, chain, probe) -> None:
        self._require(chain, "same_block_transactions")
        chain.warp(self.genesis + 500)
        first = probe.setValue(1, TAG, sender=chain.deployer)
        second = probe.setValue(2, TAG, sender=chain.deployer)
        assert first.block_number == second.block_number
        assert first.timestamp == second.timestamp == self.genesis + 500

    def test_warp_seals_the_block_and_opens_the_next(self, chain, probe) -> None:
        chain.warp(self.genesis + 10)
        first = probe.setValue(1, TAG, sender=chain.deployer)
        chain.warp(self.genesis + 20)
        second = probe.setValue(2, TAG, sender=chain.deployer)
        assert second.block_number == first.block_number + 1
        assert second.timestamp == self.genesis + 20

    def test_warp_backwards_is_refused(self, chain) -> None:
        chain.warp(self.genesis + 100)
        with pytest.raises(TimeTravelError):
            chain.warp(self.genesis + 99)

    def test_warp_to_now_is_a_no_op(self, chain, probe) -> None:
        probe.setValue(1, TAG, sender=chain.deployer)
        number = chain.block_number
        chain.warp(chain.now())
        assert chain.block_number == number

    def test_mine_seals_and_moves_one_second(self, chain) -> None:
        now, number = chain.now(), chain.block_number
        chain.mine(3)
        assert chain.block_number == number + 3
        assert chain.now() == now + 3

    def test_advance_moves_the_clock_forward(self, chain) -> None:
        start = chain.now()
        assert chain.advance(86_400) == start + 86_400
        assert chain.now() == start + 86_400

    # ---------------------------------------------------------------- snapshots

    def test_revert_restores_state_clock_and_block(self, chain, probe) -> None:
        snapshot = chain.snapshot()
        now, number = chain.now(), chain.block_number
        chain.advance(3_600)
        probe.setValue(99, TAG, sender=chain.deployer)
        chain.revert(snapshot)
        assert probe.value() == 7
        assert (chain.now(), chain.block_number) == (now, number)

    def test_revert_keeps_transactions_of_the_pending_block_before_the_snapshot(self, chain, probe) -> None:
        probe.setValue(11, TAG, sender=chain.deployer)
        snapshot = chain.snapshot()
        probe.setValue(12, TAG, sender=chain.deployer)
        chain.revert(snapshot)
        assert probe.value() == 11
        later = probe.setValue(13, TAG, sender=chain.deployer)
        assert later.timestamp == chain.now()

    def test_reverting_uses_the_snapshot_up(self, chain, probe) -> None:
        snapshot = chain.snapshot()
        probe.setValue(1, TAG, sender=chain.deployer)
        chain.revert(snapshot)
        with pytest.raises(ValueError):
            chain.revert(snapshot)
        again = chain.snapshot()
        probe.setValue(2, TAG, sender=chain.deployer)
        chain.revert(again)
        assert probe.value() == 7

    def test_nested_snapshots_revert_in_order(self, chain, probe) -> None:
        outer = chain.snapshot()
        probe.setValue(1, TAG, sender=chain.deployer)
        inner = chain.snapshot()
        probe.setValue(2, TAG, sender=chain.deployer)
        chain.revert(inner)
        assert probe.value() == 1
        chain.revert(outer)
        assert probe.value() == 7

    def test_reverting_to_an_outer_snapshot_discards_inner_ones(self, chain, probe) -> None:
        outer = chain.snapshot()
        inner = chain.snapshot()
        chain.revert(outer)
        with pytest.raises(ValueError):
            chain.revert(inner)

    def test_many_snapshot_cycles_leave_the_chain_usable(self, chain, probe) -> None:
        """Over a thousand nested snapshot and revert cycles (a test suite's worth) do not wear it out."""
        for _ in range(1200):
            outer = chain.snapshot()
            chain.snapshot()
            probe.setValue(1, TAG, sender=chain.deployer)
            chain.revert(outer)
        probe.setValue(2, TAG, sender=chain.deployer)
        assert probe.value() == 2

    # ------------------------------------------------------------------ cheats

    def test_an_impersonated_address_sends_without_its_key(self, chain, probe) -> None:
        self._require(chain, "impersonation")
        keyless = "0x" + "00" * 19 + "aa"
        with chain.prank(keyless) as who:
            receipt = probe.setValue(3, TAG, sender=who)
        assert receipt.events[0].args["caller"].lower() == keyless
        assert chain.backend.nonce(bytes.fromhex(keyless[2:])) == 1

    def test_storage_writes_are_seen_and_undone_by_revert(self, chain, probe) -> None:
        self._require(chain, "storage_writes")
        address = bytes.fromhex(probe.address[2:])
        with chain.isolation():
            chain.backend.set_storage(address, 0, 99)  # ``value`` is the probe's slot 0
            assert (probe.value(), chain.backend.storage(address, 0)) == (99, 99)
        assert probe.value() == 7

    def test_revert_restores_nonces(self, chain, probe) -> None:
        sender = bytes.fromhex(chain.deployer[2:])
        nonce = chain.backend.nonce(sender)
        with chain.isolation():
            probe.setValue(1, TAG, sender=chain.deployer)
            assert chain.backend.nonce(sender) == nonce + 1
        assert chain.backend.nonce(sender) == nonce
        probe.setValue(1, TAG, sender=chain.deployer)
        assert probe.value() == 1
