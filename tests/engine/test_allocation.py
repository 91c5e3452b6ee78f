"""Allocation of an offering: everything asked, pro rata, or first come."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sim.parts.securities.issuer import allocate


def test_undersubscribed_gets_everything_asked():
    assert allocate([("a", 10), ("b", 20)], 100, "pro_rata") == {"a": 10, "b": 20}


def test_pro_rata_scales_down_and_hands_out_the_odd_shares_by_remainder():
    # 5 of 10 asked as 5:3:2 -> exactly 2.5, 1.5, 1; floors 2, 1, 1; the odd share goes to the
    # largest remainder, a tie between a and b broken by subscription order
    assert allocate([("a", 5), ("b", 3), ("c", 2)], 5, "pro_rata") == {"a": 3, "b": 1, "c": 1}
    assert allocate([("a", 1), ("b", 1), ("c", 1)], 2, "pro_rata") == {"a": 1, "b": 1, "c": 0}


def test_first_come_fills_in_order():
    assert allocate([("a", 6), ("b", 6), ("c", 6)], 10, "first_come") == {"a": 6, "b": 4, "c": 0}


@given(
    requests=st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=40),
    offered=st.integers(min_value=1, max_value=50_000),
    method=st.sampled_from(["pro_rata", "first_come"]),
)
def test_allocation_never_exceeds_the_offer_nor_a_request(requests, offered, method):
    labelled = [(f"s{i}", n) for i, n in enumerate(requests)]
    allocations = allocate(labelled, offered, method)
    assert sum(allocations.values()) == min(offered, sum(requests))
    assert all(0 <= allocations[label] <= asked for label, asked in labelled)
