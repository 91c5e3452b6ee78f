"""The ``margin`` section: assets, accounts, books, shocks.

The collateral and margin part plays tokenized collateral and leverage: assets with prices
on correlated paths (geometric Brownian motion with jumps, and scripted shocks), accounts
that pledge collateral and open spot positions on margin and perpetual futures against a
market maker, a margin desk issuing calls, a liquidator; a world fault ``stale_oracle``
stops its price feed too. Every rule is enforced by the contracts (``AssetRegistry``,
``CollateralRegistry``, ``MarginEngine``, ``PerpetualFutures``); the section sets their
parameters, and bad ones are refused here, at load, with the field path named.

An asset may be the scenario's own security token (``token: security``): its price is the
securities lifecycle's reference price, the margin engine holds it under the token's own
rules, and an account may belong to one of the lifecycle's investors (``investor``).

Money in US dollars; prices in dollars per whole token, in whole cents; quantities of
positions in whole tokens (perpetuals: contracts of one token), at most
``sim.scenario.base.MAX_TOKENS``; percentages as percent (20 is 20%).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AliasChoices, Field, ValidationInfo, field_validator, model_validator

from sim.contracts.assets import RATINGS, Asset, AssetClass, IssuerKind, rating_notch
from sim.reference.requirements import (
    CROSS_FLOOR_BPS,
    RETAIL_CLOSE_OUT_BPS,
    RETAIL_LEVERAGE_PRESETS,
    SCAN_RANGES_BPS,
)
from sim.scenario.base import (
    MAX_DAYS,
    MAX_TOKENS,
    NAME_PATTERN,
    Distribution,
    Invalid,
    Model,
    Money,
    Price,
)

AssetClassName = Literal[
    "tokenized_security", "digital_commodity", "collectible", "tool", "stablecoin", "cash",
    "government_security", "money_market_fund", "equity",
]
"""The classes of ``AssetRegistry`` (an unknown class is refused at load)."""

SECURITY_CLASSES = frozenset({"tokenized_security", "equity", "money_market_fund", "government_security"})
"""Classes on the SEC's side of the line (securities; their customers under Rule 15c3-3)."""

RetailClass = Literal["major_fx", "minor_fx", "gold", "major_index", "commodity", "other_index", "equity", "crypto"]
"""Retail leverage classes: ESMA's (``sim.reference.requirements.RETAIL_LEVERAGE_CAPS``); under
the US retail forex regime only ``major_fx`` and ``minor_fx`` (``RETAIL_FOREX_LEVERAGE``)."""

Symbol = Field(pattern=r"^[A-Z0-9]{1,11}$")

Tokens = Annotated[int, Field(gt=0, le=MAX_TOKENS)]
"""Whole tokens pledged or held in reserve."""


class Perpetual(Model):
    """A perpetual future on the asset, traded against the market maker.

    Attributes:
        funding_hours: funding interval (8 hours on most venues).
        funding_cap_pct: funding per interval is capped at this share of the index.
        basis_pct: standard deviation of the mark's premium over the index, percent.
        position_limit: contracts per account, long or short; 0: none.
    """

    funding_hours: int = Field(default=8, gt=0, le=24 * 7)
    funding_cap_pct: float = Field(default=0.75, ge=0, le=100)
    basis_pct: float = Field(default=0.1, ge=0, le=20)
    position_limit: int = Field(default=0, ge=0, le=MAX_TOKENS)


