"""Attacks on the contracts around the token, each tried as an attacker would and refused.

A review with working exploits found the token itself sound (one ``_update`` path, code ==
outcome, forced transfer explicit) and ten weaknesses around it. Each test here is one of
those attacks, named for it, run against the fixed contracts: it asserts the typed refusal
and that nothing moved. Last come the checks the review asked to decide, each pinned to the
decision taken (see docs/architecture.md, "Whose act moves an asset").
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from test_margin_engine import T0, USD, build_world, pledge

from sim import solidity
from sim.calendar import DAY, HOUR, add_months
from sim.contracts import AGENT_ROLE, Lockup, MaxBalance
from sim.contracts.assets import AssetClass
from sim.contracts.custody import deploy_vault
from sim.contracts.identity import Identity
from sim.contracts.margin import FUNDING_KEEPER_ROLE, Method
from sim.contracts.settlement import Status, deploy_dvp
from sim.contracts.taxonomy import (
    REGULATOR_ROLE,
    UNLIMITED,
    ExitRules,
    HarborStatus,
    Measures,
    Order,
    Purchase,
    Terms,
    VenueKind,
)

EXEMPT = AssetClass.EXEMPT_NETWORK_TOKEN
SECURITY = AssetClass.TOKENIZED_SECURITY
DISCLOSURES = b"\x01" * 32
REPORT = b"\x2a" * 32
NONCES = itertools.count(1)


# ============================================================== 1. venues and orders


@pytest.fixture
def market(make_token, venues, venue, trader, developer):
    """An exempt token (any venue may list it, registered or not) held by a seller; a buyer
    with cash; both approve the venue registry without limit, as a wallet would once."""
    token = make_token(EXEMPT)
    seller, buyer = trader(), trader()
    token.mint(seller, 1_000, sender=developer)
    token.approve(venues, UNLIMITED, sender=seller)
    return token, seller, buyer


def order(venues, owner, venue, token, cash, *, sell, amount, payment, signer=None, deadline=None):
    deadline = venues.chain.now() + DAY if deadline is None else deadline
    intent = Order(owner, venue, token.address, cash.address, sell, amount, payment, next(NONCES), deadline)
    return venues.sign_order(intent, signer=signer)


def test_a_venue_cannot_trade_a_sellers_tokens_under_an_order_it_signed_itself(
    market, venues, venue, cash_token, reverts
):
    token, seller, buyer = market
    rogue = venue(VenueKind.UNREGISTERED)
    venues.list(token, sender=rogue)  # an exempt class may be listed by anyone
    forged = order(venues, seller, rogue, token, cash_token, sell=True, amount=1_000, payment=1, signer=rogue)
    bid = order(venues, buyer, rogue, token, cash_token, sell=False, amount=1_000, payment=1, signer=rogue)
    with reverts(solidity.VenueOrderBadSignature, orderHash=venues.hashOrder(forged.intent.encode()), owner=seller):
        venues.settle(forged, bid, 1_000, 1, sender=rogue)
    assert (token.balanceOf(seller), token.balanceOf(buyer)) == (1_000, 0)


def test_a_venue_cannot_take_a_buyers_cash_under_an_order_it_signed_itself(
    market, venues, venue, cash_token, reverts
):
    token, seller, buyer = market
    rogue = venue(VenueKind.UNREGISTERED)
    venues.list(token, sender=rogue)
    ask = order(venues, seller, rogue, token, cash_token, sell=True, amount=1, payment=1)  # the seller's own
    forged = order(venues, buyer, rogue, token, cash_token, sell=False, amount=1, payment=10**12, signer=rogue)
    cash = cash_token.balanceOf(buyer)
    with reverts(solidity.VenueOrderBadSignature, owner=buyer):
        venues.settle(ask, forged, 1, 10**12, sender=rogue)
    assert cash_token.balanceOf(buyer) == cash


def test_a_registered_ats_cannot_settle_orders_signed_for_another_venue(market, venues, venue, cash_token, reverts):
    token, seller, buyer = market
    home, other = venue(VenueKind.ATS, "home"), venue(VenueKind.ATS, "other")
    for v in (home, other):
        venues.list(token, sender=v)
    ask = order(venues, seller, home, token, cash_token, sell=True, amount=10, payment=100)
    bid = order(venues, buyer, home, token, cash_token, sell=False, amount=10, payment=100)
    with reverts(solidity.VenueOrderNotForVenue, venue=home, caller=other):
        venues.settle(ask, bid, 10, 100, sender=other)
    venues.settle(ask, bid, 10, 100, sender=home)  # the venue the owners chose settles it
    assert token.balanceOf(buyer) == 10


def test_a_venue_cannot_fill_a_sell_order_below_its_price(market, venues, venue, cash_token, reverts):
    token, seller, buyer = market
    ats = venue(VenueKind.ATS)
    venues.list(token, sender=ats)
    ask = order(venues, seller, ats, token, cash_token, sell=True, amount=10, payment=100)
    bid = order(venues, buyer, ats, token, cash_token, sell=False, amount=10, payment=99)
    with reverts(solidity.VenueOrderPriceNotMet, amount=10, payment=99):
        venues.settle(ask, bid, 10, 99, sender=ats)


def test_a_venue_cannot_fill_a_buy_order_above_its_price(market, venues, venue, cash_token, reverts):
    token, seller, buyer = market
    ats = venue(VenueKind.ATS)
    venues.list(token, sender=ats)
    ask = order(venues, seller, ats, token, cash_token, sell=True, amount=10, payment=100)
    bid = order(venues, buyer, ats, token, cash_token, sell=False, amount=10, payment=100)
    with reverts(solidity.VenueOrderPriceNotMet, amount=10, payment=101):
        venues.settle(ask, bid, 10, 101, sender=ats)


def test_a_venue_cannot_replay_a_filled_order(market, venues, venue, cash_token, reverts):
    token, seller, buyer = market
    ats = venue(VenueKind.ATS)
    venues.list(token, sender=ats)
    ask = order(venues, seller, ats, token, cash_token, sell=True, amount=10, payment=100)
    bid = order(venues, buyer, ats, token, cash_token, sell=False, amount=10, payment=100)
    venues.settle(ask, bid, 6, 60, sender=ats)  # part of it
    with reverts(solidity.VenueOrderOverfilled, filled=6, amount=5, orderAmount=10):
        venues.settle(ask, bid, 5, 50, sender=ats)
    venues.settle(ask, bid, 4, 40, sender=ats)  # exactly the rest
    assert token.balanceOf(buyer) == 10


def test_an_order_its_owner_cancelled_cannot_be_filled_and_no_one_else_may_cancel_it(
    chain, market, venues, venue, cash_token, reverts
):
    token, seller, buyer = market
    ats = venue(VenueKind.ATS)
    venues.list(token, sender=ats)
    ask = order(venues, seller, ats, token, cash_token, sell=True, amount=10, payment=100)
    bid = order(venues, buyer, ats, token, cash_token, sell=False, amount=10, payment=100)
    with reverts(solidity.VenueNotOrderOwner, owner=buyer, caller=ats):
        venues.cancelOrder(bid.intent.encode(), sender=ats)
    venues.cancelOrder(bid.intent.encode(), sender=buyer)
    with reverts(solidity.VenueOrderCancelled):
        venues.settle(ask, bid, 10, 100, sender=ats)


def test_an_expired_order_cannot_be_filled(chain, market, venues, venue, cash_token, reverts):
    token, seller, buyer = market
    ats = venue(VenueKind.ATS)
    venues.list(token, sender=ats)
    deadline = chain.now() + HOUR
    ask = order(venues, seller, ats, token, cash_token, sell=True, amount=10, payment=100, deadline=deadline)
    bid = order(venues, buyer, ats, token, cash_token, sell=False, amount=10, payment=100)
    chain.warp(deadline + 1)
    with reverts(solidity.VenueOrderExpired, deadline=deadline):
        venues.settle(ask, bid, 10, 100, sender=ats)


# ======================================================= 2. the shared safe harbor


@pytest.fixture
def rival(chain, make_token, harbor, cash_token, regulator):
    """A second developer with its own exempt token filed with the same harbor."""
    other = chain.new_account()
    token = make_token(EXEMPT)
    token.grantRole(AGENT_ROLE, other, sender=token_admin(token))
    token.beginDefaultAdminTransfer(other, sender=token_admin(token))
    chain.mine()  # a handover with no delay takes effect from the next second
    token.acceptDefaultAdminTransfer(sender=other)
    harbor.set_exit_rules(token, RULES, sender=regulator)
    harbor.file(token, cash_token, DISCLOSURES, Terms(window_seconds=30 * DAY), sender=other)
    token.grantRole(AGENT_ROLE, harbor, sender=other)
    return other, token


def token_admin(token):
    return token.defaultAdmin()


RULES = ExitRules()
PASSING = Measures(top10_share_bp=8_000, hhi=2_500, developer_share_bp=2_000, independent_holders=50, venues=2)


def test_another_developer_cannot_charge_a_buyer_who_approved_the_shared_harbor(
    launch, rival, buyer, harbor, intent, cash_token, reverts
):
    token = launch(Terms(window_seconds=30 * DAY))
    alice = buyer(cash=1_000)
    signed = intent(token, alice, 10, 5)  # alice agreed to buy token A, at $5 at most
    other, rival_token = rival
    with reverts(solidity.SafeHarborIntentMismatch, token=rival_token, intentToken=token):
        harbor.sell_under(rival_token, signed, 10, 5, sender=other)
    forged = harbor.sign_purchase(Purchase(alice, rival_token.address, 10, 100, 1, harbor.chain.now() + DAY), signer=other)
    with reverts(solidity.SafeHarborBadSignature, buyer=alice):
        harbor.sell_under(rival_token, forged, 10, 100, sender=other)
    assert cash_token.balanceOf(alice) == 1_000 and rival_token.balanceOf(alice) == 0


def test_a_developer_cannot_charge_more_than_the_buyers_price_or_sell_more_than_the_intent(
    launch, buyer, harbor, intent, developer, reverts
):
    token = launch(Terms(window_seconds=30 * DAY))
    alice = buyer(cash=1_000)
    signed = intent(token, alice, 10, 5)
    with reverts(solidity.SafeHarborPriceAboveIntent, price=6, maxPrice=5):
        harbor.sell_under(token, signed, 10, 6, sender=developer)
    harbor.sell_under(token, signed, 7, 5, sender=developer)
    with reverts(solidity.SafeHarborIntentExceeded, bought=7, amount=4, maxAmount=10):
        harbor.sell_under(token, signed, 4, 5, sender=developer)
    harbor.sell_under(token, signed, 3, 4, sender=developer)  # the rest, cheaper: allowed
    assert token.balanceOf(alice) == 10


def test_a_stranger_cannot_sell_under_a_buyers_intent(chain, launch, buyer, harbor, intent, reverts):
    token = launch(Terms(window_seconds=30 * DAY))
    alice, stranger = buyer(cash=1_000), chain.new_account()
    with reverts(solidity.SafeHarborNotDeveloper, token=token, caller=stranger):
        harbor.sell_under(token, intent(token, alice, 10, 5), 10, 5, sender=stranger)


# ============================================ 3. collateral that stopped counting


def underwater_with(world, name: str, amount: int) -> str:
    """A siloed account holding ``amount`` of ``name`` as collateral and long 1,000 IDX
    bought on $50,000, after IDX falls 40%: equity below maintenance."""
    account = world.open(Method.SILOED, cash_usd=50_000)
    pledge(world, account, name, amount)
    world.buy(account, "IDX", 1_000)
    world.set_price("IDX", 6_000)
    return account


@pytest.fixture
def world(chain, deployer):
    return build_world(chain, deployer)


def call_and_liquidate(world, account):
    world.engine.issueCall(account, sender=world.admin)
    world.chain.warp(world.engine.account(account).call_deadline + 1)
    world.refresh()
    return world.engine.liquidate(account, sender=world.admin)


def test_an_account_holding_matured_debt_can_still_be_valued_called_and_liquidated(world):
    account = underwater_with(world, "TBILL", 1)
    world.chain.warp(add_months(T0, 6))  # the bill's maturity
    world.refresh()
    status = world.engine.status(account)
    assert status.collateral_value == 0  # matured: counts at zero
    receipt = call_and_liquidate(world, account)
    assert receipt.events_named("Liquidated")
    assert world.engine.spotOf(account, world.index["IDX"]) == 0
    assert world.ledger_balanced()


def test_delisting_an_asset_does_not_freeze_the_accounts_holding_it(world):
    account = underwater_with(world, "ETH", 10**18)
    world.collateral.setEligible(world.tokens["ETH"], False, sender=world.admin)
    assert world.engine.status(account).collateral_value == 0
    call_and_liquidate(world, account)
    assert world.engine.spotOf(account, world.index["IDX"]) == 0
    assert world.engine.collateralOf(account, world.tokens["ETH"]) == 10**18  # unsold: no longer counts
    assert world.ledger_balanced()


def test_an_ineligible_asset_without_a_fresh_price_does_not_stop_a_valuation(chain, world):
    account = underwater_with(world, "ETH", 10**18)
    world.collateral.setEligible(world.tokens["ETH"], False, sender=world.admin)
    chain.warp(chain.now() + HOUR + 1)  # every price stale; refresh all but ETH
    for name in ("IDX", "TBILL", "MMF"):
        world.set_price(name, world.prices[name])
    assert world.engine.status(account).collateral_value == 0
    assert world.engine.issueCall(account, sender=world.admin).events_named("MarginCallIssued")


# ====================================================== 4. netting and frozen wallets


@pytest.fixture
def chain_of_trades(chain, make_security_token, cash_token, make_investor, deployer):
    """A sells 10 to M at $1, M sells 10 to B at $2; all four legs affirmed."""
    token = make_security_token()
    clearing = chain.new_account()
    dvp = deploy_dvp(chain, admin=deployer, clearing=clearing, tokens=[(token, deployer), (cash_token, deployer)])
    a, m, b = make_investor(), make_investor(), make_investor()
    token.mint(a, 10, sender=deployer)
    token.mint(m, 10, sender=deployer)  # M holds what it sells, so each gross leg is covered
    for party in (m, b):
        cash_token.mint(party, 100 * USD, sender=deployer)
    settle_by = chain.now() + DAY
    first = dvp.instruct(a, m, token, 10, cash_token, 10 * USD, settle_by, b"1".ljust(32, b"\0"), sender=clearing).return_value
    second = dvp.instruct(m, b, token, 10, cash_token, 20 * USD, settle_by, b"2".ljust(32, b"\0"), sender=clearing).return_value
    for ident, seller, buyer in ((first, a, m), (second, m, b)):
        dvp.affirm(ident, True, sender=seller)
        dvp.affirm(ident, False, sender=buyer)
    return dvp, token, clearing, a, m, b, first, second


def test_a_frozen_intermediary_cannot_complete_a_netted_chain_and_keep_the_spread(
    chain_of_trades, cash_token, deployer
):
    dvp, token, clearing, a, m, b, first, second = chain_of_trades
    token.setAddressFrozen(m, True, sender=deployer)
    cash = cash_token.balanceOf(m)
    receipt = dvp.settleBatch([first, second], True, sender=clearing)
    assert receipt.events_named("NettingFailed")  # netting refuses what gross refuses
    assert [e.id for e in receipt.events_named("SettlementRefused")] == [first, second]
    assert dvp.status(first) == dvp.status(second) == Status.PENDING
    assert cash_token.balanceOf(m) == cash
    assert (token.balanceOf(a), token.balanceOf(b)) == (10, 0)


def test_a_de_verified_intermediary_cannot_receive_in_a_netted_chain(
    chain_of_trades, cash_token, identity_registry, deployer
):
    """M may no longer receive the token; netting fails as a whole and gross settlement
    refuses A's sale to M, while M's sale of the tokens it already held settles."""
    dvp, token, clearing, a, m, b, first, second = chain_of_trades
    identity_registry.removeIdentity(m, sender=deployer)
    cash = cash_token.balanceOf(m)
    receipt = dvp.settleBatch([first, second], True, sender=clearing)
    assert receipt.events_named("NettingFailed")
    assert [e.id for e in receipt.events_named("SettlementRefused")] == [first]
    assert (dvp.status(first), dvp.status(second)) == (Status.PENDING, Status.SETTLED)
    assert (token.balanceOf(a), token.balanceOf(m), token.balanceOf(b)) == (10, 0, 10)
    assert cash_token.balanceOf(m) == cash + 20 * USD  # paid for its own tokens only


def test_a_frozen_wallet_cannot_put_its_tokens_on_hold(chain, make_security_token, cash_token, make_investor, deployer, reverts):
    token = make_security_token()
    clearing = chain.new_account()
    dvp = deploy_dvp(chain, admin=deployer, clearing=clearing, tokens=[(token, deployer), (cash_token, deployer)])
    seller, buyer = make_investor(), make_investor()
    token.mint(seller, 10, sender=deployer)
    ident = dvp.instruct(seller, buyer, token, 10, cash_token, 0, chain.now() + DAY, b"x".ljust(32, b"\0"),
                         sender=clearing).return_value
    token.setAddressFrozen(seller, True, sender=deployer)
    with reverts(solidity.SenderFrozen, wallet=seller):
        dvp.affirm(ident, True, sender=seller)


def test_a_netted_batch_of_clean_trades_still_settles_netted(chain_of_trades):
    dvp, token, clearing, a, m, b, first, second = chain_of_trades
    receipt = dvp.settleBatch([first, second], True, sender=clearing)
    (batch,) = receipt.events_named("BatchSettled")
    assert batch.netted and batch.settled == 2
    assert (token.balanceOf(a), token.balanceOf(m), token.balanceOf(b)) == (0, 10, 10)


# ============================================== 5. exit rules belong to the regulator


def test_a_developer_cannot_set_the_exit_rules_of_its_own_token(make_token, harbor, developer, reverts):
    token = make_token(EXEMPT)
    trivial = ExitRules(mature_class=AssetClass.CASH)  # pass everything, become cash
    with reverts(solidity.AccessControlUnauthorizedAccount, account=developer, neededRole=REGULATOR_ROLE):
        harbor.set_exit_rules(token, trivial, sender=developer)


def test_an_exit_report_without_the_regulators_rules_is_refused(
    chain, make_token, harbor, cash_token, buyer, sell, developer, reverts
):
    token = make_token(EXEMPT)
    harbor.file(token, cash_token, DISCLOSURES, Terms(window_seconds=30 * DAY), sender=developer)
    token.grantRole(AGENT_ROLE, harbor, sender=developer)
    sell(token, buyer(cash=100), 10, 1)  # the window starts at the first sale
    chain.warp(harbor.windowEnd(token))
    with reverts(solidity.SafeHarborNoExitRules, token=token):
        harbor.exit_report(token, REPORT, PASSING, sender=developer)


def test_a_failing_launch_goes_to_the_regulators_fail_class_whatever_the_developer_reports(
    chain, launch, harbor, assets, buyer, sell, developer
):
    rules = ExitRules(min_independent_holders=100)
    token = launch(Terms(window_seconds=30 * DAY), rules)
    sell(token, buyer(cash=100), 10, 1)
    chain.warp(harbor.windowEnd(token))
    harbor.exit_report(token, REPORT, replace(PASSING, independent_holders=99), sender=developer)
    assert assets.classOf(token) == rules.fail_class


# ============================================= 6. concentration after a release


def test_releasing_the_diversifier_cannot_leave_a_fund_above_its_concentration_limit(world, reverts):
    account = world.open()
    pledge(world, account, "TBILL", 900)
    pledge(world, account, "MMF", 100)  # exactly 10%
    with reverts(solidity.CollateralConcentration, kind=2):
        world.engine.release(world.tokens["TBILL"], 1, sender=account)
    world.engine.release(world.tokens["MMF"], 1, sender=account)  # releasing the fund itself is fine


# ================================================= 7. refunds are each buyer's own


def test_refunds_pay_every_buyer_in_full_whatever_order_they_are_claimed_in(
    chain, launch, buyer, sell, harbor, cash_token, developer, reverts
):
    token = launch(Terms(window_seconds=30 * DAY, refund_on_fail=True), ExitRules(min_independent_holders=100))
    team, alice, bob = buyer(cash=0), buyer(cash=1_000), buyer(cash=1_000)
    token.mint(team, 10_000, sender=developer)
    sell(token, alice, 100, 3)
    sell(token, bob, 100, 5)
    chain.warp(harbor.windowEnd(token))
    harbor.exit_report(token, REPORT, replace(PASSING, independent_holders=2), sender=developer)
    assert harbor.status(token) == HarborStatus.REFUNDING
    with reverts(solidity.SafeHarborZeroAmount):  # the team bought nothing: nothing to refund
        harbor.claimRefund(token, sender=team)
    harbor.claimRefund(token, sender=bob)
    harbor.claimRefund(token, sender=alice)
    assert (cash_token.balanceOf(alice), cash_token.balanceOf(bob)) == (1_000, 1_000)
    assert token.balanceOf(team) == 10_000


def test_no_one_can_claim_another_holders_refund(chain, launch, buyer, sell, harbor, developer, reverts):
    token = launch(Terms(window_seconds=30 * DAY, refund_on_fail=True), ExitRules(min_independent_holders=100))
    alice, stranger = buyer(cash=1_000), chain.new_account()
    sell(token, alice, 100, 3)
    chain.warp(harbor.windowEnd(token))
    harbor.exit_report(token, REPORT, replace(PASSING, independent_holders=1), sender=developer)
    with reverts(solidity.SafeHarborZeroAmount):
        harbor.claimRefund(token, sender=stranger)
    with reverts(solidity.SafeHarborZeroAmount):
        harbor.claimRefund(token, sender=developer)
    assert token.balanceOf(alice) == 100


# ======================================================== 8. funding on schedule


def test_a_stranger_cannot_apply_funding_at_a_moment_of_its_choosing(world, reverts):
    stranger = world.chain.new_account()
    world.chain.warp(world.perps.market(world.market["IDX"])[2])
    world.refresh()
    with reverts(solidity.AccessControlUnauthorizedAccount, account=stranger, neededRole=FUNDING_KEEPER_ROLE):
        world.perps.applyFunding(world.market["IDX"], sender=stranger)


def test_funding_applied_late_charges_every_interval_missed(world):
    long, short = world.open(cash_usd=100_000), world.open(cash_usd=100_000)
    world.perp(long, short, "IDX", 100)
    due = world.perps.market(world.market["IDX"])[2]
    world.chain.warp(due + 2 * 8 * HOUR)  # two intervals late: three are due
    world.set_price("IDX", 10_000, mark=10_010)
    (event,) = world.perps.applyFunding(world.market["IDX"], sender=world.admin).events_named("FundingApplied")
    assert (event.intervals, event.perContract) == (3, 3 * 10 * 10**4)
    assert world.perps.market(world.market["IDX"])[2] == due + 3 * 8 * HOUR  # the schedule does not drift
    assert world.perps.unsettledOf(long) == 100 * 10 * 10**4 - 100 * 3 * 10 * 10**4


# ========================================================= 9. bounded lock-up lots


def test_one_unit_sends_cannot_grow_a_holders_lots_without_bound(chain, make_security_token, make_investor, deployer):
    """Locked lots move between wallets of one investor (Rule 144 by days: each mint its own
    release time); Reg S lots all share the offering's period, so they merge anyway."""
    token = make_security_token(modules=[Lockup(mode="rule144", days=40)])
    lockup = token.module("lockup")
    attacker, victim = make_investor(investor_id="mallory"), make_investor(investor_id="mallory")
    gas = {}
    for sent in range(1, 301):
        token.mint(attacker, 1, sender=deployer)  # a lot with its own release time each second
        token.transfer(victim, 1, sender=attacker)
        if sent in (32, 300):
            gas[sent] = token.transfer(attacker, 1, sender=victim).gas_used
            token.transfer(victim, 1, sender=attacker)
        chain.mine()
    assert len(lockup.lotsOf(victim)) == lockup.MAX_LOTS() == 32
    assert lockup.lockedBalanceOf(victim)[0] == 300  # merged lots keep every token locked
    assert gas[300] <= gas[32] * 1.05


