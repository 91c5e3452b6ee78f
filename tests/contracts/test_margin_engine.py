"""MarginEngine and PerpetualFutures: accounts, requirements, caps, calls, liquidation.

Every valuation is compared with the Python reference (``sim.reference.accounts``) to the
unit; boundaries are tested at the exact unit (equal allowed, one unit more refused).
Amounts: the cash token has 6 decimals, so one cent is 10**4 units and $1 is 10**6.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from sim import solidity
from sim.calendar import HOUR, add_months, timestamp
from sim.contracts import deploy_cash_token
from sim.contracts.assets import Asset, AssetClass, IssuerKind, deploy_asset_registry, rating_notch
from sim.contracts.collateral import deploy_collateral_registry
from sim.contracts.margin import DEALER_ROLE, Method, ScanMethod, deploy_margin
from sim.contracts.oracle import deploy_oracle, to_oracle_price
from sim.reference import accounts as ref

USD = 10**6  # cash units per dollar
CENT = 10**4
SCALE = CENT
T0 = timestamp("2026-03-02T14:00:00Z")
MAX_AGE = HOUR
CALL_PERIOD = 24 * HOUR

RANGES = {"IDX": (600, 800), "ETH": (3_000, 3_000)}
LEVERAGE = {"IDX": 20, "ETH": 2}


@dataclass
class World:
    chain: object
    admin: str
    cash: object
    oracle: object
    engine: object
    perps: object
    tokens: dict
    index: dict  # underlying name -> engine index
    market: dict  # underlying name -> perp market id
    dealer: str
    mm: str
    liquidator: str
    issuer: str
    prices: dict = field(default_factory=dict)  # cents
    method: str = "span"  # the engine's scan method
    cross_floor_bps: int = 0
    marks: dict = field(default_factory=dict)  # cents
    units: dict = field(default_factory=dict)

    def set_price(self, name: str, cents: int, mark: int | None = None) -> None:
        self.prices[name] = cents
        feeds, values = [self.tokens[name]], [to_oracle_price(cents)]
        if name in self.market:
            self.marks[name] = cents if mark is None else mark
            feeds.append(self.perps.markFeedOf(self.market[name]))
            values.append(to_oracle_price(self.marks[name]))
        self.oracle.setPrices(feeds, values, sender=self.admin)

    def refresh(self) -> None:
        """Push every price again (a new block time makes them fresh)."""
        for name in list(self.prices):
            self.set_price(name, self.prices[name], self.marks.get(name))

    def open(self, method: Method = Method.PORTFOLIO, *, retail: bool = False, cash_usd: float = 0) -> str:
        account = self.chain.new_account()
        self.engine.open_account(account, retail=retail, method=method, sender=self.admin)
        if cash_usd:
            self.deposit(account, round(cash_usd * USD))
        return account

    def deposit(self, account: str, units: int) -> None:
        self.cash.mint(account, units, sender=self.admin)
        self.cash.approve(self.engine, units, sender=account)
        self.engine.depositCash(units, sender=account)

    def buy(self, account: str, name: str, qty: int):
        return self.engine.tradeSpot(account, self.index[name], qty, sender=self.dealer)

    def perp(self, long: str, short: str, name: str, qty: int):
        return self.perps.trade(self.market[name], long, short, qty, sender=self.admin)

    def book(self, account: str, *, retail: bool = False, method: str = "portfolio") -> ref.Book:
        """The account's holdings read from chain, for the reference."""
        a = self.engine.account(account)
        book = ref.Book(retail=a.retail, method="siloed" if a.method == Method.SILOED else "portfolio", cash=a.cash)
        for name, i in self.index.items():
            qty = self.engine.spotOf(account, i)
            if qty:
                book.spot[name] = qty
        for name, m in self.market.items():
            p = self.perps.positionOf(account, m)
            if p[0]:
                book.perps[name] = ref.Perp(p[0], p[1], p[2])
        for token in self.engine.collateralTokensOf(account):
            name = next(n for n, t in self.tokens.items() if t.address == token)
            book.collateral[name] = self.engine.collateralOf(account, token)
        return book

    def reference(self, account: str) -> ref.Status:
        haircuts = {n: self.collateral.haircut(t) for n, t in self.tokens.items() if self.collateral.eligible(t)}
        funding = {n: self.perps.market(m)[5] for n, m in self.market.items()}
        return ref.status(
            self.book(account), prices=self.prices, marks=self.marks, ranges=RANGES, haircuts=haircuts,
            units=self.units, retail_leverage=LEVERAGE, cash_scale=SCALE, cumulative_funding=funding,
            method=self.method, cross_floor_bps=self.cross_floor_bps,
        )

    def check(self, account: str):
        """The engine's status, asserted equal to the reference's."""
        status = self.engine.status(account)
        assert status == self.reference(account)
        return status

    def ledger_balanced(self) -> bool:
        """The engine holds exactly what its ledger says it holds."""
        accounts = {e for e in self._accounts()}
        total = sum(self.engine.account(a).cash for a in accounts)
        e = self.engine
        expected = total + e.defaultFund() + e.lendingCapital() + e.perpetualsPool() - e.uncoveredShortfall()
        return self.cash.balanceOf(e) == expected

    def _accounts(self):
        return [log.args["account"] for log in self._opened]