class Tradable(Model):
    """The asset as an underlying of positions (spot on margin, perpetuals).

    Attributes:
        scan_up_pct, scan_down_pct: the portfolio scan range, each way (above 0, at most
            100). Default from the ``scan_class`` (FINRA 4210(g): equities and narrow
            indices 15/15, high-cap broad index 6/8, other broad index 10/10).
        retail_class: ESMA leverage class for retail accounts (crypto 2:1, major index
            20:1, ...); absent: not offered to retail on margin.
        position_limit: whole tokens of spot per account; 0: none.
    """

    scan_class: Literal["equity", "narrow_index", "high_cap_broad_index", "broad_index"] | None = None
    scan_up_pct: float | None = Field(default=None, gt=0, le=100)
    scan_down_pct: float | None = Field(default=None, gt=0, le=100)
    retail_class: RetailClass | None = None
    position_limit: int = Field(default=0, ge=0, le=MAX_TOKENS)
    perpetual: Perpetual | None = None

    @model_validator(mode="after")
    def _range(self) -> Tradable:
        if self.scan_class is not None:
            return self
        if self.scan_up_pct is None and self.scan_down_pct is None:
            raise self.refuse("scan_class", "Field required: give a scan_class or both scan_up_pct and scan_down_pct "
                              "(a scan range of zero is refused)", missing=True)
        missing = "scan_up_pct" if self.scan_up_pct is None else "scan_down_pct" if self.scan_down_pct is None else None
        if missing is not None:
            raise self.refuse(missing, "Field required: give scan_up_pct and scan_down_pct together, or a scan_class",
                              missing=True)
        return self

    @property
    def range_bps(self) -> tuple[int, int]:
        up, down = SCAN_RANGES_BPS[self.scan_class] if self.scan_class else (0, 0)
        if self.scan_up_pct is not None:
            up = round(self.scan_up_pct * 100)
        if self.scan_down_pct is not None:
            down = round(self.scan_down_pct * 100)
        return up, down

    def retail_leverage(self, regime: str = "esma") -> int:
        """The retail leverage cap of the asset's class under ``regime`` (0: not offered)."""
        return RETAIL_LEVERAGE_PRESETS[regime][self.retail_class] if self.retail_class else 0


