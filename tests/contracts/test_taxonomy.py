"""The taxonomy on chain: the class router, the safe harbor, the venue registry.

A token's class in the ``AssetRegistry`` decides which compliance modules bind it, which
venue kinds may list and trade it, and whether an ATS trading it owes fair access; a
``SafeHarborRegistry`` runs an exempt launch and reclassifies the token at its end. Each
test states one rule and asserts what the chain does: balances, events, the typed error
with its fields, and every boundary at the exact unit or second (at the limit allowed, one
past it refused). A reclassification takes effect in its own block: no test moves the clock
between a reclassification and the act it changes.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from sim import solidity
from sim.calendar import DAY, add_months, timestamp
from sim.contracts import (
    AGENT_ROLE,
    AccreditedOnly,
    EligibleParticipant,
    ExemptionWhitelist,
    Lockup,
    Restriction,
)
from sim.contracts.assets import Asset, AssetClass
from sim.contracts.taxonomy import (
    CLASSIFIER_ROLE,
    UNLIMITED,
    ExitRules,
    HarborStatus,
    Measures,
    Order,
    Terms,
    VenueKind,
    measure_holdings,
)

SECURITY = AssetClass.TOKENIZED_SECURITY
COMMODITY = AssetClass.DIGITAL_COMMODITY
SWAP = AssetClass.SECURITY_BASED_SWAP
EXEMPT = AssetClass.EXEMPT_NETWORK_TOKEN
MAX_CLASS = 11
ZERO = "0x" + "00" * 20
DISCLOSURES = b"\x01" * 32
REASON = b"\x2a" * 32
YEAR = 365 * DAY


def month_number(ts: int) -> int:
    """``VenueRegistry.monthOf`` in Python: year * 12 + month - 1 (UTC)."""
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.year * 12 + moment.month - 1


# ------------------------------------------------------------------ fixtures


# ---------------------------------------------------------------- the router


def test_a_transfer_refused_while_exempt_goes_through_in_the_same_block_after_reclassification(
    chain, make_token, harbor, assets, cash_token, onboard, developer, regulator, reverts
):
    token = make_token(EXEMPT, [ExemptionWhitelist()], routes={"exemption-whitelist": {EXEMPT}})
    harbor.file(token, cash_token, DISCLOSURES, Terms(window_seconds=YEAR), sender=developer)
    alice, bob = onboard(), onboard()
    harbor.setWhitelisted(token, [alice], True, sender=developer)
    token.mint(alice, 10, sender=developer)
    now = chain.now()

    assert token.restriction(alice, bob, 1) == Restriction.NOT_WHITELISTED
    with reverts(solidity.RecipientNotWhitelisted, wallet=bob, code=Restriction.NOT_WHITELISTED):
        token.transfer(bob, 1, sender=alice)

    reclassified = assets.reclassify(token, COMMODITY, REASON, sender=regulator)
    assert token.restriction(alice, bob, 1) == Restriction.SUCCESS
    moved = token.transfer(bob, 1, sender=alice)
    assert moved.timestamp == reclassified.timestamp == now
    assert moved.block_number == reclassified.block_number
    assert (token.balanceOf(alice), token.balanceOf(bob)) == (9, 1)


def test_a_transfer_allowed_as_a_commodity_is_refused_in_the_same_block_after_reclassification_to_a_security(
    chain, make_token, assets, onboard, developer, regulator, reverts
):
    token = make_token(COMMODITY, [AccreditedOnly()], routes={"accredited-only": {SECURITY}})
    alice, retail = onboard("accredited"), onboard("retail")
    token.mint(alice, 10, sender=developer)
    allowed = token.transfer(retail, 1, sender=alice)

    reclassified = assets.reclassify(token, SECURITY, REASON, sender=regulator)
    assert token.restriction(alice, retail, 1) == Restriction.NOT_ACCREDITED
    with reverts(solidity.InvestorNotAccredited, wallet=retail, code=Restriction.NOT_ACCREDITED):
        token.transfer(retail, 1, sender=alice)
    assert allowed.timestamp == reclassified.timestamp == chain.now()
    assert token.balanceOf(retail) == 1


def test_reclassification_emits_the_old_class_the_new_class_and_the_reason(make_token, assets, regulator):
    token = make_token(EXEMPT)
    receipt = assets.reclassify(token, SECURITY, REASON, sender=regulator)
    (event,) = receipt.events_named("AssetReclassified")
    assert (event.token, event.fromClass, event.toClass, event.reason) == (token.address, EXEMPT, SECURITY, REASON)
    assert assets.classOf(token) == SECURITY


@pytest.mark.parametrize("new_class", [0, MAX_CLASS + 1], ids=["unknown", "past-the-last"])
def test_reclassification_to_a_class_that_does_not_exist_is_refused(make_token, assets, regulator, reverts, new_class):
    token = make_token(COMMODITY)
    with reverts(solidity.AssetInvalidClass, token=token, assetClass=new_class):
        assets.reclassify(token, new_class, REASON, sender=regulator)
    assert assets.classOf(token) == COMMODITY


def test_reclassification_to_the_last_class_is_allowed(make_token, assets, regulator):
    token = make_token(COMMODITY)
    assets.reclassify(token, MAX_CLASS, REASON, sender=regulator)
    assert assets.classOf(token) == MAX_CLASS == EXEMPT


def test_reclassification_of_an_unregistered_token_is_refused(make_token, assets, regulator, reverts):
    token = make_token(None)
    with reverts(solidity.AssetUnknown, token=token):
        assets.reclassify(token, SECURITY, REASON, sender=regulator)
    assert assets.classOf(token) == 0


def test_only_a_classifier_may_reclassify(chain, make_token, assets, reverts):
    token = make_token(COMMODITY)
    stranger = chain.new_account()
    with reverts(solidity.AccessControlUnauthorizedAccount, account=stranger, neededRole=CLASSIFIER_ROLE):
        assets.reclassify(token, SECURITY, REASON, sender=stranger)
    assert assets.classOf(token) == COMMODITY


def test_a_modules_hooks_run_while_it_is_not_routed_so_lots_bind_after_reclassification(
    chain, make_token, assets, onboard, developer, regulator, reverts
):
    token = make_token(COMMODITY, [Lockup.rule_144()], routes={"lockup": {SECURITY}})
    alice, bob = onboard(), onboard()
    minted = token.mint(alice, 10, sender=developer)
    token.transfer(bob, 1, sender=alice)  # a commodity: no holding period applies

    assets.reclassify(token, SECURITY, REASON, sender=regulator)
    release = add_months(minted.timestamp, 6)
    assert token.module("lockup").releaseTimeFor(minted.timestamp) == release
    with reverts(solidity.LockupActive, holder=alice, unlocked=0, needed=1, nextRelease=release):
        token.transfer(bob, 1, sender=alice)


def test_a_token_whose_compliance_is_not_routed_applies_every_module(
    make_token, onboard, developer, reverts
):
    token = make_token(COMMODITY, [AccreditedOnly()])
    compliance, module = token.compliance_contract, token.module("accredited-only")
    compliance.setModuleClasses(module, 1 << SECURITY, sender=developer)  # routed, but no registry set
    alice, retail = onboard("accredited"), onboard("retail")
    token.mint(alice, 10, sender=developer)

    assert compliance.assetRegistry() == ZERO
    assert compliance.activeModules() == [module.address]
    with reverts(solidity.InvestorNotAccredited, wallet=retail):
        token.transfer(retail, 1, sender=alice)


def test_a_token_the_registry_does_not_know_applies_every_module(
    make_token, assets, onboard, developer, regulator, reverts
):
    token = make_token(None, [AccreditedOnly()], routes={"accredited-only": {SECURITY}})
    compliance, module = token.compliance_contract, token.module("accredited-only")
    alice, retail = onboard("accredited"), onboard("retail")
    token.mint(alice, 10, sender=developer)

    assert (compliance.assetRegistry(), assets.classOf(token)) == (assets.address, 0)
    assert compliance.activeModules() == [module.address]
    with reverts(solidity.InvestorNotAccredited, wallet=retail):
        token.transfer(retail, 1, sender=alice)

    assets.record(token, Asset(COMMODITY), sender=regulator)  # now known, and not a security
    assert compliance.activeModules() == []
    token.transfer(retail, 1, sender=alice)
    assert token.balanceOf(retail) == 1


def test_routing_a_module_to_no_class_is_refused(make_token, developer, reverts):
    token = make_token(COMMODITY, [AccreditedOnly()])
    module = token.module("accredited-only")
    with reverts(solidity.ComplianceNoClasses, module=module):
        token.compliance_contract.setModuleClasses(module, 0, sender=developer)
    assert token.compliance_contract.moduleClasses(module) == 2**256 - 1


def test_routing_a_module_that_is_not_installed_is_refused(make_token, developer, reverts):
    token = make_token(COMMODITY, [AccreditedOnly()])
    other = make_token(COMMODITY, [AccreditedOnly()]).module("accredited-only")
    with reverts(solidity.ComplianceModuleNotFound, module=other):
        token.compliance_contract.setModuleClasses(other, 1 << SECURITY, sender=developer)


def test_a_security_based_swap_goes_only_to_eligible_contract_participants(
    make_token, onboard, developer, reverts
):
    token = make_token(SWAP, [EligibleParticipant()], routes={"eligible-participant": {SWAP}})
    purchaser, institution = onboard("qualified_purchaser"), onboard("institutional")
    token.mint(purchaser, 10, sender=developer)
    token.transfer(institution, 4, sender=purchaser)
    assert (token.balanceOf(purchaser), token.balanceOf(institution)) == (6, 4)

    for kind in ("accredited", "retail"):
        wallet = onboard(kind)
        assert token.restriction(purchaser, wallet, 1) == Restriction.NOT_ELIGIBLE_PARTICIPANT
        assert token.restriction(ZERO, wallet, 1) == Restriction.NOT_ELIGIBLE_PARTICIPANT
        code = Restriction.NOT_ELIGIBLE_PARTICIPANT
        with reverts(solidity.RecipientNotEligibleParticipant, wallet=wallet, code=code):
            token.transfer(wallet, 1, sender=purchaser)
        with reverts(solidity.RecipientNotEligibleParticipant, wallet=wallet):
            token.mint(wallet, 1, sender=developer)
        assert token.balanceOf(wallet) == 0


# ---------------------------------------------------------------- safe harbor


def test_a_sale_moves_the_cost_from_buyer_to_developer_and_mints_exactly_the_amount(sell, 
    launch, buyer, harbor, cash_token, developer
):
    token = launch(Terms(window_seconds=YEAR), decimals=2)
    alice = buyer(cash=50_000_000)
    developer_cash = cash_token.balanceOf(developer)
    # 2.50 tokens (250 units at 2 decimals) at $4.00 (4_000_000 cash units) per whole token
    receipt = sell(token, alice, 250, 4_000_000)

    assert token.balanceOf(alice) == token.totalSupply() == 250
    assert cash_token.balanceOf(alice) == 50_000_000 - 10_000_000
    assert cash_token.balanceOf(developer) == developer_cash + 10_000_000
    (sale,) = receipt.events_named("SaleRecorded")
    assert (sale.token, sale.buyer, sale.amount, sale.cost) == (token.address, alice, 250, 10_000_000)
    assert sale.raised == 10_000_000
    assert harbor.paidBy(token, alice) == 10_000_000
    assert (harbor.offering(token).raised, harbor.offering(token).sold) == (10_000_000, 250)


def test_the_per_investor_cap_allows_the_sale_that_reaches_it_and_refuses_one_unit_more(sell, 
    launch, buyer, harbor, developer, reverts
):
    token = launch(Terms(window_seconds=YEAR, max_per_investor=1_000))
    alice, bob = buyer(), buyer()
    sell(token, alice, 600, 1)
    sell(token, alice, 400, 1)  # 1,000 paid: exactly the cap
    assert harbor.paidBy(token, alice) == 1_000

    with reverts(solidity.SafeHarborInvestorCapExceeded, buyer=alice, paid=1_000, cost=1, cap=1_000):
        sell(token, alice, 1, 1)
    sell(token, bob, 1, 1)  # the cap is per investor
    assert (token.balanceOf(alice), token.balanceOf(bob)) == (1_000, 1)


def test_the_raise_cap_allows_the_sale_that_reaches_it_and_refuses_one_unit_more(sell, 
    launch, buyer, harbor, developer, reverts
):
    token = launch(Terms(window_seconds=YEAR, max_total_raise=1_000))
    alice, bob, carol = buyer(), buyer(), buyer()
    sell(token, alice, 600, 1)
    sell(token, bob, 400, 1)  # 1,000 raised: exactly the cap
    assert harbor.offering(token).raised == 1_000

    with reverts(solidity.SafeHarborRaiseCapExceeded, raised=1_000, cost=1, cap=1_000):
        sell(token, carol, 1, 1)
    assert token.balanceOf(carol) == 0 and token.totalSupply() == 1_000


def test_a_whitelist_only_offering_refuses_a_buyer_not_whitelisted(sell, launch, buyer, harbor, developer, reverts):
    token = launch(Terms(window_seconds=YEAR, whitelist_only=True))
    listed, unlisted = buyer(), buyer()
    harbor.setWhitelisted(token, [listed], True, sender=developer)

    with reverts(solidity.SafeHarborNotWhitelisted, token=token, buyer=unlisted):
        sell(token, unlisted, 1, 1)
    sell(token, listed, 1, 1)
    assert (token.balanceOf(listed), token.balanceOf(unlisted)) == (1, 0)


def test_the_window_runs_from_the_notice_and_the_sale_limit_from_the_first_sale(
    sell, chain, launch, buyer, harbor, developer
):
    """Token Safe Harbor Proposal 2.0: the relief runs from the filing of the notice of reliance."""
    token = launch(Terms(window_seconds=90 * DAY, sale_limit_seconds=30 * DAY))
    notice = harbor.offering(token).noticeAt
    alice = buyer()
    chain.advance(5 * DAY)
    assert (harbor.windowEnd(token), harbor.salesEnd(token)) == (notice + 90 * DAY, 0)

    first = sell(token, alice, 1, 1)
    (started,) = first.events_named("WindowStarted")
    assert (started.windowEnd, started.salesEnd) == (notice + 90 * DAY, first.timestamp + 30 * DAY)
    assert (harbor.windowEnd(token), harbor.salesEnd(token)) == (started.windowEnd, started.salesEnd)
    assert harbor.offering(token).firstSaleAt == first.timestamp
    assert sell(token, alice, 1, 1).events_named("WindowStarted") == []


def test_sales_are_allowed_until_the_second_before_sales_end(sell, chain, launch, buyer, harbor, developer, reverts):
    token = launch(Terms(window_seconds=90 * DAY, sale_limit_seconds=30 * DAY))
    alice = buyer()
    sell(token, alice, 1, 1)
    end = harbor.salesEnd(token)

    chain.warp(end - 1)
    sell(token, alice, 1, 1)
    chain.warp(end)
    with reverts(solidity.SafeHarborSalesClosed, token=token, time=end, salesEnd=end):
        sell(token, alice, 1, 1)
    assert token.balanceOf(alice) == 2


def test_a_sale_limit_of_zero_lets_sales_run_for_the_whole_window(sell, chain, launch, buyer, harbor, developer, reverts):
    token = launch(Terms(window_seconds=60 * DAY))
    alice = buyer()
    sell(token, alice, 1, 1)
    assert harbor.salesEnd(token) == harbor.windowEnd(token) == harbor.offering(token).noticeAt + 60 * DAY

    chain.warp(harbor.windowEnd(token) - 1)
    sell(token, alice, 1, 1)
    chain.warp(harbor.windowEnd(token))
    with reverts(solidity.SafeHarborSalesClosed, salesEnd=harbor.windowEnd(token)):
        sell(token, alice, 1, 1)


PASSING = Measures(top10_share_bp=8_000, hhi=2_500, developer_share_bp=2_000, independent_holders=50, venues=2)
RULES = ExitRules(
    max_top10_share_bp=8_000, max_hhi=2_500, max_developer_share_bp=2_000, min_independent_holders=50,
    min_venues=2, mature_class=COMMODITY, fail_class=SECURITY,
)


@pytest.fixture
def ran_window(sell, chain, launch, buyer, harbor, developer):
    """``ran_window(rules)``: an offering whose window has just ended (the clock at windowEnd)."""

    def make(rules: ExitRules = RULES):
        token = launch(Terms(window_seconds=30 * DAY), rules)
        sell(token, buyer(), 1, 1)
        chain.warp(harbor.windowEnd(token))
        return token

    return make


def test_a_sale_limit_reaching_past_the_window_ends_with_it(sell, chain, launch, buyer, harbor, developer, reverts):
    token = launch(Terms(window_seconds=60 * DAY, sale_limit_seconds=60 * DAY))
    alice = buyer()
    chain.advance(10 * DAY)
    sell(token, alice, 1, 1)
    end = harbor.windowEnd(token)
    assert harbor.salesEnd(token) == end == harbor.offering(token).noticeAt + 60 * DAY
    chain.warp(end)
    with reverts(solidity.SafeHarborSalesClosed, time=end, salesEnd=end):
        sell(token, alice, 1, 1)


def test_the_exit_report_is_due_no_later_than_the_windows_end(chain, launch, buyer, harbor, developer, reverts):
    """Token Safe Harbor Proposal 2.0: the exit report is filed by the expiration of the relief:
    at its last second it is accepted, one second later refused."""
    token = launch(Terms(window_seconds=30 * DAY), RULES)
    end = harbor.windowEnd(token)
    with chain.isolation():
        chain.warp(end + 1)
        with reverts(solidity.SafeHarborExitReportLate, token=token, time=end + 1, windowEnd=end):
            harbor.exit_report(token, REASON, PASSING, sender=developer)
    chain.warp(end)
    receipt = harbor.exit_report(token, REASON, PASSING, sender=developer)
    assert receipt.timestamp == end
    assert harbor.status(token) == HarborStatus.MATURED


def test_the_exit_report_may_come_before_the_window_ends(chain, launch, harbor, developer):
    token = launch(Terms(window_seconds=30 * DAY), RULES)
    chain.advance(DAY)
    harbor.exit_report(token, REASON, PASSING, sender=developer)
    assert harbor.status(token) == HarborStatus.MATURED


def test_a_window_ending_without_an_exit_report_lapses_into_the_fail_class(
    chain, launch, harbor, assets, developer, reverts
):
    """No exit report by the expiration: the exemption fails; the proposal's deadlines follow
    (120 days to register under 12(g), six months for platforms to stop trading)."""
    token = launch(Terms(window_seconds=30 * DAY), RULES)
    end = harbor.windowEnd(token)
    monitor = chain.new_account()
    chain.warp(end)
    with reverts(solidity.SafeHarborNotLapsed, token=token, time=end, windowEnd=end):
        harbor.recordLapse(token, sender=monitor)
    chain.warp(end + 1)
    receipt = harbor.recordLapse(token, sender=monitor)  # anyone may
    (lapsed,) = receipt.events_named("Lapsed")
    assert (lapsed.windowEnd, lapsed.newClass) == (end, SECURITY)
    (deadlines,) = receipt.events_named("FailureDeadlines")
    assert (deadlines.registerBy, deadlines.platformsStopBy) == (end + 1 + 120 * DAY, add_months(end + 1, 6))
    assert (harbor.status(token), assets.classOf(token)) == (HarborStatus.FAILED, SECURITY)
    with reverts(solidity.SafeHarborEnded, token=token, status=HarborStatus.FAILED):
        harbor.exit_report(token, REASON, PASSING, sender=developer)


def test_a_mature_network_is_reclassified_to_the_mature_class(ran_window, harbor, assets, developer):
    token = ran_window()
    receipt = harbor.exit_report(token, REASON, PASSING, sender=developer)

    (filed,) = receipt.events_named("ExitReportFiled")
    assert (filed.failed, filed.newClass, filed.status) == (0, COMMODITY, HarborStatus.MATURED)
    assert tuple(filed.measures) == PASSING.encode() and filed.report == REASON
    (reclassified,) = receipt.events_named("AssetReclassified")
    assert (reclassified.fromClass, reclassified.toClass, reclassified.reason) == (EXEMPT, COMMODITY, REASON)
    assert assets.classOf(token) == COMMODITY
    assert harbor.status(token) == HarborStatus.MATURED


def test_a_failing_network_is_reclassified_to_the_fail_class_naming_each_failed_measure(
    ran_window, harbor, assets, developer, reverts
):
    token = ran_window()
    failing = replace(PASSING, top10_share_bp=9_000, developer_share_bp=2_500, independent_holders=10)
    receipt = harbor.exit_report(token, REASON, failing, sender=developer)

    (filed,) = receipt.events_named("ExitReportFiled")
    (deadlines,) = receipt.events_named("FailureDeadlines")
    assert (deadlines.registerBy, deadlines.platformsStopBy) == (
        receipt.timestamp + 120 * DAY, add_months(receipt.timestamp, 6))
    expected = harbor.FAILED_TOP10() | harbor.FAILED_DEVELOPER_SHARE() | harbor.FAILED_HOLDERS()
    assert filed.failed == expected == 1 | 4 | 8
    assert (filed.newClass, filed.status) == (SECURITY, HarborStatus.FAILED)
    assert assets.classOf(token) == SECURITY
    with reverts(solidity.SafeHarborEnded, token=token, status=HarborStatus.FAILED):
        harbor.exit_report(token, REASON, PASSING, sender=developer)
    with reverts(solidity.SafeHarborNoRefund, token=token, status=HarborStatus.FAILED):  # no refund path
        harbor.claimRefund(token, sender=developer)


THRESHOLDS = [  # (measure, value one past its threshold, the bit it sets in `failed`)
    ("top10_share_bp", 8_001, 1),
    ("hhi", 2_501, 2),
    ("developer_share_bp", 2_001, 4),
    ("independent_holders", 49, 8),
    ("venues", 1, 16),
]


@pytest.mark.parametrize(("measure", "past", "bit"), THRESHOLDS, ids=[t[0] for t in THRESHOLDS])
def test_a_measure_exactly_at_its_threshold_passes_and_one_past_it_fails(
    chain, ran_window, harbor, assets, developer, measure, past, bit
):
    token = ran_window()
    with chain.isolation():
        receipt = harbor.exit_report(token, REASON, replace(PASSING, **{measure: past}), sender=developer)
        assert receipt.events_named("ExitReportFiled")[0].failed == bit
        assert assets.classOf(token) == SECURITY
    receipt = harbor.exit_report(token, REASON, PASSING, sender=developer)  # every measure at its threshold
    assert receipt.events_named("ExitReportFiled")[0].failed == 0
    assert assets.classOf(token) == COMMODITY


DISCLOSED = Terms(window_seconds=YEAR, disclosure_interval=30 * DAY)


def test_a_disclosure_update_at_its_due_time_is_on_time(chain, launch, harbor, developer, reverts):
    token = launch(DISCLOSED)
    due = harbor.nextDisclosureDue(token)
    assert due == harbor.offering(token).noticeAt + 30 * DAY

    chain.warp(due)
    with reverts(solidity.SafeHarborNothingMissed, token=token, dueAt=due):
        harbor.recordMissedDisclosure(token, sender=developer)
    receipt = harbor.updateDisclosures(token, b"\x02" * 32, sender=developer)
    assert receipt.events_named("DisclosureMissed") == []
    (updated,) = receipt.events_named("DisclosuresUpdated")
    assert (updated.disclosures, updated.nextDueAt) == (b"\x02" * 32, due + 30 * DAY)
    assert harbor.offering(token).missedDisclosures == 0


def test_a_disclosure_not_made_by_its_due_time_is_recorded_missed_once(chain, launch, harbor, developer, reverts):
    token = launch(DISCLOSED)
    due = harbor.nextDisclosureDue(token)
    monitor = chain.new_account()

    chain.warp(due + 1)
    receipt = harbor.recordMissedDisclosure(token, sender=monitor)  # anyone may
    (missed,) = receipt.events_named("DisclosureMissed")
    assert (missed.token, missed.dueAt, missed.missed) == (token.address, due, 1)
    # the next miss is the following interval's, not this one again
    with reverts(solidity.SafeHarborNothingMissed, token=token, dueAt=due + 30 * DAY):
        harbor.recordMissedDisclosure(token, sender=monitor)

    late = harbor.updateDisclosures(token, b"\x02" * 32, sender=developer)  # the late update counts no second miss
    assert late.events_named("DisclosureMissed") == []
    assert harbor.offering(token).missedDisclosures == 1
    assert harbor.nextDisclosureDue(token) == due + 30 * DAY  # periods run from the notice, not the late update


def test_an_overdue_disclosure_pauses_sales_until_the_update(sell, chain, launch, buyer, harbor, developer, reverts):
    token = launch(replace(DISCLOSED, pause_on_missed_disclosure=True))
    alice = buyer()
    due = harbor.nextDisclosureDue(token)
    chain.warp(due)
    sell(token, alice, 1, 1)  # at the due time the update is not late yet
    assert not harbor.salesPaused(token)

    chain.warp(due + 1)
    assert harbor.salesPaused(token)
    with reverts(solidity.SafeHarborDisclosureOverdue, token=token, dueAt=due):
        sell(token, alice, 1, 1)
    receipt = harbor.updateDisclosures(token, b"\x02" * 32, sender=developer)
    assert [e.missed for e in receipt.events_named("DisclosureMissed")] == [1]  # the late update records the miss
    assert not harbor.salesPaused(token)
    sell(token, alice, 1, 1)
    assert token.balanceOf(alice) == 2


INVALID_TERMS = [  # the developer's terms, refused at the notice
    ("windowSeconds", Terms(window_seconds=0), 0, 1),
    ("saleLimitSeconds", Terms(window_seconds=100, sale_limit_seconds=101), 101, 100),
]
INVALID_RULES = [  # the regulator's exit rules, refused when set
    ("maxTop10ShareBp", ExitRules(max_top10_share_bp=10_001), 10_001, 10_000),
    ("maxHhi", ExitRules(max_hhi=10_001), 10_001, 10_000),
    ("maxDeveloperShareBp", ExitRules(max_developer_share_bp=2_001), 2_001, 2_000),  # more than 20%: never decentralised
    ("matureClass", ExitRules(mature_class=0), 0, MAX_CLASS),
    ("matureClass", ExitRules(mature_class=MAX_CLASS + 1), MAX_CLASS + 1, MAX_CLASS),
    ("failClass", ExitRules(fail_class=0), 0, MAX_CLASS),
    ("failClass", ExitRules(fail_class=MAX_CLASS + 1), MAX_CLASS + 1, MAX_CLASS),
]


@pytest.mark.parametrize(("field", "terms", "value", "limit"), INVALID_TERMS, ids=[f"{c[0]}={c[2]}" for c in INVALID_TERMS])
def test_invalid_terms_are_refused_naming_the_field(
    make_token, harbor, cash_token, developer, reverts, field, terms, value, limit
):
    token = make_token(EXEMPT)
    with reverts(solidity.SafeHarborInvalidTerm, field=field, value=value, limit=limit):
        harbor.file(token, cash_token, DISCLOSURES, terms, sender=developer)
    assert harbor.status(token) == HarborStatus.NONE


@pytest.mark.parametrize(("field", "rules", "value", "limit"), INVALID_RULES, ids=[f"{c[0]}={c[2]}" for c in INVALID_RULES])
def test_invalid_exit_rules_are_refused_naming_the_field(
    make_token, harbor, regulator, reverts, field, rules, value, limit
):
    token = make_token(EXEMPT)
    with reverts(solidity.SafeHarborInvalidTerm, field=field, value=value, limit=limit):
        harbor.set_exit_rules(token, rules, sender=regulator)
    assert harbor.exitRulesOf(token)[5] == 0  # nothing set


def test_terms_and_rules_at_their_limits_are_accepted(make_token, harbor, cash_token, developer, regulator):
    token = make_token(EXEMPT)
    rules = ExitRules(10_000, 10_000, 2_000, mature_class=MAX_CLASS, fail_class=1)
    harbor.set_exit_rules(token, rules, sender=regulator)
    harbor.file(token, cash_token, DISCLOSURES, Terms(window_seconds=1, sale_limit_seconds=1), sender=developer)
    assert harbor.status(token) == HarborStatus.RUNNING
    assert tuple(harbor.exitRulesOf(token)) == rules.encode()


def test_only_the_tokens_admin_may_file_a_notice(chain, make_token, harbor, cash_token, developer, reverts):
    token = make_token(EXEMPT)
    agent = chain.new_account()
    token.grantRole(AGENT_ROLE, agent, sender=developer)  # an agent is not the admin
    with reverts(solidity.SafeHarborNotTokenAdmin, token=token, caller=agent):
        harbor.file(token, cash_token, DISCLOSURES, Terms(window_seconds=YEAR), sender=agent)
    receipt = harbor.file(token, cash_token, DISCLOSURES, Terms(window_seconds=YEAR), sender=developer)
    (notice,) = receipt.events_named("NoticeFiled")
    assert (notice.developer, notice.disclosures) == (developer, DISCLOSURES)
    assert harbor.offering(token).developer == developer


@pytest.mark.parametrize("asset_class", [None, SECURITY, COMMODITY], ids=["unregistered", "security", "commodity"])
def test_only_an_exempt_network_token_may_be_filed(make_token, harbor, cash_token, developer, reverts, asset_class):
    token = make_token(asset_class)
    with reverts(solidity.SafeHarborNotExempt, token=token, assetClass=asset_class or 0):
        harbor.file(token, cash_token, DISCLOSURES, Terms(window_seconds=YEAR), sender=developer)


def test_a_second_notice_for_a_token_is_refused(launch, harbor, cash_token, developer, reverts):
    token = launch(Terms(window_seconds=YEAR))
    with reverts(solidity.SafeHarborAlreadyFiled, token=token):
        harbor.file(token, cash_token, DISCLOSURES, Terms(window_seconds=YEAR), sender=developer)


def test_only_the_developer_may_sell(sell, chain, launch, make_token, buyer, harbor, developer, reverts):
    token = launch(Terms(window_seconds=YEAR))
    alice, stranger = buyer(), chain.new_account()
    with reverts(solidity.SafeHarborNotDeveloper, token=token, caller=stranger):
        sell(token, alice, 1, 1, sender=stranger)
    unfiled = make_token(EXEMPT)
    with reverts(solidity.SafeHarborNoNotice, token=unfiled):
        sell(unfiled, alice, 1, 1)
    assert token.totalSupply() == 0


def test_a_refund_after_a_failed_exit_burns_the_holding_and_pays_what_the_holder_paid(
    chain, launch, buyer, sell, harbor, cash_token, developer, reverts
):
    token = launch(Terms(window_seconds=30 * DAY, refund_on_fail=True), RULES)
    alice, bob = buyer(cash=1_000), buyer(cash=1_000)
    sell(token, alice, 100, 3)  # 300
    sell(token, bob, 50, 4)  # 200: raised 500 for 150 tokens
    with reverts(solidity.SafeHarborNoRefund, token=token, status=HarborStatus.RUNNING):
        harbor.claimRefund(token, sender=alice)

    chain.warp(harbor.windowEnd(token))
    harbor.exit_report(token, REASON, replace(PASSING, independent_holders=2), sender=developer)
    assert harbor.status(token) == HarborStatus.REFUNDING
    receipt = harbor.claimRefund(token, sender=alice)

    (refunded,) = receipt.events_named("Refunded")
    assert (refunded.holder, refunded.amount, refunded.payment) == (alice, 100, 300)  # at alice's own price
    assert (token.balanceOf(alice), token.totalSupply()) == (0, 50)
    assert cash_token.balanceOf(alice) == 700 + 300
    assert harbor.escrowOf(token) == 200  # paid from the escrow, not the developer's wallet
    harbor.claimRefund(token, sender=bob)
    assert cash_token.balanceOf(bob) == 800 + 200
    assert token.totalSupply() == 0 and harbor.escrowOf(token) == 0


def test_promised_refunds_hold_the_proceeds_in_escrow_which_the_developer_cannot_withdraw(
    chain, launch, buyer, sell, harbor, cash_token, developer
):
    token = launch(Terms(window_seconds=30 * DAY, refund_on_fail=True), RULES)
    alice = buyer(cash=1_000)
    developer_cash = cash_token.balanceOf(developer)
    sell(token, alice, 100, 3)
    assert harbor.escrowOf(token) == cash_token.balanceOf(harbor) == 300
    assert cash_token.balanceOf(developer) == developer_cash  # nothing to take back or spend
    cash_token.approve(harbor, 0, sender=developer)  # no allowance of the developer's is relied on
    chain.warp(harbor.windowEnd(token))
    harbor.exit_report(token, REASON, replace(PASSING, independent_holders=2), sender=developer)
    harbor.claimRefund(token, sender=alice)
    assert cash_token.balanceOf(alice) == 1_000


def test_a_matured_offering_pays_its_escrowed_proceeds_to_the_developer(
    chain, launch, buyer, sell, harbor, cash_token, developer
):
    token = launch(Terms(window_seconds=30 * DAY, refund_on_fail=True), RULES)
    sell(token, buyer(cash=1_000), 100, 3)
    developer_cash = cash_token.balanceOf(developer)
    chain.warp(harbor.windowEnd(token))
    receipt = harbor.exit_report(token, REASON, PASSING, sender=developer)
    (released,) = receipt.events_named("EscrowReleased")
    assert (released.developer, released.amount) == (developer, 300)
    assert cash_token.balanceOf(developer) == developer_cash + 300 and harbor.escrowOf(token) == 0


def test_without_a_refund_promise_the_proceeds_go_straight_to_the_developer(
    launch, buyer, sell, harbor, cash_token, developer
):
    token = launch(Terms(window_seconds=30 * DAY), RULES)
    developer_cash = cash_token.balanceOf(developer)
    sell(token, buyer(cash=1_000), 100, 3)
    assert cash_token.balanceOf(developer) == developer_cash + 300 and harbor.escrowOf(token) == 0


def test_refunds_never_buy_back_more_than_the_holder_bought(chain, launch, buyer, sell, harbor, cash_token, developer, reverts):
    token = launch(Terms(window_seconds=30 * DAY, refund_on_fail=True), RULES)
    alice = buyer(cash=1_000)
    sell(token, alice, 100, 3)  # raised 300 for 100 tokens
    token.mint(alice, 100, sender=developer)  # 100 more that were never sold (a grant, say)
    chain.warp(harbor.windowEnd(token))
    harbor.exit_report(token, REASON, replace(PASSING, independent_holders=2), sender=developer)

    (refunded,) = harbor.claimRefund(token, sender=alice).events_named("Refunded")
    assert (refunded.amount, refunded.payment) == (100, 300)  # the sold tokens only, at $3
    assert token.balanceOf(alice) == 100 and harbor.refundedTokens(token) == 100
    with reverts(solidity.SafeHarborZeroAmount):  # nothing she bought is left to refund
        harbor.claimRefund(token, sender=alice)


def test_the_teams_tokens_are_not_refunded_and_spend_no_buyers_refund(
    chain, launch, buyer, sell, harbor, cash_token, developer, reverts
):
    """One quota for all refunds, spent in the developer's order, once left buyers unpaid:
    each holder's refund is now what that holder bought, claimed by itself."""
    token = launch(Terms(window_seconds=30 * DAY, refund_on_fail=True), RULES)
    team, alice = buyer(cash=0), buyer(cash=1_000)
    token.mint(team, 1_000, sender=developer)  # the team's allocation
    sell(token, alice, 100, 3)
    chain.warp(harbor.windowEnd(token))
    harbor.exit_report(token, REASON, replace(PASSING, independent_holders=2), sender=developer)
    with reverts(solidity.SafeHarborZeroAmount):
        harbor.claimRefund(token, sender=team)
    (refunded,) = harbor.claimRefund(token, sender=alice).events_named("Refunded")
    assert (refunded.amount, refunded.payment) == (100, 300)