@pytest.fixture
def world(chain, deployer):
    return build_world(chain, deployer)


def build_world(chain, deployer, scan_method: ScanMethod = ScanMethod.SPAN) -> World:
    """Deploy the registries, the engine and its perpetuals, three assets and a fund;
    open the market maker's and the liquidator's accounts; fund loans and the default fund."""
    chain.warp(T0)
    admin = deployer
    cash = deploy_cash_token(chain, admin=admin, name="US Dollar", symbol="USD", decimals=6)
    oracle = deploy_oracle(chain, admin=admin, max_age_seconds=MAX_AGE)
    assets = deploy_asset_registry(chain, admin=admin)
    collateral = deploy_collateral_registry(chain, assets, admin=admin)
    margin = deploy_margin(
        chain, cash=cash, collateral=collateral, oracle=oracle, admin=admin, call_period_seconds=CALL_PERIOD,
        scan_method=scan_method,
    )
    issuer = chain.new_account()
    dealer = chain.new_account()
    margin.engine.grantRole(DEALER_ROLE, dealer, sender=admin)  # it fills spot orders from its own wallet
    specs = {
        "IDX": (0, Asset(AssetClass.EQUITY, main_index=True, issuer=issuer)),
        "ETH": (18, Asset(AssetClass.DIGITAL_COMMODITY)),
        "TBILL": (0, Asset(AssetClass.GOVERNMENT_SECURITY, issuer_kind=IssuerKind.SOVEREIGN, rating=rating_notch("AAA"),
                           issuer=chain.new_account(), maturity=add_months(T0, 6))),
    }
    tokens, units = {}, {}
    for name, (decimals, asset) in specs.items():
        token = deploy_cash_token(chain, admin=admin, name=name, symbol=name, decimals=decimals)
        tokens[name], units[name] = token, 10**decimals
        assets.record(token, asset, sender=admin)
        collateral.setEligible(token, True, sender=admin)
    mmf = deploy_cash_token(chain, admin=admin, name="MMF", symbol="MMF", decimals=0)
    assets.record(mmf, Asset(AssetClass.MONEY_MARKET_FUND, issuer=chain.new_account(), holdings=(tokens["TBILL"].address,)),
                  sender=admin)
    collateral.setEligible(mmf, True, sender=admin)
    tokens["MMF"], units["MMF"] = mmf, 1
    collateral.setHaircut(tokens["ETH"], 5_000, sender=admin)  # the pilot's crypto haircut, set per asset
    engine, perps = margin.engine, margin.perpetuals
    index = {
        name: engine.list_underlying(tokens[name], up_bps=RANGES[name][0], down_bps=RANGES[name][1],
                                     retail_leverage=LEVERAGE[name], sender=admin)
        for name in ("IDX", "ETH")
    }
    market = {name: perps.list_market(index[name], funding_interval=8 * HOUR, sender=admin) for name in index}
    w = World(chain, admin, cash, oracle, engine, perps, tokens, index, market, dealer, "", "", issuer, units=units,
              method=scan_method.label)
    w.collateral = collateral
    receipts = []
    original_open = engine.open_account

    def open_account(account, **kwargs):
        receipt = original_open(account, **kwargs)
        receipts.append(receipt.events_named("AccountOpened")[0])
        return receipt

    engine.open_account = open_account
    w._opened = receipts
    for name, price in (("IDX", 10_000), ("ETH", 300_000), ("TBILL", 10_000), ("MMF", 10_000)):
        w.set_price(name, price)
    # the dealer's inventory and cash, approved to the engine
    for name, token in tokens.items():
        token.mint(dealer, 10**6 * units[name], sender=admin)
        token.approve(engine, 2**255, sender=dealer)
    cash.mint(dealer, 10**9 * USD, sender=admin)
    cash.approve(engine, 2**255, sender=dealer)
    # the firm funds margin loans and the default fund
    cash.mint(admin, 2 * 10**9 * USD, sender=admin)
    cash.approve(engine, 2**255, sender=admin)
    engine.fundLending(10**9 * USD, sender=admin)
    engine.payIntoDefaultFund(1_000 * USD, sender=admin)
    w.mm = w.open(cash_usd=10_000_000)
    w.liquidator = w.open(cash_usd=10_000_000)
    engine.setLiquidationAccount(w.liquidator, sender=admin)
    return w


