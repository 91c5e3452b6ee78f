"""The scenario format: what a scenario file may say, validated.

A scenario describes one security token's life: who issues it under which rules, who
invests, how it trades, clears, settles and is held in custody, what it pays, and what
goes wrong. Every field has a default where a sensible one exists; defaults that come
from a rule name their source (see also ``sim.rules``). Unknown keys are refused.

Times are given as days (and hours) from the scenario's ``start``; the simulation runs
in seconds from ``start``, and every transaction at simulated time t runs in a block
whose timestamp is ``start + t``.

Money is given in US dollars (decimals allowed, cents kept exact); token amounts in whole
tokens (shares) unless a field says otherwise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from sim import rules
from sim.contracts.compliance import AnyModule
from sim.contracts.identity import ISO_3166_ALPHA_2, InvestorTypeName


def _parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"not an ISO 8601 date or date-time: {value!r}") from None
    else:
        raise ValueError(f"expected an ISO 8601 date-time such as 2026-01-05T14:00:00Z, got {value!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


Timestamp = Annotated[datetime, BeforeValidator(_parse_time)]
"""An ISO 8601 date or date-time, read as UTC when no zone is given."""

Money = Annotated[float, Field(ge=0, le=1e15)]
"""US dollars."""


class Model(BaseModel):
    """Strict models: no unknown keys, no type coercion ("10" is not a number)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# ---------------------------------------------------------------- distributions


class Fixed(Model):
    """The same value for everyone."""

    kind: Literal["fixed"] = "fixed"
    value: float = Field(ge=0)


class LogNormal(Model):
    """Log-normal around a median: incomes, wealth, order sizes."""

    kind: Literal["lognormal"] = "lognormal"
    median: float = Field(gt=0)
    sigma: float = Field(ge=0, le=5)


class Uniform(Model):
    """Uniform between ``low`` and ``high``."""

    kind: Literal["uniform"] = "uniform"
    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self


Distribution = Annotated[Fixed | LogNormal | Uniform, Field(discriminator="kind")]


# --------------------------------------------------------------------- security


class Bond(Model):
    """Bond terms: coupons in the cash token, redemption at face value at maturity.

    Attributes:
        face_value: US dollars repaid per token at maturity.
        coupon_rate_pct: annual coupon, percent of face value.
        coupon_every_months: months between coupons (6: semi-annual).
        maturity_day: day of redemption (from the scenario start).
        record_lag_days: days between a coupon's record date and its payment.
    """

    face_value: Money = 100.0
    coupon_rate_pct: float = Field(default=5.0, ge=0, le=100)
    coupon_every_months: int = Field(default=6, gt=0, le=12)
    maturity_day: int = Field(gt=0)
    record_lag_days: int = Field(default=1, ge=0, le=30)


class Security(Model):
    """The security token and the rules its compliance enforces.

    Attributes:
        compliance: compliance modules, each with a ``kind``: ``lockup``,
            ``holder_limit``, ``jurisdiction``, ``accredited_only``, ``max_balance``,
            ``supply_limit``, ``investment_limit`` (see ``sim.contracts.compliance``).
        bond: present for a bond (coupons and redemption); absent for equity.
    """

    name: str = Field(min_length=1, max_length=64)
    symbol: str = Field(min_length=1, max_length=11, pattern=r"^[A-Z0-9]+$")
    decimals: int = Field(default=0, ge=0, le=18)
    compliance: list[AnyModule] = Field(default_factory=list, max_length=16)
    bond: Bond | None = None


class Cash(Model):
    """The payment leg: a tokenized deposit or stablecoin."""

    name: str = "US Dollar Token"
    symbol: str = Field(default="USDT", pattern=r"^[A-Z0-9]+$")
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

    opens_day: int = Field(default=0, ge=0)
    closes_day: int = Field(gt=0)
    price: Money
    shares: int = Field(gt=0)
    allocation: Literal["pro_rata", "first_come"] = "pro_rata"

    @model_validator(mode="after")
    def _window(self) -> Offering:
        if self.closes_day <= self.opens_day:
            raise ValueError(f"closes_day ({self.closes_day}) must be after opens_day ({self.opens_day})")
        if self.price <= 0:
            raise ValueError("price must be greater than 0")
        return self


