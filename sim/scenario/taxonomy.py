"""The ``taxonomy`` section: a token's class, its launch, its venues.

The taxonomy part plays what the token taxonomy does to one token: its class in the
``AssetRegistry`` picks which compliance modules apply (``rules``) and which venue kinds may
trade it (``venues_by_class``); a developer may launch it under a safe harbor
(``safe_harbor``: notice, capped sales, disclosures, exit report), after which it is
reclassified; venues settle trades on chain, report volume, and carry the ATS fair-access
duty. Every rule is enforced by the contracts (``AssetRegistry``, ``Compliance``,
``SafeHarborRegistry``, ``VenueRegistry``); the scenario sets their parameters, and bad ones
are refused here, at load, with the field path named.

Money in US dollars; prices in whole cents; token amounts in whole tokens (at most
``sim.scenario.base.MAX_TOKENS``); percentages as percent (5 is 5%).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from sim import rules
from sim.contracts.compliance import AnyModule, ExemptionWhitelist, kind_from_key
from sim.contracts.identity import InvestorTypeName
from sim.scenario.base import (
    MAX_DAYS,
    MAX_TOKENS,
    NAME_PATTERN,
    Distribution,
    Fixed,
    Invalid,
    Model,
    Money,
    Price,
)

ClassName = Literal[
    "tokenized_security", "digital_commodity", "collectible", "tool", "stablecoin", "cash",
    "government_security", "money_market_fund", "equity", "security_based_swap", "exempt_network_token",
]
"""The classes of ``AssetRegistry`` (an unknown class is refused at load)."""

VenueKindName = Literal["unregistered", "securities_exchange", "ats", "commodity_exchange"]
"""``VenueRegistry.VenueKind``: how a venue is registered."""

TaxonomyModule = Annotated[
    AnyModule | ExemptionWhitelist, Field(discriminator="kind"), BeforeValidator(kind_from_key)
]
Name = Field(pattern=NAME_PATTERN, max_length=40)


class Token(Model):
    """The token and its class at the start.

    Attributes:
        asset_class: its ``AssetRegistry`` class at the start (``exempt_network_token`` for
            a launch under a safe harbor).
    """

    name: str = Field(min_length=1, max_length=64)
    symbol: str = Field(min_length=1, max_length=11, pattern=r"^[A-Z0-9]+$")
    decimals: int = Field(default=0, ge=0, le=18)
    asset_class: ClassName


class Grants(Model):
    """Network rewards the team pays out of its allocation (what decentralises a network).

    Attributes:
        every_days: interval between grants.
        tokens: whole tokens per grant, split evenly among ``recipients`` holders-to-be
            chosen at random among investors the token's rules let receive it.
        until_day: last day of grants (default: the whole run).
    """

    every_days: float = Field(gt=0, le=MAX_DAYS)
    tokens: int = Field(gt=0, le=MAX_TOKENS)
    recipients: int = Field(gt=0, le=1_000)
    until_day: float | None = Field(default=None, gt=0, le=MAX_DAYS)


class Developer(Model):
    """The developer team.

    Attributes:
        team_tokens: whole tokens minted to the team's wallets at launch.
        team_wallets: wallets the team allocation is split across (they all count as the
            developer's share).
        cash_usd: cash the developer holds besides what it raises (for refunds).
    """

    team_tokens: int = Field(default=0, ge=0, le=MAX_TOKENS)
    team_wallets: int = Field(default=1, ge=1, le=20)
    cash_usd: Money = 0.0
    grants: Grants | None = None


class Caps(Model):
    """An exemption's caps while it runs (absent: no cap).

    Attributes:
        total_raise_usd: all sales together.
        per_investor_usd: one investor's purchases together.
        whitelist_only: sales and transfers only to whitelisted participants.
        sale_limit_days: the exemption's time limit for sales, from the first sale (at most
            the window).
    """

    total_raise_usd: Money | None = Field(default=None, gt=0)
    per_investor_usd: Money | None = Field(default=None, gt=0)
    whitelist_only: bool = False
    sale_limit_days: int | None = Field(default=None, gt=0, le=MAX_DAYS)


class SaleRound(Model):
    """A round of sales by the developer at a fixed price.

    Attributes:
        day: when the round runs.
        price_usd: per whole token.
        buyers: investors asked, drawn at random from ``groups`` (all groups by default).
        tokens: whole tokens each buyer asks for.
    """

    day: float = Field(ge=0, le=MAX_DAYS)
    price_usd: Price
    buyers: int = Field(gt=0, le=10_000)
    tokens: Distribution
    groups: list[str] = Field(default_factory=list)


class Exit(Model):
    """The exit report's maturity tests and what follows them.

    The proposal fixes one test: a team holding more than 20% of the tokens cannot count as
    decentralised (``max_developer_share_pct``, at most 20). The others (top-ten share, HHI,
    independent holders, venues) are not in it: they are the scenario's model choices of
    what "decentralised" means, off (at their loosest) unless a scenario sets them.

    Attributes:
        max_top10_share_pct: the ten largest holders hold at most this share (model choice).
        max_hhi: Herfindahl-Hirschman index of holdings at most this, 0 to 10,000 (model choice).
        max_developer_share_pct: the team holds at most this share (Token Safe Harbor
            Proposal 2.0, Rule 195(k)(2)(i): more than 20% is not decentralised; default and
            ceiling 20).
        min_independent_holders: holders other than the team, at least (model choice).
        min_venues: venues trading the token, at least (model choice).
        on_mature: the class when every test passes.
        on_fail: the class when any fails.
        refund_on_fail: a failure opens the refund path (holders paid back at the average
            sale price, their tokens burned).
        report_days_before_end: when the developer files, in days before the window ends
            (the report is due no later than the end: 0 files on its last second).
    """

    max_top10_share_pct: float = Field(default=100, ge=0, le=100)
    max_hhi: float = Field(default=10_000, ge=0, le=10_000)
    max_developer_share_pct: float = Field(
        default=rules.SAFE_HARBOR_MAX_TEAM_SHARE_PCT, ge=0, le=rules.SAFE_HARBOR_MAX_TEAM_SHARE_PCT
    )
    min_independent_holders: int = Field(default=0, ge=0, lt=2**32)
    min_venues: int = Field(default=0, ge=0, lt=2**16)
    on_mature: ClassName = "digital_commodity"
    on_fail: ClassName = "tokenized_security"
    refund_on_fail: bool = False
    report_days_before_end: float = Field(default=0, ge=0, le=MAX_DAYS)


class SafeHarbor(Model):
    """The safe-harbor notice and the exemption it runs under.

    Attributes:
        notice_day: when the developer files the notice of reliance.
        window_months: the relief runs this many calendar months from the notice (default,
            when ``window_days`` is absent: Token Safe Harbor Proposal 2.0's three years, Rule 195(e), 36).
        window_days: instead, this many days from the notice (another exemption's terms).
        disclosure_every_months: disclosure periods in calendar months, counted from the
            notice (default, when ``disclosure_every_days`` is absent: the proposal's six);
            0: no updates due.
        disclosure_every_days: instead, periods of this many days.
        disclosure_grace_days: an update is due this long after its period ends (the
            proposal: 30 days).
        pause_sales_on_missed_disclosure: an overdue update pauses sales until made.
        missed_disclosures: which scheduled updates (1 = the first) the developer misses.
        late_days: how late, after its due time, a missed update is then made.
    """

    notice_day: float = Field(default=0, ge=0, le=MAX_DAYS)
    window_months: int | None = Field(default=None, gt=0, le=120)
    window_days: int | None = Field(default=None, gt=0, le=3_650)
    disclosure_every_months: int | None = Field(default=None, ge=0, le=120)
    disclosure_every_days: int | None = Field(default=None, gt=0, le=MAX_DAYS)
    disclosure_grace_days: float = Field(default=rules.SAFE_HARBOR_UPDATE_GRACE_DAYS, ge=0, le=MAX_DAYS)
    pause_sales_on_missed_disclosure: bool = False
    missed_disclosures: list[Annotated[int, Field(ge=1, le=MAX_DAYS)]] = Field(default_factory=list)
    late_days: float = Field(default=30, gt=0, le=MAX_DAYS)
    caps: Caps = Field(default_factory=Caps)
    rounds: list[SaleRound] = Field(default_factory=list, max_length=100)
    exit: Exit = Field(default_factory=Exit)

    @model_validator(mode="after")
    def _limits(self) -> SafeHarbor:
        if self.window_days is not None and self.window_months is not None:
            raise self.refuse("window_days", "give window_months or window_days, not both")
        if self.disclosure_every_days is not None and self.disclosure_every_months is not None:
            raise self.refuse("disclosure_every_days", "give disclosure_every_months or disclosure_every_days, not both")
        limit = self.caps.sale_limit_days
        days, months = self.window
        if limit is not None and limit > (days or 28 * months):
            window = f"{days} days" if days else f"{months} months"
            raise self.refuse(("caps", "sale_limit_days"), f"Input should not exceed the window ({window})")
        return self

    @property
    def window(self) -> tuple[int, int]:
        """The window as ``(days, months)``, one of them 0 (default: 36 months)."""
        if self.window_days is not None:
            return self.window_days, 0
        return 0, self.window_months if self.window_months is not None else rules.SAFE_HARBOR_WINDOW_MONTHS

    @property
    def disclosure_period(self) -> tuple[int, int]:
        """A disclosure period as ``(days, months)`` (default: 6 months); both 0: no updates due."""
        if self.disclosure_every_days is not None:
            return self.disclosure_every_days, 0
        if self.disclosure_every_months is not None:
            return 0, self.disclosure_every_months
        return 0, rules.SAFE_HARBOR_UPDATE_EVERY_MONTHS


class Venue(Model):
    """A trading venue.

    Attributes:
        registration: how it is registered (``VenueRegistry.VenueKind``).
        list_day: when it lists the token (refused on chain when its kind may not trade
            the token's class).
        weights: its weight in order routing, by month of the run (the last repeats).
    """

    name: str = Name
    registration: VenueKindName
    list_day: float = Field(default=0, ge=0, le=MAX_DAYS)
    weights: list[Annotated[float, Field(ge=0, le=1e6)]] = Field(
        default_factory=lambda: [1.0], min_length=1, max_length=1_200
    )


class Investors(Model):
    """A group of investors.

    Attributes:
        types: investor types and their shares (summing to 1).
        cash_usd: cash each starts with.
        initial_tokens: whole tokens each holds at the start (from an earlier offering).
        whitelisted_share: share on the exemption's whitelist.
    """

    name: str = Name
    count: int = Field(gt=0, le=10_000)
    types: dict[InvestorTypeName, float] = Field(default_factory=lambda: {"accredited": 1.0})
    cash_usd: Distribution = Field(default_factory=lambda: Fixed(value=10_000))
    initial_tokens: Distribution = Field(default_factory=lambda: Fixed(value=0))
    whitelisted_share: float = Field(default=1.0, ge=0, le=1)

    @field_validator("types")
    @classmethod
    def _shares(cls, shares: dict[str, float]) -> dict[str, float]:
        if not shares or any(v < 0 for v in shares.values()):
            raise ValueError("give at least one type, none negative")
        total = sum(shares.values())
        if abs(total - 1.0) > 1e-9:
            raise ValueError(f"shares must sum to 1, they sum to {total:g}")
        return shares


class Trading(Model):
    """Secondary trading between investors on the venues.

    Attributes:
        trades_per_day: matched trades a day over all venues (Poisson).
        size_tokens: whole tokens a trade is for (at most the seller's balance).
        price_usd, volatility_pct: the price at the start and its annual volatility.
        sell_off_on_security_pct: when the token is reclassified a security, this share of
            the holders (team aside) try to sell everything within ten days, each to a buyer
            the venue finds eligible (``recipientRestriction``); locked lots refuse.
    """

    starts_day: float = Field(default=0, ge=0, le=MAX_DAYS)
    trades_per_day: float = Field(default=10, ge=0, le=10_000)
    size_tokens: Distribution = Field(default_factory=lambda: Fixed(value=100))
    price_usd: Price = 1.0
    volatility_pct: float = Field(default=60, ge=0, le=300)
    sell_off_on_security_pct: float = Field(default=0, ge=0, le=100)


class FairAccess(Model):
    """Reg ATS, 17 CFR 242.301(b)(5)(i): at ``share_pct`` of a token's average daily volume in at
    least ``months`` of the ``lookback_months`` preceding calendar months."""

    share_pct: float = Field(default=rules.ATS_FAIR_ACCESS_SHARE_BPS / 100, gt=0, le=100)
    months: int = Field(default=rules.ATS_FAIR_ACCESS_MONTHS, gt=0, le=24)
    lookback_months: int = Field(default=rules.ATS_FAIR_ACCESS_LOOKBACK_MONTHS, gt=0, le=24)

    @model_validator(mode="after")
    def _months(self) -> FairAccess:
        if self.months > self.lookback_months:
            raise self.refuse("months", f"Input should not exceed lookback_months ({self.lookback_months})")
        return self


class Reclassification(Model):
    """A reclassification by the regulator at a given day (a ruling)."""

    day: float = Field(ge=0, le=MAX_DAYS)
    to: ClassName
    reason: str = Field(default="ruling", min_length=1, max_length=80)


class TaxonomySection(Model):
    """A token under the taxonomy: its class, its rules, its launch and its venues (the
    ``taxonomy`` section)."""

    token: Token
    rules: dict[ClassName, list[TaxonomyModule]] = Field(default_factory=dict)
    venues_by_class: dict[ClassName, list[VenueKindName]] = Field(default_factory=dict)
    fair_access: FairAccess = Field(default_factory=FairAccess)
    developer: Developer = Field(default_factory=Developer)
    safe_harbor: SafeHarbor | None = None
    venues: list[Venue] = Field(default_factory=list, max_length=16)
    investors: list[Investors] = Field(min_length=1, max_length=16)
    trading: Trading = Field(default_factory=Trading)
    reclassifications: list[Reclassification] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> TaxonomySection:
        at = ("taxonomy",)
        for field, names in (("venues", [v.name for v in self.venues]), ("investors", [g.name for g in self.investors])):
            for j, name in enumerate(names):
                if name in names[:j]:
                    raise Invalid((*at, field, j, "name"),
                                  f"names must be unique: {field}.{names.index(name)} is {name!r} too", name)
        groups = {g.name for g in self.investors}
        harbor = self.safe_harbor
        if harbor is not None:
            if self.token.asset_class != "exempt_network_token":
                raise Invalid((*at, "token", "asset_class"),
                              "a safe_harbor needs token.asset_class 'exempt_network_token' (the class it runs under)")
            for i, sale in enumerate(harbor.rounds):
                for j, group in enumerate(sale.groups):
                    if group not in groups:
                        raise Invalid((*at, "safe_harbor", "rounds", i, "groups", j),
                                      f"no investor group {group!r} (the groups: {', '.join(sorted(groups))})", group)
        else:
            for name, modules in self.rules.items():
                for j, module in enumerate(modules):
                    if module.kind == "exemption_whitelist":
                        raise Invalid((*at, "rules", name, j, "kind"),
                                      "an exemption_whitelist module needs a safe_harbor (whose whitelist it reads)")
        return self


__all__ = ["ClassName", "TaxonomySection", "VenueKindName"]
