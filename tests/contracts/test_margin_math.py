"""MarginMath on chain equals the Python reference (sim.reference.requirements) to the unit,
by both scan methods (CME SPAN, FINRA 4210(g))."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import solidity
from sim.reference import requirements as ref
from sim.reference.requirements import Position, Requirement

KINDS = {"spot": 0, "perp": 1}
SPAN, FINRA = 0, 1
METHODS = {SPAN: ref.SPAN, FINRA: ref.FINRA}


@pytest.fixture(scope="module")
def calculator(chain, deployer):
    return chain.deploy("MarginCalculator", sender=deployer)


def on_chain(positions: list[Position], ranges: dict[str, tuple[int, int]]):
    """The calculator's arguments: underlyings become indices into the ranges."""
    names = list(ranges)
    return (
        [(names.index(p.underlying), p.quantity, p.price, KINDS[p.kind]) for p in positions],
        [ranges[n] for n in names],
    )


IDX = {"IDX": (600, 800)}
HEDGED = [Position("IDX", 1_000, 10_000, "spot"), Position("IDX", -1_000, 10_000, "perp")]


def test_the_hedged_book_needs_56000_siloed_and_nothing_cross_margined_under_span(calculator):
    args = on_chain(HEDGED, IDX)
    assert Requirement(*calculator.siloed(*args, SPAN)) == Requirement(5_600_000, 3_100_000) == ref.siloed(HEDGED, IDX)
    assert Requirement(*calculator.portfolio(*args, 0, SPAN)) == Requirement(0, 0) == ref.portfolio(HEDGED, IDX)


def test_a_cross_margin_floor_set_by_a_scenario_binds_at_its_share_of_the_siloed_requirement(calculator):
    args = on_chain(HEDGED, IDX)
    assert Requirement(*calculator.portfolio(*args, 2_000, SPAN)) == Requirement(1_120_000, 1_120_000)
    assert ref.portfolio(HEDGED, IDX, cross_floor_bps=2_000) == Requirement(1_120_000, 1_120_000)


def test_under_finra_the_hedge_keeps_0_375_per_perpetual_and_opens_with_100000(calculator):
    args = on_chain(HEDGED, IDX)
    assert Requirement(*calculator.portfolio(*args, 0, FINRA)) == Requirement(10_000_000, 37_500)
    assert ref.portfolio(HEDGED, IDX, method=ref.FINRA) == Requirement(10_000_000, 37_500)


def test_a_long_book_is_scanned_at_its_down_range_by_either_method(calculator):
    book = [Position("IDX", 1_000, 10_000, "spot")]
    assert calculator.scanRequirement(*on_chain(book, IDX), SPAN) == 800_000
    assert calculator.scanRequirement(*on_chain(book, IDX), FINRA) == 800_000


def test_a_margin_account_with_securities_needs_2000_to_open_but_never_more_than_their_cost(calculator):
    ranges = {"EQ": (1_500, 1_500)}
    for tokens, initial in ((10, 100_000), (30, 200_000), (41, 205_000)):
        book = [Position("EQ", tokens, 10_000, "spot")]
        assert calculator.siloed(*on_chain(book, ranges), SPAN)[0] == initial == ref.siloed(book, ranges).initial


def test_underlyings_add_up(calculator):
    book = [Position("A", 100, 1_000, "perp"), Position("B", -100, 1_000, "perp")]
    ranges = {"A": (1_500, 1_500), "B": (1_000, 1_000)}
    assert calculator.scanRequirement(*on_chain(book, ranges), SPAN) == 25_000 == ref.scan_requirement(book, ranges)


@pytest.mark.parametrize("bad", [(0, 800), (600, 0), (10_001, 800)])
def test_a_scan_range_of_zero_or_above_100_percent_is_refused(calculator, reverts, bad):
    book = [Position("IDX", 1, 100, "perp")]
    with reverts(solidity.MarginInvalidScanRange, underlying=0, upBps=bad[0], downBps=bad[1]):
        calculator.scanRequirement(*on_chain(book, {"IDX": bad}), SPAN)
    with pytest.raises(ValueError, match="scan range of 'IDX' must be above 0"):
        ref.scan_requirement(book, {"IDX": bad})


def test_a_short_spot_position_is_refused(calculator, reverts):
    with reverts(solidity.MarginShortSpot, underlying=0, quantity=-1):
        calculator.siloed(*on_chain([Position("IDX", -1, 100, "spot")], IDX), SPAN)


def test_a_position_on_an_underlying_without_a_range_is_refused(calculator, reverts):
    with reverts(solidity.MarginUnknownUnderlying, underlying=1):
        calculator.scanRequirement([(1, 1, 100, 1)], [(600, 800)], SPAN)


def test_a_cross_floor_above_100_percent_is_refused(calculator, reverts):
    with reverts(solidity.MarginInvalidCrossFloor, crossFloorBps=10_001):
        calculator.portfolio(*on_chain(HEDGED, IDX), 10_001, SPAN)


@st.composite
def books(draw):
    names = ["A", "B", "C"][: draw(st.integers(1, 3))]
    ranges = {n: (draw(st.integers(1, 5_000)), draw(st.integers(1, 5_000))) for n in names}
    positions = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["spot", "perp"]))
        quantity = draw(st.integers(1, 10**6)) if kind == "spot" else draw(st.integers(-(10**6), 10**6))
        positions.append(Position(draw(st.sampled_from(names)), quantity, draw(st.integers(1, 10**7)), kind))
    return positions, ranges, draw(st.integers(0, 10_000))


@pytest.mark.parametrize("method", [SPAN, FINRA], ids=["span", "finra"])
@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=books())
def test_the_contract_equals_the_reference_on_any_book(calculator, method, case):
    positions, ranges, cross = case
    args, name = on_chain(positions, ranges), METHODS[method]
    assert calculator.scanRequirement(*args, method) == ref.scan_requirement(positions, ranges, name)
    assert Requirement(*calculator.siloed(*args, method)) == ref.siloed(positions, ranges, name)
    assert Requirement(*calculator.portfolio(*args, cross, method)) == ref.portfolio(
        positions, ranges, cross_floor_bps=cross, method=name
    )
