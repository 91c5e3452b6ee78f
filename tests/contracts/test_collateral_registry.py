"""CollateralRegistry: the three published haircut schedules, eligibility, concentration limits.

Each haircut is asserted against the DOMAIN.md table's literal value and against the Python
reference (``sim.reference.collateral``) computed from the same asset records. Tests that do
not name a schedule run under Basel II (the rating-based table); those of 12 CFR 217.132 and
17 CFR 23.156 ask for theirs (``@pytest.mark.parametrize("schedule", [...], indirect=True)``).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import solidity
from sim.calendar import add_months, timestamp
from sim.contracts.assets import Asset, AssetClass, IssuerKind, deploy_asset_registry, rating_notch
from sim.contracts.collateral import Limits, Schedule, deploy_collateral_registry
from sim.reference import collateral as ref

SOV, OTHER, GSE = IssuerKind.SOVEREIGN, IssuerKind.OTHER, IssuerKind.GSE
SUPPORTED_GSE, ABS = IssuerKind.SUPPORTED_GSE, IssuerKind.SECURITIZATION
US, CFTC, BASEL = Schedule.US_CAPITAL_217_132, Schedule.CFTC_23_156, Schedule.BASEL_II
ISSUER = "0x" + "1e" * 20
NOW_ISO = "2030-08-31T12:00:00Z"  # month ends make calendar years visible


def addr(i: int) -> str:
    return "0x" + f"{i + 0x1000:040x}"


@pytest.fixture
def schedule(request):
    """The registry's schedule: Basel II unless a test asks for another (indirect parameter)."""
    return getattr(request, "param", BASEL)


@pytest.fixture
def registries(chain, deployer, schedule):
    chain.warp(timestamp(NOW_ISO))
    assets = deploy_asset_registry(chain, admin=deployer)
    collateral = deploy_collateral_registry(chain, assets, admin=deployer, schedule=schedule)
    return assets, collateral


class Book:
    """Registers assets on chain and keeps the same records for the reference."""

    def __init__(self, assets, collateral, deployer, schedule):
        self.assets, self.collateral, self.deployer, self.schedule = assets, collateral, deployer, schedule
        self.records: dict[str, Asset] = {}
        self.count = 0

    def add(self, asset: Asset, *, eligible: bool = True) -> str:
        token = addr(self.count)
        self.count += 1
        self.records[token] = asset
        self.assets.record(token, asset, sender=self.deployer)
        if eligible:
            self.collateral.setEligible(token, True, sender=self.deployer)
        return token

    def reference(self, token: str, now: int, currency: str = "USD", set_haircuts=None) -> int:
        return ref.haircut(token, self.records, now=now, currency=currency, set_haircuts=set_haircuts,
                           schedule=self.schedule)


@pytest.fixture
def book(registries, deployer, schedule):
    return Book(*registries, deployer, schedule)


def bond(kind: IssuerKind, rating: str | None, maturity: int, currency: str = "USD", risk_weight: int | None = None) -> Asset:
    asset_class = AssetClass.GOVERNMENT_SECURITY if kind == SOV else AssetClass.TOKENIZED_SECURITY
    return Asset(asset_class, currency, kind, rating_notch(rating), issuer=ISSUER, maturity=maturity,
                 risk_weight=risk_weight)


# DOMAIN.md "Qualified collateral", Basel II: (issuer kind, rating) -> (<= 1 year, 1-5 years, > 5 years), percent
TABLE = [
    (SOV, "AAA", (0.5, 2, 4)), (SOV, "AA-", (0.5, 2, 4)),
    (SOV, "A+", (1, 3, 6)), (SOV, "BBB-", (1, 3, 6)),
    (OTHER, "AAA", (1, 4, 8)), (OTHER, "AA-", (1, 4, 8)),
    (OTHER, "A+", (2, 6, 12)), (OTHER, "BBB-", (2, 6, 12)),
    (SOV, "BB+", (15, 15, 15)), (SOV, "BB-", (15, 15, 15)),
]


