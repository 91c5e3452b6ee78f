"""The securities lifecycle's sections: the token, its offering, trading, clearing, custody.

These sections describe one security token's life: who issues it under which rules
(``security``), the primary offering (``offering``), secondary trading on an ATS
(``trading``), clearing and settlement (``clearing``), custodians (``custodians``), cash
distributions (``dividends``; a bond's coupons are in ``security.bond``), and, for the
world, the investors (``investors``), the cash token (``cash``) and the token's reference
price (``oracle``). Every field has a default where a sensible one exists; defaults that
come from a rule name their source (see also ``sim.rules``).

Times are given as days (and hours) from the scenario's ``start``; money in US dollars;
prices (an offering's, a dividend per share, a bond's face value, the oracle's first) in
whole cents, at least one; token amounts in whole tokens (shares) unless a field says
otherwise. Bounds: ``sim.scenario.base``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator

from sim import rules
from sim.contracts.compliance import AnyModule, kind_from_key
from sim.contracts.identity import ISO_3166_ALPHA_2, InvestorTypeName
from sim.scenario.base import (
    MAX_DAYS,
    MAX_HOURS,
    MAX_TOKENS,
    NAME_PATTERN,
    Distribution,
    Fixed,
    LogNormal,
    Model,
    Money,
    Price,
)

# --------------------------------------------------------------------- security

ComplianceEntry = Annotated[AnyModule, BeforeValidator(kind_from_key)]
"""A compliance module: ``{kind: lockup, months: 12}``, or by its kind as the key,
``{lockup: {rule: rule_144, reporting_issuer: false}}`` (the form presets read best in)."""


class Bond(Model):
    """Bond terms: coupons in the cash token, redemption at face value at maturity.

    Attributes:
        face_value: US dollars repaid per token at maturity.
        coupon_rate_pct: annual coupon, percent of face value.
        coupon_every_months: months between coupons (6: semi-annual).
        maturity_day: day of redemption (from the scenario start).
        record_lag_days: days between a coupon's record date and its payment.
    """

    face_value: Price = 100.0
    coupon_rate_pct: float = Field(default=5.0, ge=0, le=100)
    coupon_every_months: int = Field(default=6, gt=0, le=12)
    maturity_day: int = Field(gt=0, le=MAX_DAYS)
    record_lag_days: int = Field(default=1, ge=0, le=30)


class Security(Model):
    """The security token and the rules its compliance enforces.

    Attributes:
        compliance: compliance modules, each with a ``kind`` (or its kind as the entry's
            one key): ``lockup``, ``holder_limit``, ``jurisdiction``, ``accredited_only``,
            ``max_balance``, ``supply_limit``, ``investment_limit`` (see
            ``sim.contracts.compliance``); ``rule`` picks a preset.
        bond: present for a bond (coupons and redemption); absent for equity.
        standard: the token the run deploys: ``tokensim`` (the default: tokensim's own
            ``SecurityToken``) or ``erc3643`` (T-REX 4.1.6, loaded from tools/trex; its
            compliance takes ``jurisdiction``, ``max_balance`` and ``supply_limit``, the rules
            T-REX has a module for; the others are refused at load).
    """

    name: str = Field(min_length=1, max_length=64)
    standard: Literal["tokensim", "erc3643"] = "tokensim"
    symbol: str = Field(min_length=1, max_length=11, pattern=r"^[A-Z0-9]+$")
    decimals: int = Field(default=0, ge=0, le=18)
    compliance: list[ComplianceEntry] = Field(default_factory=list, max_length=16)
    bond: Bond | None = None


class Cash(Model):
    """The payment leg: a tokenized deposit or stablecoin."""

    name: str = Field(default="US Dollar Token", min_length=1, max_length=64)
    symbol: str = Field(default="USDT", min_length=1, max_length=11, pattern=r"^[A-Z0-9]+$")
    decimals: int = Field(default=6, ge=2, le=18)
    allow_list: bool = False


# --------------------------------------------------------------------- offering


class Offering(Model):
    """The primary offering: subscriptions during a window, allocation at its close.

    Attributes:
        opens_day: first day subscriptions are taken.
        closes_day: the day of allocation; subscriptions after it are refused.
        price: US dollars per token.
        shares: tokens offered.
        allocation: ``pro_rata`` scales every subscription down when oversubscribed;
            ``first_come`` fills subscriptions in the order they came.
    """

    opens_day: int = Field(default=0, ge=0, le=MAX_DAYS)
    closes_day: int = Field(gt=0, le=MAX_DAYS)
    price: Price
    shares: int = Field(gt=0, le=MAX_TOKENS)
    allocation: Literal["pro_rata", "first_come"] = "pro_rata"

    @field_validator("closes_day")
    @classmethod
    def _window(cls, closes_day: int, info: ValidationInfo) -> int:
        opens_day = info.data.get("opens_day")
        if opens_day is not None and closes_day <= opens_day:
            raise ValueError(f"Input should be after opens_day ({opens_day})")
        return closes_day


# -------------------------------------------------------------------- investors


class Population(Model):
    """A group of investors drawn from distributions.

    Attributes:
        types: investor types and their shares of the population (summing to 1).
        jurisdictions: ISO 3166-1 alpha-2 codes and their shares (summing to 1).
        us_person: US person under Reg S for everyone (true/false); default: those in US.
        income_usd, net_worth_usd: recorded exactly in whole dollars (the Reg CF and Reg A
            limits are computed from them, 17 CFR 227.100(a)(2), 230.251(d)(2)(i)(C)).
        bands: privacy option: record only the band of income and net worth; limits then
            use the band floors and come out low.
        reg_cf_limit_usd, reg_a_limit_usd: the intermediary's attested Reg CF / Reg A
            investment limit for each investor, relied on instead of income and net worth
            (a funding portal may rely on the investor's representation, 17 CFR
            227.303(b)(1)); recorded to the cent; not with ``bands``.
        reg_cf_elsewhere_usd: what each investor bought in other issuers' Reg CF offerings
            before the start, as the intermediary knows it; it counts towards the Reg CF
            limit, which runs across all issuers (17 CFR 227.100(a)(2)), for 12 months from
            ``reg_cf_elsewhere_days_before_start`` days before the start.
        cash_usd: cash each investor starts with, in the cash token.
        subscription_usd: what each investor asks for in the offering (absent: none).
        counted_with: the name of another population: investor i of this one is a relative
            sharing the home of (or an entity more than 50% owned by) investor i of that one,
            and is counted with it as one purchaser under Rule 506(b) (17 CFR
            230.501(e)(1)); at most as many investors as that population.
        custody: ``self`` (own wallet) or the name of a custodian.
        orders_per_day: each investor's rate of secondary-market orders (Poisson).
        kyc_pending_share: share registered with verification still pending.
    """

    name: str = Field(pattern=NAME_PATTERN, max_length=40)
    count: int = Field(gt=0, le=100_000)
    types: dict[InvestorTypeName, float] = Field(default_factory=lambda: {"accredited": 1.0})
    jurisdictions: dict[str, float] = Field(default_factory=lambda: {"US": 1.0})
    us_person: bool | None = None
    income_usd: Distribution = Field(default_factory=lambda: Fixed(value=0))
    net_worth_usd: Distribution = Field(default_factory=lambda: Fixed(value=0))
    cash_usd: Distribution = Field(default_factory=lambda: Fixed(value=100_000))
    subscription_usd: Distribution | None = None
    bands: bool = False
    reg_cf_limit_usd: Distribution | None = None
    reg_a_limit_usd: Distribution | None = None
    reg_cf_elsewhere_usd: Distribution | None = None
    reg_cf_elsewhere_days_before_start: int = Field(default=0, ge=0, le=365)
    counted_with: str | None = Field(default=None, pattern=NAME_PATTERN, max_length=40)
    custody: str = "self"
    orders_per_day: float = Field(default=0.0, ge=0, le=100)
    kyc_pending_share: float = Field(default=0.0, ge=0, le=1)

    @field_validator("types", "jurisdictions")
    @classmethod
    def _shares(cls, shares: dict[str, float]) -> dict[str, float]:
        if not shares:
            raise ValueError("give at least one entry")
        if any(v < 0 for v in shares.values()):
            raise ValueError("shares must not be negative")
        total = sum(shares.values())
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"shares must sum to 1, they sum to {total:g}")
        return shares

    @field_validator("jurisdictions")
    @classmethod
    def _iso(cls, shares: dict[str, float]) -> dict[str, float]:
        unknown = [code for code in shares if code not in ISO_3166_ALPHA_2]
        if unknown:
            raise ValueError(f"not ISO 3166-1 alpha-2 country codes: {', '.join(unknown)}")
        return shares


# ---------------------------------------------------------------------- trading


class MarketMaker(Model):
    """A dealer with inventory: sells to buyers in buy-ins (Reg SHO close-outs)."""

    shares: int = Field(gt=0, le=MAX_TOKENS)
    cash_usd: Money = 1_000_000.0
    premium_pct: float = Field(default=1.0, ge=0, le=50)


class Trading(Model):
    """Secondary trading on an alternative trading system.

    Attributes:
        starts_day, stops_day: trading window (stops_day absent: to the end).
        venue: ``continuous`` (price-time priority) or ``call_auction`` (periodic).
        auction_every_hours: interval of the call auction.
        order_size: shares per order (rounded down, at least 1).
        limit_spread_pct: standard deviation of limit prices around the oracle price.
        order_ttl_hours: unfilled orders expire after this.
    """

    starts_day: int = Field(default=0, ge=0, le=MAX_DAYS)
    stops_day: int | None = Field(default=None, gt=0, le=MAX_DAYS)
    venue: Literal["continuous", "call_auction"] = "continuous"
    auction_every_hours: int = Field(default=24, gt=0, le=24 * 30)
    order_size: Distribution = Field(default_factory=lambda: LogNormal(median=50, sigma=0.8))
    limit_spread_pct: float = Field(default=1.5, ge=0, le=50)
    order_ttl_hours: int = Field(default=72, gt=0, le=MAX_HOURS)
    market_maker: MarketMaker | None = None

    @field_validator("stops_day")
    @classmethod
    def _window(cls, stops_day: int | None, info: ValidationInfo) -> int | None:
        starts_day = info.data.get("starts_day")
        if stops_day is not None and starts_day is not None and stops_day <= starts_day:
            raise ValueError(f"Input should be after starts_day ({starts_day})")
        return stops_day


class Clearing(Model):
    """Clearing and settlement.

    Attributes:
        settlement_days: n of T+n in business days; 0 settles each trade at once
            (atomic). Default 1: T+1 (Exchange Act Rule 15c6-1, since 28 May 2024).
        cutoff_hour_utc: hour of the daily settlement cycle on the settlement date; an
            instruction's settle-by time is that hour.
        netting: settle each cycle's batch multilaterally netted instead of gross.
        fail_penalty_bp: daily fail penalty, basis points of the cash amount, owed by
            the party that did not deliver or pay. Default 1.0 (CSDR, Reg. 2017/389,
            liquid shares; 0.1 for sovereign bonds).
        buy_in_after_days: days of fail after which a seller's fail is closed out by a
            buy-in. Default 3: Reg SHO Rule 204, close-out by the third settlement day
            after the settlement date (T+4 under T+1).
        business_days_only: settlement dates skip Saturdays and Sundays.
        max_batch_instructions: instructions per settlement transaction; a cycle with more
            is split (each transaction must fit a block's gas, 30 million on mainnet).
    """

    settlement_days: int = Field(default=rules.SETTLEMENT_CYCLE_DAYS, ge=0, le=10)
    cutoff_hour_utc: int = Field(default=20, ge=0, le=23)
    netting: bool = False
    fail_penalty_bp: float = Field(default=rules.CSDR_FAIL_PENALTY_BP_LIQUID_SHARES, ge=0, le=10_000)
    buy_in_after_days: int = Field(default=rules.REG_SHO_CLOSE_OUT_DAYS, ge=1, le=60)
    business_days_only: bool = True
    max_batch_instructions: int = Field(default=40, gt=0, le=200)


class Custodian(Model):
    """A custodian holding investors' tokens.

    Attributes:
        mode: ``omnibus``: one on-chain account (a ``CustodyVault``) with a sub-ledger
            per client, so the custodian is the holder of record; ``segregated``: one
            on-chain wallet per client, registered under the client's investor id.
        reconcile_hour_utc: hour of the daily reconciliation of the books against the chain.
    """

    name: str = Field(pattern=NAME_PATTERN, max_length=40)
    mode: Literal["omnibus", "segregated"]
    reconcile_hour_utc: int = Field(default=22, ge=0, le=23)


class Oracle(Model):
    """The reference price: a geometric Brownian motion pushed on chain.

    Attributes:
        initial_price: US dollars; default: the offering price.
        drift_pct, volatility_pct: annual drift and volatility of the path.
        update_hours: interval of the on-chain updates.
        max_age_hours: reads of a price older than this are refused on chain.
        max_deviation_pct: the oracle's deviation guard: an update moving a fresh price by
            more than this percentage of it is refused (held on chain in whole basis
            points, so at least 0.01); absent: no guard.
    """

    initial_price: Price | None = None
    drift_pct: float = Field(default=0.0, ge=-100, le=100)
    volatility_pct: float = Field(default=20.0, ge=0, le=300)
    update_hours: int = Field(default=24, gt=0, le=MAX_HOURS)
    max_age_hours: int = Field(default=48, gt=0, le=MAX_HOURS)
    max_deviation_pct: float | None = Field(default=None, ge=0.01, le=100)

    @property
    def max_deviation_bps(self) -> int:
        """The guard in basis points, as deployed (0: none)."""
        return 0 if self.max_deviation_pct is None else round(self.max_deviation_pct * 100)


class Dividends(Model):
    """Cash dividends to the holders of record.

    Attributes:
        every_months: months between dividends (3: quarterly).
        first_record_day: day of the first record date.
        per_share: US dollars per token.
        payment_lag_days: days from record date to payment.
    """

    every_months: int = Field(default=3, gt=0, le=12)
    first_record_day: int = Field(gt=0, le=MAX_DAYS)
    per_share: Price
    payment_lag_days: int = Field(default=10, ge=0, le=60)


__all__ = [
    "Bond", "Cash", "ComplianceEntry", "Clearing", "Custodian", "Dividends", "MarketMaker", "Offering", "Oracle",
    "Population", "Security", "Trading",
]
