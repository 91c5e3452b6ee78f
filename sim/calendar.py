"""Calendar helpers: the one place where seconds meet calendar dates (UTC).

Simulation time is seconds; legal periods are often calendar months ("six months must
elapse", Rule 144(d)). ``add_months`` is the Python twin of the Solidity
``Calendar.addMonths`` (contracts/utils/Calendar.sol): same time of day, day clamped to
the end of the target month, so 31 August plus six months is the last day of February.
A property test checks the two agree on random timestamps.
"""

from __future__ import annotations

import calendar as _calendar
from datetime import UTC, datetime
from functools import lru_cache

DAY = 86_400
"""Seconds in a day."""

HOUR = 3_600
WEEK = 7 * DAY


def add_months(timestamp: int, months: int) -> int:
    """``timestamp`` moved ``months`` calendar months later (UTC, day clamped).

    The same day and second ``months`` later, or the last day of that month when the day
    does not exist there (31 August + 6 months = 28 or 29 February). The rules state their
    periods in months without saying how to count them: this is tokensim's interpretation,
    with its reasons in docs/architecture.md ("How months are counted")."""
    if months < 0:
        raise ValueError(f"months(={months}) must be >= 0")
    moment = datetime.fromtimestamp(timestamp, UTC)
    index = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(moment.day, _calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def add_days(timestamp: int, days: int) -> int:
    """``timestamp`` plus ``days`` whole days."""
    return timestamp + days * DAY


def timestamp(iso: str) -> int:
    """Unix seconds of an ISO-8601 date or date-time, read as UTC when no zone is given."""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


@lru_cache(maxsize=4096)
def iso(timestamp: int) -> str:
    """ISO-8601 UTC text of a Unix timestamp, e.g. ``2026-07-01T00:00:00Z``.

    Every record of the event log has one; a fifth of them at a second not seen before
    (the benchmark scenario): the date is made once a day, the time of day by arithmetic.
    """
    if type(timestamp) is not int:
        return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    days, seconds = divmod(timestamp, DAY)
    hours, seconds = divmod(seconds, HOUR)
    minutes, seconds = divmod(seconds, 60)
    return f"{_date(days)}T{hours:02d}:{minutes:02d}:{seconds:02d}Z"


@lru_cache(maxsize=4096)
def _date(days: int) -> str:
    """``YYYY-MM-DD`` of the day ``days`` after 1 January 1970 (UTC)."""
    return datetime.fromtimestamp(days * DAY, UTC).strftime("%Y-%m-%d")


def day_start(timestamp: int) -> int:
    """Midnight UTC of the day of ``timestamp``."""
    return timestamp - timestamp % DAY


def is_business_day(timestamp: int) -> bool:
    """Monday to Friday (UTC). Holidays are not modelled."""
    return datetime.fromtimestamp(timestamp, UTC).weekday() < 5


def add_business_days(timestamp: int, days: int) -> int:
    """``timestamp`` moved ``days`` business days later (same time of day)."""
    moved = timestamp
    remaining = days
    while remaining > 0:
        moved += DAY
        if is_business_day(moved):
            remaining -= 1
    return moved


def next_cycle(timestamp: int, hour: int, *, business_days_only: bool = True) -> int:
    """The first moment at ``hour``:00 UTC, on a business day if asked, at or after ``timestamp``."""
    candidate = day_start(timestamp) + hour * HOUR
    if candidate < timestamp:
        candidate += DAY
    while business_days_only and not is_business_day(candidate):
        candidate += DAY
    return candidate