@pytest.mark.parametrize(("kind", "rating", "percents"), TABLE, ids=[f"{k.name}-{r}" for k, r, _ in TABLE])
def test_basel_ii_debt_haircut_is_the_tables_cell_for_each_residual_maturity(chain, book, kind, rating, percents):
    now = chain.now()
    maturities = (add_months(now, 6), add_months(now, 36), add_months(now, 120))
    for maturity, percent in zip(maturities, percents, strict=True):
        token = book.add(bond(kind, rating, maturity))
        assert book.collateral.haircut(token) == round(percent * 100) == book.reference(token, now)


def test_one_year_means_twelve_calendar_months_to_the_second(chain, book):
    now = chain.now()  # 31 August: twelve months on is 31 August of the next year
    at_one_year = book.add(bond(OTHER, "AA", add_months(now, 12)))
    past_one_year = book.add(bond(OTHER, "AA", add_months(now, 12) + 1))
    assert book.collateral.haircut(at_one_year) == 100
    assert book.collateral.haircut(past_one_year) == 400


def test_five_years_means_sixty_calendar_months_to_the_second(chain, book):
    now = chain.now()
    at_five = book.add(bond(SOV, "A", add_months(now, 60)))
    past_five = book.add(bond(SOV, "A", add_months(now, 60) + 1))
    assert (book.collateral.haircut(at_five), book.collateral.haircut(past_five)) == (300, 600)


def test_a_bond_moves_to_a_shorter_band_as_time_passes(chain, book):
    now = chain.now()
    token = book.add(bond(SOV, "AAA", add_months(now, 13)))
    assert book.collateral.haircut(token) == 200
    chain.warp(add_months(now, 1))
    assert book.collateral.haircut(token) == 50 == book.reference(token, chain.now())


def test_a_bond_at_its_maturity_is_refused(chain, book, reverts):
    token = book.add(bond(SOV, "AAA", chain.now() + 10))
    chain.warp(chain.now() + 10)
    with reverts(solidity.CollateralNotOnSchedule, token=token, reason=3):
        book.collateral.haircut(token)


@pytest.mark.parametrize(("kind", "rating"), [(OTHER, "BB+"), (OTHER, "BB-"), (SOV, "B+"), (SOV, None), (OTHER, None)])
def test_under_basel_ii_debt_off_the_rating_bands_is_refused(chain, book, reverts, kind, rating):
    token = book.add(bond(kind, rating, add_months(chain.now(), 24)))
    with reverts(solidity.CollateralNotOnSchedule, token=token, reason=2):
        book.collateral.haircut(token)
    with pytest.raises(ref.NotOnSchedule):
        book.reference(token, chain.now())


def test_equities_main_index_and_gold_15_others_25(book):
    main = book.add(Asset(AssetClass.EQUITY, main_index=True, issuer=ISSUER))
    gold = book.add(Asset(AssetClass.DIGITAL_COMMODITY, main_index=True, issuer=ISSUER))
    other = book.add(Asset(AssetClass.EQUITY, issuer=ISSUER))
    tokenized_share = book.add(Asset(AssetClass.TOKENIZED_SECURITY, issuer=ISSUER))  # no maturity: equity
    assert book.collateral.haircut(main) == 1_500 == book.collateral.haircut(gold) == book.reference(gold, 0)
    assert book.collateral.haircut(other) == 2_500 == book.collateral.haircut(tokenized_share)
    assert book.reference(tokenized_share, 0) == 2_500


def test_cash_is_0_in_its_currency_and_8_in_another(book):
    usd = book.add(Asset(AssetClass.CASH, "USD"))
    eur = book.add(Asset(AssetClass.CASH, "EUR"))
    assert book.collateral.haircut(usd, "USD") == 0
    assert book.collateral.haircut(eur, "USD") == 800 == book.reference(eur, 0, "USD")
    assert book.collateral.haircut(eur, "EUR") == 0


def test_currency_mismatch_adds_8_to_any_haircut(chain, book):
    token = book.add(bond(OTHER, "A", add_months(chain.now(), 24), currency="EUR"))
    assert book.collateral.haircut(token, "USD") == 600 + 800 == book.reference(token, chain.now(), "USD")
    assert book.collateral.haircut(token, "EUR") == 600