# -------------------------------------------------------------------- investors


class Population(Model):
    """A group of investors drawn from distributions.

    Attributes:
        types: investor types and their shares of the population (summing to 1).
        jurisdictions: ISO 3166-1 alpha-2 codes and their shares (summing to 1).
        us_person: US person under Reg S for everyone (true/false); default: those in US.
        income_usd, net_worth_usd: recorded as bands (their floors set limits).
        cash_usd: cash each investor starts with, in the cash token.
        subscription_usd: what each investor asks for in the offering (absent: none).
        custody: ``self`` (own wallet) or the name of a custodian.
        orders_per_day: each investor's rate of secondary-market orders (Poisson).
        kyc_pending_share: share registered with verification still pending.
    """

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)
    count: int = Field(gt=0, le=100_000)
    types: dict[InvestorTypeName, float] = Field(default_factory=lambda: {"accredited": 1.0})
    jurisdictions: dict[str, float] = Field(default_factory=lambda: {"US": 1.0})
    us_person: bool | None = None
    income_usd: Distribution = Field(default_factory=lambda: Fixed(value=0))
    net_worth_usd: Distribution = Field(default_factory=lambda: Fixed(value=0))
    cash_usd: Distribution = Field(default_factory=lambda: Fixed(value=100_000))
    subscription_usd: Distribution | None = None
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

    shares: int = Field(gt=0)
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

    starts_day: int = Field(default=0, ge=0)
    stops_day: int | None = Field(default=None, gt=0)
    venue: Literal["continuous", "call_auction"] = "continuous"
    auction_every_hours: int = Field(default=24, gt=0, le=24 * 30)
    order_size: Distribution = Field(default_factory=lambda: LogNormal(median=50, sigma=0.8))
    limit_spread_pct: float = Field(default=1.5, ge=0, le=50)
    order_ttl_hours: int = Field(default=72, gt=0)
    market_maker: MarketMaker | None = None

    @model_validator(mode="after")
    def _window(self) -> Trading:
        if self.stops_day is not None and self.stops_day <= self.starts_day:
            raise ValueError(f"stops_day ({self.stops_day}) must be after starts_day ({self.starts_day})")
        return self


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

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=40)
    mode: Literal["omnibus", "segregated"]
    reconcile_hour_utc: int = Field(default=22, ge=0, le=23)


class Oracle(Model):
    """The reference price: a geometric Brownian motion pushed on chain.

    Attributes:
        initial_price: US dollars; default: the offering price.
        drift_pct, volatility_pct: annual drift and volatility of the path.
        update_hours: interval of the on-chain updates.
        max_age_hours: reads of a price older than this are refused on chain.
    """

    initial_price: Money | None = None
    drift_pct: float = Field(default=0.0, ge=-100, le=100)
    volatility_pct: float = Field(default=20.0, ge=0, le=300)
    update_hours: int = Field(default=24, gt=0)
    max_age_hours: int = Field(default=48, gt=0)


class Dividends(Model):
    """Cash dividends to the holders of record.

    Attributes:
        every_months: months between dividends (3: quarterly).
        first_record_day: day of the first record date.
        per_share: US dollars per token.
        payment_lag_days: days from record date to payment.
    """

    every_months: int = Field(default=3, gt=0, le=12)
    first_record_day: int = Field(gt=0)
    per_share: Money
    payment_lag_days: int = Field(default=10, ge=0, le=60)


# ----------------------------------------------------------------------- faults


class FaultAt(Model):
    """Base of the faults: each happens at ``at_day`` (fractions of a day allowed)."""

    at_day: float = Field(ge=0)


class StaleOracle(FaultAt):
    """The price feed stops: no updates for ``hours``."""

    kind: Literal["stale_oracle"] = "stale_oracle"
    hours: int = Field(gt=0)