class MarginAsset(Model):
    """A token: what it is (for the registries), how its price moves, how it may be used.

    Attributes:
        token: ``plain`` (default): an ERC-20 deployed for the asset, its price on this
            section's paths; ``security``: the scenario's security token (its symbol, its
            decimals, its price from the lifecycle's ``oracle``, its transfer rules).
        asset_class: the ``AssetRegistry`` class.
        issuer: a label; assets with the same label have the same issuer (and a fund
            family is its funds' common issuer).
        issuer_kind: ``sovereign`` (a government, its central bank or agencies, an MDB),
            ``gse`` / ``supported_gse`` (a government-sponsored enterprise without / with US
            government capital support), ``securitization`` (an asset-backed security),
            ``other`` (a corporate).
        risk_weight_pct: the issuer's risk weight under 12 CFR 217.32 (0, 20, 50, 100,
            150); absent: by issuer kind (US sovereign 0, GSE 20, other 100).
        rating: S&P-style rating (AAA ... BB-, or lower); absent: unrated. Basel II reads
            it; 23.156 asks investment grade of corporate debt; 217.132 does not use it.
        maturity_day: a debt instrument's maturity, days from the start.
        main_index: an equity in the S&P 500 or a related main index (on a digital
            commodity: gold); ``composite_index``: in the S&P Composite 1500, not the 500.
        holdings: a money-market fund's permitted holdings: symbols of other assets, or a
            mapping of symbol to its percent of the fund's value (the CFTC schedule weights
            the holdings' haircuts by it; one holding is all of it).
        price: US dollars per whole token at the start.
        drift_pct, volatility_pct: annual; jumps_per_year, jump_mean_pct, jump_sd_pct:
            a Merton jump process (log jump sizes, percent).
        collateral: eligible as collateral (``CollateralRegistry.setEligible``).
        haircut_pct: a haircut set for the asset (the CFTC pilot's BTC, ETH, USDC)
            instead of the supervisory schedule's; 0 to 100.
        tradable: present when positions may be taken on the asset.
    """

    symbol: str = Symbol
    token: Literal["plain", "security"] = "plain"
    name: str = Field(min_length=1, max_length=64)
    asset_class: AssetClassName
    decimals: int = Field(default=0, ge=0, le=18)
    issuer: str = Field(default="", max_length=40)
    issuer_kind: Literal["sovereign", "other", "gse", "supported_gse", "securitization"] = "other"
    risk_weight_pct: Literal[0, 20, 50, 100, 150] | None = None
    rating: str | None = None
    maturity_day: int | None = Field(default=None, gt=0, le=MAX_DAYS)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    main_index: bool = False
    composite_index: bool = False
    holdings: list[str] | dict[str, Annotated[float, Field(gt=0, le=100)]] = Field(default_factory=list, max_length=32)
    price: Price | None = None
    drift_pct: float = Field(default=0.0, ge=-100, le=100)
    volatility_pct: float = Field(default=20.0, ge=0, le=300)
    jumps_per_year: float = Field(default=0.0, ge=0, le=365)
    jump_mean_pct: float = Field(default=0.0, ge=-90, le=90)
    jump_sd_pct: float = Field(default=0.0, ge=0, le=90)
    collateral: bool = False
    haircut_pct: float | None = Field(default=None, ge=0, le=100)
    tradable: Tradable | None = None

    @field_validator("rating")
    @classmethod
    def _rating(cls, rating: str | None) -> str | None:
        if rating is not None and rating not in RATINGS and rating not in ("B+", "B", "B-", "CCC", "D"):
            raise ValueError(f"not a rating: expected one of {', '.join(RATINGS)} (or lower, B+ ... D)")
        return rating

    @model_validator(mode="after")
    def _checks(self) -> MarginAsset:
        if self.token == "security" and self.price is not None:
            raise self.refuse("price", "the security token's price comes from the scenario's oracle: give no price")
        if self.token == "plain" and self.price is None:
            raise self.refuse("price", "Field required: a plain asset's price at the start, in dollars", missing=True)
        if self.holdings and self.asset_class != "money_market_fund":
            raise self.refuse("holdings", f"holdings are for a money_market_fund (this asset is a {self.asset_class})")
        if isinstance(self.holdings, dict) and round(sum(self.holdings.values()) * 100) != 10_000:
            raise self.refuse("holdings", "the holdings' shares of the fund must add up to 100 percent",
                              value=round(sum(self.holdings.values()), 6))
        return self

    def record(self, *, start: int, issuer: str, holdings: tuple[str, ...]) -> Asset:
        """The asset's ``AssetRegistry`` record, for a run starting at ``start`` (Unix time):
        ``issuer`` and ``holdings`` as the registry (addresses) or the Python reference of
        the collateral registry (labels, symbols) knows them."""
        return Asset(
            AssetClass[self.asset_class.upper()], self.currency, IssuerKind[self.issuer_kind.upper()],
            rating_notch(self.rating), self.main_index, issuer,
            start + self.maturity_day * 86_400 if self.maturity_day else 0, holdings,
            risk_weight=self.risk_weight_pct, composite_index=self.composite_index,
            holding_weights_bps=self.holding_weights_bps,
        )

    @property
    def holding_symbols(self) -> list[str]:
        return list(self.holdings)

    @property
    def holding_weights_bps(self) -> tuple[int, ...]:
        """The holdings' shares in basis points (empty when not given)."""
        if not isinstance(self.holdings, dict):
            return ()
        weights = [round(v * 100) for v in self.holdings.values()]
        weights[-1] += 10_000 - sum(weights)  # shares given to 0.01% add up exactly
        return tuple(weights)


class Order(Model):
    """A position the account opens (or reduces) at ``at_day``.

    Give ``quantity`` (whole tokens; negative: sell spot or go short the perpetual) or
    ``leverage`` (the position's notional as a multiple of the account's equity then,
    drawn per account when a distribution: how retail traders size their bets).
    """

    at_day: float = Field(default=0.0, ge=0, le=MAX_DAYS)
    asset: str
    perpetual: bool = False
    quantity: int | None = Field(default=None, ge=-MAX_TOKENS, le=MAX_TOKENS)
    leverage: Distribution | None = None
    short: bool = False

    @field_validator("quantity")
    @classmethod
    def _not_zero(cls, quantity: int | None) -> int | None:
        if quantity == 0:
            raise ValueError("Input should not be 0 (negative: sell spot or go short the perpetual)")
        return quantity

    @model_validator(mode="after")
    def _size(self) -> Order:
        if self.quantity is None and self.leverage is None:
            raise self.refuse("quantity", "Field required: give exactly one of quantity and leverage", missing=True)
        if self.quantity is not None and self.leverage is not None:
            raise self.refuse("leverage", "give exactly one of quantity and leverage (this order has a quantity)")
        if self.short and not self.perpetual:
            raise self.refuse("short", "only a perpetual can be short (spot on margin is long; sell with a negative quantity)")
        return self