def test_under_basel_ii_a_fund_takes_the_highest_haircut_of_what_it_may_hold(chain, book):
    now = chain.now()
    bill = book.add(bond(SOV, "AA+", add_months(now, 3)))  # 0.5
    note = book.add(bond(SOV, "AA+", add_months(now, 48)))  # 2
    fund = book.add(Asset(AssetClass.MONEY_MARKET_FUND, issuer=ISSUER, holdings=(bill, note)))
    assert book.collateral.haircut(fund) == 200 == book.reference(fund, now)


def test_a_fund_holding_another_currency_carries_the_add_on(chain, book):
    now = chain.now()
    bund = book.add(bond(SOV, "AAA", add_months(now, 3), currency="EUR"))  # 0.5 + 8
    fund = book.add(Asset(AssetClass.MONEY_MARKET_FUND, "USD", issuer=ISSUER, holdings=(bund,)))
    assert book.collateral.haircut(fund) == 850 == book.reference(fund, now)


def test_a_fund_without_holdings_or_with_one_off_the_schedule_is_refused(chain, book, reverts):
    empty = book.add(Asset(AssetClass.MONEY_MARKET_FUND, issuer=ISSUER))
    junk = book.add(bond(OTHER, "BB", add_months(chain.now(), 12)))
    risky = book.add(Asset(AssetClass.MONEY_MARKET_FUND, issuer=ISSUER, holdings=(junk,)))
    for fund in (empty, risky):
        with reverts(solidity.CollateralNotOnSchedule, token=fund, reason=4):
            book.collateral.haircut(fund)


def test_crypto_needs_a_set_haircut_and_takes_it(book, deployer, reverts):
    btc = book.add(Asset(AssetClass.DIGITAL_COMMODITY))
    usdc = book.add(Asset(AssetClass.STABLECOIN))
    with reverts(solidity.CollateralNotOnSchedule, token=btc, reason=1):
        book.collateral.haircut(btc)
    book.collateral.setHaircut(btc, 5_000, sender=deployer)
    book.collateral.setHaircut(usdc, 200, sender=deployer)
    assert book.collateral.haircut(btc) == 5_000 == book.reference(btc, 0, set_haircuts={btc: 5_000})
    assert book.collateral.haircut(usdc) == 200
    book.collateral.clearHaircut(btc, sender=deployer)
    with reverts(solidity.CollateralNotOnSchedule, token=btc, reason=1):
        book.collateral.haircut(btc)


def test_collectibles_and_tools_are_not_on_the_schedule(book, reverts):
    for asset_class in (AssetClass.COLLECTIBLE, AssetClass.TOOL):
        token = book.add(Asset(asset_class))
        with reverts(solidity.CollateralNotOnSchedule, token=token, reason=1):
            book.collateral.haircut(token)


def test_a_haircut_above_100_percent_is_refused_and_100_is_allowed(book, deployer, reverts):
    btc = book.add(Asset(AssetClass.DIGITAL_COMMODITY))
    book.collateral.setHaircut(btc, 10_000, sender=deployer)
    assert book.collateral.haircut(btc) == 10_000
    with reverts(solidity.CollateralInvalidHaircut, token=btc, haircutBps=10_001):
        book.collateral.setHaircut(btc, 10_001, sender=deployer)


def test_the_haircut_with_add_on_is_capped_at_100_percent(book, deployer):
    coin = book.add(Asset(AssetClass.STABLECOIN, "EUR"))
    book.collateral.setHaircut(coin, 9_500, sender=deployer)
    assert book.collateral.haircut(coin, "USD") == 10_000 == book.reference(coin, 0, "USD", {coin: 9_500})


def test_an_asset_not_made_eligible_is_refused(book, reverts):
    token = book.add(Asset(AssetClass.CASH), eligible=False)
    with reverts(solidity.CollateralIneligible, token=token):
        book.collateral.haircut(token)


def test_an_unregistered_asset_cannot_be_made_eligible(book, deployer, reverts):
    with reverts(solidity.AssetUnknown, token=addr(999)):
        book.collateral.setEligible(addr(999), True, sender=deployer)


def test_collateral_issued_by_the_pledger_is_refused(book, reverts):
    pledger = "0x" + "77" * 20
    own = book.add(Asset(AssetClass.EQUITY, issuer=pledger))
    other = book.add(Asset(AssetClass.EQUITY, issuer=ISSUER))
    book.collateral.checkPledge(pledger, other)
    with reverts(solidity.CollateralSelfIssued, token=own, pledger=pledger):
        book.collateral.checkPledge(pledger, own)


