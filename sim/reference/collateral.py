"""Collateral valuation in Python: the reference the contracts are checked against.

The same rules as ``contracts/collateral/CollateralRegistry.sol``, written plainly, so a
test can compute what the chain must answer to the last basis point and unit. Haircuts
are basis points of market value, from one of three published schedules
(``sim.contracts.collateral.Schedule``):

- ``CFTC_23_156``: 17 CFR 23.156(a)(3), uncleared swap margin (the prudential regulators'
  12 CFR 45 Appendix B is the same table, and gives the fund discount 23.156 lacks);
- ``US_CAPITAL_217_132``: 12 CFR 217.132 Table 1, columns by the issuer's risk weight;
- ``BASEL_II``: the Basel II comprehensive approach's rating-based table.

Concentration limits for money-market funds by analogy with CFTC Reg 1.25; no collateral
issued by the pledging party (PFMI Principle 5). See ../shared/DOMAIN.md.
"""

from __future__ import annotations

from collections.abc import Mapping

from sim.calendar import add_months
from sim.contracts.assets import Asset, AssetClass, IssuerKind, rating_notch
from sim.contracts.collateral import DEFAULT_SCHEDULE, Limits, Schedule

BPS = 10_000

# --------------------------------------------------------- 17 CFR 23.156(a)(3)
CFTC_GOVERNMENT_DEBT = (50, 200, 400)
"""Eligible government and related debt (sovereigns of risk weight <= 20%, central banks,
MDBs, GSEs with government capital support): <= 1 year, 1-5 years, > 5 years (17 CFR
23.156(a)(3)(i)(B))."""
CFTC_OTHER_DEBT = (100, 400, 800)
"""Eligible corporate debt, including GSE debt without government support (17 CFR 23.156(a)(3)(i)(B))."""
CFTC_SP500_EQUITY = 1_500
"""Equities in the S&P 500 or a related index (17 CFR 23.156(a)(3)(i)(B))."""
CFTC_SP1500_EQUITY = 2_500
"""Equities in the S&P Composite 1500 but not the S&P 500 (17 CFR 23.156(a)(3)(i)(B))."""

# ------------------------------------------------------ 12 CFR 217.132 Table 1
US_SOVEREIGN = {0: (50, 200, 400), 20: (100, 300, 600), 50: (100, 300, 600), 100: (1_500,) * 3}
"""Sovereign issuers by risk weight (12 CFR 217.132 Table 1)."""
US_NON_SOVEREIGN = {20: (100, 400, 800), 50: (200, 600, 1_200), 100: (400, 800, 1_600)}
"""Non-sovereign issuers by risk weight (12 CFR 217.132 Table 1)."""
US_SECURITIZATION = (400, 1_200, 2_400)
"""Investment-grade securitization exposures (12 CFR 217.132 Table 1)."""
US_OTHER_EXPOSURE = 2_500
"""Other exposure types (12 CFR 217.132 Table 1)."""

# ----------------------------------------------------------------- Basel II
SOVEREIGN_HIGH_GRADE = (50, 200, 400)
"""Sovereign debt rated AAA to AA- (Basel II, comprehensive approach, para. 151)."""
SOVEREIGN_INVESTMENT_GRADE = (100, 300, 600)
"""Sovereign debt rated A+ to BBB- (Basel II, comprehensive approach, para. 151)."""
OTHER_HIGH_GRADE = (100, 400, 800)
"""Other issuers' debt rated AAA to AA- (Basel II, comprehensive approach, para. 151)."""
OTHER_INVESTMENT_GRADE = (200, 600, 1_200)
"""Other issuers' debt rated A+ to BBB- (Basel II, comprehensive approach, para. 151)."""
SOVEREIGN_SPECULATIVE = 1_500
"""Sovereign debt rated BB+ to BB-, any maturity (Basel II, comprehensive approach, para. 151)."""

