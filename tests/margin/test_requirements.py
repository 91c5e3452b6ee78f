"""Margin requirements by both methods, on examples worked by hand (US cents)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from sim.reference.requirements import (
    FINRA,
    Position,
    Requirement,
    portfolio,
    retail_close_out,
    retail_initial,
    scan_losses,
    scan_requirement,
    siloed,
)

IDX = {"IDX": (600, 800)}  # a high-cap broad index: +6% / -8% (FINRA 4210(g))


def hedged_book():
    """Long 1,000 index tokens at $100 on margin, short 1,000 index perpetuals at $100."""
    return [Position("IDX", 1_000, 10_000, "spot"), Position("IDX", -1_000, 10_000, "perp")]


def test_scan_of_one_long_position_hits_every_point_of_the_range():
    # long 100 at $10 (notional $1,000), range +/-15%: losses at 0, +-1/3, +-2/3, +-1, then +-2x at 35%
    losses = scan_losses([Position("X", 100, 1_000)], 1_500, 1_500)
    assert losses == [0, -5_000, 5_000, -10_000, 10_000, -15_000, 15_000, Fraction(-10_500), Fraction(10_500)]
    assert scan_requirement([Position("X", 100, 1_000)], {"X": (1_500, 1_500)}) == 15_000


def test_the_scan_uses_the_up_range_for_rises_and_the_down_range_for_falls():
    assert scan_requirement([Position("IDX", 1_000, 10_000)], IDX) == 800_000  # long: the -8% fall
    assert scan_requirement([Position("IDX", -1_000, 10_000)], IDX) == 600_000  # short: the +6% rise


def test_siloed_is_reg_t_on_the_securities_plus_a_scan_of_the_derivatives():
    # Reg T 50% of $100,000 = $50,000 (maintenance 25% = $25,000); the short perp alone: +6% = $6,000
    assert siloed(hedged_book(), IDX) == Requirement(initial=5_600_000, maintenance=3_100_000)


def test_span_cross_margining_offsets_the_hedge_entirely():
    # every scenario nets to zero and SPAN has no per-contract minimum: the whole $56,000 is freed
    assert portfolio(hedged_book(), IDX) == Requirement(0, 0)


def test_a_cross_margin_floor_is_a_scenarios_choice_and_binds_when_set():
    # no rule sets one (the CME-FICC program's "savings up to 80%" inspires it): 20% of $56,000
    assert portfolio(hedged_book(), IDX, cross_floor_bps=2_000) == Requirement(1_120_000, 1_120_000)


def test_finra_keeps_0_375_per_derivative_contract_and_needs_100000_to_open():
    # the hedge still nets to zero; 1,000 perpetuals x $0.375 = $375 (the stock has no minimum)
    assert portfolio(hedged_book(), IDX, method=FINRA) == Requirement(10_000_000, 37_500)


def test_an_unhedged_book_gains_nothing_from_the_scan_beyond_reg_t():
    long_only = [Position("IDX", 1_000, 10_000)]
    assert siloed(long_only, IDX).initial == 5_000_000
    assert portfolio(long_only, IDX).initial == 800_000  # the -8% scenario
    assert portfolio(long_only, IDX, method=FINRA).maintenance == 800_000  # the -8% point too


def test_finra_values_ten_equidistant_points_five_up_and_five_down():
    losses = scan_losses([Position("X", 100, 1_000)], 1_500, 1_500, FINRA)  # long $1,000, +/-15%
    assert sorted(losses) == [-15_000, -12_000, -9_000, -6_000, -3_000, 3_000, 6_000, 9_000, 12_000, 15_000]
    assert max(scan_losses([Position("IDX", 1_000, 10_000)], 600, 800, FINRA)) == 800_000  # the -8% point


@pytest.mark.parametrize(("tokens", "initial"), [(10, 100_000), (30, 200_000), (40, 200_000), (41, 205_000)])
def test_a_margin_account_with_securities_needs_2000_to_open_but_never_more_than_their_cost(tokens, initial):
    # $100 a token: $1,000 needs its full cost; $3,000 and $4,000 need $2,000; above, Reg T's 50% binds
    requirement = siloed([Position("EQ", tokens, 10_000)], {"EQ": (1_500, 1_500)})
    assert requirement.initial == initial
    assert requirement.maintenance == tokens * 10_000 // 4  # 25%: a fall below $2,000 calls for nothing


def test_groups_on_different_underlyings_add_up_without_credits():
    book = [Position("A", 100, 1_000, "perp"), Position("B", -100, 1_000, "perp")]
    ranges = {"A": (1_500, 1_500), "B": (1_000, 1_000)}
    assert scan_requirement(book, ranges) == 15_000 + 10_000


def test_a_partial_hedge_needs_the_unhedged_remainder():
    book = [Position("IDX", 1_000, 10_000, "spot"), Position("IDX", -600, 10_000, "perp")]
    # net long 400 x $100 = $40,000: worst is the -8% fall, $3,200
    assert portfolio(book, IDX, cross_floor_bps=0).initial == 320_000


def test_short_spot_positions_are_refused():
    with pytest.raises(ValueError, match="spot positions are long"):
        siloed([Position("IDX", -1, 100, "spot")], IDX)


def test_a_scan_needs_a_range_for_every_underlying():
    with pytest.raises(KeyError, match="no scan range for 'Z'"):
        scan_requirement([Position("Z", 1, 100, "perp")], IDX)


def test_retail_crypto_at_2_to_1_is_the_limit_and_3_to_1_needs_more_than_the_equity():
    equity = 100_000
    at_cap = retail_initial(Position("BTC", 2, 100_000, "perp"), "crypto", normal_initial=20_000)
    over_cap = retail_initial(Position("BTC", 3, 100_000, "perp"), "crypto", normal_initial=30_000)
    assert at_cap == 100_000 <= equity
    assert over_cap == 150_000 > equity


def test_retail_initial_never_goes_below_the_normal_requirement():
    assert retail_initial(Position("EQ", 10, 1_000, "spot"), "equity", normal_initial=5_000) == 5_000  # 5:1 -> 2,000


def test_retail_close_out_below_half_the_initial_requirement_to_the_cent():
    assert retail_close_out(equity=49_999, initial=100_000)
    assert not retail_close_out(equity=50_000, initial=100_000)  # ESMA: "less than half"