def test_collateral_value_rounds_down_as_the_reference(chain, book):
    token = book.add(bond(OTHER, "A", add_months(chain.now(), 24)))  # 6%
    assert book.collateral.collateralValue(token, b"USD", 1_001) == 940 == ref.collateral_value(1_001, 600)


# ------------------------------------------------------------------ concentration


@pytest.fixture
def funds(book):
    """Two money-market funds of one family, one of another, cash; all on chain."""
    family_a, family_b = "0x" + "a1" * 20, "0x" + "b1" * 20
    cash = book.add(Asset(AssetClass.CASH, issuer="0x" + "cc" * 20))
    fund_a1 = book.add(Asset(AssetClass.MONEY_MARKET_FUND, issuer=family_a))
    fund_a2 = book.add(Asset(AssetClass.MONEY_MARKET_FUND, issuer=family_a))
    fund_b = book.add(Asset(AssetClass.MONEY_MARKET_FUND, issuer=family_b))
    return cash, fund_a1, fund_a2, fund_b


def _both(book, values: dict[str, int], limits: Limits = Limits()):
    """Within limits on chain and in the reference."""
    book.collateral.checkConcentration(list(values), list(values.values()))
    ref.check_concentration(values, book.records, limits)


def test_one_fund_may_be_exactly_10_percent_and_not_a_unit_more(book, funds, reverts):
    cash, fund_a1, _, _ = funds
    _both(book, {cash: 900, fund_a1: 100})
    with reverts(solidity.CollateralConcentration, kind=2, key=fund_a1, value=101, total=1_000, limitBps=1_000):
        book.collateral.checkConcentration([cash, fund_a1], [899, 101])
    with pytest.raises(ref.ConcentrationExceeded):
        ref.check_concentration({cash: 899, fund_a1: 101}, book.records)


def test_one_fund_family_may_be_exactly_25_percent(book, deployer, funds, reverts):
    cash, fund_a1, fund_a2, _ = funds
    limits = Limits(per_fund=2_000)
    book.collateral.set_limits(limits, sender=deployer)
    _both(book, {cash: 750, fund_a1: 125, fund_a2: 125}, limits)
    family = book.records[fund_a1].issuer
    with reverts(solidity.CollateralConcentration, kind=3, key=family, value=251, total=1_000, limitBps=2_500):
        book.collateral.checkConcentration([cash, fund_a1, fund_a2], [749, 126, 125])


def test_all_funds_together_may_be_exactly_50_percent(book, deployer, funds, reverts):
    cash, fund_a1, _, fund_b = funds
    limits = Limits(per_fund=5_000, per_fund_family=5_000)
    book.collateral.set_limits(limits, sender=deployer)
    _both(book, {cash: 500, fund_a1: 250, fund_b: 250}, limits)
    with reverts(solidity.CollateralConcentration, kind=4, value=501, total=1_000, limitBps=5_000):
        book.collateral.checkConcentration([cash, fund_a1, fund_b], [499, 250, 251])


def test_per_asset_and_per_issuer_limits_bind_when_set(book, deployer, reverts):
    a = book.add(Asset(AssetClass.EQUITY, issuer=ISSUER))
    b = book.add(Asset(AssetClass.EQUITY, issuer=ISSUER))
    c = book.add(Asset(AssetClass.CASH, issuer="0x" + "cc" * 20))
    book.collateral.set_limits(Limits(per_asset=4_000, per_issuer=6_000), sender=deployer)
    limits = Limits(per_asset=4_000, per_issuer=6_000)
    book.collateral.checkConcentration([a, b, c], [300, 300, 400])
    ref.check_concentration({a: 300, b: 300, c: 400}, book.records, limits)
    with reverts(solidity.CollateralConcentration, kind=1, key=ISSUER, value=601, total=1_000, limitBps=6_000):
        book.collateral.checkConcentration([a, b, c], [301, 300, 399])
    with reverts(solidity.CollateralConcentration, kind=0, key=c, value=401, total=1_000, limitBps=4_000):
        book.collateral.checkConcentration([a, b, c], [300, 299, 401])