def test_a_sale_cost_rounds_up_so_no_token_is_sold_for_nothing(sell, launch, buyer, harbor, developer, reverts):
    token = launch(Terms(window_seconds=YEAR, max_total_raise=0, max_per_investor=0), decimals=6)
    alice = buyer()
    # one unit (10^-6 token) at 999,999 cash units a token costs 0.999999 units: rounded up to 1
    with reverts(solidity.SafeHarborInvestorCapExceeded, buyer=alice, paid=0, cost=1, cap=0):
        sell(token, alice, 1, 999_999)


def test_a_ruling_that_reclassifies_the_token_ends_its_exemption(sell, 
    chain, launch, buyer, harbor, assets, regulator, developer, reverts
):
    token = launch(Terms(window_seconds=30 * DAY))
    alice = buyer()
    sell(token, alice, 10, 1)
    assets.reclassify(token, int(SECURITY), REASON, sender=regulator)
    with reverts(solidity.SafeHarborNotExempt, token=token, assetClass=int(SECURITY)):
        sell(token, alice, 10, 1)
    chain.warp(harbor.windowEnd(token))
    with reverts(solidity.SafeHarborNotExempt, token=token, assetClass=int(SECURITY)):  # it cannot undo the ruling
        harbor.exit_report(token, REASON, PASSING, sender=developer)
    assert assets.classOf(token) == SECURITY


