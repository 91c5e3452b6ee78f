"""The taxonomy: a token's class, its launch under a safe harbor, its venues, rulings.

At time 0 the part deploys the identity registry, the ``AssetRegistry`` (the token's class),
the ``SafeHarborRegistry`` (when the section has a safe harbor), the token with every
compliance module the section's ``rules`` name, routed by class, the cash token and the
``VenueRegistry`` with its class-to-venue table and fair-access rule. Investors are
registered, funded, and approve the venue registry (their settlement agent) and the safe
harbor (for purchases). Then the actors run:

| actor | module | what it does |
|---|---|---|
| ``developer`` | ``developer.py`` | notice, capped sales, disclosures, exit report, refunds, grants |
| ``venue`` | ``venues.py`` | list, settle trades, delist when the class forbids them |
| ``trading`` | ``traders.py`` | the investors' trades, and their sell-off when the token becomes a security |
| ``price`` | ``price.py`` | the token's market price, stepped daily |
| ``monitor`` | ``monitor.py`` | missed disclosures, each ATS's fair-access duty |
| ``regulator`` | ``regulator.py`` | the class at registration, rulings |

Every sample measures the network from the chain (and checks the part's ledger against it).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from sim import rules
from sim.chain.reverts import decode_revert
from sim.contracts import Identity, deploy_cash_token, deploy_identity_registry, deploy_security_token
from sim.contracts.assets import CLASSIFIER_ROLE, Asset, AssetClass, IssuerKind, deploy_asset_registry
from sim.contracts.taxonomy import (
    UNLIMITED,
    ExitRules,
    Measures,
    VenueKind,
    deploy_safe_harbor,
    deploy_venue_registry,
    measure_holdings,
    route_modules,
)
from sim.engine.actor import chunks
from sim.engine.part import Lines, Part, Section, Table
from sim.engine.world import Participant
from sim.parts.margin.part import errors_table
from sim.parts.taxonomy.developer import Developer, measure_fields
from sim.parts.taxonomy.ledger import ClassHistory, Ledger
from sim.parts.taxonomy.monitor import Monitor
from sim.parts.taxonomy.regulator import Regulator
from sim.parts.taxonomy.price import MarketPrice
from sim.parts.taxonomy.traders import Traders
from sim.parts.taxonomy.venues import VenueOperators
from sim.scenario.base import draw

EXEMPTION_ERRORS = (
    "SafeHarborSalesClosed", "SafeHarborDisclosureOverdue", "SafeHarborNotWhitelisted",
    "SafeHarborInvestorCapExceeded", "SafeHarborRaiseCapExceeded", "RecipientNotWhitelisted",
)
"""Refusals that come from an exemption's terms (caps, time limit, whitelist, disclosures)."""

MEASURE_LABELS = {
    "top10_share_pct": "top-10 holders' share %",
    "hhi": "Herfindahl-Hirschman index",
    "developer_share_pct": "developer team share %",
    "independent_holders": "independent holders",
    "venues": "venues trading it",
}


