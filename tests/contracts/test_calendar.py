"""Calendar months in Solidity (Calendar.addMonths) equal Python's (sim.calendar.add_months)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.calendar import add_months, iso, timestamp
from sim.contracts import Lockup

MONTHS = [1, 6, 12, 13, 120]


@pytest.fixture(scope="module")
def lockups(chain, deployer, identity_registry):
    from sim.contracts import deploy_security_token

    token = deploy_security_token(chain, registry=identity_registry, admin=deployer)
    compliance = token.compliance_contract
    return {
        months: Lockup(months=months).deploy(chain, compliance, admin=deployer) for months in MONTHS
    }


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        ("2026-08-31T12:00:00", 6, "2027-02-28T12:00:00"),
        ("2027-08-31T00:00:00", 6, "2028-02-29T00:00:00"),
        ("2026-01-31T23:59:59", 1, "2026-02-28T23:59:59"),
        ("2026-03-15T08:30:00", 12, "2027-03-15T08:30:00"),
        ("2099-12-31T00:00:00", 13, "2101-01-31T00:00:00"),
        ("2024-02-29T00:00:00", 12, "2025-02-28T00:00:00"),
    ],
)
def test_known_month_ends(lockups, start, months, end):
    if months not in lockups:
        pytest.skip("no module for this period")
    assert iso(add_months(timestamp(start), months)) == end + "Z"
    assert lockups[months].releaseTimeFor(timestamp(start)) == timestamp(end)


@settings(max_examples=150, deadline=None)
@given(moment=st.integers(min_value=0, max_value=timestamp("2200-01-01")), months=st.sampled_from(MONTHS))
def test_solidity_and_python_agree(lockups, moment, months):
    assert lockups[months].releaseTimeFor(moment) == add_months(moment, months)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-(10**10), max_value=250_000_000_000))
def test_iso_text_of_a_timestamp_is_the_datetime_libraries(moment):
    from datetime import UTC, datetime

    assert iso(moment) == datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("moment", [0, 86_399, 86_400, -1, 1_767_225_599, 1_767_225_600, 1_709_164_800, 1_709_251_199])
def test_iso_text_at_the_turn_of_a_day(moment):
    from datetime import UTC, datetime

    assert iso(moment) == datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