def pledge(w: World, account: str, name: str, amount: int):
    token = w.tokens[name]
    token.mint(account, amount, sender=w.admin)
    token.approve(w.engine, amount, sender=account)
    return w.engine.pledge(token, amount, sender=account)


# ------------------------------------------------------------------- the two methods


def hedged(world, method: Method) -> str:
    account = world.open(method, cash_usd=60_000)
    world.buy(account, "IDX", 1_000)
    world.perp(world.mm, account, "IDX", 1_000)
    return account


def test_the_hedged_book_needs_56000_siloed_and_nothing_cross_margined_under_span(world):
    c, s = world.check(hedged(world, Method.PORTFOLIO)), world.check(hedged(world, Method.SILOED))
    assert (c.siloed_initial, c.portfolio_initial) == (56_000 * USD, 0)
    assert (c.initial, c.maintenance) == (0, 0)
    assert (s.initial, s.maintenance) == (56_000 * USD, 31_000 * USD)
    assert c.equity == s.equity == 60_000 * USD


def test_a_cross_margin_floor_the_firm_sets_binds_at_its_share_of_the_siloed_requirement(world):
    world.engine.configure(2_000, 5_000, CALL_PERIOD, sender=world.admin)  # 20%: a model choice, no rule
    world.cross_floor_bps = 2_000
    c = world.check(hedged(world, Method.PORTFOLIO))
    assert (c.initial, c.maintenance) == (11_200 * USD, 11_200 * USD)


def test_under_finra_the_hedge_keeps_its_per_contract_minimum_and_needs_100000_to_open(chain, deployer, reverts):
    w = build_world(chain, deployer, scan_method=ScanMethod.FINRA)
    c = w.check(_funded_hedge(w, 100_000))
    assert (c.initial, c.maintenance) == (100_000 * USD, 375 * USD)
    short = w.open(Method.PORTFOLIO, cash_usd=100_000)
    w.engine.withdrawCash(1, sender=short)
    with reverts(solidity.MarginInsufficient, account=short, initial=100_000 * USD):
        w.buy(short, "IDX", 1)