# ------------------------------------------------------------ every schedule
MAIN_INDEX_EQUITY_OR_GOLD = 1_500
"""Equities in a main index, and gold (12 CFR 217.132 Table 1; 17 CFR 23.156; Basel II)."""
OTHER_EQUITY = 2_500
"""Other publicly traded equities (12 CFR 217.132 Table 1; Basel II)."""
CURRENCY_MISMATCH = 800
"""Added when the collateral's currency differs from the account's (12 CFR 217.132(b)(2)(ii)(A); 17 CFR 23.156(a)(3)(i)(A))."""


class NotOnSchedule(ValueError):
    """The asset has no haircut on the schedule (the contract's ``CollateralNotOnSchedule``)."""

    CLASS, RATING, MATURED, FUND_HOLDINGS, ISSUER = 1, 2, 3, 4, 5

    def __init__(self, reason: int, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class ConcentrationExceeded(ValueError):
    """A concentration limit is exceeded (the contract's ``CollateralConcentration``)."""

    def __init__(self, kind: str, key: str, value: int, total: int, limit_bps: int) -> None:
        super().__init__(f"{kind} {key}: {value} of {total} is above {limit_bps / 100:g}%")
        self.kind, self.key, self.value, self.total, self.limit_bps = kind, key, value, total, limit_bps


def schedule_haircut(
    name: str, assets: Mapping[str, Asset], now: int, set_haircuts: Mapping[str, int] | None = None,
    schedule: Schedule = DEFAULT_SCHEDULE,
) -> int:
    """The schedule's haircut of ``name`` alone (no currency add-on), basis points."""
    asset = assets[name]
    c = asset.asset_class
    if c == AssetClass.CASH:
        return 0
    if c == AssetClass.MONEY_MARKET_FUND:
        if schedule == Schedule.CFTC_23_156:
            return _weighted_fund_haircut(name, assets, now, set_haircuts or {}, schedule)
        return _highest_fund_haircut(name, assets, now, set_haircuts or {}, schedule)
    if c == AssetClass.GOVERNMENT_SECURITY or (c == AssetClass.TOKENIZED_SECURITY and asset.maturity):
        if asset.maturity <= now:
            raise NotOnSchedule(NotOnSchedule.MATURED, f"{name}: matured")
        band = 0 if asset.maturity <= add_months(now, 12) else (1 if asset.maturity <= add_months(now, 60) else 2)
        if schedule == Schedule.US_CAPITAL_217_132:
            return _us_capital_debt(asset, band)
        if schedule == Schedule.CFTC_23_156:
            return _cftc_debt(name, asset, band)
        return _basel_debt(name, asset, band)
    if c in (AssetClass.EQUITY, AssetClass.TOKENIZED_SECURITY):
        if asset.main_index:
            return MAIN_INDEX_EQUITY_OR_GOLD
        if schedule != Schedule.CFTC_23_156 or asset.composite_index:
            return OTHER_EQUITY
        raise NotOnSchedule(NotOnSchedule.CLASS, f"{name}: 23.156 takes only equities of the S&P Composite 1500")
    if c == AssetClass.DIGITAL_COMMODITY and asset.main_index:  # gold
        return MAIN_INDEX_EQUITY_OR_GOLD
    raise NotOnSchedule(NotOnSchedule.CLASS, f"{name}: a {c.name.lower()} is not on the haircut schedule")


def _us_capital_debt(asset: Asset, band: int) -> int:
    w = asset.weight
    if asset.issuer_kind == IssuerKind.SECURITIZATION:
        return US_SECURITIZATION[band] if 1 <= asset.rating <= 10 else US_OTHER_EXPOSURE
    if w == 0:
        return US_SOVEREIGN[0][band]
    if asset.issuer_kind == IssuerKind.SOVEREIGN:
        return US_SOVEREIGN[w][band] if w in US_SOVEREIGN else US_OTHER_EXPOSURE
    return US_NON_SOVEREIGN[w][band] if w in US_NON_SOVEREIGN else US_OTHER_EXPOSURE


def _cftc_debt(name: str, asset: Asset, band: int) -> int:
    k = asset.issuer_kind
    if (k == IssuerKind.SOVEREIGN and asset.weight <= 20) or k == IssuerKind.SUPPORTED_GSE:
        return CFTC_GOVERNMENT_DEBT[band]
    if k in (IssuerKind.OTHER, IssuerKind.GSE):
        if not 1 <= asset.rating <= 10:
            raise NotOnSchedule(NotOnSchedule.RATING, f"{name}: 23.156 takes investment-grade debt only")
        return CFTC_OTHER_DEBT[band]
    raise NotOnSchedule(NotOnSchedule.ISSUER, f"{name}: issuer not eligible under 23.156")


def _basel_debt(name: str, asset: Asset, band: int) -> int:
    sovereign = asset.issuer_kind == IssuerKind.SOVEREIGN
    if 1 <= asset.rating <= 4:
        return (SOVEREIGN_HIGH_GRADE if sovereign else OTHER_HIGH_GRADE)[band]
    if 5 <= asset.rating <= 10:
        return (SOVEREIGN_INVESTMENT_GRADE if sovereign else OTHER_INVESTMENT_GRADE)[band]
    if sovereign and 11 <= asset.rating <= 13:
        return SOVEREIGN_SPECULATIVE
    raise NotOnSchedule(NotOnSchedule.RATING, f"{name}: rating notch {asset.rating} is not on the schedule")


def _holding_haircut(fund: str, held: str, assets: Mapping[str, Asset], now: int, set_haircuts: Mapping[str, int],
                     schedule: Schedule) -> int:
    if held in set_haircuts:
        h = set_haircuts[held]
    else:
        try:
            h = schedule_haircut(held, assets, now, set_haircuts, schedule)
        except NotOnSchedule:
            raise NotOnSchedule(NotOnSchedule.FUND_HOLDINGS, f"{fund}: holding {held} is off the schedule") from None
    if assets[held].currency != assets[fund].currency:
        h += CURRENCY_MISMATCH
    return h


def _highest_fund_haircut(name: str, assets: Mapping[str, Asset], now: int, set_haircuts: Mapping[str, int],
                          schedule: Schedule) -> int:
    fund = assets[name]
    if not fund.holdings:
        raise NotOnSchedule(NotOnSchedule.FUND_HOLDINGS, f"{name}: a fund with no holdings listed")
    return max(_holding_haircut(name, held, assets, now, set_haircuts, schedule) for held in fund.holdings)


def _weighted_fund_haircut(name: str, assets: Mapping[str, Asset], now: int, set_haircuts: Mapping[str, int],
                           schedule: Schedule) -> int:
    """23.156(a)(1)(ix): government debt (risk weight <= 20%) and cash only, in the fund's
    currency; discount: the weighted average of the holdings' (12 CFR 45 App. B note 1), up."""
    fund = assets[name]
    weights = fund.weights
    if not fund.holdings or len(weights) != len(fund.holdings):
        raise NotOnSchedule(NotOnSchedule.FUND_HOLDINGS, f"{name}: holdings and their weights are needed")
    weighted = 0
    for held, weight in zip(fund.holdings, weights, strict=True):
        a = assets[held]
        government = (a.asset_class == AssetClass.GOVERNMENT_SECURITY and a.issuer_kind == IssuerKind.SOVEREIGN
                      and a.weight <= 20)
        if (not government and a.asset_class != AssetClass.CASH) or a.currency != fund.currency:
            raise NotOnSchedule(NotOnSchedule.FUND_HOLDINGS, f"{name}: holding {held} is not eligible under 23.156")
        weighted += _holding_haircut(name, held, assets, now, set_haircuts, schedule) * weight
    return -(-weighted // BPS)


def haircut(
    name: str,
    assets: Mapping[str, Asset],
    *,
    now: int,
    currency: str = "USD",
    set_haircuts: Mapping[str, int] | None = None,
    mismatch_bps: int = CURRENCY_MISMATCH,
    schedule: Schedule = DEFAULT_SCHEDULE,
) -> int:
    """Haircut of ``name`` in an account kept in ``currency``: a set haircut or the
    schedule's, plus the currency add-on, capped at 100%."""
    set_haircuts = set_haircuts or {}
    h = set_haircuts[name] if name in set_haircuts else schedule_haircut(name, assets, now, set_haircuts, schedule)
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
