"""Tokenized collateral under random sequences (hypothesis): token, custodian, engine, DvP.

One revm chain holds a security token (accredited holders only, a 30-day lock-up per lot),
a DvP settlement contract for it and the cash token, and a margin engine whose collateral
custodian holds what is given by title transfer and places the holds of what is pledged in
place. Three accredited investors hold the token and have margin accounts; a liquidator and
a buyer are verified too. Random steps: pledges by title transfer and in place, releases
of both, transfers and DvP sales by the owners (some refused), price moves, time passing,
calls, liquidations with foreclosure, and the sale's settlement. After every step:

- supply equals the sum of balances across wallets, the custodian and the engine;
- a holder's tokens on hold never exceed its balance, and what the engine has pledged in
  place equals what the custodian has on hold for it;
- the custodian holds exactly what the engine's ledger says was given by title transfer;
- no holder of the token fails its verification;
- the engine's cash equals its ledger; every account can be valued.

``TOKENSIM_HYPOTHESIS_EXAMPLES`` raises the number of sequences (default 15 of 30 steps).
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from test_margin_engine import CALL_PERIOD, T0, USD, Method, build_world

from sim.calendar import DAY
from sim.chain import Chain
from sim.contracts import Identity, deploy_security_token
from sim.contracts.assets import Asset, AssetClass
from sim.contracts.identity import deploy_identity_registry
from sim.contracts.margin import deploy_collateral_custodian
from sim.contracts.settlement import HOLD_OPERATOR_ROLE, deploy_dvp
from sim.errors import ContractRevert

EXAMPLES = int(os.environ.get("TOKENSIM_HYPOTHESIS_EXAMPLES", "15"))
OWNERS = ("alice", "bob", "carol")
PRICE = 10_000  # cents


class System:
    """Deployed once on a revm chain; each example starts from the same snapshot."""

    def __init__(self) -> None:
        chain = self.chain = Chain("revm", genesis_timestamp=T0 - 1)
        admin = self.admin = chain.accounts[0]
        self.w = w = build_world(chain, admin)
        registry = self.registry = deploy_identity_registry(chain, admin=admin)
        self.token = token = deploy_security_token(chain, registry=registry, admin=admin, symbol="TSF",
                                                   modules=[{"kind": "accredited_only"}, {"kind": "lockup", "days": 30}])
        assets = chain.at(w.collateral.assets(), "AssetRegistry")
        assets.record(token, Asset(AssetClass.EQUITY, main_index=True, issuer=chain.new_account()), sender=admin)
        w.collateral.setEligible(token, True, sender=admin)
        w.collateral.setLockupModule(token, token.module("lockup"), sender=admin)
        self.custodian = deploy_collateral_custodian(chain, w.engine, token, admin=admin)
        token.grantRole(HOLD_OPERATOR_ROLE, self.custodian, sender=admin)
        self.dvp = deploy_dvp(chain, admin=admin, clearing=admin, tokens=[(token, admin), (w.cash, admin)])
        self.wallets = {name: chain.new_account() for name in (*OWNERS, "buyer")}
        self.wallets["liquidator"] = w.liquidator
        for name, wallet in self.wallets.items():
            registry.register(wallet, Identity(investor_id=f"inv-{name}", investor_type="accredited"), sender=admin)
        for wallet in (self.custodian.address, self.dvp.address):
            registry.register(wallet, Identity(investor_id=f"firm-{wallet}", investor_type="institutional"), sender=admin)
        w.tokens["TSF"], w.units["TSF"] = token, 1
        w.set_price("TSF", PRICE)
        for name in OWNERS:
            wallet = self.wallets[name]
            token.mint(wallet, 1_000, sender=admin)
            w.engine.open_account(wallet, retail=False, method=Method.SILOED, sender=admin)
        w.cash.mint(self.wallets["buyer"], 10**9 * USD, sender=admin)
        chain.advance(30 * DAY)  # the first lots are released
        token.mint(self.wallets["alice"], 500, sender=admin)  # a lot locked 30 days from now
        w.refresh()
        self.base = chain.snapshot()

    @property
    def holders(self) -> list[str]:
        return [*self.wallets.values(), self.custodian.address, self.w.engine.address, self.dvp.address]


@pytest.fixture(scope="module")
def system():
    return System()


def test_pledged_tokens_are_conserved_encumbered_only_by_their_pledge_and_held_only_by_verified_holders(system):
    s = system
    w, token, engine = s.w, s.token, s.w.engine
    reached: Counter[str] = Counter()  # the paths the sequences went through, checked at the end
    owners = st.sampled_from(OWNERS)
    amounts = st.integers(min_value=1, max_value=600)

    class Collateral(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            s.chain.revert(s.base)
            s.base = s.chain.snapshot()
            self.instructions: list[int] = []

        def attempt(self, call, path: str = "") -> None:
            try:
                receipt = call()
            except ContractRevert:
                reached[f"{path} refused"] += 1
                return  # a refusal is a typed error and changes nothing: the invariants check it
            reached[path] += 1
            for name in ("Foreclosed", "ForeclosureRefused", "ShortfallCharged"):
                reached[name] += len(receipt.events_named(name)) if receipt is not None else 0

        @rule(owner=owners, amount=amounts)
        def pledge_by_title_transfer(self, owner, amount):
            wallet = s.wallets[owner]
            self.attempt(lambda: token.approve(engine, amount, sender=wallet))
            self.attempt(lambda: engine.pledge(token, amount, sender=wallet), "pledge")

        @rule(owner=owners, amount=amounts)
        def pledge_in_place(self, owner, amount):
            self.attempt(lambda: engine.pledgeInPlace(token, amount, sender=s.wallets[owner]), "pledge in place")

        @rule(owner=owners, amount=amounts)
        def release(self, owner, amount):
            self.attempt(lambda: engine.release(token, amount, sender=s.wallets[owner]))

        @rule(owner=owners, amount=amounts)
        def release_in_place(self, owner, amount):
            self.attempt(lambda: engine.releaseInPlace(token, amount, sender=s.wallets[owner]))

        @rule(owner=owners, amount=amounts)
        def transfer_to_the_buyer(self, owner, amount):
            self.attempt(lambda: token.transfer(s.wallets["buyer"], amount, sender=s.wallets[owner]))

        @rule(owner=owners, amount=amounts)
        def sell_by_dvp(self, owner, amount):
            seller, buyer = s.wallets[owner], s.wallets["buyer"]
            try:
                receipt = s.dvp.instruct(seller, buyer, token, amount, w.cash, amount * 100 * USD,
                                         s.chain.now() + DAY, b"\x01" * 32, sender=s.admin)
            except ContractRevert:
                return
            instruction = receipt.return_value
            self.attempt(lambda: s.dvp.affirm(instruction, True, sender=seller))
            self.attempt(lambda: w.cash.approve(s.dvp, amount * 100 * USD, sender=buyer))
            self.attempt(lambda: s.dvp.affirm(instruction, False, sender=buyer))
            self.attempt(lambda: s.dvp.settle(instruction, sender=s.admin), "dvp sale")

        @rule(owner=owners, quantity=st.integers(min_value=1, max_value=400))
        def buy_the_index_on_margin(self, owner, quantity):
            self.attempt(lambda: w.buy(s.wallets[owner], "IDX", quantity))

        @rule(cents=st.integers(min_value=1_000, max_value=15_000), idx=st.integers(min_value=3_000, max_value=12_000))
        def prices_move(self, cents, idx):
            w.set_price("TSF", cents)
            w.set_price("IDX", idx)

        @rule(days=st.integers(min_value=1, max_value=20))
        def time_passes(self, days):
            s.chain.advance(days * DAY)
            w.refresh()

        @rule(owner=owners, crash=st.booleans())
        def call_then_liquidate_after_the_deadline(self, owner, crash):
            wallet = s.wallets[owner]
            if crash:  # the index and the token fall 70%: an account with a position is under water
                for name in ("IDX", "TSF"):
                    w.set_price(name, max(100, w.prices[name] * 3 // 10))
            self.attempt(lambda: engine.issueCall(wallet, sender=s.admin))
            s.chain.advance(CALL_PERIOD + 1)
            w.refresh()
            self.attempt(lambda: engine.liquidate(wallet, sender=s.admin), "liquidate")

        @rule(owner=owners, pledged=st.integers(min_value=50, max_value=500), in_place=st.booleans())
        def a_leveraged_owner_defaults(self, owner, pledged, in_place):
            """Pledge, buy the index on margin, a crash, the call unmet, the liquidation."""
            wallet = s.wallets[owner]
            if in_place:
                self.pledge_in_place(owner, pledged)
            else:
                self.pledge_by_title_transfer(owner, pledged)
            w.set_price("IDX", PRICE)
            w.set_price("TSF", PRICE)
            self.buy_the_index_on_margin(owner, pledged // 2)
            self.call_then_liquidate_after_the_deadline(owner, crash=True)
            self.liquidator_settles_a_sale(owner, pledged * 20)  # what the sale fetched: the invariants hold whatever it is
            del wallet

        @rule(owner=owners, proceeds=st.integers(min_value=0, max_value=100_000))
        def liquidator_settles_a_sale(self, owner, proceeds):
            liquidator = s.wallets["liquidator"]
            w.cash.mint(liquidator, proceeds * USD, sender=s.admin)
            w.cash.approve(engine, proceeds * USD, sender=liquidator)
            self.attempt(lambda: engine.settleForeclosure(s.wallets[owner], proceeds * USD, sender=s.admin),
                         "settle foreclosure")

        @invariant()
        def supply_is_the_sum_of_balances(self):
            assert sum(token.balanceOf(a) for a in s.holders) == token.totalSupply()

        @invariant()
        def holds_never_exceed_balances_and_match_the_pledges_in_place(self):
            for name in OWNERS:
                wallet = s.wallets[name]
                assert token.heldBalanceOf(wallet) <= token.balanceOf(wallet)
                assert engine.inPlaceOf(wallet, token) == s.custodian.encumberedOf(wallet, token)
                hold = token.holdOf(s.custodian.holdIdOf(wallet, token))
                assert hold[2] == engine.inPlaceOf(wallet, token)

        @invariant()
        def the_custodian_holds_what_was_given_by_title_transfer(self):
            title = sum(engine.collateralOf(s.wallets[n], token) - engine.inPlaceOf(s.wallets[n], token) for n in OWNERS)
            assert token.balanceOf(s.custodian) == title

        @invariant()
        def every_holder_is_verified(self):
            for holder in s.holders:
                if token.balanceOf(holder) > 0:
                    assert s.registry.isVerified(holder)

        @invariant()
        def every_account_can_be_valued_and_the_engine_cash_is_its_ledger(self):
            for name in OWNERS:
                engine.status(s.wallets[name])
            assert w.ledger_balanced()

    run_state_machine_as_test(
        Collateral,
        settings=settings(max_examples=EXAMPLES, stateful_step_count=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]),
    )
    # the sequences went where the invariants matter: both pledges, sales, foreclosures and their settlement
    for path in ("pledge", "pledge in place", "dvp sale", "liquidate", "Foreclosed", "settle foreclosure"):
        assert reached[path] > 0, f"{path}: {sorted(reached.items())}"
