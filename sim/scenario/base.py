"""What every section of a scenario is built from: strict models, times, money, distributions.

A scenario file is read into frozen pydantic models that refuse unknown keys and refuse to
coerce types ("10" is not a number). Times are ISO 8601 date-times (UTC when no zone is
given); money is US dollars (decimals allowed, cents kept exact); quantities that vary
across a population are distributions::

    cash_usd: {kind: lognormal, median: 250000, sigma: 0.6}

``draw(distribution, rng, n)`` takes ``n`` values of one from a run's random stream.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator


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
    return moment.astimezone(UTC)


Timestamp = Annotated[datetime, BeforeValidator(_parse_time)]
"""An ISO 8601 date or date-time, read as UTC when no zone is given."""

Money = Annotated[float, Field(ge=0, le=1e15)]
"""US dollars."""

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
"""Names of populations, custodians, accounts, venues: lower case, digits, ``-`` and ``_``."""


class Model(BaseModel):
    """Strict models: no unknown keys, no type coercion ("10" is not a number)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Invalid(Exception):
    """A cross-field problem found after every field validated, with the path of the value
    it concerns (so the error names that field and its line, not the scenario's first line).

    Raised by the scenario's own checks; ``sim.scenario.load`` reports it like a field error.
    """

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


# ---------------------------------------------------------------- distributions


class Fixed(Model):
    """The same value for everyone."""

    kind: Literal["fixed"] = "fixed"
    value: float = Field(ge=0)


class LogNormal(Model):
    """Log-normal around a median: incomes, wealth, order sizes."""

    kind: Literal["lognormal"] = "lognormal"
    median: float = Field(gt=0)
    sigma: float = Field(ge=0, le=5)


class Uniform(Model):
    """Uniform between ``low`` and ``high``."""

    kind: Literal["uniform"] = "uniform"
    low: float = Field(ge=0)
    high: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must be >= low ({self.low})")
        return self


Distribution = Annotated[Fixed | LogNormal | Uniform, Field(discriminator="kind")]


def draw(dist: Fixed | LogNormal | Uniform, rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` draws from a scenario distribution (never negative)."""
    if isinstance(dist, Fixed):
        return np.full(size, dist.value, dtype=float)
    if isinstance(dist, LogNormal):
        return np.maximum(0.0, rng.lognormal(mean=np.log(dist.median), sigma=dist.sigma, size=size))
    return rng.uniform(dist.low, dist.high, size=size)


__all__ = [
    "Distribution",
    "Fixed",
    "Invalid",
    "LogNormal",
    "Model",
    "Money",
    "NAME_PATTERN",
    "Timestamp",
    "Uniform",
    "draw",
]