def test_registering_a_token_again_cannot_change_its_class(make_token, assets, regulator, reverts):
    from sim.contracts.assets import Asset, IssuerKind

    token = make_token(COMMODITY)
    record = Asset(SECURITY, "USD", IssuerKind.OTHER, 0, False, ZERO, 0, ())
    with reverts(solidity.AssetClassChangeNeedsReclassify, token=token, current=int(COMMODITY), requested=int(SECURITY)):
        assets.record(token, record, sender=regulator)
    assets.record(token, Asset(COMMODITY, "USD", IssuerKind.OTHER, 1, False, ZERO, 0, ()), sender=regulator)  # same class: a correction
    assert assets.classOf(token) == COMMODITY


# -------------------------------------------------------------------- venues


ORDER_NONCES = itertools.count(1)


def settle(venues, token, cash, seller, buyer, amount, payment, venue):
    """Settle a trade on ``venue`` between a sell and a buy order their owners signed for it."""
    deadline = venues.chain.now() + DAY
    args = (venue, getattr(token, "address", token), getattr(cash, "address", cash))
    sell = venues.sign_order(Order(seller, *args, True, amount, payment, next(ORDER_NONCES), deadline))
    buy = venues.sign_order(Order(buyer, *args, False, amount, payment, next(ORDER_NONCES), deadline))
    return venues.settle(sell, buy, amount, payment, sender=venue)


