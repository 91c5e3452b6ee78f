"""Adversarial actors against the whole system, under random sequences (hypothesis).

One chain holds a security token and its cash token, the venue registry, a settlement
contract, the safe harbor with two offerings, and a margin engine with its accounts. Honest
investors act; so do a stranger (no identity), a rogue venue (a registered ATS), a rogue
developer (admin and agent of its own token under the same harbor) and an intermediary the
agent freezes mid-run. Attackers call every function that moves assets with random
arguments: orders and intents signed by their owners or forged by the caller, for the
caller's venue or another's; holds, forced transfers and spot trades they have no right to.
After every step:

- tokens and cash are conserved: every unit is held by a known address (sum == supply);
- no unverified wallet gains security tokens;
- a wallet's tokens or cash went down only by its owner's own act in that step (its
  transfer, its genuinely signed order or intent, its affirmation of a settled instruction,
  its allowance to that spender);
- every margin account can be valued, and one under water can be called and liquidated;
  the engine's cash equals its ledger.

It runs on revm (its own chain, reverted after each example), bounded for ``make test``:
``TOKENSIM_HYPOTHESIS_EXAMPLES`` raises the number of sequences.
"""

from __future__ import annotations

import itertools
import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from test_margin_engine import T0, Method, build_world, pledge

from sim.calendar import DAY
from sim.chain import Chain
from sim.contracts import AGENT_ROLE, Identity, deploy_cash_token, deploy_security_token
from sim.contracts.assets import Asset, AssetClass, deploy_asset_registry
from sim.contracts.identity import deploy_identity_registry
from sim.contracts.settlement import deploy_dvp
from sim.contracts.taxonomy import (
    CLASSIFIER_ROLE,
    UNLIMITED,
    ExitRules,
    Order,
    Purchase,
    Terms,
    VenueKind,
    deploy_safe_harbor,
    deploy_venue_registry,
)
from sim.errors import ContractRevert

EXAMPLES = int(os.environ.get("TOKENSIM_HYPOTHESIS_EXAMPLES", "25"))
INVESTORS = ("alice", "bob", "carol", "frozen")
ATTACKERS = ("stranger", "rogue_venue", "rogue_developer")


class System:
    """Everything the machine plays with, deployed once on a revm chain."""

    def __init__(self) -> None:
        chain = self.chain = Chain("revm", genesis_timestamp=T0 - 1)
        admin = self.admin = chain.accounts[0]
        self.margin = build_world(chain, admin)  # warps to T0
        registry = deploy_identity_registry(chain, admin=admin)
        self.registry = registry
        self.wallets: dict[str, str] = {}
        for name in INVESTORS + ("rogue_venue", "rogue_developer", "buyer_of_record"):
            wallet = chain.new_account()
            registry.register(wallet, Identity(investor_id=f"adv-{name}", investor_type="institutional"), sender=admin)
            self.wallets[name] = wallet
        self.wallets["stranger"] = chain.new_account()
        assets = deploy_asset_registry(chain, admin=admin)
        assets.grantRole(CLASSIFIER_ROLE, admin, sender=admin)
        self.harbor = deploy_safe_harbor(chain, assets, admin=admin)
        self.cash = deploy_cash_token(chain, admin=admin, decimals=6)
        self.token = deploy_security_token(chain, registry=registry, admin=admin, modules=[],
                                           module_context={"exemption": self.harbor})
        rogue = self.wallets["rogue_developer"]
        self.rival = deploy_security_token(chain, registry=registry, admin=rogue, modules=[],
                                           module_context={"exemption": self.harbor})
        for token, developer in ((self.token, admin), (self.rival, rogue)):
            assets.record(token, Asset(AssetClass.EXEMPT_NETWORK_TOKEN), sender=admin)
            self.harbor.set_exit_rules(token, ExitRules(), sender=admin)
            self.harbor.file(token, self.cash, b"\x01" * 32, Terms(window_seconds=365 * DAY), sender=developer)
            token.grantRole(AGENT_ROLE, self.harbor, sender=developer)
        self.venues = deploy_venue_registry(chain, assets, admin=admin)
        self.honest_venue = chain.new_account()
        self.venues.registerVenue(self.honest_venue, int(VenueKind.ATS), "honest", sender=admin)
        self.venues.registerVenue(self.wallets["rogue_venue"], int(VenueKind.ATS), "rogue", sender=admin)
        for venue in (self.honest_venue, self.wallets["rogue_venue"], self.wallets["stranger"]):
            self.venues.list(self.token, sender=venue)  # an exempt class: anyone may list it
        self.clearing = chain.new_account()
        self.dvp = deploy_dvp(chain, admin=admin, clearing=self.clearing,
                              tokens=[(self.token, admin), (self.cash, admin)])
        for name in INVESTORS + ATTACKERS:
            wallet = self.wallets[name]
            if name != "stranger":
                self.token.mint(wallet, 1_000, sender=admin)
            self.cash.mint(wallet, 10**9, sender=admin)
            for spender in (self.venues, self.harbor):  # the unlimited approvals a wallet gives once
                self.token.approve(spender, UNLIMITED, sender=wallet)
                self.cash.approve(spender, UNLIMITED, sender=wallet)
        self.holders = [*self.wallets.values(), self.harbor.address, self.venues.address, self.dvp.address,
                        self.honest_venue, self.clearing, admin]
        self.token.setAddressFrozen(self.wallets["frozen"], True, sender=admin)
        self.nonces = itertools.count(1)
        # margin accounts with positions and collateral, one per investor
        m = self.margin
        self.accounts = []
        for _ in range(3):
            account = m.open(Method.SILOED, cash_usd=20_000)
            pledge(m, account, "TBILL", 100)
            pledge(m, account, "ETH", 10**18)
            m.buy(account, "IDX", 300)
            self.accounts.append(account)
        self.base = chain.snapshot()