@pytest.mark.parametrize("bad", [0, 10_001])
def test_a_limit_of_zero_or_above_100_percent_is_refused(book, deployer, reverts, bad):
    with reverts(solidity.CollateralInvalidLimit, kind=2, limitBps=bad):
        book.collateral.set_limits(Limits(per_fund=bad), sender=deployer)


def test_default_limits_are_those_of_cftc_1_25_for_large_funds(book):
    assert tuple(book.collateral.limits()) == (10_000, 10_000, 1_000, 2_500, 5_000)
    assert Limits() == Limits(10_000, 10_000, 1_000, 2_500, 5_000)


# ---------------------------------------------------------------- asset registry


def test_an_unknown_class_or_a_bad_rating_is_refused(registries, deployer, reverts):
    assets, _ = registries
    with reverts(solidity.AssetInvalidClass, token=addr(1), assetClass=0):
        assets.record(addr(1), Asset(AssetClass.UNKNOWN), sender=deployer)
    with reverts(solidity.AssetInvalidRating, token=addr(1), rating=15):
        assets.record(addr(1), Asset(AssetClass.EQUITY, rating=15), sender=deployer)


def test_a_fund_may_not_hold_funds_or_unregistered_assets(book, deployer, reverts):
    fund = book.add(Asset(AssetClass.MONEY_MARKET_FUND, issuer=ISSUER))
    other = book.add(Asset(AssetClass.MONEY_MARKET_FUND, issuer=ISSUER))
    with reverts(solidity.AssetInvalidHolding, fund=fund, holding=other):
        book.assets.setFundHoldings(fund, [other], [], sender=deployer)
    with reverts(solidity.AssetInvalidHolding, fund=fund, holding=addr(999)):
        book.assets.setFundHoldings(fund, [addr(999)], [], sender=deployer)


# --------------------------------------------------------------------- property


@st.composite
def asset_records(draw):
    asset_class = draw(st.sampled_from([c for c in AssetClass if c not in (AssetClass.UNKNOWN, AssetClass.MONEY_MARKET_FUND)]))
    return Asset(
        asset_class,
        currency=draw(st.sampled_from(["USD", "EUR"])),
        issuer_kind=draw(st.sampled_from(list(IssuerKind))),
        rating=draw(st.integers(0, 14)),
        main_index=draw(st.booleans()),
        issuer=ISSUER,
        maturity=draw(st.one_of(st.just(0), st.integers(1, 12 * 366 * 86_400))),  # offset from now
        risk_weight=draw(st.sampled_from([None, 0, 20, 50, 100, 150])),
        composite_index=draw(st.booleans()),
    )


@pytest.mark.parametrize("schedule", list(Schedule), indirect=True, ids=lambda s: s.label)
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(record=asset_records(), currency=st.sampled_from(["USD", "EUR"]))
def test_the_contract_and_the_reference_agree_on_any_asset(chain, book, record, currency):
    now = chain.now()
    if record.maturity:
        record = Asset(**{**record.__dict__, "maturity": now + record.maturity})
    token = book.add(record)
    try:
        expected = book.reference(token, now, currency)
    except ref.NotOnSchedule as exc:
        with pytest.raises(solidity.CollateralNotOnSchedule) as raised:
            book.collateral.haircut(token, currency)
        assert raised.value.reason == exc.reason
    else:
        assert book.collateral.haircut(token, currency) == expected


# ------------------------------------------------------- 12 CFR 217.132 Table 1


def debt(kind: IssuerKind, risk_weight: int, maturity: int, rating: str | None = None) -> Asset:
    asset_class = AssetClass.GOVERNMENT_SECURITY if kind == SOV else AssetClass.TOKENIZED_SECURITY
    return Asset(asset_class, "USD", kind, rating_notch(rating), issuer=ISSUER, maturity=maturity, risk_weight=risk_weight)