def _funded_hedge(world, cash_usd: int) -> str:
    account = world.open(Method.PORTFOLIO, cash_usd=cash_usd)
    world.buy(account, "IDX", 1_000)
    world.perp(world.mm, account, "IDX", 1_000)
    return account


def test_a_siloed_account_needs_2000_to_buy_securities_but_never_more_than_their_cost(world, reverts):
    small = world.open(Method.SILOED, cash_usd=1_000)
    world.buy(small, "IDX", 10)  # $1,000 of stock for $1,000: Reg T's $500 is not enough (4210(b)(4))
    assert world.check(small).initial == 1_000 * USD
    short = world.open(Method.SILOED)
    world.deposit(short, 2_000 * USD - 1)
    with reverts(solidity.MarginInsufficient, account=short, initial=2_000 * USD):
        world.buy(short, "IDX", 30)  # $3,000: Reg T $1,500, the minimum $2,000


def test_a_siloed_account_cannot_open_what_the_cross_margined_one_can(world, reverts):
    cross = world.open(Method.PORTFOLIO, cash_usd=20_000)
    siloed = world.open(Method.SILOED, cash_usd=20_000)
    world.buy(cross, "IDX", 1_000)
    with reverts(solidity.MarginInsufficient, account=siloed, equity=20_000 * USD, initial=50_000 * USD):
        world.buy(siloed, "IDX", 1_000)


def test_opening_at_exactly_the_initial_requirement_is_allowed_one_unit_less_refused(world, reverts):
    # long 1,000 IDX at $100, portfolio margined: the -8% scan scenario, $8,000
    exact = world.open(cash_usd=8_000)
    short = world.open()
    world.deposit(short, 8_000 * USD - 1)
    world.buy(exact, "IDX", 1_000)
    assert world.check(exact).initial == 8_000 * USD
    with reverts(solidity.MarginInsufficient, account=short, equity=8_000 * USD - 1, initial=8_000 * USD):
        world.buy(short, "IDX", 1_000)


def test_a_purchase_beyond_cash_is_a_margin_loan_and_the_ledger_balances(world):
    account = world.open(Method.SILOED, cash_usd=50_000)
    world.buy(account, "IDX", 1_000)
    assert world.engine.account(account).cash == -50_000 * USD
    assert world.tokens["IDX"].balanceOf(world.engine) == 1_000
    assert world.ledger_balanced()


# --------------------------------------------------------------- retail leverage caps


def test_retail_crypto_at_2_to_1_is_allowed_and_one_contract_more_refused(world, reverts):
    retail = world.open(retail=True, cash_usd=6_000)
    world.perp(retail, world.mm, "ETH", 2)  # $6,000 notional: 1:1
    world.perp(retail, world.mm, "ETH", 2)  # $12,000: exactly 2:1
    assert world.check(retail).retail_initial == 6_000 * USD
    with reverts(solidity.MarginLeverageCap, account=retail, equity=6_000 * USD, retailInitial=7_500 * USD,
                 notional=15_000 * USD):
        world.perp(retail, world.mm, "ETH", 1)


def test_a_3_to_1_crypto_position_is_refused_for_retail_and_allowed_for_an_institution(world, reverts):
    retail = world.open(retail=True, cash_usd=6_000)
    institution = world.open(cash_usd=6_000)
    with reverts(solidity.MarginLeverageCap, account=retail):
        world.perp(retail, world.mm, "ETH", 6)  # $18,000 on $6,000
    world.perp(institution, world.mm, "ETH", 6)  # scan: 30% of $18,000 = $5,400
    assert world.check(institution).initial == 5_400 * USD


