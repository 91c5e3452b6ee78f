"""Collateral valuation in Python: the reference the contracts are checked against.

The same rules as ``contracts/collateral/CollateralRegistry.sol``, written plainly, so a
test can compute what the chain must answer to the last basis point and unit. Haircuts
are basis points of market value.

Default schedule: the standard supervisory haircuts of 12 CFR 217.132 / 12 CFR 1240.39
(the same table CFTC 23.156 uses for uncleared-swap margin), 10-day holding period with
daily marking; concentration limits for money-market funds from CFTC Reg 1.25 (2024); no
collateral issued by the pledging party (PFMI Principle 5). See ../shared/DOMAIN.md.
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.calendar import add_months
from sim.contracts.assets import Asset, AssetClass, IssuerKind, rating_notch
from sim.contracts.collateral import Limits

BPS = 10_000

SOVEREIGN_HIGH_GRADE = (50, 200, 400)
"""Sovereign debt rated AAA to AA-: <= 1 year, 1-5 years, > 5 years (12 CFR 217.132)."""
SOVEREIGN_INVESTMENT_GRADE = (100, 300, 600)
"""Sovereign debt rated A+ to BBB- (12 CFR 217.132)."""
OTHER_HIGH_GRADE = (100, 400, 800)
"""Other issuers' debt rated AAA to AA- (12 CFR 217.132)."""
OTHER_INVESTMENT_GRADE = (200, 600, 1_200)
"""Other issuers' debt rated A+ to BBB- (12 CFR 217.132)."""
SOVEREIGN_SPECULATIVE = 1_500
"""Sovereign debt rated BB+ to BB-, any maturity (12 CFR 217.132)."""
MAIN_INDEX_EQUITY_OR_GOLD = 1_500
"""Equities in a main index, and gold (12 CFR 217.132)."""
OTHER_EQUITY = 2_500
"""Other listed equities (12 CFR 217.132)."""
CURRENCY_MISMATCH = 800
"""Added when the collateral's currency differs from the account's (12 CFR 217.132)."""