def listed_token(make_token, venues, trader, developer, asset_class, on, modules=(), routes=None, supply=10**6):
    """A token of ``asset_class`` listed on the venues ``on``, with a seller holding ``supply``
    and a buyer, both approving the registry."""
    token = make_token(asset_class, modules, routes)
    seller, buyer = trader(), trader()
    token.mint(seller, supply, sender=developer)
    for wallet in (seller, buyer):
        token.approve(venues, UNLIMITED, sender=wallet)
    for address in on:
        venues.list(token, sender=address)
    return token, seller, buyer


def test_an_unregistered_venue_may_not_list_a_tokenized_security_and_an_ats_may(
    make_token, venues, venue, reverts
):
    token = make_token(SECURITY)
    unregistered, ats = venue(VenueKind.UNREGISTERED), venue(VenueKind.ATS)
    with reverts(solidity.VenueListingNotPermitted, venue=unregistered, token=token, assetClass=SECURITY,
                 kind=VenueKind.UNREGISTERED):
        venues.list(token, sender=unregistered)
    receipt = venues.list(token, sender=ats)
    assert [(e.venue, e.token) for e in receipt.events_named("Listed")] == [(ats, token.address)]
    assert (venues.isListed(unregistered, token), venues.isListed(ats, token)) == (False, True)
    assert venues.tradingVenues(token) == [ats]