def test_a_spot_position_limit_allows_the_limit_and_refuses_one_more(chain, world, reverts):
    token = deploy_cash_token(chain, admin=world.admin, name="Small", symbol="SML", decimals=0)
    world.tokens["SML"], world.units["SML"] = token, 1
    index = world.engine.list_underlying(token, up_bps=1_500, down_bps=1_500, position_limit=100, sender=world.admin)
    world.index["SML"] = index
    world.oracle.setPrice(token, to_oracle_price(1_000), sender=world.admin)
    token.mint(world.dealer, 1_000, sender=world.admin)
    token.approve(world.engine, 2**255, sender=world.dealer)
    account = world.open(cash_usd=10_000)
    world.buy(account, "SML", 100)
    with reverts(solidity.MarginPositionLimit, account=account, underlying=index, quantity=101, limit=100):
        world.buy(account, "SML", 1)


def test_a_perpetual_position_limit_allows_the_limit_and_refuses_one_more(world, reverts):
    market = world.perps.list_market(world.index["IDX"], funding_interval=8 * HOUR, position_limit=50,
                                     sender=world.admin)
    world.oracle.setPrice(world.perps.markFeedOf(market), to_oracle_price(10_000), sender=world.admin)
    account = world.open(cash_usd=100_000)
    world.perps.trade(market, account, world.mm, 50, sender=world.admin)
    with reverts(solidity.PerpPositionLimit, account=account, market=market, position=51, limit=50):
        world.perps.trade(market, account, world.mm, 1, sender=world.admin)


# ---------------------------------------------------------------------- withdrawals


def test_a_withdrawal_that_leaves_equity_below_initial_is_refused_at_the_exact_unit(world, reverts):
    account = world.open(cash_usd=40_000)
    world.perp(account, world.mm, "IDX", 1_000)  # a long perp, scanned at 8% down: $8,000
    status = world.check(account)
    excess = status.equity - status.initial
    with reverts(solidity.MarginInsufficient, account=account, equity=status.initial - 1, initial=status.initial):
        world.engine.withdrawCash(excess + 1, sender=account)
    world.engine.withdrawCash(excess, sender=account)
    after = world.check(account)
    assert after.equity == after.initial


def test_releasing_collateral_is_refused_below_initial(world, reverts):
    account = world.open()
    pledge(world, account, "TBILL", 200)  # $20,000 at a 0.5% haircut: $19,900
    world.buy(account, "IDX", 1_000)  # needs $10,000
    assert world.check(account).collateral_value == 19_900 * USD
    with reverts(solidity.MarginInsufficient, account=account):
        world.engine.release(world.tokens["TBILL"], 150, sender=account)
    world.engine.release(world.tokens["TBILL"], 99, sender=account)
    assert world.check(account).equity == 101 * 9_950 * CENT  # cash -$100,000 + IDX $100,000 + 101 x $99.50


# ----------------------------------------------------------------------- collateral


def test_collateral_counts_at_its_haircut_value(world):
    account = world.open()
    pledge(world, account, "TBILL", 100)  # AAA sovereign, 6 months: 0.5%
    pledge(world, account, "ETH", 2 * 10**18)  # pilot haircut 50%
    status = world.check(account)
    assert status.collateral_value == 9_950 * USD + 3_000 * USD
    assert status.equity == status.collateral_value


def test_collateral_issued_by_the_pledger_is_refused(world, reverts):
    world.engine.open_account(world.issuer, retail=False, method=Method.PORTFOLIO, sender=world.admin)
    token = world.tokens["IDX"]
    token.mint(world.issuer, 10, sender=world.admin)
    token.approve(world.engine, 10, sender=world.issuer)
    with reverts(solidity.CollateralSelfIssued, token=token.address, pledger=world.issuer):
        world.engine.pledge(token, 10, sender=world.issuer)


def test_a_fund_at_exactly_10_percent_of_collateral_is_allowed_one_share_more_refused(world, reverts):
    account = world.open()
    pledge(world, account, "TBILL", 900)
    pledge(world, account, "MMF", 100)  # 100 of 1,000 at the same price and haircut: 10%
    with reverts(solidity.CollateralConcentration, kind=2):
        pledge(world, account, "MMF", 1)