# (issuer kind, risk weight, rating) -> (<= 1 year, 1-5 years, > 5 years), percent: the columns of Table 1
US_TABLE = [
    (SOV, 0, None, (0.5, 2, 4)), (SOV, 20, None, (1, 3, 6)), (SOV, 50, None, (1, 3, 6)), (SOV, 100, None, (15, 15, 15)),
    (GSE, 20, None, (1, 4, 8)), (OTHER, 50, None, (2, 6, 12)), (OTHER, 100, "AAA", (4, 8, 16)),
    (ABS, 100, "BBB-", (4, 12, 24)),
    (SOV, 150, None, (25, 25, 25)), (ABS, 100, "BB+", (25, 25, 25)),  # other exposure types
    (OTHER, 0, None, (0.5, 2, 4)),  # a zero risk weight reads the sovereign column (a US agency)
]


@pytest.mark.parametrize("schedule", [US], indirect=True)
@pytest.mark.parametrize(("kind", "weight", "rating", "percents"), US_TABLE,
                         ids=[f"{k.name}-rw{w}-{r}" for k, w, r, _ in US_TABLE])
def test_217_132_debt_haircut_is_the_cell_of_the_issuers_risk_weight(chain, book, kind, weight, rating, percents):
    now = chain.now()
    for maturity, percent in zip((add_months(now, 6), add_months(now, 36), add_months(now, 120)), percents, strict=True):
        token = book.add(debt(kind, weight, maturity, rating))
        assert book.collateral.haircut(token) == round(percent * 100) == book.reference(token, now)


@pytest.mark.parametrize("schedule", [US], indirect=True)
def test_217_132_an_a_rated_seven_year_corporate_bond_takes_16_not_the_ratings_12(chain, book):
    token = book.add(debt(OTHER, 100, add_months(chain.now(), 84), "A"))
    assert book.collateral.haircut(token) == 1_600


@pytest.mark.parametrize("schedule", [US], indirect=True)
def test_217_132_a_corporate_bond_without_a_risk_weight_is_weighted_100(chain, book):
    token = book.add(bond(OTHER, None, add_months(chain.now(), 84)))  # unrated: fine under US rules
    assert book.records[token].weight == 100 and book.collateral.haircut(token) == 1_600


@pytest.mark.parametrize("schedule", [US], indirect=True)
def test_217_132_a_mutual_fund_takes_the_highest_haircut_it_may_hold(chain, book):
    now = chain.now()
    bill = book.add(debt(SOV, 0, add_months(now, 3)))  # 0.5
    corp = book.add(debt(OTHER, 100, add_months(now, 48)))  # 8
    fund = book.add(Asset(AssetClass.MONEY_MARKET_FUND, issuer=ISSUER, holdings=(bill, corp),
                          holding_weights_bps=(9_000, 1_000)))
    assert book.collateral.haircut(fund) == 800 == book.reference(fund, now)


# --------------------------------------------------------- 17 CFR 23.156(a)(3)

CFTC_TABLE = [
    (SOV, 0, None, (0.5, 2, 4)), (SOV, 20, None, (0.5, 2, 4)), (SUPPORTED_GSE, 20, None, (0.5, 2, 4)),
    (GSE, 20, "AA", (1, 4, 8)), (OTHER, 100, "BBB-", (1, 4, 8)), (OTHER, 100, "AAA", (1, 4, 8)),
]


@pytest.mark.parametrize("schedule", [CFTC], indirect=True)
@pytest.mark.parametrize(("kind", "weight", "rating", "percents"), CFTC_TABLE,
                         ids=[f"{k.name}-rw{w}-{r}" for k, w, r, _ in CFTC_TABLE])
def test_23_156_debt_haircut_is_the_cell_of_its_row(chain, book, kind, weight, rating, percents):
    now = chain.now()
    for maturity, percent in zip((add_months(now, 6), add_months(now, 36), add_months(now, 120)), percents, strict=True):
        token = book.add(debt(kind, weight, maturity, rating))
        assert book.collateral.haircut(token) == round(percent * 100) == book.reference(token, now)