class Pledge(Model):
    """Tokens of the scenario's security token the account's investor pledges at ``at_day``
    (it must hold them then: bought in the offering or on the venue).

    ``method``: ``title_transfer`` (the tokens move to the engine's collateral custodian,
    which the token must admit as a holder) or ``in_place`` (they stay in the investor's
    wallet under a hold only the custodian can execute, on default, or release)."""

    at_day: float = Field(ge=0, le=MAX_DAYS)
    asset: str
    tokens: int = Field(gt=0, le=MAX_TOKENS)
    method: Literal["title_transfer", "in_place"] = "title_transfer"


class LiquidationSale(Model):
    """How the liquidator sells foreclosed security tokens on the lifecycle's venue (a
    model choice: no rule fixes a price or a period). It offers them at ``discount_pct``
    below the oracle's price, again each day its offer has expired unsold, until
    ``max_days`` have passed; it then pays the proceeds of what settled into the account,
    and what stays owed is a shortfall."""

    discount_pct: float = Field(default=2.0, ge=0, lt=100)
    max_days: float = Field(default=5.0, gt=0, le=90)


class MarginAccount(Model):
    """A participant's margin account (``count`` alike: names get -1, -2, ...).

    Attributes:
        investor: the label of one of the scenario's investors (``population-0001``) whose
            wallet holds the account: one participant, an offering's investor and a margin
            client at once; absent: a client of the margin part alone.
        type: ``retail`` (ESMA leverage caps, close-out at 50%, negative balance
            protection) or ``institutional``.
        method: ``siloed`` (Reg T for securities, derivatives scanned alone) or
            ``portfolio`` (one scan over everything).
        cash_usd: cash deposited at the start.
        collateral: whole tokens of each asset pledged at the start, in order.
        liquidity_usd: cash the participant can still find to meet margin calls.
        reserve: whole tokens of collateral it can pledge to meet a call (substitution).
        responds_within_hours: how long it takes to act on a call (drawn uniformly from
            0 to this); a call's deadline may pass first.
        orders: positions opened during the run.
        pledges: the security token pledged during the run, by title transfer or in place
            (the account's ``investor`` must hold the tokens in its own wallet).
    """

    name: str = Field(pattern=NAME_PATTERN, max_length=40)
    investor: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9_-]*-[0-9]{4,}$")
    count: int = Field(default=1, gt=0, le=1_000)
    type: Literal["retail", "institutional"] = "institutional"
    method: Literal["siloed", "portfolio"] = "portfolio"
    cash_usd: Money = 0.0
    collateral: dict[str, Tokens] = Field(default_factory=dict)
    liquidity_usd: Money = 0.0
    reserve: dict[str, Tokens] = Field(default_factory=dict)
    responds_within_hours: float = Field(default=12.0, ge=0, le=24 * 30)
    orders: list[Order] = Field(default_factory=list, max_length=100)
    pledges: list[Pledge] = Field(default_factory=list, max_length=100)

    @field_validator("count")
    @classmethod
    def _one_investor(cls, count: int, info: ValidationInfo) -> int:
        investor = info.data.get("investor")
        if investor is not None and count != 1:
            raise ValueError(f"Input should be 1 for an account held by investor {investor!r}")
        return count


class ConcentrationLimits(Model):
    """Concentration limits as shares of an account's collateral value, percent (above
    0, at most 100). Defaults: none per asset or issuer; for money-market funds 10% per
    fund, 25% per fund family, 50% in all funds, by analogy with CFTC Reg 1.25 (which limits
    how an FCM invests customer funds, and only for large funds: a model choice)."""

    per_asset_pct: float = Field(default=100, gt=0, le=100)
    per_issuer_pct: float = Field(default=100, gt=0, le=100)
    per_fund_pct: float = Field(default=10, gt=0, le=100)
    per_fund_family_pct: float = Field(default=25, gt=0, le=100)
    all_funds_pct: float = Field(default=50, gt=0, le=100)