def test_merged_lots_release_no_earlier_than_either_was_due(chain, make_security_token, make_investor, deployer):
    token = make_security_token(modules=[Lockup(mode="rule144", days=40)])
    lockup = token.module("lockup")
    holder = make_investor(jurisdiction="DE")
    for _ in range(33):
        token.mint(holder, 1, sender=deployer)
        chain.mine()
    lots = lockup.lotsOf(holder)
    latest = max(lot[1] for lot in lots)
    assert len(lots) == 32
    chain.warp(latest - 1)
    assert lockup.lockedBalanceOf(holder)[0] >= 2  # the merged lot is still locked a second before
    chain.warp(latest)
    assert lockup.lockedBalanceOf(holder)[0] == 0


# ========================================= 10. one client's lots are its own in custody


@pytest.fixture
def rule_144_vault(chain, make_security_token, identity_registry, make_investor, deployer):
    """A Rule 144 token minted into an omnibus vault for alice at T and for bob six months
    later: when alice's lot is released the vault holds 100 unlocked tokens on chain."""
    token = make_security_token(modules=[Lockup.rule_144(reporting_issuer=True)])
    operator = chain.new_account()
    vault = deploy_vault(chain, name="Omnibus", admin=deployer, operator=operator)
    identity_registry.register(vault, Identity(investor_id="custodian", investor_type="institutional"), sender=deployer)
    alice, bob = make_investor(), make_investor()
    vault.openAccounts([alice, bob], sender=operator)
    token.mint(vault, 100, sender=deployer)
    vault.allocate(token, alice, 100, sender=operator)
    released = add_months(chain.now(), 6)
    chain.warp(released - DAY)
    token.mint(vault, 100, sender=deployer)
    vault.allocate(token, bob, 100, sender=operator)
    chain.warp(released)
    return token, vault, operator, alice, bob


