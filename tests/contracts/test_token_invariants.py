"""Token invariants under random sequences of holder, agent and clock actions.

A hypothesis state machine drives one security token with every kind of rule installed
(lock-up, holder caps, balance cap, jurisdictions) through random mints, transfers,
forced transfers, burns, freezes, pauses, recoveries and clock moves, and checks after
every step:

- the sum of all balances equals the total supply;
- frozen plus held tokens never exceed a wallet's balance, nor do locked ones;
- no wallet that is not verified gains tokens unless a ``ForcedTransfer`` event recorded
  the compliance override;
- for every holder transfer and mint, ``detectTransferRestriction`` predicted the real
  outcome: 0 when it succeeded, and the same code as the typed error when it failed.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from sim.contracts import HolderLimit, Jurisdictions, Lockup, MaxBalance, Restriction
from sim.contracts.settlement import HOLD_OPERATOR_ROLE
from sim.errors import ContractRevert, TransferRestricted

ZERO = "0x" + "00" * 20
DAY = 86_400
EXAMPLES = int(os.environ.get("TOKENSIM_HYPOTHESIS_EXAMPLES", "25"))


@pytest.fixture
def world(chain, make_investor, make_security_token, identity_registry, deployer):
    token = make_security_token(
        modules=[
            Lockup(days=10),
            HolderLimit(max_holders=5, max_non_accredited_purchasers=2),
            MaxBalance(max_balance=400),
            Jurisdictions(block=["KP"]),
        ]
    )
    twin_a = make_investor(investor_id="twin")
    wallets = {
        "twin_a": twin_a,
        "twin_b": make_investor(investor_id="twin"),
        "acc_us": make_investor(),
        "retail_1": make_investor("retail"),
        "retail_2": make_investor("retail"),
        "retail_3": make_investor("retail"),
        "acc_fr": make_investor(jurisdiction="FR"),
        "north_korea": make_investor(jurisdiction="KP"),
        "unverified": make_investor(verified=False),
        "unregistered": chain.new_account(),
    }
    operator = chain.new_account()
    token.grantRole(HOLD_OPERATOR_ROLE, operator, sender=deployer)
    return token, wallets, identity_registry, deployer, operator


def test_token_invariants_hold_under_random_operations(chain, world):
    token, wallets, registry, agent, operator = world
    lockup = token.module("lockup")
    names = sorted(wallets)
    base = [chain.snapshot()]  # the state every example starts from (re-taken after each revert)

    class TokenMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            chain.revert(base[0])
            base[0] = chain.snapshot()
            self.overridden: set[str] = set()
            self.holds: list[bytes] = []

        wallet = st.sampled_from(names)
        amount = st.integers(min_value=0, max_value=250)

        def _holder(self, data) -> str:
            """A wallet that holds tokens, when there is one: where the interesting moves are."""
            holders = [n for n in names if token.balanceOf(wallets[n]) > 0]
            return data.draw(st.sampled_from(holders or names), label="holder")

        def _predicted(self, sender: str, to: str, amount: int, action) -> None:
            verified_before = registry.isVerified(to)
            code = token.detectTransferRestriction(sender, to, amount)
            try:
                action()
            except TransferRestricted as refused:
                assert code != Restriction.SUCCESS, f"detect said allowed, transfer raised {refused}"
                assert refused.code == code, f"detect said {Restriction(code).name}, transfer raised {refused}"
            except ContractRevert as other:  # pragma: no cover - would be a bug
                raise AssertionError(f"refusal without a restriction code: {other!r}") from other
            else:
                assert code == Restriction.SUCCESS, f"detect said {Restriction(code).name}, transfer went through"
                assert verified_before or amount == 0, f"unverified {to} received tokens"

        @rule(to=wallet, amount=amount)
        def mint(self, to: str, amount: int) -> None:
            address = wallets[to]
            self._predicted(ZERO, address, amount, lambda: token.mint(address, amount, sender=agent))

        @rule(data=st.data(), to=wallet, amount=amount)
        def transfer(self, data, to: str, amount: int) -> None:
            src, dst = wallets[self._holder(data)], wallets[to]
            self._predicted(src, dst, amount, lambda: token.transfer(dst, amount, sender=src))

        @rule(data=st.data(), to=wallet, amount=amount, override=st.booleans())
        def forced_transfer(self, data, to: str, amount: int, override: bool) -> None:
            src, dst = wallets[self._holder(data)], wallets[to]
            verified = registry.isVerified(dst)
            try:
                receipt = token.forcedTransfer(src, dst, amount, override, sender=agent)
            except ContractRevert as refused:
                assert isinstance(refused, TransferRestricted), repr(refused)
                return
            (event,) = receipt.events_named("ForcedTransfer")
            assert event.complianceOverridden is override
            if not verified and amount > 0:
                assert override, "forced transfer to an unverified wallet without override"
                self.overridden.add(dst)

        @rule(data=st.data(), amount=amount)
        def burn(self, data, amount: int) -> None:
            try:
                token.burn(wallets[self._holder(data)], amount, sender=agent)
            except TransferRestricted:
                pass

        @rule(data=st.data(), amount=st.integers(min_value=0, max_value=100))
        def freeze_partial(self, data, amount: int) -> None:
            try:
                token.freezePartialTokens(wallets[self._holder(data)], amount, sender=agent)
            except ContractRevert as refused:
                assert type(refused).__name__ == "TokenFreezeExceedsBalance"

        @rule(data=st.data(), amount=st.integers(min_value=0, max_value=100))
        def unfreeze_partial(self, data, amount: int) -> None:
            try:
                token.unfreezePartialTokens(wallets[self._holder(data)], amount, sender=agent)
            except ContractRevert as refused:
                assert type(refused).__name__ == "TokenUnfreezeExceedsFrozen"

        @rule(data=st.data(), amount=st.integers(min_value=1, max_value=150))
        def hold(self, data, amount: int) -> None:
            hold_id = len(self.holds).to_bytes(32, "big")
            try:
                token.hold(hold_id, wallets[self._holder(data)], amount, sender=operator)
            except TransferRestricted:
                return
            self.holds.append(hold_id)

        @rule(data=st.data(), to=wallet, execute=st.booleans())
        def settle_hold(self, data, to: str, execute: bool) -> None:
            live = [h for h in self.holds if token.holdOf(h).amount > 0]
            if not live:
                return
            hold_id = data.draw(st.sampled_from(live), label="hold")
            if not execute:
                token.releaseHold(hold_id, sender=operator)
                return
            record = token.holdOf(hold_id)
            amount = data.draw(st.integers(min_value=1, max_value=record.amount), label="part")
            verified = registry.isVerified(wallets[to])
            try:
                token.executeHold(hold_id, wallets[to], amount, sender=operator)
            except TransferRestricted:
                assert token.holdOf(hold_id).amount == record.amount, "a refused execution consumed the hold"
                return
            assert verified, f"unverified {to} received tokens from a hold"

        @rule(holder=wallet, frozen=st.booleans())
        def set_frozen(self, holder: str, frozen: bool) -> None:
            token.setAddressFrozen(wallets[holder], frozen, sender=agent)

        @rule(paused=st.booleans())
        def pause(self, paused: bool) -> None:
            if paused != token.paused():
                (token.pause if paused else token.unpause)(sender=agent)

        @rule(lost=st.sampled_from(["twin_a", "twin_b"]))
        def recover(self, lost: str) -> None:
            other = "twin_b" if lost == "twin_a" else "twin_a"
            if token.heldBalanceOf(wallets[lost]) > 0:
                return
            token.recoverWallet(wallets[lost], wallets[other], sender=agent)
            token.setAddressFrozen(wallets[lost], False, sender=agent)

        @rule(days=st.integers(min_value=0, max_value=12))
        def advance(self, days: int) -> None:
            chain.advance(days * DAY + 1)

        @invariant()
        def supply_equals_sum_of_balances(self) -> None:
            assert sum(token.balanceOf(wallets[n]) for n in names) == token.totalSupply()

        @invariant()
        def frozen_held_and_locked_never_exceed_balance(self) -> None:
            for n in names:
                balance = token.balanceOf(wallets[n])
                assert token.frozenTokens(wallets[n]) + token.heldBalanceOf(wallets[n]) <= balance, n
                assert lockup.lockedBalanceOf(wallets[n])[0] <= balance, n

        @invariant()
        def unverified_holders_came_by_recorded_override(self) -> None:
            for n in names:
                address = wallets[n]
                if token.balanceOf(address) > 0 and not registry.isVerified(address):
                    assert address in self.overridden, f"{n} holds tokens without verification"

    run_state_machine_as_test(
        TokenMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
