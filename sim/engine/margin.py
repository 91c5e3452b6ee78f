"""``MarginSimulation``: a margin scenario played on the chain.

At time 0 the run deploys the registries (``AssetRegistry``, ``CollateralRegistry``),
the ``MarginEngine`` and its ``PerpetualFutures``, one ERC-20 per asset, and the role
accounts (the firm's risk admin, price feeder, trading desk, margin desk, liquidator,
treasury; the market maker that deals spot and takes the other side of every perpetual).
Each participant's account is opened, funded and pledged (concentration limits can
refuse a pledge). Then the processes run:

- the price feed: every asset on correlated paths (GBM with jumps, ``sim.market.paths``),
  perpetual marks at a small random premium over the index, pushed every
  ``oracle.update_hours``; scripted shocks pushed when they happen; a ``stale_oracle``
  fault stops the pushes (valuations are then refused on chain);
- participants' orders at their times (sized by quantity or by leverage on equity);
- the funding keeper, at each perpetual's interval;
- the margin desk and liquidator, every ``margin.check_every_hours``: accounts that may
  be liquidated are liquidated (a retail close-out or an unmet call past its deadline),
  then accounts below maintenance get a call; a participant answers a call after a
  delay with cash from its liquidity, then by pledging reserve collateral;
- a sampler writing each account's equity and requirements, by both methods.

Every number in ``summary.json`` is read from the chain or counted from the event log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.actors.base import describe
from sim.calendar import DAY, HOUR, iso
from sim.chain import Backend
from sim.contracts import deploy_cash_token
from sim.contracts.assets import deploy_asset_registry
from sim.contracts.collateral import deploy_collateral_registry
from sim.contracts.margin import Method, deploy_margin
from sim.contracts.oracle import deploy_oracle, to_oracle_price
from sim.engine.run import ChainRun
from sim.errors import ContractRevert
from sim.contracts.assets import Asset, AssetClass, IssuerKind, rating_notch
from sim.contracts.collateral import Limits
from sim.market.paths import CorrelatedPaths, PathSpec
from sim.report.plots import write_margin_plots
from sim.scenario.margin import MarginAccount, MarginScenario, Order
from sim.scenario.models import Fixed, LogNormal, Uniform

USD = 10**6  # cash-token units per dollar (6 decimals)
CENT = 10**4
LEVERAGE_ERRORS = ("MarginLeverageCap", "MarginNotOfferedToRetail")


@dataclass
class Participant:
    name: str
    spec: MarginAccount
    wallet: str
    liquidity: int  # cash units still available for calls
    reserve: dict[str, int] = field(default_factory=dict)  # whole tokens
    responding: bool = False

    @property
    def retail(self) -> bool:
        return self.spec.type == "retail"


class MarginSimulation(ChainRun):
    """One run of a margin scenario (same interface as ``Simulation``).

    Args:
        scenario: the validated margin scenario.
        seed: overrides ``scenario.seed``.
        backend: ``revm`` (default), ``eth-tester`` or ``rpc``, or a ``Backend``.
        backend_options: keyword arguments for the backend, when given by name.
    """

    def __init__(
        self,
        scenario: MarginScenario,
        *,
        seed: int | None = None,
        backend: str | Backend = "revm",
        backend_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(scenario, seed=seed, backend=backend, backend_options=backend_options)
        self.participants: list[Participant] = []
        self.plot_events: list[dict[str, Any]] = []
        self.refused_by_error: dict[str, int] = {}
        self.shortfall = 0
        self.default_fund_used = 0
        self.uncovered = 0
        self.shock_rows: list[dict[str, Any]] = []

    # ---------------------------------------------------------------- services

    def record(self, actor: str, act: str, outcome: str = "ok", **fields: Any) -> dict[str, Any]:
        return self.recorder.record(self.env.now, actor, act, outcome, **fields)

    def act(self, actor: str, act: str, call: Callable[[], Any], **fields: Any) -> Any:
        """Run a chain call now; record ``ok`` or ``refused``; return the receipt or None."""
        self.sync()
        try:
            result = call()
        except ContractRevert as refused:
            self._refused(actor, act, refused, **fields)
            return None
        self.record(actor, act, **fields)
        return result

    def _refused(self, actor: str, act: str, refused: ContractRevert, **fields: Any) -> None:
        described = describe(refused)
        self.refused_by_error[described["error"]] = self.refused_by_error.get(described["error"], 0) + 1
        self.record(actor, act, "refused", **described, **fields)

    def _write_outputs(self, out_dir: Path) -> None:
        self.metrics.write_sampled_csv(out_dir / "metrics.csv")
        write_margin_plots(out_dir, self.metrics.rows, self.plot_events, [p.name for p in self.participants])

    # ------------------------------------------------------------------- setup

    def _setup(self) -> None:
        s = self.scenario
        self.chain = chain = self._connect()
        self.sync()
        admin, self.feeder, trader, desk, liquidator, treasury = chain.accounts[:6]
        self.admin, self.trader, self.desk, self.liquidator, self.treasury = admin, trader, desk, liquidator, treasury
        self.cash = deploy_cash_token(chain, admin=admin, name="US Dollar Token", symbol="USD", decimals=6)
        self.oracle = deploy_oracle(chain, admin=admin, feeder=self.feeder, max_age_seconds=s.oracle.max_age_hours * HOUR)
        self.assets = deploy_asset_registry(chain, admin=admin)
        self.collateral = deploy_collateral_registry(chain, self.assets, admin=admin)
        rules = s.margin
        limits = rules.limits
        self.collateral.set_limits(
            Limits(*(round(v * 100) for v in (limits.per_asset_pct, limits.per_issuer_pct, limits.per_fund_pct,
                                                limits.per_fund_family_pct, limits.all_funds_pct))),
            sender=admin,
        )
        self.collateral.setCurrencyMismatchAddOn(round(rules.currency_mismatch_pct * 100), sender=admin)
        margin = deploy_margin(
            chain, cash=self.cash, collateral=self.collateral, oracle=self.oracle, admin=admin, currency=s.currency,
            cross_floor_bps=round(rules.cross_floor_pct * 100), close_out_bps=round(rules.close_out_pct * 100),
            call_period_seconds=rules.call_deadline_hours * HOUR, trader=trader, desk=desk, liquidator=liquidator,
            treasury=treasury,
        )
        self.engine, self.perps = margin.engine, margin.perpetuals
        self._deploy_assets()
        self._push_prices()
        self._open_firm_accounts()
        self._onboard()
        env = self.env
        env.process(self._feed())
        for shock in s.shocks:
            env.process(self._shock(shock))
        for fault in s.faults:
            env.process(self._stale(fault.at_day * DAY, fault.hours * HOUR))
        for symbol, market in self.markets.items():
            env.process(self._funding(symbol, market))
        for p in self.participants:
            for order in p.spec.orders:
                env.process(self._order(p, order))
        env.process(self._desk())
        env.process(self._sample_every())

    def _deploy_assets(self) -> None:
        s, chain, admin = self.scenario, self.chain, self.admin
        self.tokens: dict[str, Any] = {}
        self.units: dict[str, int] = {}
        for asset in s.assets:
            self.tokens[asset.symbol] = deploy_cash_token(
                chain, admin=admin, name=asset.name, symbol=asset.symbol, decimals=asset.decimals
            )
            self.units[asset.symbol] = 10**asset.decimals
        issuers: dict[str, str] = {}
        for asset in s.assets:
            issuer = ""
            if asset.issuer:
                issuer = issuers.setdefault(asset.issuer, chain.new_account())
            record = Asset(
                AssetClass[asset.asset_class.upper()], asset.currency,
                IssuerKind.SOVEREIGN if asset.issuer_kind == "sovereign" else IssuerKind.OTHER,
                rating_notch(asset.rating), asset.main_index, issuer,
                self.start + asset.maturity_day * DAY if asset.maturity_day else 0,
                tuple(self.tokens[h].address for h in asset.holdings),
            )
            token = self.tokens[asset.symbol]
            self.assets.record(token, record, sender=admin)
            if asset.collateral:
                self.collateral.setEligible(token, True, sender=admin)
            if asset.haircut_pct is not None:
                self.collateral.setHaircut(token, round(asset.haircut_pct * 100), sender=admin)
        self.index: dict[str, int] = {}
        self.markets: dict[str, int] = {}
        for asset in s.assets:
            t = asset.tradable
            if t is None:
                continue
            up, down = t.range_bps
            self.index[asset.symbol] = self.engine.list_underlying(
                self.tokens[asset.symbol], up_bps=up, down_bps=down, retail_leverage=t.retail_leverage,
                position_limit=t.position_limit, sender=admin,
            )
            if t.perpetual is not None:
                self.markets[asset.symbol] = self.perps.list_market(
                    self.index[asset.symbol], funding_interval=t.perpetual.funding_hours * HOUR,
                    funding_cap_bps=round(t.perpetual.funding_cap_pct * 100),
                    position_limit=t.perpetual.position_limit, sender=admin,
                )
        correlation = {tuple(k.split("/")): v for k, v in s.correlations.items()}
        self.paths = CorrelatedPaths(
            [
                PathSpec(a.symbol, round(a.price * 100), a.drift_pct / 100, a.volatility_pct / 100,
                         a.jumps_per_year, a.jump_mean_pct / 100, a.jump_sd_pct / 100)
                for a in s.assets
            ],
            correlation,  # type: ignore[arg-type]
            self.rng("prices"),
        )
        self.basis_rng = self.rng("basis")
        self.feed_stopped_until = -1.0

    def _marks(self) -> dict[str, int]:
        marks = {}
        for symbol in self.markets:
            basis = self.scenario_asset(symbol).tradable.perpetual.basis_pct / 100
            premium = float(self.basis_rng.standard_normal()) * basis
            marks[symbol] = max(1, round(self.paths.cents[symbol] * (1 + premium)))
        return marks

    def scenario_asset(self, symbol: str):
        return next(a for a in self.scenario.assets if a.symbol == symbol)

    def _push_prices(self) -> None:
        self.marks = self._marks()
        feeds = [self.tokens[s] for s in self.paths.cents] + [self.perps.markFeedOf(m) for m in self.markets.values()]
        values = [to_oracle_price(c) for c in self.paths.cents.values()] + [
            to_oracle_price(self.marks[s]) for s in self.markets
        ]
        self.sync()
        self.oracle.setPrices(feeds, values, sender=self.feeder)
        self.record("oracle", "prices", prices_cents=dict(self.paths.cents), marks_cents=dict(self.marks))

    def _open_firm_accounts(self) -> None:
        s, admin, chain = self.scenario, self.admin, self.chain
        mm = s.market_maker
        self.dealer = chain.new_account()
        total = round(mm.cash_usd * USD)
        self.cash.mint(self.dealer, 2 * total, sender=admin)
        self.cash.approve(self.engine, 2**255, sender=self.dealer)
        for symbol, token in self.tokens.items():
            token.mint(self.dealer, mm.inventory_tokens * self.units[symbol], sender=admin)
            token.approve(self.engine, 2**255, sender=self.dealer)
        self.engine.open_account(self.dealer, retail=False, method=Method.PORTFOLIO, sender=admin)
        self.engine.depositCash(total, sender=self.dealer)
        self.engine.open_account(self.liquidator, retail=False, method=Method.PORTFOLIO, sender=admin)
        self.cash.mint(self.liquidator, total // 10, sender=admin)
        self.cash.approve(self.engine, 2**255, sender=self.liquidator)
        self.engine.depositCash(total // 10, sender=self.liquidator)
        self.engine.setLiquidationAccount(self.liquidator, sender=admin)
        lending = 10 * total
        fund = round(s.margin.default_fund_usd * USD)
        self.cash.mint(self.treasury, lending + fund, sender=admin)
        self.cash.approve(self.engine, lending + fund, sender=self.treasury)
        self.engine.fundLending(lending, sender=self.treasury)
        if fund:
            self.engine.payIntoDefaultFund(fund, sender=self.treasury)
        self.record("firm", "setup", engine=self.engine.address, perpetuals=self.perps.address,
                    default_fund_usd=s.margin.default_fund_usd, lending_usd=lending // USD)

    def _onboard(self) -> None:
        for spec in self.scenario.accounts:
            for i in range(spec.count):
                name = spec.name if spec.count == 1 else f"{spec.name}-{i + 1}"
                wallet = self.chain.new_account()
                p = Participant(name, spec, wallet, round(spec.liquidity_usd * USD), dict(spec.reserve))
                self.participants.append(p)
                self.engine.open_account(
                    wallet, retail=p.retail, method=Method[spec.method.upper()], sender=self.admin
                )
                cash = round(spec.cash_usd * USD)
                if cash + p.liquidity:
                    self.cash.mint(wallet, cash + p.liquidity, sender=self.admin)
                    self.cash.approve(self.engine, 2**255, sender=wallet)
                if cash:
                    self.engine.depositCash(cash, sender=wallet)
                for symbol in {**spec.collateral, **spec.reserve}:
                    amount = (spec.collateral.get(symbol, 0) + spec.reserve.get(symbol, 0)) * self.units[symbol]
                    self.tokens[symbol].mint(wallet, amount, sender=self.admin)
                    self.tokens[symbol].approve(self.engine, 2**255, sender=wallet)
                self.record("firm", "open_account", account=name, type=spec.type, method=spec.method,
                            cash_usd=spec.cash_usd)
                for symbol, whole in spec.collateral.items():
                    token = self.tokens[symbol]
                    self.act(name, "pledge", lambda t=token, w=wallet, u=whole * self.units[symbol]:
                             self.engine.pledge(t, u, sender=w), account=name, asset=symbol, tokens=whole)

    # --------------------------------------------------------------- processes

    def _feed(self):
        interval = self.scenario.oracle.update_hours * HOUR
        while True:
            yield self.env.timeout(interval)
            self.paths.step(interval)
            if self.env.now >= self.feed_stopped_until:
                self._push_prices()

    def _shock(self, shock):
        yield self.env.timeout(shock.at_day * DAY)
        self._sample()
        before_row = self.metrics.rows[-1]
        before = self.paths.cents[shock.asset]
        after = self.paths.shock(shock.asset, shock.move_pct / 100)
        self.record("market", "shock", asset=shock.asset, move_pct=shock.move_pct, from_cents=before, to_cents=after)
        self.plot_events.append({"t": int(self.env.now), "act": "shock", "asset": shock.asset, "move_pct": shock.move_pct})
        if self.env.now >= self.feed_stopped_until:
            self._push_prices()
        self._sample()
        after_row = self.metrics.rows[-1]
        self.shock_rows.append({
            "day": shock.at_day, "asset": shock.asset, "move_pct": shock.move_pct,
            **{f"{k}_{when}": row[k] for when, row in (("before", before_row), ("after", after_row))
               for k in ("collateral_required_siloed", "collateral_required_cross")},
        })

    def _stale(self, at: float, seconds: float):
        yield self.env.timeout(at)
        self.feed_stopped_until = self.env.now + seconds
        self.record("oracle", "feed_stopped", hours=round(seconds / HOUR))

    def _funding(self, symbol: str, market: int):
        interval = self.scenario_asset(symbol).tradable.perpetual.funding_hours * HOUR
        while True:
            yield self.env.timeout(interval)
            self.act("keeper", "funding", lambda: self.perps.applyFunding(market, sender=self.admin), asset=symbol)

    def _order(self, p: Participant, order: Order):
        yield self.env.timeout(order.at_day * DAY)
        symbol = order.asset
        quantity = order.quantity
        fields: dict[str, Any] = {"account": p.name, "asset": symbol, "perpetual": order.perpetual}
        if quantity is None:
            leverage = _draw(order.leverage, self.rng(f"leverage:{p.name}:{symbol}"))
            self.sync()
            try:
                equity = self.engine.status(p.wallet).equity
            except ContractRevert as refused:
                self._refused(p.name, "order", refused, **fields)
                return
            price = self.marks[symbol] if order.perpetual else self.paths.cents[symbol]
            quantity = max(1, int(leverage * equity // (price * CENT)))
            fields["leverage"] = round(leverage, 4)
            if order.short:
                quantity = -quantity
        elif order.short:
            quantity = -abs(quantity)
        fields["quantity"] = quantity
        if order.perpetual:
            market = self.markets[symbol]
            long, short = (p.wallet, self.dealer) if quantity > 0 else (self.dealer, p.wallet)
            call = lambda: self.perps.trade(market, long, short, abs(quantity), sender=self.trader)  # noqa: E731
        else:
            index = self.index[symbol]
            call = lambda: self.engine.tradeSpot(p.wallet, index, quantity, self.dealer, sender=self.trader)  # noqa: E731
        self.act(p.name, "order", call, **fields)

    def _desk(self):
        interval = self.scenario.margin.check_every_hours * HOUR
        while True:
            yield self.env.timeout(interval)
            self.sync()
            for p in self.participants:
                self._check(p)

    def _check(self, p: Participant) -> None:
        try:
            allowed, status = self.engine.liquidatable(p.wallet)
        except ContractRevert as refused:
            self._refused("margin-desk", "valuation", refused, account=p.name)
            return
        account = self.engine.account(p.wallet)
        if allowed:
            act = "close_out" if p.retail and account.call_deadline == 0 else "liquidation"
            receipt = self.act("liquidator", act, lambda: self.engine.liquidate(p.wallet, sender=self.liquidator),
                               account=p.name, equity_usd=status[0] / USD, initial_usd=status[1] / USD)
            if receipt is not None:
                for e in receipt.events_named("ShortfallCharged"):
                    self.shortfall += e.shortfall
                    self.default_fund_used += e.fromDefaultFund
                    self.uncovered += e.uncovered
                    self.record("liquidator", "shortfall", account=p.name, shortfall_usd=e.shortfall / USD,
                                default_fund_usd=e.fromDefaultFund / USD, uncovered_usd=e.uncovered / USD,
                                retail=e.retail)
                self.plot_events.append({"t": int(self.env.now), "act": act, "account": p.name})
            return
        equity, maintenance = status[0], status[2]
        if account.call_deadline == 0 and (equity < 0 or equity < maintenance):
            receipt = self.act("margin-desk", "margin_call", lambda: self.engine.issueCall(p.wallet, sender=self.desk),
                               account=p.name, equity_usd=equity / USD, maintenance_usd=maintenance / USD)
            if receipt is not None:
                self.plot_events.append({"t": int(self.env.now), "act": "margin_call", "account": p.name})
                if not p.responding:
                    p.responding = True
                    self.env.process(self._respond(p))

    def _respond(self, p: Participant):
        """The participant answers a call: cash from its liquidity, then reserve collateral."""
        delay = float(self.rng(f"respond:{p.name}:{int(self.env.now)}").uniform(0, p.spec.responds_within_hours)) * HOUR
        yield self.env.timeout(delay)
        p.responding = False
        self.sync()
        try:
            status = self.engine.status(p.wallet)
        except ContractRevert as refused:
            self._refused(p.name, "top_up", refused, account=p.name)
            return
        need = status.maintenance - status.equity
        if need > 0 and p.liquidity > 0:
            amount = min(need, p.liquidity)
            if self.act(p.name, "top_up", lambda: self.engine.depositCash(amount, sender=p.wallet),
                        account=p.name, cash_usd=amount / USD) is not None:
                p.liquidity -= amount
                need -= amount
        if need > 0:
            for symbol, whole in list(p.reserve.items()):
                token, units = self.tokens[symbol], whole * self.units[symbol]
                if self.act(p.name, "substitution", lambda t=token, u=units: self.engine.pledge(t, u, sender=p.wallet),
                            account=p.name, asset=symbol, tokens=whole) is not None:
                    del p.reserve[symbol]
        if self.engine.account(p.wallet).call_deadline == 0:
            return
        self.sync()
        try:
            receipt = self.engine.reviewCall(p.wallet, sender=self.desk)
        except ContractRevert as refused:
            self._refused("margin-desk", "review_call", refused, account=p.name)
            return
        if receipt.events_named("MarginCallMet"):
            self.record("margin-desk", "call_met", account=p.name)
            self.plot_events.append({"t": int(self.env.now), "act": "call_met", "account": p.name})

    # ----------------------------------------------------------------- metrics

    def _sample_every(self):
        interval = self.scenario.metrics_every_hours * HOUR
        yield self.env.timeout(0)  # after the books opened at time 0
        self._sample()
        while True:
            yield self.env.timeout(interval)
            self._sample()

    def _statuses(self) -> dict[str, Any]:
        out = {}
        for p in self.participants:
            try:
                out[p.name] = self.engine.status(p.wallet)
            except ContractRevert:
                out[p.name] = None
        return out

    def _sample(self) -> None:
        self.sync()
        statuses = self._statuses()
        row: dict[str, Any] = {"t": int(self.env.now), "time": iso(self.now())}
        row.update({f"price:{s}": c / 100 for s, c in self.paths.cents.items()})
        valued = [st for st in statuses.values() if st is not None]
        complete = len(valued) == len(statuses)
        row["collateral_required_siloed"] = sum(st.siloed_initial for st in valued) / USD if complete else None
        row["collateral_required_cross"] = sum(st.portfolio_initial for st in valued) / USD if complete else None
        for name, st in statuses.items():
            row[f"equity:{name}"] = st.equity / USD if st else None
            row[f"requirement:{name}"] = st.initial / USD if st else None
            row[f"maintenance:{name}"] = st.maintenance / USD if st else None
        row["margin_calls"] = self.metrics.count("margin_call")
        row["liquidations"] = self.metrics.count("liquidation") + self.metrics.count("close_out")
        self.metrics.sample(row)

    def state_digest(self) -> str:
        """A hash of the engine's final state: every account's ledger, positions and collateral."""
        e = self.engine
        accounts = {p.name: p.wallet for p in self.participants} | {"market-maker": self.dealer, "liquidator": self.liquidator}
        state: dict[str, Any] = {
            "pools": [e.defaultFund(), e.lendingCapital(), e.uncoveredShortfall(), e.perpetualsPool()],
            "engine_cash": self.cash.balanceOf(e),
            "accounts": {
                name: {
                    "account": list(e.accountOf(wallet)),
                    "spot": {s: e.spotOf(wallet, i) for s, i in self.index.items()},
                    "perps": {s: list(self.perps.positionOf(wallet, m)) for s, m in self.markets.items()},
                    "collateral": {s: e.collateralOf(wallet, t) for s, t in self.tokens.items()},
                    "wallet_cash": self.cash.balanceOf(wallet),
                }
                for name, wallet in sorted(accounts.items())
            },
        }
        return "sha256:" + hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()

    def _summary(self, status: str, reason: str | None, wall_seconds: float) -> dict[str, Any]:
        m = self.metrics
        metrics: dict[str, Any] = {}
        digest = None
        rows = [r for r in m.rows if r.get("collateral_required_siloed") is not None]
        if rows:
            last = rows[-1]
            metrics["collateral_required_siloed"] = round(last["collateral_required_siloed"], 2)
            metrics["collateral_required_cross"] = round(last["collateral_required_cross"], 2)
            metrics["collateral_freed"] = round(last["collateral_required_siloed"] - last["collateral_required_cross"], 2)
            peak = max(rows, key=lambda r: r["collateral_required_siloed"])
            metrics["collateral_required_siloed_peak"] = round(peak["collateral_required_siloed"], 2)
            metrics["collateral_required_cross_peak"] = round(max(r["collateral_required_cross"] for r in rows), 2)
        if self.shock_rows:
            metrics["shocks"] = self.shock_rows
        errors = self.refused_by_error
        metrics.update(
            {
                "margin_calls": m.count("margin_call"),
                "calls_met": m.count("call_met"),
                "top_ups": m.count("top_up"),
                "substitutions": m.count("substitution"),
                "liquidations": m.count("liquidation") + m.count("close_out"),
                "retail_close_outs": m.count("close_out"),
                "shortfall": round(self.shortfall / USD, 2),
                "default_fund_used": round(self.default_fund_used / USD, 2),
                "uncovered_shortfall": round(self.uncovered / USD, 2),
                "stale_price_refusals": errors.get("OracleStalePrice", 0),
                "concentration_refusals": errors.get("CollateralConcentration", 0),
                "leverage_refusals": sum(errors.get(e, 0) for e in LEVERAGE_ERRORS),
                "position_limit_refusals": errors.get("MarginPositionLimit", 0) + errors.get("PerpPositionLimit", 0),
                "insufficient_margin_refusals": errors.get("MarginInsufficient", 0),
                "orders": m.count("order"),
                "orders_refused": m.count("order", "refused"),
                "refusals_by_error": dict(sorted(errors.items())),
            }
        )
        try:
            statuses = self._statuses()
            metrics["accounts"] = {
                name: None if st is None else {
                    "equity": round(st.equity / USD, 2), "initial": round(st.initial / USD, 2),
                    "siloed_initial": round(st.siloed_initial / USD, 2),
                    "portfolio_initial": round(st.portfolio_initial / USD, 2),
                }
                for name, st in statuses.items()
            }
            digest = self.state_digest()
        except Exception:  # the chain may be what failed
            pass
        return self._envelope(status, reason, wall_seconds, metrics, digest, kind="margin")


def _draw(distribution: Any, rng: np.random.Generator) -> float:
    if isinstance(distribution, Fixed):
        return distribution.value
    if isinstance(distribution, Uniform):
        return float(rng.uniform(distribution.low, distribution.high))
    if isinstance(distribution, LogNormal):
        return float(rng.lognormal(np.log(distribution.median), distribution.sigma))
    raise TypeError(f"unknown distribution {distribution!r}")


__all__ = ["MarginSimulation"]
