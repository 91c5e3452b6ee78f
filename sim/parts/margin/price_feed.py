"""The margin part's prices: its assets on correlated paths, perpetual marks, shocks.

Every asset's price follows ``sim.market.paths`` (correlated Merton jump-diffusions, in
cents) from the feed's own random stream ``prices``; each perpetual's mark is its index at
a small random premium (stream ``basis``). The feed pushes every asset and every mark in one
``setPrices`` at the start and every ``oracle.update_hours``; a scripted shock moves one
price by an exact fraction and is pushed at once (unless the feed is stopped). An asset
that is the scenario's security token takes the securities lifecycle's price (and a shock
on it moves that path). A ``stale_oracle`` fault is an outage (``sim.parts.prices``).

An ``oracle_spike`` on an asset makes one update print its price times the spike's factor,
and its perpetual's mark with it (the mark is the printed index at its premium): the
``prices`` record carries ``spikes`` (factor by asset) and ``path_cents`` (their true
prices). With the oracle's deviation guard, ``setPrices`` leaves a price it refuses as it was
and emits ``PriceRejected``: each is recorded as a refused ``price`` (error
``OracleDeviationTooLarge``, with the asset, whether its ``price`` or its ``mark``, the last
and the refused price in cents, the guard in basis points).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sim.calendar import DAY, HOUR
from sim.contracts.oracle import cents_of, to_oracle_price
from sim.market.paths import CorrelatedPaths, PathSpec
from sim.parts.prices import PriceFeed, spiked_cents

if TYPE_CHECKING:
    from sim.contracts.margin import PerpetualFutures
    from sim.contracts.oracle import PriceOracle
    from sim.engine.part import Part
    from sim.scenario.faults import StaleOracle
    from sim.scenario.margin import MarginSection, Shock


class MarginFeed(PriceFeed):
    """The margin part's feed (actor ``oracle``; shocks are the ``market``'s).

    Args:
        part: the margin part.
        section: the scenario's ``margin`` section.
        oracle, feeder: the margin oracle and the account that pushes to it.
        tokens: each asset's token handle, by symbol.
        markets: each perpetual's market id, by its asset's symbol.
        perps: the perpetuals contract (it names each mark's feed).
        plot_events: where shocks are noted for the plots.
        security: the securities lifecycle's price feed when an asset is its token.
    """

    name = "oracle"

    def __init__(
        self, part: Part, section: MarginSection, *, oracle: PriceOracle, feeder: str, tokens: dict[str, Any],
        markets: dict[str, int], perps: PerpetualFutures, plot_events: list[dict[str, Any]], security: Any = None,
    ) -> None:
        own = [a for a in section.assets if a.token != "security"]
        paths = CorrelatedPaths(
            [
                PathSpec(a.symbol, round(a.price * 100), a.drift_pct / 100, a.volatility_pct / 100,
                         a.jumps_per_year, a.jump_mean_pct / 100, a.jump_sd_pct / 100)
                for a in own
            ],
            {tuple(k.split("/")): v for k, v in section.correlations.items()},  # type: ignore[misc]
            part.world.rng("prices"),
        )
        super().__init__(part, paths, section.oracle.update_hours * HOUR)
        self.section = section
        self.oracle = oracle
        self.feeder = feeder
        self.tokens = tokens
        self.markets = markets
        self.perps = perps
        self.security = security
        self.security_symbol = section.security_asset.symbol if section.security_asset is not None else None
        self.basis_rng = part.world.rng("basis")
        self.marks: dict[str, int] = {}
        self.shock_rows: list[dict[str, Any]] = []
        self.spikes_published = 0
        self.spikes_refused = 0
        self.plot_events = plot_events

    def cents(self) -> dict[str, int]:
        """Every asset's price now, in cents, in the section's order."""
        prices = self.paths.cents
        return {
            a.symbol: self.security.cents if a.symbol == self.security_symbol else prices[a.symbol]
            for a in self.section.assets
        }

    def _draw_marks(self, cents: dict[str, int]) -> dict[str, int]:
        marks = {}
        for asset in self.section.assets:
            if asset.symbol not in self.markets:
                continue
            premium = float(self.basis_rng.standard_normal()) * asset.tradable.perpetual.basis_pct / 100
            marks[asset.symbol] = max(1, round(cents[asset.symbol] * (1 + premium)))
        return marks

    def push(self) -> None:
        """Every asset's price and every perpetual's mark, in one transaction (a spike due
        now prints its asset at the spiked price)."""
        true = self.cents()
        spikes = self.spiked()
        cents = {s: spiked_cents(c, spikes[s]) if s in spikes else c for s, c in true.items()}
        self.marks = self._draw_marks(cents)
        feeds = [self.tokens[s] for s in cents] + [self.perps.markFeedOf(self.markets[s]) for s in self.marks]
        values = [to_oracle_price(c) for c in cents.values()] + [to_oracle_price(c) for c in self.marks.values()]
        self.world.sync()
        receipt = self.oracle.setPrices(feeds, values, sender=self.feeder)
        fields = {}
        if spikes:
            fields = {"spikes": {s: spikes[s] for s in cents if s in spikes}, "path_cents": {s: true[s] for s in cents if s in spikes}}
        self.record("prices", prices_cents=dict(cents), marks_cents=dict(self.marks), **fields)
        refused: set[str] = set()
        rejected = receipt.events_named("PriceRejected")
        if rejected:
            names = {self.tokens[s].address.lower(): (s, "price") for s in cents}
            names.update({feed.lower(): (s, "mark") for feed, s in zip(feeds[len(cents):], self.marks, strict=True)})
            for event in rejected:
                symbol, leg = names[event.asset.lower()]
                if leg == "price":
                    refused.add(symbol)
                self.record("price", "refused", reason="Oracle deviation too large", error="OracleDeviationTooLarge",
                            asset=symbol, feed=leg, last_cents=cents_of(event.last), price_cents=cents_of(event.price),
                            max_deviation_bps=event.maxDeviationBps, **({"spike": spikes[symbol]} if symbol in spikes else {}))
        self.spikes_refused += len(refused & spikes.keys())
        self.spikes_published += len(spikes.keys() - refused)

    # ------------------------------------------------------------------- shocks

    def shock(self, shock: Shock) -> Iterator[Any]:
        """Move ``shock.asset`` by ``shock.move_pct`` at its day, sampling before and after."""
        yield self.env.timeout(shock.at_day * DAY)
        before_row = self.world.sample_now()[self.part.name]
        if shock.asset == self.security_symbol:
            before = self.security.cents
            after = self.security.paths.shock(shock.asset, shock.move_pct / 100)
        else:
            before = self.paths.cents[shock.asset]
            after = self.paths.shock(shock.asset, shock.move_pct / 100)
        self.record("shock", by="market", asset=shock.asset, move_pct=shock.move_pct, from_cents=before, to_cents=after)
        self.plot_events.append({"t": int(self.env.now), "act": "shock", "asset": shock.asset, "move_pct": shock.move_pct})
        if self.live:
            self.push()
        after_row = self.world.sample_now()[self.part.name]
        self.shock_rows.append({
            "day": shock.at_day, "asset": shock.asset, "move_pct": shock.move_pct,
            **{f"{k}_{when}": row[k] for when, row in (("before", before_row), ("after", after_row))
               for k in ("collateral_required_siloed", "collateral_required_cross")},
        })

    def outage(self, fault: StaleOracle) -> Iterator[Any]:
        """A ``stale_oracle`` fault: the feed stops at its day for its hours."""
        yield self.env.timeout(fault.at_day * DAY)
        self.stop(fault.hours * HOUR)
