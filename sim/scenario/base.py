"""What every section of a scenario is built from: strict models, times, money, distributions.

A scenario file is read into frozen pydantic models that refuse unknown keys and refuse to
coerce types ("10" is not a number). Times are ISO 8601 date-times (UTC when no zone is
given); money is US dollars (decimals allowed, cents kept exact); quantities that vary
across a population are distributions::

    cash_usd: {kind: lognormal, median: 250000, sigma: 0.6}

``draw(distribution, rng, n)`` takes ``n`` values of one from a run's random stream.

Every number that reaches the chain has an upper bound, so what validates here fits the
contracts' integers and the run's clock; the bounds are these module's constants:

| bound | value | why |
|---|---|---|
| ``START_RANGE`` | 1970-01-02 to 2200-01-01 | the chain's clock is seconds since 1970 (a ``uint64`` in the contracts), its genesis one second before the start; a run of at most ``MAX_DAYS`` from 2200 still ends far inside Python's dates |
| ``MAX_DAYS`` | 36,500 | a hundred years: days of any field, and the longest run |
| ``MAX_HOURS`` | 876,000 | the same in hours |
| ``MAX_TOKENS`` | 10**15 | whole tokens of any amount or limit: with 18 decimals and a price in cents a product stays far inside ``uint256``, and a count stays exact in a float |
| ``Money`` | at most 10**15 dollars | |

NaN and infinities (``.nan``, ``.inf`` in YAML) are refused in every field. Cross-field
problems name the field to change: a model's validator raises ``self.refuse(field, message)``
and the error carries the field's whole path (``offering.closes_day``), as pydantic's own do.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

MAX_DAYS = 36_500
"""A hundred years: the upper bound of every field in days, and of a run's duration."""

MAX_HOURS = 24 * MAX_DAYS
"""``MAX_DAYS`` in hours: the upper bound of every field in hours."""

MAX_TOKENS = 10**15
"""Whole tokens: the upper bound of every amount, inventory, position and limit in tokens."""

MAX_USD = 1e15
"""US dollars: the upper bound of every amount of money."""

START_RANGE = (datetime(1970, 1, 2, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC))
"""The first and the last ``start`` (both allowed): the chain's clock counts seconds since
1970 (its genesis is one second before the start), and a run from 2200 of ``MAX_DAYS``
still ends well inside the contracts' ``uint64`` timestamps and Python's dates."""