@pytest.mark.parametrize("schedule", [CFTC], indirect=True)
@pytest.mark.parametrize(("kind", "weight", "rating", "reason"), [
    (OTHER, 100, "BB+", 2), (OTHER, 100, None, 2),  # eligible corporate debt: modelled as investment grade
    (SOV, 50, None, 5), (ABS, 100, "AAA", 5),  # a riskier sovereign; asset-backed securities
], ids=["corporate-BB+", "corporate-unrated", "sovereign-rw50", "abs"])
def test_23_156_refuses_debt_it_does_not_list(chain, book, reverts, kind, weight, rating, reason):
    token = book.add(debt(kind, weight, add_months(chain.now(), 24), rating))
    with reverts(solidity.CollateralNotOnSchedule, token=token, reason=reason):
        book.collateral.haircut(token)
    with pytest.raises(ref.NotOnSchedule):
        book.reference(token, chain.now())


@pytest.mark.parametrize("schedule", [CFTC], indirect=True)
def test_23_156_equities_sp500_15_sp1500_25_others_refused(book, reverts):
    sp500 = book.add(Asset(AssetClass.EQUITY, main_index=True, issuer=ISSUER))
    sp1500 = book.add(Asset(AssetClass.EQUITY, composite_index=True, issuer=ISSUER))
    other = book.add(Asset(AssetClass.EQUITY, issuer=ISSUER))
    assert (book.collateral.haircut(sp500), book.collateral.haircut(sp1500)) == (1_500, 2_500)
    with reverts(solidity.CollateralNotOnSchedule, token=other, reason=1):
        book.collateral.haircut(other)


@pytest.mark.parametrize("schedule", [CFTC], indirect=True)
def test_23_156_a_fund_of_government_debt_takes_the_weighted_average_of_its_holdings(chain, book):
    """12 CFR 45 App. B note 1's example: equal parts 91-day bills (0.5) and 3-year notes (2): 1.25."""
    now = chain.now()
    bill = book.add(debt(SOV, 0, now + 91 * 86_400))
    note = book.add(debt(SOV, 0, add_months(now, 36)))
    fund = book.add(Asset(AssetClass.MONEY_MARKET_FUND, issuer=ISSUER, holdings=(bill, note),
                          holding_weights_bps=(5_000, 5_000)))
    assert book.collateral.haircut(fund) == 125 == book.reference(fund, now)
    odd = book.add(Asset(AssetClass.MONEY_MARKET_FUND, issuer=ISSUER, holdings=(bill, note),
                         holding_weights_bps=(3_333, 6_667)))
    assert book.collateral.haircut(odd) == 151 == book.reference(odd, now)  # 150.005 rounded up


@pytest.mark.parametrize("schedule", [CFTC], indirect=True)
def test_23_156_refuses_a_fund_without_weights_or_holding_what_it_does_not_admit(chain, book, reverts):
    now = chain.now()
    bill = book.add(debt(SOV, 0, add_months(now, 3)))
    note = book.add(debt(SOV, 0, add_months(now, 36)))
    corp = book.add(debt(OTHER, 100, add_months(now, 12), "AAA"))
    bund = book.add(Asset(AssetClass.GOVERNMENT_SECURITY, "EUR", SOV, issuer=ISSUER, maturity=add_months(now, 3)))
    unweighted = book.add(Asset(AssetClass.MONEY_MARKET_FUND, issuer=ISSUER, holdings=(bill, note)))
    corporate = book.add(Asset(AssetClass.MONEY_MARKET_FUND, issuer=ISSUER, holdings=(bill, corp),
                               holding_weights_bps=(5_000, 5_000)))
    foreign = book.add(Asset(AssetClass.MONEY_MARKET_FUND, issuer=ISSUER, holdings=(bund,)))
    for fund in (unweighted, corporate, foreign):
        with reverts(solidity.CollateralNotOnSchedule, token=fund, reason=4):
            book.collateral.haircut(fund)


@pytest.mark.parametrize("schedule", [CFTC], indirect=True)
def test_fund_weights_must_match_the_holdings_and_sum_to_100_percent(chain, book, deployer, reverts):
    bill = book.add(debt(SOV, 0, add_months(chain.now(), 3)))
    fund = book.add(Asset(AssetClass.MONEY_MARKET_FUND, issuer=ISSUER))
    with reverts(solidity.AssetInvalidWeights, fund=fund, holdings=1, weights=1, totalBps=9_999):
        book.assets.setFundHoldings(fund, [bill], [9_999], sender=deployer)
    with reverts(solidity.AssetInvalidWeights, fund=fund, holdings=1, weights=2, totalBps=10_000):
        book.assets.setFundHoldings(fund, [bill], [5_000, 5_000], sender=deployer)