class MarginRules(Model):
    """The engine's parameters.

    Attributes:
        haircut_schedule: the published haircut schedule the collateral registry values by:
            ``cftc_23_156`` (17 CFR 23.156, the default for margin at an FCM or swap dealer),
            ``us_capital_217_132`` (12 CFR 217.132 Table 1) or ``basel_ii`` (rating-based).
        scan_method: how portfolio accounts (and siloed ones' derivatives) are scanned:
            ``span`` (CME SPAN, the default) or ``finra`` (FINRA 4210(g): ten valuation
            points, $0.375 a derivative contract, $100,000 to open).
        min_cross_margin_pct: a model choice, default none: a cross-margined requirement
            at least this share of the siloed one (no rule sets such a floor; the CME-FICC
            program's "savings up to 80%" inspires it). ``cross_floor_pct`` is read too.
        close_out_pct: retail accounts are closed out when equity falls below this share
            of their initial margin (50%: ESMA Decision (EU) 2018/796).
        retail_regime: the retail leverage caps of ``tradable.retail_class``: ``esma``
            (ESMA's classes) or ``us_retail_forex`` (17 CFR 5.9: 2% on major currencies,
            5% on others; classes ``major_fx`` and ``minor_fx``).
        call_deadline_hours: time to meet a margin call (a model choice: FINRA
            4210(f)(6) allows up to 15 business days).
        check_every_hours: how often the margin desk and the liquidator look.
        default_fund_usd: the default fund that absorbs shortfalls.
        currency_mismatch_pct: haircut add-on for collateral in another currency (8%).
        locked_collateral: how security tokens pledged while still in a holding period
            (Rule 144, Reg S) count: ``ineligible`` (at zero, the default) or
            ``other_exposure`` (12 CFR 217.132 Table 1, "other exposure types" 25%; only
            under ``us_capital_217_132``, the one schedule with that row).
        liquidation_sale: how the liquidator sells foreclosed security tokens.
        cross_margin_regime: the one customer-protection regime of an account in a
            cross-margin program (margined as one portfolio, holding securities and futures):
            ``cftc_segregation`` (17 CFR 1.20-1.30: the securities join the futures account,
            as in the CME-FICC and OCC-CME programs) or ``sec_15c3_3`` (Rule 15c3-3: the
            futures join the securities account). A joint SEC-CFTC order decides which; the
            scenario chooses (a model choice).
    """

    haircut_schedule: Literal["cftc_23_156", "us_capital_217_132", "basel_ii"] = "cftc_23_156"
    scan_method: Literal["span", "finra"] = "span"
    min_cross_margin_pct: float = Field(default=CROSS_FLOOR_BPS / 100, ge=0, le=100,
                                        validation_alias=AliasChoices("min_cross_margin_pct", "cross_floor_pct"))
    close_out_pct: float = Field(default=RETAIL_CLOSE_OUT_BPS / 100, gt=0, le=100)
    retail_regime: Literal["esma", "us_retail_forex"] = "esma"
    call_deadline_hours: int = Field(default=24, gt=0, le=24 * 30)
    check_every_hours: int = Field(default=4, gt=0, le=24 * 7)
    default_fund_usd: Money = 1_000_000.0
    currency_mismatch_pct: float = Field(default=8.0, ge=0, le=100)
    limits: ConcentrationLimits = Field(default_factory=ConcentrationLimits)
    locked_collateral: Literal["ineligible", "other_exposure"] = "ineligible"
    liquidation_sale: LiquidationSale = Field(default_factory=LiquidationSale)
    cross_margin_regime: Literal["cftc_segregation", "sec_15c3_3"] = "cftc_segregation"

    @model_validator(mode="after")
    def _locked(self) -> MarginRules:
        if self.locked_collateral == "other_exposure" and self.haircut_schedule != "us_capital_217_132":
            raise self.refuse("locked_collateral", f"only the us_capital_217_132 schedule has an 'other exposure types' "
                              f"row; under {self.haircut_schedule} locked tokens are ineligible", value="other_exposure")
        return self


class PriceFeed(Model):
    """Oracle updates and the limits the contracts enforce: staleness, and optionally a
    deviation guard (``max_deviation_pct``: an update moving a fresh price by more than this
    percentage of it is refused, held on chain in whole basis points; absent: no guard)."""

    update_hours: int = Field(default=1, gt=0, le=24 * 7)
    max_age_hours: int = Field(default=2, gt=0, le=24 * 30)
    max_deviation_pct: float | None = Field(default=None, ge=0.01, le=100)

    @property
    def max_deviation_bps(self) -> int:
        """The guard in basis points, as deployed (0: none)."""
        return 0 if self.max_deviation_pct is None else round(self.max_deviation_pct * 100)


