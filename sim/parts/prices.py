"""Price feeds: a part's price paths, stepped and pushed on chain at an interval.

A feed owns ``CorrelatedPaths`` (``sim.market.paths``: one or several assets, correlated
diffusions with jumps, in exact cents) and steps them every ``interval``; a subclass's
``push`` writes the prices on chain (the securities lifecycle's reference price of its
token, the margin part's prices of its assets and perpetual marks). A ``stale_oracle``
fault is an outage: the fault interrupts the feed's process (``stop``), the feed records
``feed_stopped`` and keeps stepping its paths but pushes nothing until the outage ends, so
on-chain reads age past the oracle's limit and are refused. The feed's own clock is not
shifted by the interruption: it goes back to waiting for the same tick.

An ``oracle_spike`` fault is one wrong print: the feed knows the spikes of its assets from
the start (``spike``), and its first update at or after a spike's time publishes that
asset's price times the spike's factor (``spiked`` hands the update its due spikes, each
once); the next update publishes the path's price again. Whether the print lands depends on
the oracle: without a deviation guard it is on chain for one update interval and every
valuation reads it; with one, the oracle refuses it (``OracleDeviationTooLarge``, or
``PriceRejected`` in a batch) and the last good price stays.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import simpy

from sim.calendar import HOUR
from sim.engine.actor import Actor

if TYPE_CHECKING:
    from sim.engine.part import Part
    from sim.market.paths import CorrelatedPaths


@dataclass(frozen=True)
class Outage:
    """What interrupts a feed: no pushes for ``seconds`` from now."""

    seconds: float


class PriceFeed(Actor):
    """A feed of ``paths`` with updates every ``interval`` seconds (see the module's docstring).

    Subclasses give ``push`` (the on-chain update of the current prices).
    """

    name = "oracle"

    def __init__(self, part: Part, paths: CorrelatedPaths, interval: float, name: str | None = None) -> None:
        super().__init__(part, name)
        self.paths = paths
        self.interval = interval
        self.stopped_until = -1.0
        self.process: simpy.Process | None = None
        self._spikes: list[tuple[float, str, float]] = []  # (seconds, symbol, factor), not yet printed

    @property
    def live(self) -> bool:
        """Whether the feed pushes now (no outage under way)."""
        return self.env.now >= self.stopped_until

    def start(self, *, push_now: bool) -> None:
        """Start publishing: push at once when ``push_now``, then every interval."""
        self.process = self.env.process(self.publish(push_now))

    def publish(self, push_now: bool) -> Iterator[Any]:
        """Push now (if asked), then every interval: step the paths, push unless stopped."""
        if push_now and self.live:
            self.push()
        while True:
            tick = self.env.timeout(self.interval)
            while True:
                try:
                    yield tick
                    break
                except simpy.Interrupt as interruption:
                    self._stopped(interruption.cause)
            self.paths.step(self.interval)
            if self.live:
                self.push()

    def stop(self, seconds: float) -> None:
        """An outage of ``seconds`` from now (interrupts the publishing process)."""
        assert self.process is not None, "the feed has not started"
        self.process.interrupt(Outage(seconds))

    def _stopped(self, outage: Outage) -> None:
        self.stopped_until = self.env.now + outage.seconds
        self.record("feed_stopped", hours=round(outage.seconds / HOUR))

    def spike(self, at_seconds: float, symbol: str, factor: float) -> None:
        """An ``oracle_spike``: the first update at or after ``at_seconds`` prints ``symbol``'s
        price times ``factor``."""
        self._spikes.append((at_seconds, symbol, factor))

    def spiked(self) -> dict[str, float]:
        """The spikes this update prints, by symbol (each spike once; a second spike of the
        same asset waits for the next update)."""
        due: dict[str, float] = {}
        waiting = []
        for at, symbol, factor in self._spikes:
            if at <= self.env.now and symbol not in due:
                due[symbol] = factor
            else:
                waiting.append((at, symbol, factor))
        self._spikes = waiting
        return due

    def push(self) -> None:
        raise NotImplementedError


def spiked_cents(cents: int, factor: float) -> int:
    """A price in cents times a spike's factor, in whole cents (at least one)."""
    return max(1, round(cents * factor))


__all__ = ["Outage", "PriceFeed", "spiked_cents"]