def test_ineligible_collateral_is_refused(world, reverts):
    account = world.open()
    world.collateral.setEligible(world.tokens["TBILL"], False, sender=world.admin)
    with reverts(solidity.CollateralIneligible):
        pledge(world, account, "TBILL", 1)


# ------------------------------------------------------------------------ stale prices


def test_a_stale_price_refuses_valuation_opening_and_withdrawal(chain, world, reverts):
    account = world.open(cash_usd=10_000)
    world.buy(account, "IDX", 10)
    chain.warp(chain.now() + MAX_AGE + 1)
    with reverts(solidity.OracleStalePrice):
        world.engine.status(account)
    with reverts(solidity.OracleStalePrice):
        world.buy(account, "IDX", 1)
    with reverts(solidity.OracleStalePrice):
        world.engine.withdrawCash(1, sender=account)
    world.refresh()
    world.engine.withdrawCash(1, sender=account)


def test_an_account_with_nothing_at_risk_withdraws_without_prices(chain, world):
    account = world.open(cash_usd=10_000)
    chain.warp(chain.now() + MAX_AGE + 1)
    world.engine.withdrawCash(10_000 * USD, sender=account)
    assert world.cash.balanceOf(account) == 10_000 * USD


# ------------------------------------------------------------- calls and liquidation


def shocked_siloed_account(world, move_cents: int) -> str:
    """A siloed account long 1,000 IDX on $50,000, after IDX falls to ``move_cents``."""
    account = world.open(Method.SILOED, cash_usd=50_000)
    world.buy(account, "IDX", 1_000)
    world.set_price("IDX", move_cents)
    return account


def test_a_call_is_issued_only_below_maintenance(world, reverts):
    # long $100,000 on $50,000 equity: maintenance 25% of value; at $66.67 equity $16,670 < 16,667.5
    healthy = shocked_siloed_account(world, 6_667)  # equity 16,670 >= 25% of 66,670
    with reverts(solidity.MarginNotBelowMaintenance, account=healthy):
        world.engine.issueCall(healthy, sender=world.admin)
    world.set_price("IDX", 6_666)  # equity 16,660 < 16,665
    receipt = world.engine.issueCall(healthy, sender=world.admin)
    (event,) = receipt.events_named("MarginCallIssued")
    assert (event.equity, event.maintenance) == (16_660 * USD, 16_665 * USD)
    assert event.deadline == world.chain.now() + CALL_PERIOD


def test_a_call_cannot_be_liquidated_until_its_deadline_has_passed(chain, world, reverts):
    account = shocked_siloed_account(world, 6_000)
    world.engine.issueCall(account, sender=world.admin)
    deadline = world.engine.account(account).call_deadline
    chain.warp(deadline)
    world.refresh()
    with reverts(solidity.MarginNotLiquidatable, account=account, callDeadline=deadline):
        world.engine.liquidate(account, sender=world.admin)
    chain.warp(deadline + 1)
    world.refresh()
    world.engine.liquidate(account, sender=world.admin)


def test_a_call_is_met_by_a_deposit_back_to_maintenance(world):
    account = shocked_siloed_account(world, 6_000)  # equity 10,000; maintenance 15,000
    world.engine.issueCall(account, sender=world.admin)
    world.deposit(account, 5_000 * USD - 1)
    assert world.engine.reviewCall(account, sender=world.admin).events_named("MarginCallMet") == []
    world.deposit(account, 1)
    (met,) = world.engine.reviewCall(account, sender=world.admin).events_named("MarginCallMet")
    assert met.equity == met.maintenance == 15_000 * USD
    assert world.engine.account(account).call_deadline == 0