class NotOnSchedule(ValueError):
    """The asset has no haircut on the schedule (the contract's ``CollateralNotOnSchedule``)."""

    CLASS, RATING, MATURED, FUND_HOLDINGS = 1, 2, 3, 4

    def __init__(self, reason: int, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class ConcentrationExceeded(ValueError):
    """A concentration limit is exceeded (the contract's ``CollateralConcentration``)."""

    def __init__(self, kind: str, key: str, value: int, total: int, limit_bps: int) -> None:
        super().__init__(f"{kind} {key}: {value} of {total} is above {limit_bps / 100:g}%")
        self.kind, self.key, self.value, self.total, self.limit_bps = kind, key, value, total, limit_bps


def schedule_haircut(name: str, assets: Mapping[str, Asset], now: int, set_haircuts: Mapping[str, int] | None = None) -> int:
    """The schedule's haircut of ``name`` alone (no currency add-on), basis points."""
    asset = assets[name]
    c = asset.asset_class
    if c == AssetClass.CASH:
        return 0
    if c == AssetClass.MONEY_MARKET_FUND:
        return _fund_haircut(name, assets, now, set_haircuts or {})
    if c == AssetClass.GOVERNMENT_SECURITY or (c == AssetClass.TOKENIZED_SECURITY and asset.maturity):
        return _debt_haircut(name, asset, now)
    if c in (AssetClass.EQUITY, AssetClass.TOKENIZED_SECURITY):
        return MAIN_INDEX_EQUITY_OR_GOLD if asset.main_index else OTHER_EQUITY
    if c == AssetClass.DIGITAL_COMMODITY and asset.main_index:  # gold
        return MAIN_INDEX_EQUITY_OR_GOLD
    raise NotOnSchedule(NotOnSchedule.CLASS, f"{name}: a {c.name.lower()} is not on the haircut schedule")


def _debt_haircut(name: str, asset: Asset, now: int) -> int:
    if asset.maturity <= now:
        raise NotOnSchedule(NotOnSchedule.MATURED, f"{name}: matured")
    band = 0 if asset.maturity <= add_months(now, 12) else (1 if asset.maturity <= add_months(now, 60) else 2)
    sovereign = asset.issuer_kind == IssuerKind.SOVEREIGN
    if 1 <= asset.rating <= 4:
        return (SOVEREIGN_HIGH_GRADE if sovereign else OTHER_HIGH_GRADE)[band]
    if 5 <= asset.rating <= 10:
        return (SOVEREIGN_INVESTMENT_GRADE if sovereign else OTHER_INVESTMENT_GRADE)[band]
    if sovereign and 11 <= asset.rating <= 13:
        return SOVEREIGN_SPECULATIVE
    raise NotOnSchedule(NotOnSchedule.RATING, f"{name}: rating notch {asset.rating} is not on the schedule")


def _fund_haircut(name: str, assets: Mapping[str, Asset], now: int, set_haircuts: Mapping[str, int]) -> int:
    fund = assets[name]
    if not fund.holdings:
        raise NotOnSchedule(NotOnSchedule.FUND_HOLDINGS, f"{name}: a fund with no holdings listed")
    highest = 0
    for held in fund.holdings:
        if held in set_haircuts:
            h = set_haircuts[held]
        else:
            try:
                h = schedule_haircut(held, assets, now, set_haircuts)
            except NotOnSchedule:
                raise NotOnSchedule(NotOnSchedule.FUND_HOLDINGS, f"{name}: holding {held} is off the schedule") from None
        if assets[held].currency != fund.currency:
            h += CURRENCY_MISMATCH
        highest = max(highest, h)
    return highest


def haircut(
    name: str,
    assets: Mapping[str, Asset],
    *,
    now: int,
    currency: str = "USD",
    set_haircuts: Mapping[str, int] | None = None,
    mismatch_bps: int = CURRENCY_MISMATCH,
) -> int:
    """Haircut of ``name`` in an account kept in ``currency``: a set haircut or the
    schedule's, plus the currency add-on, capped at 100%."""
    set_haircuts = set_haircuts or {}
    h = set_haircuts[name] if name in set_haircuts else schedule_haircut(name, assets, now, set_haircuts)
    if assets[name].currency != currency:
        h += mismatch_bps
    return min(h, BPS)


def collateral_value(market_value: int, haircut_bps: int) -> int:
    """Market value after the haircut, rounded down (as on chain)."""
    return market_value * (BPS - haircut_bps) // BPS


def check_concentration(values: Mapping[str, int], assets: Mapping[str, Asset], limits: Limits = Limits()) -> None:
    """Raise ``ConcentrationExceeded`` for the first limit ``values`` (collateral values
    after haircuts, by asset) exceed, in the contract's order; a share at its limit passes."""
    total = sum(values.values())
    if total == 0:
        return

    def within(kind: str, key: str, value: int, limit: int) -> None:
        if value * BPS > total * limit:
            raise ConcentrationExceeded(kind, key, value, total, limit)

    all_funds = 0
    for name, value in values.items():
        within("per_asset", name, value, limits.per_asset)
        if assets[name].asset_class == AssetClass.MONEY_MARKET_FUND:
            within("per_fund", name, value, limits.per_fund)
            all_funds += value
    for name in values:
        issuer = assets[name].issuer
        same = [n for n in values if assets[n].issuer == issuer]
        within("per_issuer", issuer, sum(values[n] for n in same), limits.per_issuer)
        if assets[name].asset_class == AssetClass.MONEY_MARKET_FUND:
            family = sum(values[n] for n in same if assets[n].asset_class == AssetClass.MONEY_MARKET_FUND)
            within("per_fund_family", issuer, family, limits.per_fund_family)
    within("all_funds", "", all_funds, limits.all_funds)


__all__ = [
    "BPS",
    "Asset",
    "AssetClass",
    "ConcentrationExceeded",
    "IssuerKind",
    "Limits",
    "NotOnSchedule",
    "check_concentration",
    "collateral_value",
    "haircut",
    "rating_notch",
    "schedule_haircut",
]
