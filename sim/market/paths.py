"""Price paths: correlated diffusions with jumps and scripted shocks, in cents.

The one price model of the simulator: a single path without jumps is geometric Brownian
motion (the securities lifecycle's reference price, the taxonomy's market price); several,
correlated and with jumps, are the margin part's assets.

Each asset follows a Merton jump-diffusion. Over a step of ``dt`` years its log price moves by

    (mu - sigma**2 / 2 - lambda * k) dt + sigma sqrt(dt) Z_i + (sum of N_i jumps)

where ``Z = L @ W`` with W a vector of independent standard normals and ``L`` a factor of the
correlation matrix (``L @ L.T == C``; Cholesky, or an eigen-decomposition when C is positive
semi-definite but singular, e.g. a correlation of exactly 1), ``N_i ~ Poisson(lambda_i dt)``,
each jump is ``Normal(jump_mean, jump_sd)`` in log terms, and ``k = exp(jump_mean + jump_sd**2 / 2)
- 1`` is the mean relative jump, so the compensated drift keeps ``E[S_T] = S_0 exp(mu T)``.

Every step draws, from the run's generator and in this order: the normals vector (one per
asset), the Poisson counts vector (one per asset), then the jump sizes (as many as the counts
sum to, assets in order). The same seed therefore gives the same paths. A scripted shock moves
one price by an exact fraction and later steps continue from the shocked level. Prices are kept
in exact integer cents, never below one cent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


SECONDS_PER_YEAR = 365 * 86_400

# Eigenvalues of the correlation matrix down to this (negative) value are rounding, not a
# matrix that is not positive semi-definite.
PSD_TOLERANCE = 1e-10


@dataclass(frozen=True)
class PathSpec:
    """One asset's path.

    Args:
        name: the asset's name, unique among the paths.
        initial_cents: the starting price (> 0).
        drift: annual drift (0.05 is 5%).
        volatility: annual volatility of the diffusion (0.2 is 20%).
        jumps_per_year: Poisson intensity of jumps.
        jump_mean: mean of the log jump size (-0.05 is a drop of about 5%).
        jump_sd: standard deviation of the log jump size.
    """

    name: str
    initial_cents: int
    drift: float = 0.0
    volatility: float = 0.2
    jumps_per_year: float = 0.0
    jump_mean: float = 0.0
    jump_sd: float = 0.0

    def __post_init__(self) -> None:
        if not self.initial_cents > 0:
            raise ValueError(f"{self.name}: initial_cents(={self.initial_cents}) must be > 0")
        for field in ("volatility", "jumps_per_year", "jump_sd"):
            value = getattr(self, field)
            if not value >= 0:  # also refuses NaN
                raise ValueError(f"{self.name}: {field}(={value}) must be >= 0")

    @property
    def jump_compensator(self) -> float:
        """``k``: the mean relative size of a jump, ``E[exp(J)] - 1``."""
        return math.exp(self.jump_mean + self.jump_sd**2 / 2) - 1


class CorrelatedPaths:
    """Prices in cents of several assets whose diffusions are correlated.

    Args:
        specs: one per asset; names must be unique.
        correlation: pairwise coefficients keyed by ``(name, name)`` in either order; pairs not
            given are uncorrelated. ``None`` means all uncorrelated.
        rng: the generator every draw comes from.
    """

    def __init__(
        self,
        specs: list[PathSpec],
        correlation: dict[tuple[str, str], float] | None,
        rng: np.random.Generator,
    ) -> None:
        names = [spec.name for spec in specs]
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise ValueError(f"duplicate path name {name!r}")
            seen.add(name)
        self.specs = list(specs)
        self.rng = rng
        self._index = {name: i for i, name in enumerate(names)}
        self._factor = _correlation_factor(names, correlation or {})
        self._log_price = np.log(np.array([float(s.initial_cents) for s in specs]))
        self._drift = np.array([s.drift for s in specs], dtype=float)
        self._vol = np.array([s.volatility for s in specs], dtype=float)
        self._intensity = np.array([s.jumps_per_year for s in specs], dtype=float)
        self._jump_mean = np.array([s.jump_mean for s in specs], dtype=float)
        self._jump_sd = np.array([s.jump_sd for s in specs], dtype=float)
        self._compensator = np.array([s.jump_compensator for s in specs], dtype=float)
        self.cents: dict[str, int] = {s.name: s.initial_cents for s in specs}

    def step(self, seconds: float) -> dict[str, int]:
        """Advance every path by ``seconds``; return the new prices in cents."""
        if not seconds >= 0:
            raise ValueError(f"seconds(={seconds}) must be >= 0")
        n = len(self.specs)
        dt = seconds / SECONDS_PER_YEAR
        normals = self.rng.standard_normal(n)
        counts = self.rng.poisson(self._intensity * dt)
        sizes = self.rng.standard_normal(int(counts.sum()))
        owner = np.repeat(np.arange(n), counts)
        jumps = np.bincount(
            owner, weights=self._jump_mean[owner] + self._jump_sd[owner] * sizes, minlength=n
        )
        z = self._factor @ normals
        self._log_price += (
            (self._drift - self._vol**2 / 2 - self._intensity * self._compensator) * dt
            + self._vol * math.sqrt(dt) * z
            + jumps
        )
        for name, i in self._index.items():
            self.cents[name] = max(1, round(math.exp(self._log_price[i])))
        return dict(self.cents)

    def shock(self, name: str, move: float) -> int:
        """Move ``name``'s price by the fraction ``move`` (-0.2 is -20%); return the new cents.

        The shocked price is exact to the cent (10,000 becomes 8,000) and becomes the level
        later steps continue from.
        """
        if name not in self._index:
            raise ValueError(f"shock on unknown path {name!r}")
        if not (move > -1 and math.isfinite(move)):
            raise ValueError(f"{name}: shock move(={move}) must be a finite number > -1")
        cents = max(1, round(self.cents[name] * (1 + move)))
        self._log_price[self._index[name]] = math.log(cents)
        self.cents[name] = cents
        return cents


def _correlation_factor(names: list[str], correlation: dict[tuple[str, str], float]) -> np.ndarray:
    """``L`` with ``L @ L.T`` the correlation matrix built from the pairwise coefficients."""
    index = {name: i for i, name in enumerate(names)}
    matrix = np.eye(len(names))
    given: dict[frozenset[str], float] = {}
    for pair, rho in correlation.items():
        a, b = pair
        for name in (a, b):
            if name not in index:
                raise ValueError(f"correlation pair {pair!r} names unknown asset {name!r}")
        if a == b:
            raise ValueError(f"correlation pair {pair!r} pairs {a!r} with itself")
        if not -1 <= rho <= 1:  # also refuses NaN
            raise ValueError(f"correlation of {pair!r} (={rho}) must be in [-1, 1]")
        key = frozenset(pair)
        if key in given and given[key] != rho:
            raise ValueError(f"correlation of {pair!r} given twice: {given[key]} and {rho}")
        given[key] = rho
        matrix[index[a], index[b]] = matrix[index[b], index[a]] = rho
    try:
        return np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        pass
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    if eigenvalues.min() < -PSD_TOLERANCE:
        raise ValueError(
            f"correlation matrix over {names} is not positive semi-definite "
            f"(smallest eigenvalue {eigenvalues.min():.6g}): {matrix.tolist()}"
        )
    return eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))