def test_a_client_cannot_withdraw_its_locked_tokens_on_another_clients_released_lots(rule_144_vault, reverts):
    token, vault, operator, alice, bob = rule_144_vault
    assert token.module("lockup").unlockedBalanceOf(vault) == 100  # the token would let the vault send 100
    with reverts(solidity.LockupActive, holder=bob, unlocked=0, needed=100):
        vault.withdraw(token, bob, bob, 100, sender=bob)
    with reverts(solidity.LockupActive, holder=bob, unlocked=0, needed=1):
        vault.withdraw(token, bob, bob, 1, sender=operator)
    vault.withdraw(token, alice, alice, 100, sender=alice)  # alice's own lot is released
    assert token.balanceOf(alice) == 100


def test_a_client_cannot_pass_its_locked_tokens_to_another_client_to_withdraw(rule_144_vault, reverts):
    token, vault, operator, alice, bob = rule_144_vault
    with reverts(solidity.LockupActive, holder=bob):
        vault.internalTransfer(token, bob, alice, 100, sender=operator)


# ============================================================== decisions, pinned


def test_custody_eligibility_fails_closed_when_the_token_cannot_answer(
    chain, make_security_token, cash_token, identity_registry, make_investor, deployer, reverts
):
    """A restricted token whose ``recipientRestriction`` reverts (here: its identity registry
    replaced by a contract that is not one) refuses the purchase; it used to let it through."""
    token = make_security_token()
    operator, clearing = chain.new_account(), chain.new_account()
    vault = deploy_vault(chain, name="Omnibus", admin=deployer, operator=operator)
    identity_registry.register(vault, Identity(investor_id="custodian", investor_type="institutional"), sender=deployer)
    dvp = deploy_dvp(chain, admin=deployer, clearing=clearing, tokens=[(token, deployer), (cash_token, deployer)])
    alice, seller = make_investor(), make_investor()
    vault.openAccount(alice, sender=operator)
    cash_token.mint(alice, 100, sender=deployer)
    cash_token.approve(vault, 100, sender=alice)
    vault.deposit(cash_token, 100, sender=alice)
    ident = dvp.instruct(seller, vault, token, 1, cash_token, 100, chain.now() + DAY, b"p".ljust(32, b"\0"),
                         sender=clearing).return_value
    token.setIdentityRegistry(cash_token, sender=deployer)
    with reverts(solidity.VaultEligibilityUnknown, token=token, client=alice):
        vault.affirm(dvp, ident, alice, sender=operator)