def test_a_reclassification_stops_trading_on_a_venue_the_new_class_does_not_permit_in_the_same_block(
    chain, make_token, venues, venue, trader, assets, cash_token, developer, regulator, reverts
):
    commodity_exchange, ats = venue(VenueKind.COMMODITY_EXCHANGE), venue(VenueKind.ATS)
    token, seller, buyer = listed_token(make_token, venues, trader, developer, COMMODITY, [commodity_exchange, ats])
    settle(venues, token, cash_token, seller, buyer, 10, 10, commodity_exchange)
    assert venues.tradingVenues(token) == [commodity_exchange, ats]

    reclassified = assets.reclassify(token, SECURITY, REASON, sender=regulator)
    with reverts(solidity.VenueListingNotPermitted, venue=commodity_exchange, token=token, assetClass=SECURITY,
                 kind=VenueKind.COMMODITY_EXCHANGE):
        settle(venues, token, cash_token, seller, buyer, 10, 10, commodity_exchange)
    settled = settle(venues, token, cash_token, seller, buyer, 10, 10, ats)  # an ATS may trade a security
    assert settled.timestamp == reclassified.timestamp
    assert venues.tradingVenues(token) == [ats]
    assert venues.isListed(commodity_exchange, token)  # still listed, but no longer trading
    assert token.balanceOf(buyer) == 20


