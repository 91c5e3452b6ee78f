"""Margin requirements in Python, by both methods: the reference for the margin contracts.

**Siloed.** Securities bought on margin are margined by Regulation T and FINRA 4210: 50%
of market value to open (12 CFR 220.12), 25% to keep (FINRA 4210(c)). Derivatives are
margined on their own by a scenario scan, as a clearing house does.

**Portfolio (cross-margined).** One scan over everything: each underlying moves by 0,
+/-1/3, +/-2/3 and +/-1 of its scan range, plus +/-2x the range counted at 35% (CME
SPAN); a group's requirement is its worst loss over those scenarios (positions on the
same underlying offset inside each scenario), groups add up (no inter-commodity
credits), floored by $0.375 per token of each position (FINRA 4210(g): $0.375 x
multiplier per contract) and by a share of the siloed requirement (cross-margin floor:
20%, FICC-CME cross-margining, 2026 (check)). Portfolio margin has one requirement: the
same number opens and keeps a position.

**Retail leverage caps** (ESMA, MiFIR Art. 40): a retail position's initial margin is at
least its notional divided by its class's cap (30:1 major FX, 20:1 minor FX, gold and
major indices, 10:1 other commodities and indices, 5:1 single equities, 2:1 crypto), and
a retail account is closed out when its equity falls to 50% of its initial requirement.

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
SCAN_POINTS = (Fraction(0), Fraction(1, 3), Fraction(-1, 3), Fraction(2, 3), Fraction(-2, 3), Fraction(1), Fraction(-1))
"""Price moves as fractions of the scan range (CME SPAN)."""
EXTREME_MOVE = Fraction(2)
EXTREME_WEIGHT = Fraction(35, 100)
"""+/-2x the range, counted at 35% (CME SPAN)."""
FLOOR_PER_TOKEN_CENTS = Fraction(375, 10)
"""$0.375 per token (share equivalent) of each position, in cents (FINRA 4210(g))."""
CROSS_FLOOR_BPS = 2_000
"""A cross-margined requirement is at least 20% of the siloed one (FICC-CME, 2026 (check))."""

SCAN_RANGES_BPS: dict[str, tuple[int, int]] = {
    "equity": (1_500, 1_500),
    "narrow_index": (1_500, 1_500),
    "high_cap_broad_index": (600, 800),
    "broad_index": (1_000, 1_000),
}
"""(up, down) scan range by class (FINRA 4210(g)); other classes need a range set."""

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
"""Maximum leverage offered to retail clients by asset class (ESMA, MiFIR Art. 40)."""
RETAIL_CLOSE_OUT_BPS = 5_000
"""Retail positions are closed out at 50% of the initial requirement (ESMA)."""


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


def scan_losses(positions: Iterable[Position], up_bps: int, down_bps: int) -> list[Fraction]:
    """Loss of ``positions`` (one underlying) in each scan scenario, in scan order, the
    extreme moves last and already weighted."""
    positions = list(positions)
    losses = []
    for point in SCAN_POINTS:
        losses.append(_loss(positions, point, up_bps, down_bps))
    for point in (EXTREME_MOVE, -EXTREME_MOVE):
        losses.append(_loss(positions, point, up_bps, down_bps) * EXTREME_WEIGHT)
    return losses


def _loss(positions: list[Position], point: Fraction, up_bps: int, down_bps: int) -> Fraction:
    move = point * (up_bps if point > 0 else down_bps) / BPS
    return -sum((Fraction(p.quantity * p.price) * move for p in positions), Fraction(0))


def scan_requirement(positions: Iterable[Position], ranges: Mapping[str, tuple[int, int]]) -> int:
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
        total += max(Fraction(0), *scan_losses(group, up, down))
    return _ceil(total)


def position_floor(positions: Iterable[Position], per_token: Fraction = FLOOR_PER_TOKEN_CENTS) -> int:
    return _ceil(sum((per_token * abs(p.quantity) for p in positions), Fraction(0)))


def siloed(positions: Iterable[Position], ranges: Mapping[str, tuple[int, int]]) -> Requirement:
    """Reg T / FINRA 4210 on the spot positions plus a scan of the derivatives alone."""
    positions = list(positions)
    spot = [p for p in positions if p.kind == "spot"]
    perps = [p for p in positions if p.kind == "perp"]
    if any(p.quantity < 0 for p in spot):
        raise ValueError("spot positions are long (securities bought on margin); short exposure is a perp")
    market = sum(p.notional for p in spot)
    derivatives = max(scan_requirement(perps, ranges), position_floor(perps)) if perps else 0
    return Requirement(
        initial=_ceil(Fraction(market * REG_T_INITIAL_BPS, BPS)) + derivatives,
        maintenance=_ceil(Fraction(market * MAINTENANCE_BPS, BPS)) + derivatives,
    )


def portfolio(
    positions: Iterable[Position], ranges: Mapping[str, tuple[int, int]], *, cross_floor_bps: int = CROSS_FLOOR_BPS
) -> Requirement:
    """One scan over all positions, floored per position and by a share of the siloed
    initial requirement; the same number opens and keeps."""
    if not 0 <= cross_floor_bps <= BPS:
        raise ValueError(f"cross_floor_bps(={cross_floor_bps}) must be between 0 and {BPS}")
    positions = list(positions)
    if not positions:
        return Requirement(0, 0)
    scanned = max(scan_requirement(positions, ranges), position_floor(positions))
    floor = _ceil(Fraction(siloed(positions, ranges).initial * cross_floor_bps, BPS))
    value = max(scanned, floor)
    return Requirement(value, value)


def retail_initial(position: Position, asset_class: str, normal_initial: int) -> int:
    """A retail position's initial margin: at least its notional over its class's cap."""
    cap = RETAIL_LEVERAGE_CAPS[asset_class]
    return max(normal_initial, _ceil(Fraction(position.notional, cap)))


def retail_close_out(equity: int, initial: int) -> bool:
    """True when a retail account must be closed out: equity at or below 50% of initial."""
    return equity * BPS <= initial * RETAIL_CLOSE_OUT_BPS


__all__ = [
    "CROSS_FLOOR_BPS",
    "MAINTENANCE_BPS",
    "REG_T_INITIAL_BPS",
    "RETAIL_LEVERAGE_CAPS",
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
