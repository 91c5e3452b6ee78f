"""Margin requirements in Python, by both methods: the reference for the margin contracts.

**Siloed.** Securities bought on margin are margined by Regulation T and FINRA 4210: 50%
of market value to open (12 CFR 220.12), 25% to keep (FINRA 4210(c)), and at least $2,000
of equity to open, never more than the securities cost (FINRA 4210(b)(4); a fall below it
from a market move calls for nothing). Derivatives are margined on their own by the scan,
as a clearing house does.

**Portfolio (cross-margined).** One scan over everything, by one of two published methods:

- ``span`` (CME SPAN): each underlying moves by 0, +/-1/3, +/-2/3 and +/-1 of its scan range,
  plus +/-2x counted at 35%;
- ``finra`` (FINRA 4210(g)): ten equidistant valuation points across the range (five up,
  five down), at least $0.375 per derivative contract (the rule's minimum for listed
  options, unlisted derivatives and security futures, times the multiplier: one token per
  perpetual here; none on plain long stock), and $100,000 of equity to open positions.

A group's requirement is its worst loss over the scenarios (positions on the same
underlying offset inside each scenario); groups add up (no inter-commodity credits). The
same number keeps a position. No rule sets a cross-margined requirement as a share of the
siloed one: ``cross_floor_bps`` (default 0) is a scenario's model choice, inspired by the
CME-FICC cross-margining program's "savings up to 80%", never a regulation.

**Retail leverage caps** (ESMA Decision (EU) 2018/796 under MiFIR Art. 40, now national
measures under Art. 42): a retail position's initial margin is at least its notional
divided by its class's cap (30:1 major FX, 20:1 minor FX, gold and major indices, 10:1
other commodities and indices, 5:1 single equities, 2:1 crypto), and a retail account is
closed out when its equity falls to less than half its initial margin protection.

Amounts are US cents (requirements rounded up to the cent); prices are cents per whole
token; quantities are whole tokens (signed: negative is short). Scan ranges are basis
points of price, up and down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

BPS = 10_000

REG_T_INITIAL_BPS = 5_000
"""Regulation T initial margin on securities: 50% (12 CFR 220.12)."""
MAINTENANCE_BPS = 2_500
"""Maintenance margin on long securities: 25% of market value (FINRA 4210(c))."""
SILOED_MIN_EQUITY_CENTS = 200_000
"""Equity a margin account holding securities needs to open: $2,000 (FINRA 4210(b)(4))."""
PORTFOLIO_MIN_EQUITY_CENTS = 10_000_000
"""Equity a portfolio margin account needs to open: $100,000 (FINRA 4210(g))."""
SPAN = "span"
FINRA = "finra"
SCAN_METHODS = (SPAN, FINRA)
SCAN_POINTS = (Fraction(0), Fraction(1, 3), Fraction(-1, 3), Fraction(2, 3), Fraction(-2, 3), Fraction(1), Fraction(-1))
"""SPAN: price moves as fractions of the scan range (CME SPAN)."""
EXTREME_MOVE = Fraction(2)
EXTREME_WEIGHT = Fraction(35, 100)
"""SPAN: +/-2x the range, counted at 35% (CME SPAN)."""
FINRA_POINTS = tuple(Fraction(j, 5) for j in (1, -1, 2, -2, 3, -3, 4, -4, 5, -5))
"""Ten equidistant valuation points, five up and five down the range (FINRA 4210(g))."""
FLOOR_PER_TOKEN_CENTS = Fraction(375, 10)
"""$0.375 per derivative contract (FINRA 4210(g)), in cents."""
CROSS_FLOOR_BPS = 0
"""Model choice, default none: no rule sets a cross-margined requirement as a share of the
siloed one; a scenario may set such a floor (the CME-FICC cross-margining program's "savings
up to 80%" inspires it)."""

SCAN_RANGES_BPS: dict[str, tuple[int, int]] = {
    "equity": (1_500, 1_500),
    "narrow_index": (1_500, 1_500),
    "high_cap_broad_index": (600, 800),
    "broad_index": (1_000, 1_000),
}
"""(up, down) scan range by product class (FINRA 4210(g)); other classes need a range set."""

RETAIL_LEVERAGE_CAPS: dict[str, int] = {
    "major_fx": 30,
    "minor_fx": 20,
    "gold": 20,
    "major_index": 20,
    "commodity": 10,
    "other_index": 10,
    "equity": 5,
    "crypto": 2,
}
"""Maximum leverage offered to retail clients by asset class (ESMA Decision (EU) 2018/796,
Annex I; now national measures under MiFIR Art. 42)."""
RETAIL_FOREX_LEVERAGE: dict[str, int] = {
    "major_fx": 50,
    "minor_fx": 20,
}
"""US retail forex: a security deposit of at least 2% of notional on major currencies
(50:1) and 5% on others (20:1); majors as the NFA lists them: GBP, CHF, CAD, JPY, EUR, AUD,
NZD, SEK, NOK, DKK (17 CFR 5.9; NFA Financial Requirements Section 12)."""

RETAIL_LEVERAGE_PRESETS: dict[str, dict[str, int]] = {"esma": RETAIL_LEVERAGE_CAPS, "us_retail_forex": RETAIL_FOREX_LEVERAGE}
# The named retail regimes a scenario picks from (``margin.rules.retail_regime``).

RETAIL_CLOSE_OUT_BPS = 5_000
"""Retail positions are closed out when equity falls to less than 50% of the initial
margin protection (ESMA Decision (EU) 2018/796, Art. 2(1)(b))."""


@dataclass(frozen=True)
class Position:
    """One position: ``spot`` (a security bought on margin) or ``perp`` (a perpetual future)."""

    underlying: str
    quantity: int
    price: int
    kind: str = "spot"

    @property
    def notional(self) -> int:
        return abs(self.quantity) * self.price


@dataclass(frozen=True)
class Requirement:
    initial: int
    maintenance: int


def _ceil(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


def scan_losses(positions: Iterable[Position], up_bps: int, down_bps: int, method: str = SPAN) -> list[Fraction]:
    """Loss of ``positions`` (one underlying) in each scenario of ``method``, in scan order
    (SPAN's extreme moves last and already weighted)."""
    positions = list(positions)
    if method == FINRA:
        return [_loss(positions, point, up_bps, down_bps) for point in FINRA_POINTS]
    if method != SPAN:
        raise ValueError(f"scan method must be one of {SCAN_METHODS}, got {method!r}")
    losses = [_loss(positions, point, up_bps, down_bps) for point in SCAN_POINTS]
    for point in (EXTREME_MOVE, -EXTREME_MOVE):
        losses.append(_loss(positions, point, up_bps, down_bps) * EXTREME_WEIGHT)
    return losses


def _loss(positions: list[Position], point: Fraction, up_bps: int, down_bps: int) -> Fraction:
    move = point * (up_bps if point > 0 else down_bps) / BPS
    return -sum((Fraction(p.quantity * p.price) * move for p in positions), Fraction(0))


def scan_requirement(positions: Iterable[Position], ranges: Mapping[str, tuple[int, int]], method: str = SPAN) -> int:
    """Sum over underlyings of the worst scenario loss (never below 0), rounded up."""
    groups: dict[str, list[Position]] = {}
    for p in positions:
        groups.setdefault(p.underlying, []).append(p)
    total = Fraction(0)
    for underlying, group in groups.items():
        if underlying not in ranges:
            raise KeyError(f"no scan range for {underlying!r}")
        up, down = ranges[underlying]
        if not (0 < up <= BPS and 0 < down <= BPS):
            raise ValueError(f"scan range of {underlying!r} must be above 0 and at most 100% each way, got {ranges[underlying]}")
        total += max(Fraction(0), *scan_losses(group, up, down, method))
    return _ceil(total)


def position_floor(positions: Iterable[Position], per_token: Fraction = FLOOR_PER_TOKEN_CENTS) -> int:
    """$0.375 per derivative contract (FINRA 4210(g)); spot positions have none."""
    return _ceil(sum((per_token * abs(p.quantity) for p in positions if p.kind == "perp"), Fraction(0)))


def siloed(positions: Iterable[Position], ranges: Mapping[str, tuple[int, int]], method: str = SPAN) -> Requirement:
    """Reg T / FINRA 4210 on the spot positions plus a scan of the derivatives alone; with
    securities, at least $2,000 to open but never more than they cost."""
    positions = list(positions)
    spot = [p for p in positions if p.kind == "spot"]
    perps = [p for p in positions if p.kind == "perp"]
    if any(p.quantity < 0 for p in spot):
        raise ValueError("spot positions are long (securities bought on margin); short exposure is a perp")
    market = sum(p.notional for p in spot)
    derivatives = scan_requirement(perps, ranges, method) if perps else 0
    if perps and method == FINRA:
        derivatives = max(derivatives, position_floor(perps))
    initial = _ceil(Fraction(market * REG_T_INITIAL_BPS, BPS)) + derivatives
    return Requirement(
        initial=max(initial, min(market, SILOED_MIN_EQUITY_CENTS)),
        maintenance=_ceil(Fraction(market * MAINTENANCE_BPS, BPS)) + derivatives,
    )


def portfolio(
    positions: Iterable[Position], ranges: Mapping[str, tuple[int, int]], *, cross_floor_bps: int = CROSS_FLOOR_BPS,
    method: str = SPAN,
) -> Requirement:
    """One scan over all positions (FINRA: floored per derivative contract; $100,000 to
    open), at least ``cross_floor_bps`` of the siloed initial requirement when set."""
    if not 0 <= cross_floor_bps <= BPS:
        raise ValueError(f"cross_floor_bps(={cross_floor_bps}) must be between 0 and {BPS}")
    positions = list(positions)
    if not positions:
        return Requirement(0, 0)
    value = scan_requirement(positions, ranges, method)
    if method == FINRA:
        value = max(value, position_floor(positions))
    if cross_floor_bps:
        value = max(value, _ceil(Fraction(siloed(positions, ranges, method).initial * cross_floor_bps, BPS)))
    initial = max(value, PORTFOLIO_MIN_EQUITY_CENTS) if method == FINRA else value
    return Requirement(initial, value)


def retail_initial(position: Position, asset_class: str, normal_initial: int) -> int:
    """A retail position's initial margin: at least its notional over its class's cap."""
    cap = RETAIL_LEVERAGE_CAPS[asset_class]
    return max(normal_initial, _ceil(Fraction(position.notional, cap)))


def retail_close_out(equity: int, initial: int) -> bool:
    """True when a retail account must be closed out: equity below half of its initial margin."""
    return equity * BPS < initial * RETAIL_CLOSE_OUT_BPS


__all__ = [
    "CROSS_FLOOR_BPS",
    "FINRA",
    "PORTFOLIO_MIN_EQUITY_CENTS",
    "SCAN_METHODS",
    "SILOED_MIN_EQUITY_CENTS",
    "SPAN",
    "MAINTENANCE_BPS",
    "REG_T_INITIAL_BPS",
    "RETAIL_FOREX_LEVERAGE",
    "RETAIL_LEVERAGE_CAPS",
    "RETAIL_LEVERAGE_PRESETS",
    "SCAN_RANGES_BPS",
    "Position",
    "Requirement",
    "portfolio",
    "position_floor",
    "retail_close_out",
    "retail_initial",
    "scan_losses",
    "scan_requirement",
    "siloed",
]