def test_a_purchase_settled_after_the_buyers_kyc_lapsed_is_booked_and_cannot_leave_custody(
    chain, make_security_token, cash_token, identity_registry, make_investor, deployer, reverts
):
    """Eligibility is checked when the client's side is reserved (affirm). A trade that
    settles after the client's identity lapsed is booked to it (the tokens are in the vault;
    refusing to book would strand them unallocated) and the token's own rules keep them
    there: a withdrawal to the unverified wallet is refused."""
    token = make_security_token(modules=[])
    operator, clearing = chain.new_account(), chain.new_account()
    vault = deploy_vault(chain, name="Omnibus", admin=deployer, operator=operator)
    identity_registry.register(vault, Identity(investor_id="custodian", investor_type="institutional"), sender=deployer)
    dvp = deploy_dvp(chain, admin=deployer, clearing=clearing, tokens=[(token, deployer), (cash_token, deployer)])
    alice, seller = make_investor(), make_investor()
    vault.openAccount(alice, sender=operator)
    cash_token.mint(alice, 100, sender=deployer)
    cash_token.approve(vault, 100, sender=alice)
    vault.deposit(cash_token, 100, sender=alice)
    token.mint(seller, 1, sender=deployer)
    ident = dvp.instruct(seller, vault, token, 1, cash_token, 100, chain.now() + DAY, b"k".ljust(32, b"\0"),
                         sender=clearing).return_value
    vault.affirm(dvp, ident, alice, sender=operator)
    dvp.affirm(ident, True, sender=seller)
    identity_registry.removeIdentity(alice, sender=deployer)
    dvp.settle(ident, sender=clearing)
    vault.book(dvp, ident, sender=operator)
    assert vault.positionOf(token, alice) == (1, 0)
    with reverts(solidity.RecipientNotVerified, wallet=alice):
        vault.withdraw(token, alice, alice, 1, sender=alice)