def test_a_liquidation_with_equity_left_restores_the_account(chain, world):
    account = shocked_siloed_account(world, 6_000)
    world.engine.issueCall(account, sender=world.admin)
    chain.warp(world.engine.account(account).call_deadline + 1)
    world.refresh()
    receipt = world.engine.liquidate(account, sender=world.admin)
    assert receipt.events_named("ShortfallCharged") == []
    status = world.check(account)
    assert (status.initial, status.positions_value, status.equity) == (0, 0, 10_000 * USD)
    assert world.engine.spotOf(world.liquidator, world.index["IDX"]) == 1_000
    assert world.ledger_balanced()


def test_an_institutional_shortfall_goes_to_the_default_fund_and_stays_a_claim(chain, world):
    account = shocked_siloed_account(world, 6_000)
    world.engine.issueCall(account, sender=world.admin)
    chain.warp(world.engine.account(account).call_deadline + 1)
    world.set_price("IDX", 4_800)  # the book is worth $48,000 against a $50,000 loan
    fund = world.engine.defaultFund()
    receipt = world.engine.liquidate(account, sender=world.admin)
    (charged,) = receipt.events_named("ShortfallCharged")
    assert (charged.shortfall, charged.fromDefaultFund, charged.uncovered) == (2_000 * USD, 1_000 * USD, 1_000 * USD)
    assert world.engine.defaultFund() == fund - 1_000 * USD
    assert world.engine.account(account).claim == 2_000 * USD
    assert world.engine.account(account).cash == 0
    assert world.ledger_balanced()


def test_collateral_is_sold_to_cover_a_debit_before_any_shortfall(chain, world):
    account = world.open(Method.SILOED)
    pledge(world, account, "TBILL", 600)  # $59,700 after haircut
    world.buy(account, "IDX", 1_000)
    world.set_price("IDX", 3_000)  # book $30,000, loan $100,000: equity -$10,300
    world.engine.issueCall(account, sender=world.admin)
    chain.warp(world.engine.account(account).call_deadline + 1)
    world.refresh()
    receipt = world.engine.liquidate(account, sender=world.admin)
    (sold,) = receipt.events_named("CollateralSold")
    assert (sold.amount, sold.proceeds) == (600, 60_000 * USD)
    (charged,) = receipt.events_named("ShortfallCharged")
    assert charged.shortfall == 10_000 * USD  # sold at market value, not haircut value
    assert world.ledger_balanced()


def test_retail_is_closed_out_below_half_its_initial_margin_not_at_it(world, reverts):
    retail = world.open(retail=True, cash_usd=6_000)
    world.perp(retail, world.mm, "ETH", 4)  # $12,000 at 2:1: initial $6,000
    world.set_price("ETH", 200_000)  # equity 2,000; initial 4,000: exactly half (ESMA: "less than half")
    assert world.check(retail).equity == 2_000 * USD
    with reverts(solidity.MarginNotLiquidatable, account=retail):
        world.engine.liquidate(retail, sender=world.admin)
    world.set_price("ETH", 199_999)  # equity 1,999.96; initial 3,999.98; half 1,999.99
    receipt = world.engine.liquidate(retail, sender=world.admin)
    assert receipt.events_named("Liquidated")[0].retail is True
    assert world.perps.positionOf(retail, world.market["ETH"])[0] == 0
    assert world.engine.account(retail).cash == 1_999_960_000


def test_negative_balance_protection_charges_a_retail_loss_to_the_default_fund(world):
    retail = world.open(retail=True, cash_usd=6_000)
    world.perp(retail, world.mm, "ETH", 4)
    world.set_price("ETH", 120_000)  # -$7,200 on $6,000: a gap through the close-out level
    fund = world.engine.defaultFund()
    receipt = world.engine.liquidate(retail, sender=world.admin)
    (charged,) = receipt.events_named("ShortfallCharged")
    assert (charged.shortfall, charged.retail) == (1_200 * USD, True)
    assert world.engine.account(retail).cash == 0
    assert world.engine.account(retail).claim == 0  # a retail client owes nothing
    assert world.engine.defaultFund() == fund - 1_000 * USD
    assert world.ledger_balanced()


