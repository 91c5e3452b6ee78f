"""A margin account's valuation in Python: the reference for ``MarginEngine.statusOf``.

Equity = cash (negative: a margin loan) + spot positions at their prices + collateral at
its market value less its haircut + the perpetuals' unsettled P&L and funding. The
requirements are ``sim.reference.requirements``'s, by both methods, converted from cents to
cash-token units; a retail account's initial requirement is at least the sum of each
position's notional over its class's leverage cap (each rounded up to the cent), and its
maintenance level at least the close-out share of that initial requirement.

Units follow the contract: cash amounts in cash-token units (``cash_scale`` units a
cent), prices in cents per whole token, spot and perpetual quantities in whole tokens,
collateral amounts in token units (``units[token]`` a whole token).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sim.reference import requirements
from sim.reference.requirements import BPS, Position


@dataclass(frozen=True)
class Perp:
    """A perpetual position: quantity (negative short), the mark it was last settled at
    and the market's cumulative funding then."""

    quantity: int
    last_price: int
    funding_index: int = 0


@dataclass
class Book:
    """What an account holds."""

    retail: bool = False
    method: str = "portfolio"
    cash: int = 0
    spot: dict[str, int] = field(default_factory=dict)
    perps: dict[str, Perp] = field(default_factory=dict)
    collateral: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class MarginStatus:
    """An account's valuation, amounts in cash-token units (``MarginEngine.statusOf``)."""

    equity: int
    initial: int
    maintenance: int
    siloed_initial: int
    portfolio_initial: int
    retail_initial: int
    collateral_value: int
    positions_value: int


def unsettled(book: Book, marks: Mapping[str, int], cumulative_funding: Mapping[str, int], cash_scale: int) -> int:
    """P&L since each position's last settlement plus funding owed (longs pay)."""
    total = 0
    for underlying, p in book.perps.items():
        total += p.quantity * (marks[underlying] - p.last_price) * cash_scale
        total -= p.quantity * (cumulative_funding.get(underlying, 0) - p.funding_index)
    return total


def status(
    book: Book,
    *,
    prices: Mapping[str, int],
    marks: Mapping[str, int],
    ranges: Mapping[str, tuple[int, int]],
    haircuts: Mapping[str, int],
    units: Mapping[str, int],
    retail_leverage: Mapping[str, int],
    cash_scale: int,
    cross_floor_bps: int = requirements.CROSS_FLOOR_BPS,
    close_out_bps: int = requirements.RETAIL_CLOSE_OUT_BPS,
    cumulative_funding: Mapping[str, int] | None = None,
    method: str = requirements.SPAN,
) -> MarginStatus:
    """The valuation ``MarginEngine.statusOf`` gives for ``book``, to the unit."""
    positions = [Position(u, q, prices[u], "spot") for u, q in book.spot.items() if q] + [
        Position(u, p.quantity, marks[u], "perp") for u, p in book.perps.items() if p.quantity
    ]
    spot_value = sum(q * prices[u] * cash_scale for u, q in book.spot.items())
    collateral_value = 0
    for token, amount in book.collateral.items():
        market = amount * prices[token] * cash_scale // units[token]
        collateral_value += market * (BPS - haircuts[token]) // BPS
    equity = book.cash + spot_value + collateral_value + unsettled(book, marks, cumulative_funding or {}, cash_scale)
    siloed = requirements.siloed(positions, ranges, method)
    cross = requirements.portfolio(positions, ranges, cross_floor_bps=cross_floor_bps, method=method)
    own = siloed if book.method == "siloed" else cross
    initial, maintenance = own.initial * cash_scale, own.maintenance * cash_scale
    retail_initial = 0
    if book.retail:
        retail_initial = cash_scale * sum(
            -(-p.notional // retail_leverage[p.underlying]) for p in positions if retail_leverage.get(p.underlying)
        )
        initial = max(initial, retail_initial)
        maintenance = max(maintenance, initial * close_out_bps // BPS)
    return MarginStatus(
        equity=equity,
        initial=initial,
        maintenance=maintenance,
        siloed_initial=siloed.initial * cash_scale,
        portfolio_initial=cross.initial * cash_scale,
        retail_initial=retail_initial,
        collateral_value=collateral_value,
        positions_value=sum(p.notional for p in positions) * cash_scale,
    )


__all__ = ["Book", "Perp", "MarginStatus", "status", "unsettled"]