def test_a_trade_moves_the_tokens_and_the_payment_in_one_transaction(
    make_token, venues, venue, trader, cash_token, developer
):
    ats = venue(VenueKind.ATS)
    token, seller, buyer = listed_token(make_token, venues, trader, developer, SECURITY, [ats], supply=100)
    seller_cash, buyer_cash = cash_token.balanceOf(seller), cash_token.balanceOf(buyer)
    receipt = settle(venues, token, cash_token, seller, buyer, 40, 1_234, ats)

    assert (token.balanceOf(seller), token.balanceOf(buyer)) == (60, 40)
    assert (cash_token.balanceOf(seller), cash_token.balanceOf(buyer)) == (seller_cash + 1_234, buyer_cash - 1_234)
    (settled,) = receipt.events_named("TradeSettled")
    month = month_number(receipt.timestamp)
    assert (settled.venue, settled.token, settled.seller, settled.buyer) == (ats, token.address, seller, buyer)
    assert (settled.amount, settled.payment, settled.month) == (40, 1_234, month)
    assert venues.volumeOf(ats, token, month) == venues.totalVolume(token, month) == 40


def test_a_trade_the_tokens_compliance_refuses_moves_no_cash(
    make_token, venues, venue, trader, cash_token, developer, reverts
):
    ats = venue(VenueKind.ATS)
    token, seller, _ = listed_token(make_token, venues, trader, developer, SECURITY, [ats], modules=[AccreditedOnly()],
                                    supply=100)
    retail = trader("retail")
    token.approve(venues, UNLIMITED, sender=retail)
    seller_cash, retail_cash = cash_token.balanceOf(seller), cash_token.balanceOf(retail)

    with reverts(solidity.InvestorNotAccredited, wallet=retail, code=Restriction.NOT_ACCREDITED):
        settle(venues, token, cash_token, seller, retail, 10, 500, ats)
    assert (cash_token.balanceOf(seller), cash_token.balanceOf(retail)) == (seller_cash, retail_cash)
    assert (token.balanceOf(seller), token.balanceOf(retail)) == (100, 0)


def test_a_trade_whose_payment_fails_moves_no_tokens(make_token, venues, venue, trader, cash_token, developer, reverts):
    ats = venue(VenueKind.ATS)
    token, seller, _ = listed_token(make_token, venues, trader, developer, SECURITY, [ats], supply=100)
    poor = trader(cash=499)
    with reverts(solidity.ERC20InsufficientBalance, sender=poor, balance=499, needed=500):
        settle(venues, token, cash_token, seller, poor, 10, 500, ats)
    assert (token.balanceOf(seller), token.balanceOf(poor)) == (100, 0)
    assert cash_token.balanceOf(poor) == 499