@pytest.fixture(scope="module")
def system():
    return System()


def test_no_adversary_moves_anothers_assets_and_every_account_stays_liquidatable(system):
    s = system
    w = s.wallets
    names = INVESTORS + ATTACKERS

    class Adversaries(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            s.chain.revert(s.base)
            s.base = s.chain.snapshot()
            self.pending: dict[int, set[str]] = {}  # instruction -> parties that affirmed
            self.parties: dict[int, tuple[str, str]] = {}  # instruction -> (seller, buyer)

        # ------------------------------------------------------------ bookkeeping

        def _wallets(self) -> dict[str, tuple[int, int]]:
            return {n: (s.token.balanceOf(w[n]), s.cash.balanceOf(w[n])) for n in names}

        def _step(self, call, consenting: set[str]) -> bool:
            """Run ``call``; afterwards only ``consenting`` wallets may have less than before."""
            before = self._wallets()
            try:
                call()
                ok = True
            except ContractRevert:
                ok = False
            after = self._wallets()
            lost = {n for n in names if after[n][0] < before[n][0] or after[n][1] < before[n][1]}
            assert lost <= (consenting if ok else set()), f"{sorted(lost - consenting)} lost assets without their act"
            return ok

        # --------------------------------------------------------------- the acts

        @rule(sender=st.sampled_from(names), to=st.sampled_from(names), amount=st.integers(0, 400))
        def transfer(self, sender, to, amount):
            self._step(lambda: s.token.transfer(w[to], amount, sender=w[sender]), {sender})

        @rule(spender=st.sampled_from(ATTACKERS), owner=st.sampled_from(INVESTORS), amount=st.integers(1, 400),
              cash=st.booleans())
        def pull_with_an_allowance_never_given(self, spender, owner, amount, cash):
            token = s.cash if cash else s.token
            self._step(lambda: token.transferFrom(w[owner], w[spender], amount, sender=w[spender]), set())

        @rule(data=st.data(), well_formed=st.booleans(), seller=st.sampled_from(names), buyer=st.sampled_from(names),
              amount=st.integers(1, 300), price=st.integers(0, 5_000))
        def venue_trade(self, data, well_formed, seller, buyer, amount, price):
            """A trade at the honest venue between two orders their owners signed for it at
            matching prices; or, when not ``well_formed``, whatever an attacker makes of it."""
            ask = bid = payment = price
            caller, named, forge_sell, forge_buy = "honest", "honest", False, False
            if not well_formed:
                caller = data.draw(st.sampled_from(("honest", "rogue_venue", "stranger")))
                named = data.draw(st.sampled_from(("honest", "rogue_venue")))
                forge_sell, forge_buy = data.draw(st.booleans()), data.draw(st.booleans())
                ask, bid, payment = (data.draw(st.integers(0, 5_000)) for _ in range(3))
            venue = s.honest_venue if caller == "honest" else w[caller]
            order_venue = s.honest_venue if named == "honest" else w[named]
            deadline = s.chain.now() + DAY

            def signed(owner, sell, limit, forge):
                order = Order(w[owner], order_venue, s.token.address, s.cash.address, sell, amount, limit,
                              next(s.nonces), deadline)
                return s.venues.sign_order(order, signer=venue if forge else None)

            # A caller "forging" the order of a wallet that is its own signs genuinely: not a forgery.
            forge_sell, forge_buy = forge_sell and venue != w[seller], forge_buy and venue != w[buyer]
            sell, buy = signed(seller, True, ask, forge_sell), signed(buyer, False, bid, forge_buy)
            consenting = {n for n, forged in ((seller, forge_sell), (buyer, forge_buy)) if not forged}
            if self._step(lambda: s.venues.settle(sell, buy, amount, payment, sender=venue), consenting):
                assert not (forge_sell or forge_buy) and order_venue == venue and bid >= payment >= ask

        @rule(data=st.data(), well_formed=st.booleans(), buyer=st.sampled_from(names), amount=st.integers(1, 100),
              price=st.integers(0, 50))
        def harbor_sale(self, data, well_formed, buyer, amount, price):
            """The developer's sale under the buyer's intent for its token at or below the
            buyer's cap; or, when not ``well_formed``, a rogue developer's or stranger's try."""
            caller, rival, forged, intent_rival, cap = "developer", False, False, False, price
            if not well_formed:
                caller = data.draw(st.sampled_from(("developer", "rogue_developer", "stranger")))
                rival, forged, intent_rival = data.draw(st.booleans()), data.draw(st.booleans()), data.draw(st.booleans())
                cap = data.draw(st.integers(0, 50))
            seller = s.admin if caller == "developer" else w[caller]
            token = s.rival if rival else s.token
            named = s.rival if intent_rival else s.token
            forged = forged and seller != w[buyer]  # a developer buying from itself signs its own intent
            intent = Purchase(w[buyer], named.address, amount, cap, next(s.nonces), s.chain.now() + DAY)
            signed = s.harbor.sign_purchase(intent, signer=seller if forged else None)
            consenting = set() if forged else {buyer}
            if self._step(lambda: s.harbor.sell_under(token, signed, amount, price, sender=seller), consenting):
                assert not forged and named == token and price <= cap
                assert seller == token.defaultAdmin()

        @rule(seller=st.sampled_from(names), buyer=st.sampled_from(names), quantity=st.integers(1, 200),
              amount=st.integers(0, 5_000), affirmed=st.booleans())
        def instruct(self, seller, buyer, quantity, amount, affirmed):
            """The clearing agent records a trade; with ``affirmed`` both parties then affirm."""
            if seller == buyer:
                return
            ident = s.dvp.instruct(w[seller], w[buyer], s.token, quantity, s.cash, amount, s.chain.now() + 30 * DAY,
                                   b"adv".ljust(32, b"\0"), sender=s.clearing).return_value
            self.pending[ident] = set()
            self.parties[ident] = (seller, buyer)
            if affirmed:
                for party, as_seller in ((seller, True), (buyer, False)):
                    if self._step(lambda p=party, a=as_seller: s.dvp.affirm(ident, a, sender=w[p]), {party}):
                        self.pending[ident].add(party)

        @rule(data=st.data(), by_the_party=st.booleans(), as_seller=st.booleans())
        def affirm(self, data, by_the_party, as_seller):
            """A party affirms its own side; or anyone else tries to affirm it."""
            if not self.pending:
                return
            ident = data.draw(st.sampled_from(sorted(self.pending)))
            seller, buyer = self.parties[ident]
            party = seller if as_seller else buyer
            caller = party if by_the_party else data.draw(st.sampled_from([n for n in names if n != party]))
            if self._step(lambda: s.dvp.affirm(ident, as_seller, sender=w[caller]), {party}):
                assert caller == party  # only the party affirms its own side
                self.pending[ident].add(caller)

        @rule(netted=st.booleans())
        def settle(self, netted):
            ready = sorted(i for i, affirmed in self.pending.items() if affirmed == set(self.parties[i]))
            if not ready:
                return
            consenting = set().union(*(self.pending[i] for i in ready))
            self._step(lambda: s.dvp.settleBatch(ready, netted, sender=s.clearing), consenting)
            for i in ready:
                if s.dvp.statusOf(i) != 1:  # no longer pending
                    del self.pending[i]

        @rule(attacker=st.sampled_from(ATTACKERS), victim=st.sampled_from(INVESTORS), amount=st.integers(1, 100))
        def forced_transfer(self, attacker, victim, amount):
            self._step(lambda: s.token.forcedTransfer(w[victim], w[attacker], amount, True, sender=w[attacker]), set())

        @rule(attacker=st.sampled_from(ATTACKERS), victim=st.sampled_from(INVESTORS), amount=st.integers(1, 100))
        def hold_and_take(self, attacker, victim, amount):
            hold_id = next(s.nonces).to_bytes(32, "big")
            self._step(lambda: s.token.hold(hold_id, w[victim], amount, sender=w[attacker]), set())
            self._step(lambda: s.token.executeHold(s.dvp.holdIdOf(max(self.pending, default=1), True), w[attacker],
                                                   amount, sender=w[attacker]), set())

        # ------------------------------------------------------------ the margin side

        @rule(name=st.sampled_from(("IDX", "ETH", "TBILL")), move=st.integers(-60, 30))
        def price_move(self, name, move):
            m = s.margin
            m.set_price(name, max(1, m.prices[name] * (100 + move) // 100))

        @rule(name=st.sampled_from(("ETH", "TBILL", "MMF")))
        def delist_collateral(self, name):
            s.margin.collateral.setEligible(s.margin.tokens[name], False, sender=s.admin)

        @rule(attacker=st.sampled_from(ATTACKERS), index=st.integers(0, 2), quantity=st.integers(-300, 300))
        def attacker_spot_trade(self, attacker, index, quantity):
            m = s.margin
            with pytest.raises(ContractRevert):
                m.engine.tradeSpot(s.accounts[index], m.index["IDX"], quantity or 1, sender=w[attacker])

        @rule(index=st.integers(0, 2))
        def call_and_liquidate_under_water(self, index):
            m, account = s.margin, s.accounts[index]
            status = m.engine.status(account)
            if status.equity >= status.maintenance:
                return
            if m.engine.account(account).call_deadline == 0:
                m.engine.issueCall(account, sender=s.admin)
            s.chain.warp(max(s.chain.now(), m.engine.account(account).call_deadline + 1))
            m.refresh()
            m.engine.liquidate(account, sender=s.admin)
            assert m.engine.spotOf(account, m.index["IDX"]) == 0

        # ------------------------------------------------------------- invariants

        @invariant()
        def tokens_and_cash_are_conserved(self):
            for token in (s.token, s.cash):
                assert sum(token.balanceOf(a) for a in s.holders) == token.totalSupply()

        @invariant()
        def no_unverified_wallet_holds_security_tokens(self):
            assert s.token.balanceOf(w["stranger"]) == 0

        @invariant()
        def every_margin_account_can_be_valued(self):
            m = s.margin
            for account in s.accounts:
                m.engine.status(account)  # never reverts: ineligible collateral counts at zero
            assert m.ledger_balanced()

    run_state_machine_as_test(
        Adversaries,
        settings=settings(max_examples=EXAMPLES, stateful_step_count=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]),
    )