def test_a_max_balance_cap_binds_the_vault_as_the_holder_of_record(
    chain, make_security_token, identity_registry, make_investor, deployer, reverts
):
    """Balance caps and holder counts apply to on-chain holders of record (Exchange Act Rule
    12g5-1 counts a custodian as one); the vault as a whole stays within the cap, so no
    client can exceed it through custody either."""
    token = make_security_token(modules=[MaxBalance(max_balance=100)])
    operator = chain.new_account()
    vault = deploy_vault(chain, name="Omnibus", admin=deployer, operator=operator)
    identity_registry.register(vault, Identity(investor_id="custodian", investor_type="institutional"), sender=deployer)
    alice, bob = make_investor(), make_investor()
    vault.openAccounts([alice, bob], sender=operator)
    for client in (alice, bob):
        token.mint(client, 60, sender=deployer)
        token.approve(vault, 60, sender=client)
    vault.deposit(token, 60, sender=alice)
    with reverts(solidity.MaxBalanceExceeded, wallet=vault, balanceAfter=120, limit=100):
        vault.deposit(token, 60, sender=bob)


def test_a_token_refuses_a_compliance_bound_to_another_token(make_security_token, deployer, reverts):
    token, other = make_security_token(), make_security_token()
    with reverts(solidity.TokenComplianceNotBound, compliance=other.compliance_contract, boundTo=other):
        token.setCompliance(other.compliance_contract, sender=deployer)


def test_the_token_admin_is_handed_over_in_two_steps(chain, make_security_token, deployer, reverts):
    token = make_security_token()
    successor, stranger = chain.new_account(), chain.new_account()
    with reverts(solidity.AccessControlEnforcedDefaultAdminRules):
        token.grantRole(b"\0" * 32, successor, sender=deployer)  # no single-step handover
    token.beginDefaultAdminTransfer(successor, sender=deployer)
    with reverts(solidity.AccessControlInvalidDefaultAdmin, defaultAdmin=stranger):
        token.acceptDefaultAdminTransfer(sender=stranger)
    assert token.defaultAdmin() == deployer  # nothing changes until the successor accepts
    chain.mine()
    token.acceptDefaultAdminTransfer(sender=successor)
    assert token.defaultAdmin() == successor