def _parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"not an ISO 8601 date or date-time: {value!r}") from None
    else:
        raise ValueError(f"expected an ISO 8601 date-time such as 2026-01-05T14:00:00Z, got {value!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00:00-14:00 is after the last date Python has
        raise ValueError("a date-time beyond the range of dates (years 1 to 9999 in UTC)") from None


Timestamp = Annotated[datetime, BeforeValidator(_parse_time)]
"""An ISO 8601 date or date-time, read as UTC when no zone is given."""

def _within_start_range(moment: datetime) -> datetime:
    first, last = START_RANGE
    if not first <= moment <= last:
        raise ValueError(f"Input should be a date from {first:%Y-%m-%d} to {last:%Y-%m-%d} (the chain's clock "
                         "counts seconds from 1970)")
    return moment


Start = Annotated[datetime, BeforeValidator(_parse_time), AfterValidator(_within_start_range)]
"""A ``Timestamp`` within ``START_RANGE``: the moment a run (and its chain) starts."""

Money = Annotated[float, Field(ge=0, le=MAX_USD)]
"""US dollars."""


def _whole_cents(price: float) -> float:
    if price < 0.01:
        raise ValueError("Input should be at least one cent, 0.01")
    if round(price, 2) != price:
        raise ValueError("Input should be in whole cents (at most two decimals)")
    return price


Price = Annotated[float, Field(ge=0, le=MAX_USD), AfterValidator(_whole_cents)]
"""US dollars per token, in whole cents and at least one: the contracts hold prices in cents."""

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
"""Names of populations, custodians, accounts, venues: lower case, digits, ``-`` and ``_``."""


class Model(BaseModel):
    """Strict models: no unknown keys, no type coercion ("10" is not a number)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)

    def refuse(
        self, field: str | tuple[str | int, ...], message: str, *, missing: bool = False, value: Any = None
    ) -> ValidationError:
        """The error of a cross-field check, at the field to change (a path within this
        model): raised from a model validator, pydantic reports it at the field's whole path
        (``offering.closes_day``) with the value found there, among the other errors.

        Args:
            field: the field, or a path into a nested section or mapping (``("caps",
                "sale_limit_days")``, ``("correlations", "A/B")``).
            message: what was expected; the value is appended by the loader (``(got 10)``).
            missing: the field is absent but needed (reported like pydantic's "Field required").
            value: the value to report, when it is not the one at ``field`` (a mapping's key).
        """
        loc = (field,) if isinstance(field, str) else field
        if value is None:
            value = self
            for part in loc:
                if isinstance(value, dict):
                    value = value.get(part)
                elif isinstance(value, list | tuple) and isinstance(part, int):
                    value = value[part] if part < len(value) else None
                else:
                    value = getattr(value, str(part), None)
        kind = "missing" if missing else "invalid"
        error = PydanticCustomError(kind, "{message}", {"message": message})
        return ValidationError.from_exception_data(
            type(self).__name__, [InitErrorDetails(type=error, loc=loc, input=value)]
        )


class Invalid(Exception):
    """A cross-field problem found after every field validated, with the path of the value
    it concerns (so the error names that field and its line, not the scenario's first line).

    Raised by a section's checks that span its parts (a duplicate name, a reference to an
    unknown asset, an event after the end), with the path from the scenario's top; a check
    within one model raises ``Model.refuse`` instead. ``sim.scenario.load`` reports it like a
    field error, ``value`` appended as ``(got ...)``.
    """

    NOTHING: Any = object()
    """``value`` when the message says it all (no ``(got ...)`` appended)."""

    def __init__(self, loc: tuple[str | int, ...], message: str, value: Any = NOTHING) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message
        self.value = value


# ---------------------------------------------------------------- distributions


class Fixed(Model):
    """The same value for everyone."""

    kind: Literal["fixed"] = "fixed"
    value: float = Field(ge=0, le=MAX_USD)


class LogNormal(Model):
    """Log-normal around a median: incomes, wealth, order sizes."""

    kind: Literal["lognormal"] = "lognormal"
    median: float = Field(gt=0, le=MAX_USD)
    sigma: float = Field(ge=0, le=5)


class Uniform(Model):
    """Uniform between ``low`` and ``high``."""

    kind: Literal["uniform"] = "uniform"
    low: float = Field(ge=0, le=MAX_USD)
    high: float = Field(ge=0, le=MAX_USD)

    @field_validator("high")
    @classmethod
    def _ordered(cls, high: float, info: ValidationInfo) -> float:
        low = info.data.get("low")
        if low is not None and high < low:
            raise ValueError(f"Input should be at least low ({low:g})")
        return high


_DISTRIBUTION_FORMS = (
    "a number (20000, the same for everyone) or a distribution: {kind: fixed, value: 20000}, "
    "{kind: lognormal, median: 20000, sigma: 0.5} or {kind: uniform, low: 10000, high: 30000}"
)


def _number_is_fixed(value: Any) -> Any:
    """A plain number where a distribution goes is ``{kind: fixed, value: number}``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"kind": "fixed", "value": value}
    if isinstance(value, dict | BaseModel):
        return value
    raise PydanticCustomError("distribution", "Input should be {forms}", {"forms": _DISTRIBUTION_FORMS})


Distribution = Annotated[Fixed | LogNormal | Uniform, Field(discriminator="kind"), BeforeValidator(_number_is_fixed)]
"""A quantity that varies across a population: a plain number (``fixed``) or a distribution."""


def draw(dist: Fixed | LogNormal | Uniform, rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` draws from a scenario distribution (never negative)."""
    if isinstance(dist, Fixed):
        return np.full(size, dist.value, dtype=float)
    if isinstance(dist, LogNormal):
        return np.maximum(0.0, rng.lognormal(mean=np.log(dist.median), sigma=dist.sigma, size=size))
    return rng.uniform(dist.low, dist.high, size=size)


__all__ = [
    "MAX_DAYS",
    "MAX_HOURS",
    "MAX_TOKENS",
    "MAX_USD",
    "NAME_PATTERN",
    "START_RANGE",
    "Distribution",
    "Fixed",
    "Invalid",
    "LogNormal",
    "Model",
    "Money",
    "Price",
    "Start",
    "Timestamp",
    "Uniform",
    "draw",
]