def test_a_risk_weight_the_capital_rule_does_not_use_is_refused(registries, deployer, reverts):
    assets, _ = registries
    with reverts(solidity.AssetInvalidRiskWeight, token=addr(1), riskWeight=35):
        assets.record(addr(1), Asset(AssetClass.EQUITY, risk_weight=35), sender=deployer)


# ------------------------------------------------------ every schedule's boundaries

COLUMNS = [  # one asset per column of each schedule, with its three cells in basis points
    (BASEL, SOV, None, "AAA", (50, 200, 400)), (BASEL, SOV, None, "A", (100, 300, 600)),
    (BASEL, OTHER, None, "AAA", (100, 400, 800)), (BASEL, OTHER, None, "BBB", (200, 600, 1_200)),
    (US, SOV, 0, None, (50, 200, 400)), (US, SOV, 20, None, (100, 300, 600)),
    (US, GSE, 20, None, (100, 400, 800)), (US, OTHER, 50, None, (200, 600, 1_200)),
    (US, OTHER, 100, None, (400, 800, 1_600)), (US, ABS, 100, "AA", (400, 1_200, 2_400)),
    (CFTC, SOV, 0, None, (50, 200, 400)), (CFTC, OTHER, 100, "A", (100, 400, 800)),
]


@pytest.mark.parametrize(("schedule", "kind", "weight", "rating", "cells"), COLUMNS, indirect=["schedule"],
                         ids=[f"{s.label}-{k.name}-{w}-{r}" for s, k, w, r, _ in COLUMNS])
def test_each_cell_holds_to_its_maturity_boundary_and_the_next_starts_a_second_later(
    chain, book, kind, weight, rating, cells
):
    now = chain.now()  # 31 August: twelve months on is 31 August of the next year
    cases = [(add_months(now, 12), cells[0]), (add_months(now, 12) + 1, cells[1]),
             (add_months(now, 60), cells[1]), (add_months(now, 60) + 1, cells[2])]
    for maturity, expected in cases:
        token = book.add(debt(kind, weight, maturity, rating))
        assert book.collateral.haircut(token) == expected == book.reference(token, now)


# ----------------------------------------------------- a mixed book, worked by hand

MIXED_BOOK_VALUE = {BASEL: 1_758_000, US: 1_718_000, CFTC: 1_798_900}
"""docs/collateral.md works these out line by line."""


@pytest.mark.parametrize("schedule", list(Schedule), indirect=True, ids=lambda s: s.label)
def test_a_mixed_book_is_worth_what_the_hand_worked_example_says(chain, book, schedule):
    now = chain.now()
    usd = 10**6
    bill = book.add(debt(SOV, 0, add_months(now, 6), "AAA"))
    note = book.add(debt(SOV, 0, add_months(now, 36), "AAA"))
    lines = [  # (asset, market value in dollars)
        (book.add(debt(OTHER, 100, add_months(now, 84), "A")), 1_000_000),  # A-rated 7-year corporate bond
        (note, 500_000),  # 3-year Treasury note
        (book.add(Asset(AssetClass.EQUITY, main_index=True, issuer=ISSUER)), 200_000),  # S&P 500 stock
        (book.add(Asset(AssetClass.EQUITY, composite_index=True, issuer=ISSUER)), 100_000),  # S&P 1500, not 500
        (book.add(Asset(AssetClass.MONEY_MARKET_FUND, issuer=ISSUER, holdings=(bill, note),
                        holding_weights_bps=(6_000, 4_000))), 100_000),  # 60% bills, 40% notes
        (book.add(Asset(AssetClass.GOVERNMENT_SECURITY, "EUR", SOV, rating_notch("AAA"), issuer=ISSUER,
                        maturity=add_months(now, 24))), 50_000),  # a 2-year Bund in a dollar account
    ]
    total = sum(book.collateral.collateralValue(token, b"USD", dollars * usd) for token, dollars in lines)
    reference = sum(ref.collateral_value(dollars * usd, book.reference(token, now)) for token, dollars in lines)
    assert total == reference == MIXED_BOOK_VALUE[schedule] * usd