class TaxonomyPart(Part):
    """The taxonomy (see the module's docstring)."""

    name = "taxonomy"
    title = "Taxonomy"
    report_module = "sim.parts.taxonomy.report"

    # ------------------------------------------------------------------- deploy

    def deploy(self) -> None:
        world, section = self.world, self.scenario.taxonomy
        assert section is not None
        self.section = section
        chain = world.chain
        world.sync()
        self.regulator_account, self.developer_account, kyc, cash_issuer = world.role_accounts(4)
        regulator = self.regulator_account
        self.identities = deploy_identity_registry(chain, admin=regulator, verifiers=[kyc])
        self.assets = deploy_asset_registry(chain, admin=regulator)
        self.assets.grantRole(CLASSIFIER_ROLE, regulator, sender=regulator)
        self.harbor = deploy_safe_harbor(chain, self.assets, admin=regulator) if section.safe_harbor else None
        self._deploy_token()
        if section.safe_harbor is not None:  # the exit report's tests and classes: the regulator's
            ex = section.safe_harbor.exit
            self.harbor.set_exit_rules(self.token, ExitRules(
                round(ex.max_top10_share_pct * 100), round(ex.max_hhi), round(ex.max_developer_share_pct * 100),
                ex.min_independent_holders, ex.min_venues, AssetClass[ex.on_mature.upper()], AssetClass[ex.on_fail.upper()],
            ), sender=regulator)
        self.cash = deploy_cash_token(chain, admin=cash_issuer, name="US Dollar Token", symbol="USD", decimals=6)
        self.usd = 10**6
        fa = section.fair_access
        self.venue_registry = deploy_venue_registry(
            chain, self.assets, admin=regulator, table={**rules.VENUES_BY_CLASS, **section.venues_by_class},
            fair_access=(round(fa.share_pct * 100), fa.months, fa.lookback_months),
        )
        self.venue_address: dict[str, str] = {}
        for venue in section.venues:
            address = chain.new_account()
            self.venue_address[venue.name] = address
            self.venue_registry.registerVenue(address, int(VenueKind[venue.registration.upper()]), venue.name,
                                              sender=regulator)
        self.ledger = Ledger(self.unit)
        self.classes = ClassHistory()
        self.plot_events: list[dict[str, Any]] = []
        self.classes.listeners.append(self._note_reclassification)
        self._onboard(kyc, cash_issuer)
        self._cast()
        self.regulator.classify(section.token.asset_class)

    def _deploy_token(self) -> None:
        section, chain = self.section, self.world.chain
        specs: list[Any] = []
        keys: list[str] = []
        classes: dict[str, set[AssetClass]] = {}
        for name, modules in section.rules.items():
            for spec in modules:
                key = spec.model_dump_json()
                if key not in classes:
                    classes[key] = set()
                    keys.append(key)
                    specs.append(spec)
                classes[key].add(AssetClass[name.upper()])
        developer = self.developer_account
        self.token = deploy_security_token(
            chain, registry=self.identities, admin=developer, agent=developer, name=section.token.name,
            symbol=section.token.symbol, decimals=section.token.decimals, modules=specs,
            module_context={"exemption": self.harbor} if self.harbor is not None else None,
        )
        self.unit = 10**section.token.decimals
        installed = self.token.compliance_contract.modules()
        route_modules(
            self.token, self.assets, {address: classes[key] for address, key in zip(installed, keys, strict=True)},
            admin=developer,
        )
        self.assets.record(
            self.token,
            Asset(AssetClass[section.token.asset_class.upper()], "USD", IssuerKind.OTHER, 0, False, developer, 0, ()),
            sender=self.regulator_account,
        )
        self.routes = {name: [spec.kind for spec in modules] for name, modules in sorted(section.rules.items())}

    def _onboard(self, kyc: str, cash_issuer: str) -> None:
        section, chain, ledger, world = self.section, self.world.chain, self.ledger, self.world
        rng = world.rng("investors")
        self.investors: list[Participant] = []
        self.team: list[Participant] = []
        self.whitelisted: set[str] = set()
        for group in section.investors:
            kinds = list(group.types)
            picks = rng.choice(len(kinds), size=group.count, p=[group.types[k] for k in kinds])
            cash = draw(group.cash_usd, rng, group.count)
            initial = draw(group.initial_tokens, rng, group.count)
            listed = rng.random(group.count) < group.whitelisted_share
            for i in range(group.count):
                label = f"{group.name}-{i + 1}"
                holder = Participant(label, group.name, identity=Identity(investor_id=label, investor_type=kinds[picks[i]]))
                world.participants.add(holder)
                world.participants.onboarded(holder, chain.new_account())
                self.investors.append(holder)
                if listed[i]:
                    self.whitelisted.add(label)
                ledger.cash[holder.wallet] = round(cash[i] * 100) * (self.usd // 100)
                ledger.tokens[holder.wallet] = int(initial[i]) * self.unit
        for i in range(section.developer.team_wallets):
            label = f"team-{i + 1}"
            holder = Participant(label, "team", identity=Identity(investor_id=label, investor_type="accredited"))
            world.participants.add(holder)
            world.participants.onboarded(holder, chain.new_account())
            self.team.append(holder)
            self.whitelisted.add(label)
            ledger.tokens[holder.wallet] = 0
        everyone = self.investors + self.team
        for chunk in chunks(everyone, 100):
            self.identities.register_many([h.wallet for h in chunk], [h.identity for h in chunk], sender=kyc)
        ledger.cash[self.developer_account] = round(section.developer.cash_usd * 100) * (self.usd // 100)
        funded = [(w, c) for w, c in ledger.cash.items() if c > 0]
        total = sum(c for _, c in funded)
        if total:
            self.cash.mint(cash_issuer, total, sender=cash_issuer)
            for chunk in chunks(funded, 100):
                self.cash.batchTransfer([w for w, _ in chunk], [c for _, c in chunk], sender=cash_issuer)
        spenders = [self.venue_registry] + ([self.harbor] if self.harbor is not None else [])
        for holder in self.investors:
            for spender in spenders:
                self.cash.approve(spender, UNLIMITED, sender=holder.wallet)
            self.token.approve(self.venue_registry, UNLIMITED, sender=holder.wallet)
        initial = [(h.wallet, ledger.tokens[h.wallet]) for h in self.investors if ledger.tokens[h.wallet]]
        for chunk in chunks(initial, 100):
            self.token.batchMint([w for w, _ in chunk], [a for _, a in chunk], sender=self.developer_account)
        if initial:
            self.record("issuer", "initial_allocation", holders=len(initial),
                        tokens=sum(a for _, a in initial) // self.unit)

    def _cast(self) -> None:
        """The part's actors, each given what it works with."""
        section = self.section
        self.regulator = Regulator(self, account=self.regulator_account, assets=self.assets, token=self.token,
                                   classes=self.classes)
        self.developer = Developer(
            self, section, account=self.developer_account, token=self.token, cash=self.cash, assets=self.assets,
            harbor=self.harbor, ledger=self.ledger, classes=self.classes, investors=self.investors, team=self.team,
            whitelisted=self.whitelisted, measure=self.measure, usd=self.usd, scenario_name=self.scenario.name,
        )
        self.venues = VenueOperators(self, venues=self.venue_registry, venue_address=self.venue_address,
                                     token=self.token, cash=self.cash, ledger=self.ledger, classes=self.classes,
                                     usd=self.usd)
        self.price = MarketPrice(self, section.trading.price_usd, section.trading.volatility_pct)
        self.traders = Traders(self, section, investors=self.investors, venues=self.venues, ledger=self.ledger,
                               price=self.price, token=self.token, classes=self.classes)
        self.monitor = Monitor(self, section, regulator=self.regulator_account, token=self.token, harbor=self.harbor,
                               venues=self.venue_registry, venue_address=self.venue_address, unit=self.unit,
                               plot_events=self.plot_events)

    def _note_reclassification(self, new_class: str) -> None:
        self.plot_events.append({"day": self.world.env.now / 86_400, "kind": "reclassified", "class": new_class})

    # -------------------------------------------------------------------- start

    def start(self) -> None:
        env, section = self.world.env, self.section
        if self.harbor is not None:
            env.process(self.developer.launch())
            env.process(self.monitor.watch_disclosures())
        else:
            self.developer.mint_team()
        if section.developer.grants is not None:
            env.process(self.developer.pay_grants())
        for venue in section.venues:
            env.process(self.venues.list_token(venue.name, venue.list_day))
        for ruling in section.reclassifications:
            env.process(self.regulator.rule(ruling))
        self.price.start(push_now=False)
        env.process(self.traders.trade_daily())
        env.process(self.monitor.assess_fair_access())

    # ----------------------------------------------------------------- measures

    def measure(self) -> Measures:
        """Maturity measures read from the chain: every holder's balance (their sum must be the
        supply, and each must be the part's ledger's), the team's share, the venues whose
        listing the token's class permits."""
        balances = {h.wallet: self.token.balanceOf(h.wallet) for h in self.investors + self.team}
        supply = self.token.totalSupply()
        if sum(balances.values()) != supply:
            raise RuntimeError(f"holders' balances sum to {sum(balances.values())}, the supply is {supply}")
        for wallet, balance in balances.items():
            if self.ledger.tokens[wallet] != balance:
                raise RuntimeError(f"the run's ledger has {self.ledger.tokens[wallet]} for {wallet}, the chain {balance}")
        venues = len(self.venue_registry.tradingVenues(self.token))
        return measure_holdings(balances, [h.wallet for h in self.team], venues)

    def sample(self) -> dict[str, Any]:
        m = self.measure()
        return {
            "class": self.classes.current,
            "price_usd": self.price.cents / 100,
            "supply": self.token.totalSupply() // self.unit,
            **measure_fields(m),
            "trades": sum(c["settled"] for c in self.venues.trades.values()),
            "refusals": sum(self.metrics.refusals_by_error.values()),
        }

    def summary(self) -> dict[str, Any]:
        errors = self.metrics.refusals_by_error
        exemption = {e: n for e, n in sorted(errors.items()) if e in EXEMPTION_ERRORS}
        developer, monitor = self.developer, self.monitor
        metrics: dict[str, Any] = {
            "classification_history": self.classes.entries,
            "routes": self.routes,
            "exit": developer.exit,
            "exemption_refusals": {"total": sum(exemption.values()), **exemption},
            "fair_access_flags": monitor.fair_access_flags,
            "trades_by_class": {c: dict(sorted(v.items())) for c, v in self.venues.trades.items()},
            "refusals_by_error": dict(sorted(errors.items())),
        }
        if self.harbor is not None:
            metrics["raised_usd"] = round(developer.raised / self.usd, 2)
            metrics["disclosures"] = {"updates": developer.updates, "missed": monitor.missed}
            metrics["refunds"] = {**developer.refunds, "usd": round(developer.refunds["usd"], 2)}
        metrics.update(self.world.at_the_end(self._final, {}))
        return metrics

    def _final(self) -> dict[str, Any]:
        final = self.measure()
        exit_report = self.developer.exit
        return {
            "maturity_measures": {
                "at_exit": None if exit_report is None else exit_report["measures"],
                "final": measure_fields(final),
            },
            "venue_shares": self.monitor.venue_months,
            "listed_venues": sorted(self.venues.listed),
            "locked_in": self._locked_in(),
        }

    def _locked_in(self) -> dict[str, Any]:
        """Holders who cannot sell what they hold now: the token's own refusal of their
        transfer (a lock-up, say), or no venue its class permits listing it."""
        venues = len(self.venue_registry.tradingVenues(self.token))
        refused_after = self.venues.refused_after_reclassification
        holders: list[dict[str, Any]] = []
        for h in self.investors:
            balance = self.token.balanceOf(h.wallet)
            if balance == 0:
                continue
            code, reason = self.token.senderRestriction(h.wallet, balance)
            why = None
            if code != 0:
                why = type(decode_revert(reason)).__name__
            elif venues == 0:
                why = "no venue may trade the token's class"
            if why is not None:
                holders.append({"holder": h.label, "type": h.investor_type, "tokens": balance // self.unit,
                                "reason": why, "sells_refused": refused_after[h.label]})
        by_type: Counter[str] = Counter()
        tokens_by_type: Counter[str] = Counter()
        for row in holders:
            by_type[row["type"]] += 1
            tokens_by_type[row["type"]] += row["tokens"]
        return {
            "holders": len(holders),
            "tokens": sum(r["tokens"] for r in holders),
            "by_type": {t: {"holders": by_type[t], "tokens": tokens_by_type[t]} for t in sorted(by_type)},
            "by_reason": dict(sorted(Counter(r["reason"] for r in holders).items())),
            "largest": sorted(holders, key=lambda r: (-r["tokens"], r["holder"]))[:10],
            "sellers_refused_after_reclassification": sum(1 for v in refused_after.values() if v),
        }

    def state(self) -> dict[str, Any]:
        """The class, every holder's token and cash balance, the venues listing it."""
        wallets = [(h.label, h.wallet) for h in self.investors + self.team]
        return {
            "class": self.assets.classOf(self.token),
            "supply": self.token.totalSupply(),
            "balances": {label: [self.token.balanceOf(w), self.cash.balanceOf(w)] for label, w in wallets},
            "listed": sorted(n for n, a in self.venue_address.items() if self.venue_registry.isListed(a, self.token)),
        }

    def write_outputs(self, out_dir: Path) -> None:
        from sim.report.plots import write_taxonomy_plots

        write_taxonomy_plots(out_dir, self.rows, self.monitor.venue_months, self.plot_events,
                             self.section.fair_access.share_pct)

    # ----------------------------------------------------------------- printing

    @classmethod
    def sections(cls, m: dict[str, Any]) -> list[Section]:
        """The outcome of a taxonomy run and why: the classes, the exit report's tests, trades
        by class, exemption refusals, fair-access flags, who is locked in."""
        history = Table("Classification history", ["day", "time", "class", "by"], right={0})
        for row in m["classification_history"]:
            history.rows.append([f"{row['day']:g}", row["time"], row["class"], row["by"].replace("_", " ")])
        sections: list[Section] = [history]
        exit_report = m.get("exit")
        if exit_report:
            tests = Table(f"Exit report, day {exit_report['day']:g}: {exit_report['outcome']} -> {exit_report['class']}",
                          ["maturity measure", "measured", "threshold", "passed"], right={1, 2, 3})
            for name, test in exit_report["tests"].items():
                tests.rows.append([MEASURE_LABELS[name], f"{test['measured']:,}", test["limit"],
                                   "yes" if test["passed"] else "NO"])
            sections.append(tests)
        trades = Table("Trades by the token's class at the time", ["class", "settled", "refused"], right={1, 2})
        for name, counts in m["trades_by_class"].items():
            trades.rows.append([name, f"{counts.get('settled', 0):,}", f"{counts.get('refused', 0):,}"])
        sections.append(trades)
        lines = []
        if "raised_usd" in m:
            d = m["disclosures"]
            lines.append(f"raised ${m['raised_usd']:,.2f}; disclosure updates {d['updates']}, missed {d['missed']}")
        refusals = m["exemption_refusals"]
        detail = ", ".join(f"{k} {v:,}" for k, v in refusals.items() if k != "total")
        lines.append(f"exemption refusals: {refusals['total']:,}" + (f" ({detail})" if detail else ""))
        refunds = m.get("refunds")
        if refunds and refunds["holders"]:
            lines.append(f"refunds: {refunds['holders']:,} holders, {refunds['tokens']:,} tokens burned, "
                         f"${refunds['usd']:,.2f} paid")
        for flag in m["fair_access_flags"]:
            verb = "fair-access duty from" if flag["duty"] else "fair-access duty lapsed in"
            lines.append(f"{flag['venue']}: {verb} {flag['month']} ({flag['months_at_threshold']} of the preceding "
                         "months at the threshold)")
        final = (m.get("maturity_measures") or {}).get("final")
        if final:
            lines.append("at the end: top-10 share {top10_share_pct:g}%, HHI {hhi:,}, developer share "
                         "{developer_share_pct:g}%, {independent_holders:,} independent holders, venues trading it: "
                         "{venues}".format(**final))
        locked = m.get("locked_in")
        if locked and locked["holders"]:
            by_reason = ", ".join(f"{k} {v:,}" for k, v in locked["by_reason"].items())
            by_type = ", ".join(f"{t} {v['holders']:,} ({v['tokens']:,} tokens)" for t, v in locked["by_type"].items())
            lines.append(f"locked in: {locked['holders']:,} holders, {locked['tokens']:,} tokens; by type: {by_type}; "
                         f"why: {by_reason}")
        sections.append(Lines(lines))
        sections.extend(errors_table(m))
        return sections


__all__ = ["TaxonomyPart"]