class SettlementFail(FaultAt):
    """Sellers fail to deliver: for ``days``, ``share`` of sellers do not affirm."""

    kind: Literal["settlement_fail"] = "settlement_fail"
    days: int = Field(gt=0)
    share: float = Field(default=1.0, gt=0, le=1)


class UnallocatedDeposit(FaultAt):
    """Cash arrives at a custodian's omnibus account without instructions."""

    kind: Literal["unallocated_deposit"] = "unallocated_deposit"
    custodian: str
    cash_usd: Money
    allocate_after_days: float | None = Field(default=1.0, ge=0)


class ForcedTransfer(FaultAt):
    """The token's agent moves tokens out of a custodian's account (a court order)."""

    kind: Literal["forced_transfer"] = "forced_transfer"
    custodian: str
    shares: int = Field(gt=0)


class Pause(FaultAt):
    """The token's agent pauses holder transfers for ``hours``."""

    kind: Literal["pause"] = "pause"
    hours: int = Field(gt=0)


class KeyLoss(FaultAt):
    """``count`` self-custody investors lose their keys; the agent recovers their tokens."""

    kind: Literal["key_loss"] = "key_loss"
    count: int = Field(default=1, gt=0)
    recover_after_days: float = Field(default=2.0, ge=0)


Fault = Annotated[
    StaleOracle | SettlementFail | UnallocatedDeposit | ForcedTransfer | Pause | KeyLoss,
    Field(discriminator="kind"),
]


# --------------------------------------------------------------------- scenario


class Scenario(Model):
    """A security token's life, from issuance to whatever the scenario ends with.

    Attributes:
        kind: ``lifecycle`` (this format, the default) or ``margin``
            (``sim.scenario.margin.MarginScenario``).
        name: short identifier, used for the run directory.
        seed: seed of the run's random numbers (``--seed`` overrides it).
        start: the moment the simulation (and the chain's clock) starts.
        duration_days: how long the simulation runs.
    """

    kind: Literal["lifecycle"] = "lifecycle"
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)
    description: str = ""
    seed: int = Field(default=0, ge=0, lt=2**63)
    start: Timestamp = Field(default_factory=lambda: datetime(2026, 1, 5, 14, 0, tzinfo=UTC))
    duration_days: float = Field(gt=0, le=36_500)
    security: Security
    cash: Cash = Field(default_factory=Cash)
    offering: Offering
    investors: list[Population] = Field(min_length=1)
    trading: Trading | None = None
    clearing: Clearing = Field(default_factory=Clearing)
    custodians: list[Custodian] = Field(default_factory=list)
    oracle: Oracle = Field(default_factory=Oracle)
    dividends: Dividends | None = None
    faults: list[Fault] = Field(default_factory=list)
    metrics_every_hours: int = Field(default=24, gt=0)

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        custodians = {c.name for c in self.custodians}
        if len(custodians) != len(self.custodians):
            raise ValueError("custodian names must be unique")
        names = [p.name for p in self.investors]
        if len(set(names)) != len(names):
            raise ValueError("population names must be unique")
        for population in self.investors:
            if population.custody != "self" and population.custody not in custodians:
                raise ValueError(
                    f"population {population.name!r}: custody {population.custody!r} is not 'self' "
                    f"nor a custodian ({', '.join(sorted(custodians)) or 'none defined'})"
                )
        for fault in self.faults:
            target = getattr(fault, "custodian", None)
            if target is not None and target not in custodians:
                raise ValueError(f"fault {fault.kind!r}: no custodian named {target!r}")
        if self.offering.closes_day >= self.duration_days:
            raise ValueError(
                f"offering closes on day {self.offering.closes_day}, not before the end (day {self.duration_days:g})"
            )
        bond = self.security.bond
        if bond is not None and bond.maturity_day > self.duration_days:
            raise ValueError(f"bond matures on day {bond.maturity_day}, after the end (day {self.duration_days:g})")
        return self

    @property
    def start_timestamp(self) -> int:
        return int(self.start.timestamp())