MONTH_EDGES = [
    "1970-01-01T00:00:00Z",
    "2026-01-31T23:59:59Z",
    "2026-02-01T00:00:00Z",
    "2024-02-29T12:00:00Z",
    "2027-12-31T23:59:59Z",
    "2028-01-01T00:00:00Z",
    "2100-03-01T00:00:00Z",
]


def test_month_of_is_year_times_twelve_plus_month_minus_one(venues):
    for iso_time in MONTH_EDGES:
        ts = timestamp(iso_time)
        assert venues.monthOf(ts) == month_number(ts), iso_time
    assert venues.monthOf(timestamp("2026-01-31T23:59:59Z")) == 2026 * 12
    assert venues.monthOf(timestamp("2026-02-01T00:00:00Z")) == 2026 * 12 + 1


# fair access: volumes of one token per calendar month (2026; the chain starts on 1 January)
AT = {"ats": 500, "exchange": 9_500}  # the ATS has exactly 5.00% of the month
BELOW = {"ats": 499, "exchange": 9_501}  # 4.99%
NONE = {"exchange": 10_000}


def mid_month(month: int) -> int:
    return timestamp(f"2026-{month:02d}-10T12:00:00Z")


def month_start(month: int) -> int:
    return timestamp(f"2026-{month:02d}-01T00:00:00Z")


class Market:
    """A token traded on one ATS and one securities exchange, month by month."""

    def __init__(self, chain, venues, venue, make_token, trader, cash_token, developer, asset_class=SECURITY):
        self.chain, self.venues, self.cash = chain, venues, cash_token
        self.ats, self.exchange = venue(VenueKind.ATS, "ATS"), venue(VenueKind.SECURITIES_EXCHANGE, "Exchange")
        self.token, self.seller, self.buyer = listed_token(
            make_token, venues, trader, developer, asset_class, [self.ats, self.exchange], supply=10**7
        )

    def play(self, month: int, volumes: dict[str, int]) -> None:
        self.chain.warp(mid_month(month))
        for name, amount in volumes.items():
            settle(self.venues, self.token, self.cash, self.seller, self.buyer, amount, 0, getattr(self, name))

    def assess(self):
        return self.venues.assessFairAccess(self.ats, self.token, sender=self.seller)

    def counted(self) -> int:
        return self.venues.monthsAtThreshold(self.ats, self.token, month_number(self.chain.now()))


@pytest.fixture
def market(chain, venues, venue, make_token, trader, cash_token, developer):
    """February to July: below, at, at, below, at, none (three months at the threshold)."""
    m = Market(chain, venues, venue, make_token, trader, cash_token, developer)
    for month, volumes in zip(range(2, 8), [BELOW, AT, AT, BELOW, AT, NONE], strict=True):
        m.play(month, volumes)
    return m


def test_a_share_of_exactly_five_percent_counts_and_four_point_nine_nine_does_not(
    chain, make_token, venues, venue, trader, cash_token, developer
):
    at, below = venue(VenueKind.ATS, "at"), venue(VenueKind.ATS, "below")
    exchange = venue(VenueKind.SECURITIES_EXCHANGE)
    token, seller, buyer = listed_token(make_token, venues, trader, developer, SECURITY, [at, below, exchange])
    chain.warp(mid_month(2))
    for address, amount in ((at, 500), (below, 499), (exchange, 9_001)):
        settle(venues, token, cash_token, seller, buyer, amount, 0, address)
    february = month_number(chain.now())
    assert (venues.shareBp(at, token, february), venues.shareBp(below, token, february)) == (500, 499)

    chain.warp(month_start(3))
    march = month_number(chain.now())
    assert (venues.monthsAtThreshold(at, token, march), venues.monthsAtThreshold(below, token, march)) == (1, 0)


def test_three_of_the_six_preceding_months_at_the_threshold_give_no_duty(chain, market):
    chain.warp(month_start(8))
    assert market.counted() == 3
    receipt = market.assess()
    assert receipt.return_value is False
    assert receipt.events_named("FairAccessTriggered") == []
    assert not market.venues.fairAccessDuty(market.ats, market.token)


def test_the_current_months_volume_is_not_counted(chain, market):
    market.play(8, {"ats": 10_000})  # all of August's volume, on the ATS
    assert market.counted() == 3
    assert market.assess().return_value is False


def test_four_of_the_six_preceding_months_at_the_threshold_trigger_the_duty(chain, market):
    market.play(8, AT)
    chain.warp(month_start(9))
    receipt = market.assess()
    (triggered,) = receipt.events_named("FairAccessTriggered")
    assert (triggered.venue, triggered.token, triggered.month, triggered.monthsAtThreshold) == (
        market.ats, market.token.address, 2026 * 12 + 8, 4)
    assert receipt.return_value is True
    assert market.venues.fairAccessDuty(market.ats, market.token)
    assert market.assess().events_named("FairAccessTriggered") == []  # no change, no event


def test_the_duty_lapses_when_the_count_falls_back_to_three(chain, market):
    market.play(8, AT)
    chain.warp(month_start(9))
    market.assess()
    market.play(9, BELOW)
    chain.warp(month_start(10))  # March falls out of the six months: April to September
    receipt = market.assess()
    (lapsed,) = receipt.events_named("FairAccessLapsed")
    assert (lapsed.venue, lapsed.month, lapsed.monthsAtThreshold) == (market.ats, 2026 * 12 + 9, 3)
    assert not market.venues.fairAccessDuty(market.ats, market.token)


def test_fair_access_is_owed_only_while_the_token_is_a_security(
    chain, venues, venue, make_token, trader, cash_token, developer, assets, regulator
):
    m = Market(chain, venues, venue, make_token, trader, cash_token, developer, asset_class=COMMODITY)
    for month in range(2, 6):
        m.play(month, AT)
    chain.warp(month_start(6))
    assert m.counted() == 4
    receipt = m.assess()  # the same volumes, a commodity: no duty
    assert receipt.return_value is False and receipt.events_named("FairAccessTriggered") == []

    assets.reclassify(m.token, SECURITY, REASON, sender=regulator)
    (triggered,) = m.assess().events_named("FairAccessTriggered")  # the months count whatever the class was
    assert triggered.monthsAtThreshold == 4


def test_fair_access_is_assessed_only_for_an_ats(venues, venue, make_token, reverts):
    token = make_token(SECURITY)
    exchange, unregistered = venue(VenueKind.SECURITIES_EXCHANGE), venue(VenueKind.UNREGISTERED)
    with reverts(solidity.VenueNotAts, venue=exchange, kind=VenueKind.SECURITIES_EXCHANGE):
        venues.assessFairAccess(exchange, token, sender=exchange)
    with reverts(solidity.VenueNotAts, venue=unregistered, kind=VenueKind.UNREGISTERED):
        venues.assessFairAccess(unregistered, token, sender=exchange)


INVALID_RULES = [  # (share bp, months, lookback) -> (field, value, limit)
    ((0, 4, 6), ("shareBp", 0, 10_000)),
    ((10_001, 4, 6), ("shareBp", 10_001, 10_000)),
    ((500, 7, 6), ("months", 7, 6)),
    ((500, 0, 6), ("months", 0, 6)),
    ((500, 4, 25), ("lookbackMonths", 25, 24)),
    ((500, 4, 0), ("lookbackMonths", 0, 24)),
]


