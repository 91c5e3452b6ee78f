"""Collateral and margin: tokenized collateral, margin accounts, perpetuals, calls, liquidation.

At time 0 the part deploys the registries (``AssetRegistry``, ``CollateralRegistry``), the
``MarginEngine`` and its ``PerpetualFutures``, one ERC-20 per asset (or takes the world's
security token for an asset that is it), and the firm's role accounts (risk admin, price
feeder, trading desk, margin desk, liquidator, treasury); the market maker takes the other
side of every trade. When the security token is collateral, a ``CollateralCustodian`` holds
what is given by title transfer and places the holds of what is pledged in place, and the
liquidator joins the world as a participant that sells foreclosed shares on the venue. Each
account is opened, funded and pledged (concentration limits can refuse a pledge). Then the
actors run:

| actor | module | what it does |
|---|---|---|
| ``oracle`` / ``market`` | ``price_feed.py`` | prices on correlated paths, marks, scripted shocks; stops on a ``stale_oracle`` fault |
| ``keeper`` | ``funding.py`` | applies each perpetual's funding |
| ``margin-desk`` | ``desk.py`` | values every account, calls, reviews calls |
| ``liquidator`` | ``liquidator.py`` | liquidates what the engine lets it, sells foreclosed security tokens on the venue, charges shortfalls |
| each account | ``account_holders.py`` | orders and pledges at their times; answers calls with cash, then reserve collateral |

Every number of the summary is read from the chain or counted from the event log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.calendar import DAY, HOUR
from sim.contracts import deploy_cash_token
from sim.contracts.assets import deploy_asset_registry
from sim.contracts.collateral import Limits, LockedPolicy, Schedule, deploy_collateral_registry
from sim.contracts.margin import DEALER_ROLE, Method, ScanMethod, deploy_collateral_custodian, deploy_margin
from sim.contracts.oracle import deploy_oracle
from sim.engine.part import Lines, Part, Section, Table
from sim.engine.world import Participant
from sim.parts.margin.account_holders import AccountHolders, MarginClient
from sim.parts.margin.desk import MarginDesk
from sim.parts.margin.funding import FundingKeeper
from sim.parts.margin.liquidator import Liquidator
from sim.parts.margin.price_feed import MarginFeed
from sim.parts.securities.part import scalar_table

LEVERAGE_ERRORS = ("MarginLeverageCap", "MarginNotOfferedToRetail")
APPROVE_ALL = 2**255


class MarginPart(Part):
    """Collateral and margin (see the module's docstring)."""

    name = "margin"
    title = "Collateral and margin"
    report_module = "sim.parts.margin.report"

    # ------------------------------------------------------------------- deploy

    def deploy(self) -> None:
        world, section = self.world, self.scenario.margin
        assert section is not None
        self.section = section
        chain = world.chain
        world.sync()
        admin, feeder, trader, desk, liquidator, treasury = world.role_accounts(6)
        self.admin, self.trader, self.treasury = admin, trader, treasury
        self.security = world.service("security") if section.security_asset is not None else None
        if self.security is not None:
            self.cash = self.security.cash
        else:
            self.cash = deploy_cash_token(chain, admin=admin, name="US Dollar Token", symbol="USD", decimals=6)
        self.usd = 10 ** self.cash.decimals()
        rules = section.rules
        self.oracle = deploy_oracle(chain, admin=admin, feeder=feeder, max_age_seconds=section.oracle.max_age_hours * HOUR,
                                    max_deviation_bps=section.oracle.max_deviation_bps)
        self.assets = deploy_asset_registry(chain, admin=admin)
        self.collateral = deploy_collateral_registry(chain, self.assets, admin=admin,
                                                     schedule=Schedule[rules.haircut_schedule.upper()])
        limits = rules.limits
        self.collateral.set_limits(
            Limits(*(round(v * 100) for v in (limits.per_asset_pct, limits.per_issuer_pct, limits.per_fund_pct,
                                                limits.per_fund_family_pct, limits.all_funds_pct))),
            sender=admin,
        )
        self.collateral.setCurrencyMismatchAddOn(round(rules.currency_mismatch_pct * 100), sender=admin)
        margin = deploy_margin(
            chain, cash=self.cash, collateral=self.collateral, oracle=self.oracle, admin=admin, currency=section.currency,
            cross_floor_bps=round(rules.min_cross_margin_pct * 100), close_out_bps=round(rules.close_out_pct * 100),
            call_period_seconds=rules.call_deadline_hours * HOUR, trader=trader, desk=desk, liquidator=liquidator,
            treasury=treasury, scan_method=ScanMethod[rules.scan_method.upper()],
        )
        self.engine, self.perps = margin.engine, margin.perpetuals
        self._deploy_assets()
        self.custodian = self._deploy_custodian()
        self.plot_events: list[dict[str, Any]] = []
        self.feed = MarginFeed(self, section, oracle=self.oracle, feeder=feeder, tokens=self.tokens,
                               markets=self.markets, perps=self.perps, plot_events=self.plot_events,
                               security=None if self.security is None else self.security.feed)
        self.feed.push()
        self.dealer = self._open_firm_accounts(liquidator)
        self.holders = AccountHolders(
            self, engine=self.engine, perps=self.perps, trader=trader, dealer=self.dealer, tokens=self.tokens,
            units=self.units, indexes=self.index, markets=self.markets, feed=self.feed, usd=self.usd,
        )
        self.liquidator = Liquidator(self, self.engine, liquidator, self.usd, self.plot_events)
        self.desk = MarginDesk(self, self.engine, desk, self.liquidator, self.usd, self.plot_events)
        self.desk.holders, self.holders.desk = self.holders, self.desk
        self.keeper = FundingKeeper(self, self.perps, admin)
        if self.custodian is not None:
            participant = self.world.participants.by_label("liquidator")
            self.liquidator.sell_through(self.security, self.security.admit(participant), rules.liquidation_sale,
                                         self.cash)
        self._onboard()

    def _mint_cash(self, to: str, units: int) -> None:
        if self.security is not None:
            self.security.fund(to, units)
        else:
            self.cash.mint(to, units, sender=self.admin)

    def _deploy_assets(self) -> None:
        section, chain, admin = self.section, self.world.chain, self.admin
        self.tokens: dict[str, Any] = {}
        self.units: dict[str, int] = {}
        for asset in section.assets:
            if asset.token == "security":
                self.tokens[asset.symbol] = self.security.token
                self.units[asset.symbol] = self.security.unit
                continue
            self.tokens[asset.symbol] = deploy_cash_token(
                chain, admin=admin, name=asset.name, symbol=asset.symbol, decimals=asset.decimals
            )
            self.units[asset.symbol] = 10**asset.decimals
        issuers: dict[str, str] = {}
        start = self.world.start
        for asset in section.assets:
            issuer = ""
            if asset.issuer:
                issuer = issuers.setdefault(asset.issuer, chain.new_account())
            record = asset.record(start=start, issuer=issuer,
                                  holdings=tuple(self.tokens[h].address for h in asset.holding_symbols))
            token = self.tokens[asset.symbol]
            self.assets.record(token, record, sender=admin)
            if asset.collateral:
                self.collateral.setEligible(token, True, sender=admin)
            if asset.haircut_pct is not None:
                self.collateral.setHaircut(token, round(asset.haircut_pct * 100), sender=admin)
        self.index: dict[str, int] = {}
        self.markets: dict[str, int] = {}
        for asset in section.assets:
            t = asset.tradable
            if t is None:
                continue
            up, down = t.range_bps
            self.index[asset.symbol] = self.engine.list_underlying(
                self.tokens[asset.symbol], up_bps=up, down_bps=down,
                retail_leverage=t.retail_leverage(section.rules.retail_regime),
                position_limit=t.position_limit, sender=admin,
            )
            if t.perpetual is not None:
                self.markets[asset.symbol] = self.perps.list_market(
                    self.index[asset.symbol], funding_interval=t.perpetual.funding_hours * HOUR,
                    funding_cap_bps=round(t.perpetual.funding_cap_pct * 100),
                    position_limit=t.perpetual.position_limit, sender=admin,
                )

    def _deploy_custodian(self) -> Any:
        """When the security token is collateral: the engine's ``CollateralCustodian`` (a
        holder the token admits, a hold operator), the token's lock-up module named to the
        collateral registry, the locked-collateral policy."""
        asset = self.section.security_asset
        if asset is None or not asset.collateral:
            return None
        admin, token = self.admin, self.security.token
        custodian = deploy_collateral_custodian(self.world.chain, self.engine, token, admin=admin)
        self.security.register(custodian.address, f"{self.scenario.name}:collateral-custodian")
        self.security.make_hold_operator(custodian.address)
        if self.security.lockup is not None:
            self.collateral.setLockupModule(token, self.security.lockup, sender=admin)
        policy = LockedPolicy[self.section.rules.locked_collateral.upper()]
        if policy != LockedPolicy.INELIGIBLE:
            self.collateral.setLockedPolicy(policy, sender=admin)
        self.record("firm", "collateral_custodian", custodian=custodian.address,
                    locked_collateral=self.section.rules.locked_collateral)
        return custodian

    def _open_firm_accounts(self, liquidator: str) -> str:
        section, admin, chain = self.section, self.admin, self.world.chain
        mm = section.market_maker
        dealer = chain.new_account()
        self.world.participants.add(Participant("market-maker", "firm"))
        self.world.participants.onboarded(self.world.participants.by_label("market-maker"), dealer)
        if self.security is not None:
            self.security.register(self.engine.address, f"{self.scenario.name}:margin-engine")
            self.security.register(dealer, f"{self.scenario.name}:market-maker")
        total = round(mm.cash_usd * self.usd)
        self._mint_cash(dealer, 2 * total)
        self.cash.approve(self.engine, APPROVE_ALL, sender=dealer)
        for symbol, token in self.tokens.items():
            if self.security is not None and token is self.security.token:
                self.security.mint(dealer, mm.inventory_tokens * self.units[symbol])
            else:
                token.mint(dealer, mm.inventory_tokens * self.units[symbol], sender=admin)
            token.approve(self.engine, APPROVE_ALL, sender=dealer)
        self.engine.grantRole(DEALER_ROLE, dealer, sender=admin)  # it fills spot orders from its own wallet
        self.engine.open_account(dealer, retail=False, method=Method.PORTFOLIO, sender=admin)
        self.engine.depositCash(total, sender=dealer)
        if self.custodian is not None:  # it sells foreclosed security tokens on the venue
            self.world.participants.add(Participant("liquidator", "firm"))
            self.world.participants.onboarded(self.world.participants.by_label("liquidator"), liquidator)
        self.engine.open_account(liquidator, retail=False, method=Method.PORTFOLIO, sender=admin)
        self._mint_cash(liquidator, total // 10)
        self.cash.approve(self.engine, APPROVE_ALL, sender=liquidator)
        self.engine.depositCash(total // 10, sender=liquidator)
        self.engine.setLiquidationAccount(liquidator, sender=admin)
        lending = 10 * total
        fund = round(section.rules.default_fund_usd * self.usd)
        self._mint_cash(self.treasury, lending + fund)
        self.cash.approve(self.engine, lending + fund, sender=self.treasury)
        self.engine.fundLending(lending, sender=self.treasury)
        if fund:
            self.engine.payIntoDefaultFund(fund, sender=self.treasury)
        self.liquidation_account = liquidator
        self.record("firm", "setup", engine=self.engine.address, perpetuals=self.perps.address,
                    default_fund_usd=section.rules.default_fund_usd, lending_usd=lending // self.usd,
                    rules=section.rules.model_dump(mode="json"))
        return dealer

    def _onboard(self) -> None:
        participants = self.world.participants
        for spec in self.section.accounts:
            for i in range(spec.count):
                name = spec.name if spec.count == 1 else f"{spec.name}-{i + 1}"
                if spec.investor is not None:
                    participant = participants.by_label(spec.investor)
                else:
                    participant = participants.add(Participant(name, spec.name))
                    participants.onboarded(participant, self.world.chain.new_account())
                wallet = participant.wallet
                client = MarginClient(name, participant, spec, round(spec.liquidity_usd * self.usd), dict(spec.reserve))
                self.holders.clients.append(client)
                self.engine.open_account(
                    wallet, retail=client.retail, method=Method[spec.method.upper()], sender=self.admin
                )
                cash = round(spec.cash_usd * self.usd)
                if cash + client.liquidity:
                    self._mint_cash(wallet, cash + client.liquidity)
                    self.cash.approve(self.engine, APPROVE_ALL, sender=wallet)
                if cash:
                    self.engine.depositCash(cash, sender=wallet)
                for symbol in {**spec.collateral, **spec.reserve}:
                    amount = (spec.collateral.get(symbol, 0) + spec.reserve.get(symbol, 0)) * self.units[symbol]
                    self.tokens[symbol].mint(wallet, amount, sender=self.admin)
                    self.tokens[symbol].approve(self.engine, APPROVE_ALL, sender=wallet)
                self.record("firm", "open_account", account=client.name, type=spec.type, method=spec.method,
                            cash_usd=spec.cash_usd)
                for symbol, whole in spec.collateral.items():
                    token = self.tokens[symbol]
                    if self.holders.act("pledge", lambda t=token, w=wallet, u=whole * self.units[symbol]:
                                        self.engine.pledge(t, u, sender=w), by=client.name, account=client.name,
                                        asset=symbol, tokens=whole):
                        self.holders.count_pledge("plain", "title_transfer", whole,
                                                  whole * self.feed.cents()[symbol] / 100)

    # -------------------------------------------------------------------- start

    def start(self) -> None:
        env, section = self.world.env, self.section
        self.feed.start(push_now=False)
        for shock in section.shocks:
            env.process(self.feed.shock(shock))
        symbols = {a.symbol for a in section.assets}
        for fault in self.scenario.faults:
            if fault.kind == "stale_oracle":
                env.process(self.feed.outage(fault))
            elif fault.kind == "oracle_spike":
                symbol = fault.asset if fault.asset is not None else self.feed.security_symbol
                if symbol in symbols:
                    self.feed.spike(fault.at_day * DAY, symbol, fault.factor)
            elif fault.kind == "participant_default":
                for client in self.holders.clients:
                    if fault.participant in (client.name, client.participant.label):
                        env.process(self.holders.default(client, fault.at_day, fault.participant))
        for asset in section.assets:
            if asset.symbol in self.markets:
                env.process(self.keeper.apply_funding(asset.symbol, self.markets[asset.symbol],
                                                      asset.tradable.perpetual.funding_hours))
        for client in self.holders.clients:
            for order in client.spec.orders:
                env.process(self.holders.place_order(client, order))
            for pledge in client.spec.pledges:
                env.process(self.holders.pledge(client, pledge))
        if self.custodian is not None:
            env.process(self.liquidator.run_sales())
        env.process(self.desk.check_accounts(section.rules.check_every_hours))

    # ----------------------------------------------------------------- metrics

    def _statuses(self) -> dict[str, Any]:
        out = {}
        for client in self.holders.clients:
            valued = self.holders.quietly(lambda c=client: self.engine.status(c.wallet))
            out[client.name] = valued.value
        return out

    def sample(self) -> dict[str, Any]:
        statuses = self._statuses()
        usd = self.usd
        row: dict[str, Any] = {f"price:{s}": c / 100 for s, c in self.feed.cents().items()}
        valued = [st for st in statuses.values() if st is not None]
        complete = len(valued) == len(statuses)
        row["collateral_required_siloed"] = sum(st.siloed_initial for st in valued) / usd if complete else None
        row["collateral_required_cross"] = sum(st.portfolio_initial for st in valued) / usd if complete else None
        for name, st in statuses.items():
            row[f"equity:{name}"] = st.equity / usd if st else None
            row[f"requirement:{name}"] = st.initial / usd if st else None
            row[f"maintenance:{name}"] = st.maintenance / usd if st else None
        row["margin_calls"] = self.metrics.count("margin_call")
        row["liquidations"] = self.metrics.count("liquidation") + self.metrics.count("close_out")
        return row

    def summary(self) -> dict[str, Any]:
        m, usd = self.metrics, self.usd
        rules = self.section.rules
        metrics: dict[str, Any] = {  # which published rules valued and margined the accounts
            "haircut_schedule": rules.haircut_schedule,
            "scan_method": rules.scan_method,
            "min_cross_margin_pct": rules.min_cross_margin_pct,  # a model choice; 0: none
            "retail_regime": rules.retail_regime,
        }
        rows = [r for r in self.rows if r.get("collateral_required_siloed") is not None]
        if rows:
            last = rows[-1]
            metrics["collateral_required_siloed"] = round(last["collateral_required_siloed"], 2)
            metrics["collateral_required_cross"] = round(last["collateral_required_cross"], 2)
            metrics["collateral_freed"] = round(last["collateral_required_siloed"] - last["collateral_required_cross"], 2)
            peak = max(rows, key=lambda r: r["collateral_required_siloed"])
            metrics["collateral_required_siloed_peak"] = round(peak["collateral_required_siloed"], 2)
            metrics["collateral_required_cross_peak"] = round(max(r["collateral_required_cross"] for r in rows), 2)
        if self.feed.shock_rows:
            metrics["shocks"] = self.feed.shock_rows
        errors = m.refusals_by_error
        liquidator = self.liquidator
        metrics.update(
            {
                "margin_calls": m.count("margin_call"),
                "calls_met": m.count("call_met"),
                "top_ups": m.count("top_up"),
                "substitutions": m.count("substitution"),
                "liquidations": m.count("liquidation") + m.count("close_out"),
                "retail_close_outs": m.count("close_out"),
                "shortfall": round(liquidator.shortfall / usd, 2),
                "default_fund_used": round(liquidator.default_fund_used / usd, 2),
                "uncovered_shortfall": round(liquidator.uncovered / usd, 2),
                # debits carried after a liquidation, still owed now (secured by collateral left)
                "debit_carried": round(sum(max(0, -self.engine.account(wallet).cash)
                                           for wallet in liquidator.carried.values()) / usd, 2),
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
        metrics.update(self._fault_metrics())
        if self.custodian is not None:
            metrics.update(self._collateral_metrics())
        metrics.update(self.world.at_the_end(lambda: {"accounts": self._accounts()}, {}))
        metrics.update(self._customer_protection(metrics.get("accounts") or {}))
        return metrics

    def _fault_metrics(self) -> dict[str, Any]:
        """What the deviation guard refused, and the scenario's spikes and defaults came to
        (each only when the scenario has a guard or such a fault)."""
        m, faults = self.metrics, self.scenario.faults
        symbols = {a.symbol for a in self.section.assets}
        metrics: dict[str, Any] = {}
        if self.section.oracle.max_deviation_pct is not None:
            metrics["price_rejections"] = m.count("price", "refused")
        if any(f.kind == "oracle_spike" and (f.asset or self.feed.security_symbol) in symbols for f in faults):
            metrics["price_spikes_published"] = self.feed.spikes_published
            metrics["price_spikes_refused"] = self.feed.spikes_refused
        if any(f.kind == "participant_default" for f in faults):
            metrics["defaults"] = m.count("default")
        return metrics

    def _customer_protection(self, accounts: dict[str, Any]) -> dict[str, Any]:
        """Under which customer-protection regime each account's assets sit (only when the
        scenario has securities and futures): securities positions under SEC Rule 15c3-3,
        futures and the collateral margining them (securities included) under CFTC
        segregation, each in its own account, unless the account is in a cross-margin
        program (one portfolio with positions on both sides), which puts both in one account
        under the scenario's regime and frees what the offsets across the line save (the
        siloed less the portfolio requirement at the end, from ``accounts``: each account's
        requirements as the summary reports them; None when one could not be valued)."""
        section = self.section
        specs = [c.spec for c in self.holders.clients]
        securities = any(section.is_security(symbol) for s in specs
                         for symbol in (*s.collateral, *s.reserve, *(p.asset for p in s.pledges),
                                        *(o.asset for o in s.orders if not o.perpetual)))
        if not securities or not any(o.perpetual for s in specs for o in s.orders):
            return {}
        segregation, rule = "CFTC segregation (17 CFR 1.20-1.30)", "SEC Rule 15c3-3"
        regime = {"cftc_segregation": segregation, "sec_15c3_3": rule}[section.rules.cross_margin_regime]
        program = [c for c in self.holders.clients if section.in_cross_margin_program(c.spec)]
        protection = {}
        for c in self.holders.clients:
            sides = section.position_sides(c.spec)
            if c in program:
                protection[c.name] = f"cross-margin program: securities and futures in one account under {regime}"
            elif {"securities", "futures"} <= sides:
                protection[c.name] = f"securities under {rule}; futures and their collateral under {segregation}"
            elif "futures" in sides:
                protection[c.name] = f"futures and their collateral under {segregation}"
            elif "securities" in sides:
                protection[c.name] = f"securities under {rule}"

        valued = [accounts.get(c.name) for c in program]
        freed = (None if None in valued else
                 round(sum((a["siloed_initial"] - a["portfolio_initial"] for a in valued), 0.0), 2))
        return {"customer_protection": protection, "cross_margin_program_accounts": len(program),
                "collateral_freed_by_program": freed}

    def _collateral_metrics(self) -> dict[str, Any]:
        """Tokenized securities as collateral: pledges by method, refusals, foreclosures and
        their market sale, and the custodian's books against the engine's ledger."""
        m = self.metrics
        pledges = {kind: {method: dict(done) for method, done in sorted(by_method.items())}
                   for kind, by_method in sorted(self.holders.pledged.items())}
        metrics: dict[str, Any] = {
            "locked_collateral": self.section.rules.locked_collateral,
            "pledges_by_kind_and_method": pledges,
            "pledges_refused": m.count("pledge", "refused"),
            "pledge_refusals_by_error": m.errors_of("pledge"),
            "foreclosures": m.count("foreclosure"),
            "foreclosures_refused": m.count("foreclosure", "refused"),
            "foreclosure_refusals_by_error": m.errors_of("foreclosure"),
        }
        metrics.update(self.liquidator.sale_metrics())
        metrics.update(self.world.at_the_end(lambda: {"collateral_custodian": self._custody_books()}, {}))
        return metrics

    def _custody_books(self) -> dict[str, Any]:
        """What the engine's ledger says the custodian holds and encumbers, against the token."""
        token, unit, e = self.security.token, self.security.unit, self.engine
        wallets = [c.wallet for c in self.holders.clients]
        title = sum(e.collateralOf(w, token) - e.inPlaceOf(w, token) for w in wallets) // unit
        in_place = sum(e.inPlaceOf(w, token) for w in wallets) // unit
        held = token.balanceOf(self.custodian) // unit
        encumbered = sum(self.custodian.encumberedOf(w, token) for w in wallets) // unit
        return {"title_transfer_ledger": title, "title_transfer_held": held, "in_place_ledger": in_place,
                "in_place_on_hold": encumbered, "reconciled": title == held and in_place == encumbered}

    def _accounts(self) -> dict[str, Any]:
        usd = self.usd
        return {
            name: None if st is None else {
                "equity": round(st.equity / usd, 2), "initial": round(st.initial / usd, 2),
                "siloed_initial": round(st.siloed_initial / usd, 2),
                "portfolio_initial": round(st.portfolio_initial / usd, 2),
            }
            for name, st in self._statuses().items()
        }

    def state(self) -> dict[str, Any]:
        """Every account's ledger, spot positions, perpetuals and collateral; the engine's
        pools and cash balance."""
        e = self.engine
        accounts = {c.name: c.wallet for c in self.holders.clients} | {
            "market-maker": self.dealer, "liquidator": self.liquidation_account,
        }
        return {
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

    def write_outputs(self, out_dir: Path) -> None:
        from sim.report.plots import write_margin_plots

        write_margin_plots(out_dir, self.rows, self.plot_events, [c.name for c in self.holders.clients])

    # ----------------------------------------------------------------- printing

    @classmethod
    def sections(cls, metrics: dict[str, Any]) -> list[Section]:
        sections: list[Section] = [scalar_table(cls.title, metrics)]
        lines = []
        for shock in metrics.get("shocks") or []:
            lines.append(
                f"shock day {shock['day']:g}: {shock['asset']} {shock['move_pct']:+g}%  collateral required siloed "
                f"{_usd(shock['collateral_required_siloed_before'])} -> {_usd(shock['collateral_required_siloed_after'])}, "
                f"cross-margined {_usd(shock['collateral_required_cross_before'])} -> "
                f"{_usd(shock['collateral_required_cross_after'])}"
            )
        if lines:
            sections.append(Lines(lines))
        accounts = metrics.get("accounts") or {}
        if accounts:
            book = Table("Accounts at the end (US dollars; initial: by the account's own method)",
                         ["account", "equity", "initial", "siloed", "cross-margined"], right={1, 2, 3, 4})
            for name, row in accounts.items():
                if row is None:
                    book.rows.append([name, "stale price", "", "", ""])
                else:
                    book.rows.append([name, *(f"{row[k]:,.2f}" for k in ("equity", "initial", "siloed_initial",
                                                                           "portfolio_initial"))])
            sections.append(book)
        sections.extend(_collateral_sections(metrics))
        sections.extend(errors_table(metrics))
        return sections


def _collateral_sections(metrics: dict[str, Any]) -> list[Section]:
    """Pledges of the security token, the market sale of foreclosed shares, and each
    account's customer-protection regime (each only when the run has them)."""
    sections: list[Section] = []
    lines = [
        f"pledged {'the security token' if kind == 'security_token' else 'plain tokens'} "
        f"{'in place' if method == 'in_place' else 'by title transfer'}: {p['pledges']:,} "
        f"pledge{'' if p['pledges'] == 1 else 's'}, {p['tokens']:,} tokens, {_usd(p['value_usd'])} when pledged"
        for kind, by_method in (metrics.get("pledges_by_kind_and_method") or {}).items()
        for method, p in by_method.items()
    ]
    if metrics.get("foreclosed_shares"):
        lines.append(
            f"foreclosed {metrics['foreclosed_shares']:,} shares (mark {_usd(metrics['liquidation_mark_value'])}); sold "
            f"{metrics['liquidation_shares_sold']:,} on the venue for {_usd(metrics['liquidation_proceeds'])}"
            + (f" ({metrics['liquidation_price_vs_mark_pct']:g}% of the mark)" if metrics.get("liquidation_price_vs_mark_pct")
               else "")
            + f", {metrics['liquidation_shares_unsold']:,} unsold")
    if metrics.get("foreclosures_refused"):
        errors = ", ".join(f"{k} {v}" for k, v in metrics["foreclosure_refusals_by_error"].items())
        lines.append(f"foreclosures refused by the token: {metrics['foreclosures_refused']:,} ({errors})")
    books = metrics.get("collateral_custodian")
    if books:
        lines.append(f"collateral custodian: {books['title_transfer_held']:,} shares held by title, "
                     f"{books['in_place_on_hold']:,} on hold in place; "
                     + ("reconciled with the engine's ledger" if books["reconciled"] else "BREAK against the engine's ledger"))
    if lines:
        sections.append(Lines(lines))
    protection = metrics.get("customer_protection") or {}
    if protection:
        sections.append(Table("Customer protection by account", ["account", "regime"],
                              [[name, regime] for name, regime in protection.items()]))
    return sections


def _usd(value: float | None) -> str:
    return "stale price" if value is None else f"${value:,.2f}"


def errors_table(metrics: dict[str, Any]) -> list[Section]:
    """Refusals by contract error, most frequent first (nothing when there were none)."""
    errors = metrics.get("refusals_by_error") or {}
    if not errors:
        return []
    return [Table("Refusals by contract error", ["error", "count"], [
        [error, f"{count:,}"] for error, count in sorted(errors.items(), key=lambda item: (-item[1], item[0]))
    ], right={1})]


__all__ = ["MarginPart", "errors_table"]