class Shock(Model):
    """A scripted price move: ``asset`` moves by ``move_pct`` at ``at_day`` (pushed at once)."""

    at_day: float = Field(ge=0, le=MAX_DAYS)
    asset: str
    move_pct: float = Field(gt=-100, le=1_000)


class MarketMaker(Model):
    """The counterparty of every perpetual trade and the dealer of every spot trade."""

    cash_usd: Money = 100_000_000.0
    inventory_tokens: int = Field(default=10_000_000, gt=0, le=MAX_TOKENS)


class MarginSection(Model):
    """Collateral, margin and leverage under price paths and shocks (the ``margin`` section).

    Attributes:
        currency: the accounts' currency (collateral in another takes the FX add-on).
        assets: the tokens, what they are and how their prices move.
        correlations: correlations of the assets' diffusions, ``"A/B": rho``.
        rules: the engine's parameters (call deadline, close-out, default fund...).
        oracle: the margin price feed (updates, staleness limit).
        market_maker: the counterparty of every trade.
        accounts: the participants' margin accounts.
        shocks: scripted price moves.
    """

    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    assets: list[MarginAsset] = Field(min_length=1, max_length=32)
    correlations: dict[str, Annotated[float, Field(ge=-1, le=1)]] = Field(default_factory=dict)
    rules: MarginRules = Field(default_factory=MarginRules)
    oracle: PriceFeed = Field(default_factory=PriceFeed)
    market_maker: MarketMaker = Field(default_factory=MarketMaker)
    accounts: list[MarginAccount] = Field(min_length=1, max_length=64)
    shocks: list[Shock] = Field(default_factory=list)

    @model_validator(mode="after")
    def _pairs(self) -> MarginSection:
        for key in self.correlations:
            if key.count("/") != 1:
                raise self.refuse(("correlations", key), "a correlation's key names two assets as 'A/B'", value=key)
        return self

    @model_validator(mode="after")
    def _references(self) -> MarginSection:
        at = ("margin",)
        symbols = [a.symbol for a in self.assets]
        for j, symbol in enumerate(symbols):
            if symbol in symbols[:j]:
                raise Invalid((*at, "assets", j, "symbol"),
                              f"asset symbols must be unique: assets.{symbols.index(symbol)} is {symbol} too", symbol)
        known = set(symbols)
        by_symbol = {a.symbol: a for a in self.assets}
        securities = [i for i, a in enumerate(self.assets) if a.token == "security"]
        if len(securities) > 1:
            raise Invalid((*at, "assets", securities[1], "token"),
                          f"only one asset can be the security token (assets.{securities[0]} is)", "security")
        for i, asset in enumerate(self.assets):
            unknown = [h for h in asset.holdings if h not in known]
            if unknown:
                raise Invalid((*at, "assets", i, "holdings"),
                              f"asset {asset.symbol}: holdings name unknown assets: {', '.join(unknown)}")
            if asset.maturity_day is not None and asset.asset_class not in ("government_security", "tokenized_security"):
                raise Invalid((*at, "assets", i, "maturity_day"),
                              f"asset {asset.symbol}: maturity_day is for debt (government or tokenized security)")
            t = asset.tradable
            if t is not None and t.retail_class is not None and t.retail_class not in RETAIL_LEVERAGE_PRESETS[
                self.rules.retail_regime
            ]:
                allowed = ", ".join(RETAIL_LEVERAGE_PRESETS[self.rules.retail_regime])
                raise Invalid((*at, "assets", i, "tradable", "retail_class"),
                              f"under the {self.rules.retail_regime} retail regime a class is one of: {allowed}",
                              t.retail_class)
        for key in self.correlations:
            a, b = key.split("/")
            for side in (a, b):
                if side not in known:
                    raise Invalid((*at, "correlations", key), f"correlation {key!r}: no asset {side!r}")
                if by_symbol[side].token == "security":
                    raise Invalid((*at, "correlations", key),
                                  f"correlation {key!r}: {side} is the security token, its price follows its own oracle")
            if a == b:
                raise Invalid((*at, "correlations", key), f"correlation {key!r}: an asset with itself")
        names = [a.name for a in self.accounts]
        for j, name in enumerate(names):
            if name in names[:j]:
                raise Invalid((*at, "accounts", j, "name"),
                              f"account names must be unique: accounts.{names.index(name)} is {name!r} too", name)
        for i, account in enumerate(self.accounts):
            for field in ("collateral", "reserve"):
                for symbol in getattr(account, field):
                    where = (*at, "accounts", i, field, symbol)
                    if symbol not in known:
                        raise Invalid(where, f"account {account.name!r}: no asset {symbol!r}")
                    if not by_symbol[symbol].collateral:
                        raise Invalid(where, f"account {account.name!r}: {symbol} is not collateral (set collateral: true)")
                    if by_symbol[symbol].token == "security":
                        raise Invalid(where, f"account {account.name!r}: the security token is pledged with `pledges` "
                                      "(at a day its investor holds it), not minted at the start")
            for j, pledge in enumerate(account.pledges):
                where = (*at, "accounts", i, "pledges", j, "asset")
                asset = by_symbol.get(pledge.asset)
                if asset is None:
                    raise Invalid(where, f"account {account.name!r}: pledge of unknown asset {pledge.asset!r}", pledge.asset)
                if asset.token != "security":
                    raise Invalid(where, f"account {account.name!r}: {pledge.asset} is a plain asset: pledge it at the "
                                  "start with `collateral` (pledges are of the security token)", pledge.asset)
                if not asset.collateral:
                    raise Invalid(where, f"account {account.name!r}: {pledge.asset} is not collateral (set collateral: true)",
                                  pledge.asset)
                if account.investor is None:
                    raise Invalid((*at, "accounts", i, "pledges", j),
                                  f"account {account.name!r} pledges {pledge.asset} it does not hold: only an account "
                                  "of one of the scenario's investors (`investor:`) holds the security token")
            for j, order in enumerate(account.orders):
                where = (*at, "accounts", i, "orders", j, "asset")
                asset = by_symbol.get(order.asset)
                if asset is None:
                    raise Invalid(where, f"account {account.name!r}: order on unknown asset {order.asset!r}")
                if asset.tradable is None:
                    raise Invalid(where, f"account {account.name!r}: {order.asset} is not tradable (give it a 'tradable' section)")
                if order.perpetual and asset.tradable.perpetual is None:
                    raise Invalid(where, f"account {account.name!r}: {order.asset} has no perpetual")
        for i, shock in enumerate(self.shocks):
            if shock.asset not in known:
                raise Invalid((*at, "shocks", i, "asset"), f"shock at day {shock.at_day:g}: no asset {shock.asset!r}")
        return self

    def is_security(self, symbol: str) -> bool:
        """A security (SEC's side of the line): a tokenized security, an equity, a fund, a
        government security, or the scenario's security token."""
        asset = next(a for a in self.assets if a.symbol == symbol)
        return asset.token == "security" or asset.asset_class in SECURITY_CLASSES

    def position_sides(self, account: MarginAccount) -> set[str]:
        """Which side of the securities/derivatives line ``account``'s positions are on:
        ``securities`` (spot in a security), ``futures`` (perpetuals), ``other`` (spot in a
        digital commodity, a stablecoin...)."""
        return {"futures" if o.perpetual else "securities" if self.is_security(o.asset) else "other"
                for o in account.orders}

    def in_cross_margin_program(self, account: MarginAccount) -> bool:
        """Margined as one portfolio with positions on both sides of the line: its offsets
        between securities and futures need a cross-margin program (one account, one
        customer-protection regime, by joint SEC-CFTC order). Securities given as collateral
        for futures are not such an offset: they sit with the futures."""
        return account.method == "portfolio" and {"securities", "futures"} <= self.position_sides(account)

    @property
    def security_asset(self) -> MarginAsset | None:
        """The asset that is the scenario's security token, if any."""
        return next((a for a in self.assets if a.token == "security"), None)


__all__ = ["LiquidationSale", "MarginAccount", "MarginAsset", "MarginSection", "Order", "Pledge"]