@pytest.mark.parametrize(("rule", "refusal"), INVALID_RULES, ids=[f"{r}" for r, _ in INVALID_RULES])
def test_a_fair_access_rule_out_of_range_is_refused(venues, regulator, reverts, rule, refusal):
    field, value, limit = refusal
    with reverts(solidity.VenueInvalidRule, field=field, value=value, limit=limit):
        venues.setFairAccessRule(*rule, sender=regulator)
    assert (venues.fairAccessShareBp(), venues.fairAccessMonths(), venues.lookbackMonths()) == (500, 4, 6)


def test_a_fair_access_rule_at_its_limits_is_accepted(venues, regulator):
    venues.setFairAccessRule(10_000, 24, 24, sender=regulator)
    assert (venues.fairAccessShareBp(), venues.fairAccessMonths(), venues.lookbackMonths()) == (10_000, 24, 24)


def test_a_venue_kind_that_does_not_exist_is_refused(chain, venues, regulator, reverts):
    address = chain.new_account()
    with reverts(solidity.VenueInvalidKind, venue=address, kind=4):
        venues.registerVenue(address, 4, "nowhere", sender=regulator)
    with reverts(solidity.VenueInvalidKind, venue=ZERO, kind=VenueKind.ATS):
        venues.registerVenue(ZERO, int(VenueKind.ATS), "nobody", sender=regulator)
    venues.registerVenue(address, int(VenueKind.COMMODITY_EXCHANGE), "last kind", sender=regulator)
    assert venues.kindOf(address) == VenueKind.COMMODITY_EXCHANGE


@pytest.mark.parametrize("asset_class", [0, MAX_CLASS + 1], ids=["unknown", "past-the-last"])
def test_permitted_kinds_for_a_class_that_does_not_exist_are_refused(venues, regulator, reverts, asset_class):
    with reverts(solidity.VenueInvalidClass, assetClass=asset_class):
        venues.setPermittedKinds(asset_class, 0b0110, sender=regulator)


def test_permitted_kinds_beyond_the_last_kind_are_refused(venues, regulator, reverts):
    with reverts(solidity.VenueInvalidRule, field="kindMask", value=16, limit=15):
        venues.setPermittedKinds(int(SECURITY), 16, sender=regulator)


# ------------------------------------------------------------------ measures


def test_measure_holdings_computes_the_maturity_measures():
    assert measure_holdings({"a": 7}, [], 3) == Measures(10_000, 10_000, 0, 1, 3)
    assert measure_holdings({"a": 5, "b": 5}, ["a"], 1) == Measures(10_000, 5_000, 5_000, 1, 1)
    twelve = {f"w{i}": 100 for i in range(12)} | {"empty": 0}
    measures = measure_holdings(twelve, ["w0", "w1"], 2)
    assert measures.top10_share_bp == 1_000 * 10_000 // 1_200 == 8_333
    assert measures.hhi == round(12 * (100 / 12) ** 2) == 833
    assert measures.developer_share_bp == 200 * 10_000 // 1_200 == 1_666
    assert measures.independent_holders == 10  # holders with a balance, not the team's
    assert measure_holdings({"a": 0}, [], 4) == Measures(0, 0, 0, 0, 4)


def test_each_interval_without_an_update_is_one_more_miss(chain, launch, harbor, developer, reverts):
    token = launch(DISCLOSED)
    due = harbor.nextDisclosureDue(token)
    monitor = chain.new_account()
    chain.warp(due + 1)
    harbor.recordMissedDisclosure(token, sender=monitor)
    chain.warp(due + 30 * DAY)  # the second interval's due time: not yet missed
    with reverts(solidity.SafeHarborNothingMissed, token=token, dueAt=due + 30 * DAY):
        harbor.recordMissedDisclosure(token, sender=monitor)
    chain.warp(due + 30 * DAY + 1)
    (missed,) = harbor.recordMissedDisclosure(token, sender=monitor).events_named("DisclosureMissed")
    assert (missed.dueAt, missed.missed) == (due + 30 * DAY, 2)


def test_a_late_update_records_every_interval_it_missed(chain, launch, harbor, developer):
    token = launch(DISCLOSED)
    due = harbor.nextDisclosureDue(token)
    chain.warp(due + 2 * 30 * DAY + 1)  # three due times passed unrecorded: due, +30 d, +60 d
    receipt = harbor.updateDisclosures(token, b"\x03" * 32, sender=developer)
    assert [e.dueAt for e in receipt.events_named("DisclosureMissed")] == [due, due + 30 * DAY, due + 60 * DAY]
    assert harbor.offering(token).missedDisclosures == 3


# ----------------------------------------- Token Safe Harbor Proposal 2.0's clock

PROPOSAL = Terms.token_safe_harbor()


def test_the_proposals_relief_expires_three_years_from_the_notice_to_the_second(chain, launch, harbor):
    """Token Safe Harbor Proposal 2.0: three years from the filing of the notice of reliance
    (calendar years: across 29 February too)."""
    token = launch(PROPOSAL)
    notice = harbor.offering(token).noticeAt
    assert harbor.windowEnd(token) == add_months(notice, 36)


def test_an_update_is_due_thirty_days_after_each_six_month_period(chain, launch, harbor, developer, reverts):
    """Token Safe Harbor Proposal 2.0: updates every six months from the notice, each due
    within 30 days after its period: on time at its due second, missed one second later."""
    token = launch(PROPOSAL)
    notice = harbor.offering(token).noticeAt
    first_due = add_months(notice, 6) + 30 * DAY
    assert harbor.nextDisclosureDue(token) == first_due

    chain.warp(add_months(notice, 6) - 1)  # before the period ends: an interim update, not the period's
    harbor.updateDisclosures(token, b"\x02" * 32, sender=developer)
    assert harbor.nextDisclosureDue(token) == first_due
    chain.warp(first_due)
    receipt = harbor.updateDisclosures(token, b"\x03" * 32, sender=developer)
    assert receipt.events_named("DisclosureMissed") == []
    assert harbor.nextDisclosureDue(token) == add_months(notice, 12) + 30 * DAY

    chain.warp(add_months(notice, 12) + 30 * DAY + 1)
    (missed,) = harbor.recordMissedDisclosure(token, sender=chain.new_account()).events_named("DisclosureMissed")
    assert missed.dueAt == add_months(notice, 12) + 30 * DAY


def test_no_update_is_due_for_the_period_that_ends_with_the_window(chain, launch, harbor, developer):
    """The sixth period ends with the relief: the exit report covers it, no update is due."""
    token = launch(PROPOSAL)
    notice = harbor.offering(token).noticeAt
    for k in range(1, 6):
        assert harbor.nextDisclosureDue(token) == add_months(notice, 6 * k) + 30 * DAY
        chain.warp(add_months(notice, 6 * k))
        harbor.updateDisclosures(token, bytes([k]) * 32, sender=developer)
    assert harbor.nextDisclosureDue(token) == 0
    assert harbor.offering(token).missedDisclosures == 0


def test_a_recorded_miss_keeps_sales_paused_until_the_update_is_made(
    sell, chain, launch, buyer, harbor, developer, reverts
):
    token = launch(replace(DISCLOSED, pause_on_missed_disclosure=True))
    alice = buyer()
    due = harbor.nextDisclosureDue(token)
    chain.warp(due + 1)
    harbor.recordMissedDisclosure(token, sender=chain.new_account())
    assert harbor.nextDisclosureDue(token) == due + 30 * DAY  # the next period's
    with reverts(solidity.SafeHarborDisclosureOverdue, token=token, dueAt=due):  # still owed
        sell(token, alice, 1, 1)
    harbor.updateDisclosures(token, b"\x02" * 32, sender=developer)
    sell(token, alice, 1, 1)