# --------------------------------------------------------------------------- perpetuals


def test_perpetual_pnl_settles_into_cash_and_sums_to_zero(world):
    long, short = world.open(cash_usd=100_000), world.open(cash_usd=100_000)
    world.perp(long, short, "IDX", 100)
    world.set_price("IDX", 10_500)
    assert world.perps.unsettledOf(long) == 500 * USD == -world.perps.unsettledOf(short)
    world.perps.settle(long, sender=long)
    world.perps.settle(short, sender=short)
    assert world.engine.account(long).cash - 100_000 * USD == 500 * USD
    assert world.engine.account(short).cash - 100_000 * USD == -500 * USD
    assert world.engine.perpetualsPool() == 0
    assert world.ledger_balanced()


def test_funding_is_due_at_its_exact_time_and_longs_pay_the_premium_capped(chain, world, reverts):
    long, short = world.open(cash_usd=100_000), world.open(cash_usd=100_000)
    world.perp(long, short, "IDX", 100)
    due = world.perps.market(world.market["IDX"])[2]
    chain.warp(due - 1)
    world.set_price("IDX", 10_000, mark=10_010)
    with reverts(solidity.PerpFundingNotDue, market=world.market["IDX"], nextFunding=due):
        world.perps.applyFunding(world.market["IDX"], sender=world.admin)
    chain.warp(due)
    world.set_price("IDX", 10_000, mark=10_010)  # premium 10 cents, under the 0.75% cap (75 cents)
    (event,) = world.perps.applyFunding(world.market["IDX"], sender=world.admin).events_named("FundingApplied")
    assert event.perContract == 10 * CENT
    assert world.perps.unsettledOf(long) == 100 * (10 * CENT) - 100 * (10 * CENT)  # P&L +$10 x 100, funding -$10 x 100
    world.set_price("IDX", 10_000, mark=10_200)
    chain.warp(due + 8 * HOUR)
    world.set_price("IDX", 10_000, mark=10_200)
    (capped,) = world.perps.applyFunding(world.market["IDX"], sender=world.admin).events_named("FundingApplied")
    assert capped.perContract == 75 * CENT
    world.check(long)
    world.check(short)


def test_funding_a_mark_below_the_index_is_paid_by_shorts(chain, world):
    long, short = world.open(cash_usd=100_000), world.open(cash_usd=100_000)
    world.perp(long, short, "IDX", 10)
    chain.warp(world.perps.market(world.market["IDX"])[2])
    world.set_price("IDX", 10_000, mark=10_000)
    world.set_price("IDX", 10_000, mark=9_990)
    world.perps.applyFunding(world.market["IDX"], sender=world.admin)
    world.set_price("IDX", 10_000, mark=10_000)
    assert world.perps.unsettledOf(long) == 10 * 10 * CENT == -world.perps.unsettledOf(short)


def test_a_trade_needs_both_sides_to_have_accounts(world, reverts):
    account = world.open(cash_usd=1_000)
    stranger = world.chain.new_account()
    with reverts(solidity.PerpNoAccount, account=stranger):
        world.perp(account, stranger, "IDX", 1)


def test_a_reducing_trade_is_allowed_below_the_initial_requirement(world):
    account = world.open(cash_usd=10_000)
    world.perp(account, world.mm, "IDX", 1_000)  # short scan 8% down on a long: $8,000
    world.set_price("IDX", 9_900)  # equity $9,000, requirement $7,920: still fine; push further
    world.set_price("IDX", 9_500)  # equity $5,000 < $7,600
    assert world.check(account).equity < world.check(account).initial
    world.perp(world.mm, account, "IDX", 500)  # closing half is allowed
    assert world.perps.positionOf(account, world.market["IDX"])[0] == 500
