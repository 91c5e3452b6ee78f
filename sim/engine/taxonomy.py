"""``TaxonomySimulation``: a token under the taxonomy, played on the chain.

At time 0 the run deploys the identity registry, the ``AssetRegistry`` (the token's class),
the ``SafeHarborRegistry`` (when the scenario has a safe harbor), the token with every
compliance module the scenario's ``rules`` name, routed by class, the cash token and the
``VenueRegistry`` with its class-to-venue table and fair-access rule. Investors are
registered, funded, and approve the venue registry (their settlement agent) and the safe
harbor (for purchases). Then the processes run:

- the developer: files the notice, whitelists participants, mints the team allocation,
  sells in rounds under the exemption's caps, updates disclosures (skipping those the
  scenario says it misses), and at the end of the window measures the network from the
  chain and files the exit report, which reclassifies the token in the same transaction;
  on the refund path it then refunds every holder;
- grants: the team pays network rewards out of its allocation to investors the token's
  current rules let receive it;
- venues list the token on their day (refused on chain when their kind may not trade its
  class) and settle matched trades; a venue whose trade is refused because the token's class
  no longer permits its listing delists;
- the monitor records missed disclosures one second after they fall due and assesses each
  ATS's fair-access duty at the start of every calendar month;
- the regulator's scripted reclassifications;
- a sampler of maturity measures (read from the chain) and venue shares.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from sim import rules
from sim.actors.base import describe
from sim.calendar import DAY, HOUR, iso
from sim.chain import Backend
from sim.chain.reverts import decode_revert
from sim.contracts import AGENT_ROLE, Identity, deploy_cash_token, deploy_identity_registry, deploy_security_token
from sim.contracts.assets import deploy_asset_registry
from sim.contracts.taxonomy import (
    CLASSIFIER_ROLE,
    FAILED_MEASURES,
    UNLIMITED,
    ExitRules,
    HarborStatus,
    Measures,
    Terms,
    VenueKind,
    deploy_safe_harbor,
    deploy_venue_registry,
    measure_holdings,
    route_modules,
)
from sim.engine.run import ChainRun
from sim.errors import ContractRevert
from sim.contracts.assets import Asset, AssetClass, IssuerKind
from sim.report.plots import write_taxonomy_plots
from sim.actors.investors import chunks, draw
from sim.scenario.taxonomy import TaxonomyScenario

USD = 10**6  # cash-token units per dollar (6 decimals)
SECURITY_CLASSES = {"tokenized_security", "government_security", "money_market_fund", "equity", "security_based_swap"}
"""The classes that are securities (``VenueRegistry.SECURITY_CLASSES``)."""
EXEMPTION_ERRORS = (
    "SafeHarborSalesClosed", "SafeHarborDisclosureOverdue", "SafeHarborNotWhitelisted",
    "SafeHarborInvestorCapExceeded", "SafeHarborRaiseCapExceeded", "RecipientNotWhitelisted",
)
"""Refusals that come from an exemption's terms (caps, time limit, whitelist, disclosures)."""


@dataclass
class Holder:
    """An investor (or a team wallet) of the run."""

    label: str
    group: str
    type: str
    wallet: str
    whitelisted: bool


def class_name(value: int) -> str:
    return AssetClass(value).name.lower()


class TaxonomySimulation(ChainRun):
    """One run of a taxonomy scenario (same interface as ``Simulation``).

    Args:
        scenario: the validated taxonomy scenario.
        seed: overrides ``scenario.seed``.
        backend: ``revm`` (default), ``eth-tester`` or ``rpc``, or a ``Backend``.
        backend_options: keyword arguments for the backend, when given by name.
    """

    def __init__(
        self,
        scenario: TaxonomyScenario,
        *,
        seed: int | None = None,
        backend: str | Backend = "revm",
        backend_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(scenario, seed=seed, backend=backend, backend_options=backend_options)
        self.investors: list[Holder] = []
        self.team: list[Holder] = []
        self.balance: dict[str, int] = {}  # token units by wallet, kept from the acts that succeed
        self.cash_of: dict[str, int] = {}
        self.listed: dict[str, str] = {}  # venue name -> address, while listed
        self.history: list[dict[str, Any]] = []
        self.refusals: Counter[str] = Counter()
        self.exemption_refusals: Counter[str] = Counter()
        self.trades: dict[str, Counter[str]] = {}
        self.fair_access_flags: list[dict[str, Any]] = []
        self.venue_months: list[dict[str, Any]] = []
        self.disclosures = {"updates": 0, "missed": 0}
        self.exit: dict[str, Any] | None = None
        self.refunds = {"holders": 0, "tokens": 0, "usd": 0.0}
        self.raised = 0
        self.plot_events: list[dict[str, Any]] = []
        self.refused_after_reclassification: Counter[str] = Counter()

    # ---------------------------------------------------------------- services

    def record(self, actor: str, act: str, outcome: str = "ok", **fields: Any) -> dict[str, Any]:
        return self.recorder.record(self.env.now, actor, act, outcome, **fields)

    def act(self, actor: str, act: str, call: Callable[[], Any], **fields: Any) -> tuple[Any, ContractRevert | None]:
        """Run a chain call now; record ``ok`` or ``refused``; return (receipt, refusal)."""
        self.sync()
        try:
            result = call()
        except ContractRevert as refused:
            described = describe(refused)
            self.refusals[described["error"]] += 1
            if described["error"] in EXEMPTION_ERRORS:
                self.exemption_refusals[described["error"]] += 1
            self.record(actor, act, "refused", **described, **fields)
            return None, refused
        self.record(actor, act, **fields)
        return result, None

    @property
    def asset_class(self) -> str:
        return self.history[-1]["class"]

    def tokens(self, whole: float) -> int:
        return int(whole) * self.unit

    def _write_outputs(self, out_dir: Path) -> None:
        self.metrics.write_sampled_csv(out_dir / "metrics.csv")
        write_taxonomy_plots(out_dir, self.metrics.rows, self.venue_months, self.plot_events,
                             self.scenario.fair_access.share_pct)

    # ------------------------------------------------------------------- setup

    def _setup(self) -> None:
        s = self.scenario
        self.chain = chain = self._connect()
        self.sync()
        self.regulator, self.developer, kyc, cash_issuer = chain.accounts[:4]
        self.identities = deploy_identity_registry(chain, admin=self.regulator, verifiers=[kyc])
        self.assets = deploy_asset_registry(chain, admin=self.regulator)
        self.assets.grantRole(CLASSIFIER_ROLE, self.regulator, sender=self.regulator)
        self.harbor = deploy_safe_harbor(chain, self.assets, admin=self.regulator) if s.safe_harbor else None
        self._deploy_token()
        self.cash = deploy_cash_token(chain, admin=cash_issuer, name="US Dollar Token", symbol="USD", decimals=6)
        fa = s.fair_access
        self.venues = deploy_venue_registry(
            chain, self.assets, admin=self.regulator, table={**rules.VENUES_BY_CLASS, **s.venues_by_class},
            fair_access=(round(fa.share_pct * 100), fa.months, fa.lookback_months),
        )
        self.venue_address: dict[str, str] = {}
        for venue in s.venues:
            address = chain.new_account()
            self.venue_address[venue.name] = address
            self.venues.registerVenue(address, int(VenueKind[venue.registration.upper()]), venue.name, sender=self.regulator)
        self._onboard(kyc, cash_issuer)
        self.history.append({"day": 0.0, "time": iso(self.start), "class": s.token.asset_class, "by": "registration"})
        self.record("regulator", "classify", asset_class=s.token.asset_class)
        env = self.env
        if self.harbor is not None:
            env.process(self._launch())
            env.process(self._monitor_disclosures())
        else:
            self._mint_team()
        if s.developer.grants is not None:
            env.process(self._grants())
        for venue in s.venues:
            env.process(self._list(venue.name, venue.list_day))
        for ruling in s.reclassifications:
            env.process(self._ruling(ruling.day, ruling.to, ruling.reason))
        env.process(self._price())
        env.process(self._trading())
        env.process(self._fair_access())
        env.process(self._sample_every())

    def _deploy_token(self) -> None:
        s, chain = self.scenario, self.chain
        specs: list[Any] = []
        keys: list[str] = []
        classes: dict[str, set[AssetClass]] = {}
        for name, modules in s.rules.items():
            for spec in modules:
                key = spec.model_dump_json()
                if key not in classes:
                    classes[key] = set()
                    keys.append(key)
                    specs.append(spec)
                classes[key].add(AssetClass[name.upper()])
        self.token = deploy_security_token(
            chain, registry=self.identities, admin=self.developer, agent=self.developer, name=s.token.name,
            symbol=s.token.symbol, decimals=s.token.decimals, modules=specs,
            module_context={"exemption": self.harbor} if self.harbor is not None else None,
        )
        self.unit = 10**s.token.decimals
        installed = self.token.compliance_contract.modules()
        route_modules(
            self.token, self.assets, {address: classes[key] for address, key in zip(installed, keys, strict=True)},
            admin=self.developer,
        )
        self.assets.record(
            self.token,
            Asset(AssetClass[s.token.asset_class.upper()], "USD", IssuerKind.OTHER, 0, False, self.developer, 0, ()),
            sender=self.regulator,
        )
        self.routes = {
            name: [spec.kind for spec in modules] for name, modules in sorted(s.rules.items())
        }

    def _onboard(self, kyc: str, cash_issuer: str) -> None:
        s, chain = self.scenario, self.chain
        rng = self.rng("investors")
        for group in s.investors:
            kinds = list(group.types)
            picks = rng.choice(len(kinds), size=group.count, p=[group.types[k] for k in kinds])
            cash = draw(group.cash_usd, rng, group.count)
            initial = draw(group.initial_tokens, rng, group.count)
            listed = rng.random(group.count) < group.whitelisted_share
            for i in range(group.count):
                holder = Holder(f"{group.name}-{i + 1}", group.name, kinds[picks[i]], chain.new_account(), bool(listed[i]))
                self.investors.append(holder)
                self.cash_of[holder.wallet] = round(cash[i] * 100) * (USD // 100)
                self.balance[holder.wallet] = 0
                holder_initial = int(initial[i])
                if holder_initial:
                    self.balance[holder.wallet] = holder_initial * self.unit
        for i in range(s.developer.team_wallets):
            holder = Holder(f"team-{i + 1}", "team", "accredited", chain.new_account(), True)
            self.team.append(holder)
            self.balance[holder.wallet] = 0
        everyone = self.investors + self.team
        for chunk in chunks(everyone, 100):
            self.identities.register_many(
                [h.wallet for h in chunk],
                [Identity(investor_id=h.label, investor_type=h.type) for h in chunk],  # type: ignore[arg-type]
                sender=kyc,
            )
        self.cash_of[self.developer] = round(s.developer.cash_usd * 100) * (USD // 100)
        funded = [(w, c) for w, c in self.cash_of.items() if c > 0]
        total = sum(c for _, c in funded)
        if total:
            self.cash.mint(cash_issuer, total, sender=cash_issuer)
            for chunk in chunks(funded, 100):
                self.cash.batchTransfer([w for w, _ in chunk], [c for _, c in chunk], sender=cash_issuer)
        spenders = [self.venues] + ([self.harbor] if self.harbor is not None else [])
        for holder in self.investors:
            for spender in spenders:
                self.cash.approve(spender, UNLIMITED, sender=holder.wallet)
            self.token.approve(self.venues, UNLIMITED, sender=holder.wallet)
        if self.harbor is not None:
            self.cash.approve(self.harbor, UNLIMITED, sender=self.developer)
        initial = [(h.wallet, self.balance[h.wallet]) for h in self.investors if self.balance[h.wallet]]
        for chunk in chunks(initial, 100):
            self.token.batchMint([w for w, _ in chunk], [a for _, a in chunk], sender=self.developer)
        if initial:
            self.record("issuer", "initial_allocation", holders=len(initial), tokens=sum(a for _, a in initial) // self.unit)

    def _mint_team(self) -> None:
        d = self.scenario.developer
        if not d.team_tokens:
            return
        share, rest = divmod(d.team_tokens, len(self.team))
        for i, holder in enumerate(self.team):
            amount = self.tokens(share + (1 if i < rest else 0))
            _, refused = self.act("developer", "team_allocation", lambda h=holder, a=amount: self.token.mint(h.wallet, a, sender=self.developer),
                                  wallet=holder.label, tokens=amount // self.unit)
            if refused is None:
                self.balance[holder.wallet] += amount

    # ---------------------------------------------------------------- developer

    def _launch(self) -> Iterator[Any]:
        s = self.scenario
        harbor = s.safe_harbor
        assert harbor is not None and self.harbor is not None
        yield self.env.timeout(harbor.notice_day * DAY)
        caps = harbor.caps
        ex = harbor.exit
        terms = Terms(
            window_seconds=harbor.window_days * DAY,
            sale_limit_seconds=(caps.sale_limit_days or 0) * DAY,
            disclosure_interval=(harbor.disclosure_every_days or 0) * DAY,
            pause_on_missed_disclosure=harbor.pause_sales_on_missed_disclosure,
            whitelist_only=caps.whitelist_only,
            max_total_raise=UNLIMITED if caps.total_raise_usd is None else _units(caps.total_raise_usd),
            max_per_investor=UNLIMITED if caps.per_investor_usd is None else _units(caps.per_investor_usd),
        )
        exit_rules = ExitRules(
            round(ex.max_top10_share_pct * 100), round(ex.max_hhi), round(ex.max_developer_share_pct * 100),
            ex.min_independent_holders, ex.min_venues, AssetClass[ex.on_mature.upper()],
            AssetClass[ex.on_fail.upper()], ex.refund_on_fail,
        )
        _, refused = self.act(
            "developer", "file_notice",
            lambda: self.harbor.file(self.token, self.cash, _hash(f"{s.name}:disclosures:0"), terms, exit_rules,
                                     sender=self.developer),
            window_days=harbor.window_days,
        )
        if refused is not None:
            return
        self.act("developer", "grant_agent_role",
                 lambda: self.token.grantRole(AGENT_ROLE, self.harbor, sender=self.developer), to="safe-harbor-registry")
        listed = [h.wallet for h in self.team + self.investors if h.whitelisted]
        for chunk in chunks(listed, 200):
            self.harbor.setWhitelisted(self.token, chunk, True, sender=self.developer)
        self.record("developer", "whitelist", wallets=len(listed))
        self._mint_team()
        self.env.process(self._disclose())
        for sale in harbor.rounds:
            self.env.process(self._round(sale))
        self.env.process(self._exit())

    def _round(self, sale: Any) -> Iterator[Any]:
        yield self.env.timeout(max(0.0, sale.day * DAY - self.env.now))
        rng = self.rng(f"round-{sale.day}")
        pool = [h for h in self.investors if not sale.groups or h.group in sale.groups]
        picks = rng.choice(len(pool), size=min(sale.buyers, len(pool)), replace=False)
        asks = draw(sale.tokens, rng, len(picks))
        price = _units(sale.price_usd)
        for index, ask in zip(picks, asks, strict=True):
            buyer = pool[int(index)]
            whole = int(ask)
            if whole * price > self.cash_of[buyer.wallet]:
                whole = self.cash_of[buyer.wallet] // price
            if whole <= 0:
                continue
            amount = self.tokens(whole)
            cost = amount * price // self.unit
            _, refused = self.act(
                "developer", "sale",
                lambda b=buyer, a=amount: self.harbor.sell(self.token, b.wallet, a, price, sender=self.developer),
                buyer=buyer.label, tokens=whole, price_usd=sale.price_usd,
            )
            if refused is None:
                self.balance[buyer.wallet] += amount
                self.cash_of[buyer.wallet] -= cost
                self.cash_of[self.developer] += cost
                self.raised += cost

    def _disclose(self) -> Iterator[Any]:
        harbor = self.scenario.safe_harbor
        assert harbor is not None and self.harbor is not None
        if not harbor.disclosure_every_days:
            return
        update = 0
        while True:
            due = self.harbor.nextDisclosureDue(self.token)
            update += 1
            late = harbor.late_days * DAY if update in harbor.missed_disclosures else 0
            at = due - self.start + late
            if at >= self.end_seconds:
                return
            yield self.env.timeout(at - self.env.now)
            if self.harbor.status(self.token) != HarborStatus.RUNNING:
                return
            _, refused = self.act(
                "developer", "update_disclosures",
                lambda n=update: self.harbor.updateDisclosures(self.token, _hash(f"disclosures:{n}"), sender=self.developer),
                update=update, late_days=late / DAY,
            )
            if refused is None:
                self.disclosures["updates"] += 1

    def _monitor_disclosures(self) -> Iterator[Any]:
        """One second after each due time, record the update as missed if it was not made
        (each further interval without one is another miss)."""
        assert self.harbor is not None
        while True:
            running = self.harbor.status(self.token) == HarborStatus.RUNNING
            due = self.harbor.nextMissDue(self.token) if running else 0
            if due == 0:  # none due: look again tomorrow
                if self.env.now + DAY >= self.end_seconds:
                    return
                yield self.env.timeout(DAY)
                continue
            at = due - self.start + 1
            if at >= self.end_seconds:
                return
            yield self.env.timeout(max(0, at - self.env.now))
            self.sync()
            if self.harbor.status(self.token) == HarborStatus.RUNNING and self.harbor.nextMissDue(self.token) == due:
                _, refused = self.act("monitor", "disclosure_missed",
                                      lambda: self.harbor.recordMissedDisclosure(self.token, sender=self.regulator),
                                      due=iso(due))
                if refused is None:
                    self.disclosures["missed"] += 1
                    self.plot_events.append({"day": self.env.now / DAY, "kind": "missed"})

    def _exit(self) -> Iterator[Any]:
        harbor = self.scenario.safe_harbor
        assert harbor is not None and self.harbor is not None
        while self.harbor.windowEnd(self.token) == 0:  # the window starts at the first sale
            yield self.env.timeout(DAY)
        end = self.harbor.windowEnd(self.token) - self.start + harbor.exit.report_after_days * DAY
        if end >= self.end_seconds:
            return
        yield self.env.timeout(end - self.env.now)
        self.sync()
        measures = self.measure()
        report = _hash(f"{self.scenario.name}:exit:{json.dumps(measures.__dict__, sort_keys=True)}")
        receipt, refused = self.act(
            "developer", "exit_report", lambda: self.harbor.exit_report(self.token, report, measures, sender=self.developer),
            **_measure_fields(measures),
        )
        if refused is not None:
            return
        (event,) = receipt.events_named("ExitReportFiled")
        failed = int(event.failed)
        status = self.harbor.status(self.token)
        new_class = class_name(self.assets.classOf(self.token))
        ex = harbor.exit
        limits = {
            "top10_share_pct": ("<=", ex.max_top10_share_pct), "hhi": ("<=", ex.max_hhi),
            "developer_share_pct": ("<=", ex.max_developer_share_pct),
            "independent_holders": (">=", ex.min_independent_holders), "venues": (">=", ex.min_venues),
        }
        failed_names = {name for bit, name in FAILED_MEASURES.items() if failed & bit}
        measured = _measure_fields(measures)
        self.exit = {
            "day": round(self.env.now / DAY, 4),
            "time": iso(self.now()),
            "outcome": status.name.lower(),
            "class": new_class,
            "tests": {
                key: {"measured": measured[key], "limit": f"{op} {limit:g}",
                      "passed": key.removesuffix("_pct") not in failed_names}
                for key, (op, limit) in limits.items()
            },
            "measures": measured,
        }
        self._reclassified(new_class, "exit_report")
        if status == HarborStatus.REFUNDING:
            yield from self._refund()

    def _refund(self) -> Iterator[Any]:
        """Refund every investor holding tokens: the registry burns and pays at most the tokens
        sold and not yet refunded (its ``Refunded`` event says how many, for how much)."""
        assert self.harbor is not None
        for holder in self.investors:
            if self.balance[holder.wallet] == 0:
                continue
            receipt, refused = self.act("developer", "refund",
                                        lambda h=holder: self.harbor.refund(self.token, h.wallet, sender=self.developer),
                                        holder=holder.label, tokens=self.balance[holder.wallet] // self.unit)
            if refused is None:
                (event,) = receipt.events_named("Refunded")
                self.balance[holder.wallet] -= event.amount
                self.cash_of[holder.wallet] += event.payment
                self.cash_of[self.developer] -= event.payment
                self.refunds["holders"] += 1
                self.refunds["tokens"] += event.amount // self.unit
                self.refunds["usd"] += event.payment / USD
        yield self.env.timeout(0)

    def _grants(self) -> Iterator[Any]:
        g = self.scenario.developer.grants
        assert g is not None
        rng = self.rng("grants")
        while True:
            yield self.env.timeout(g.every_days * DAY)
            if g.until_day is not None and self.env.now > g.until_day * DAY:
                return
            self.sync()
            payer = max(self.team, key=lambda h: (self.balance[h.wallet], h.label))
            each = self.tokens(g.tokens // g.recipients)
            if each == 0 or self.balance[payer.wallet] < each:
                continue
            order = rng.permutation(len(self.investors))
            paid = 0
            for index in order:
                if paid == g.recipients or self.balance[payer.wallet] < each:
                    break
                holder = self.investors[int(index)]
                code, _ = self.token.recipientRestriction(holder.wallet)
                if code != 0:  # the developer pays only those the rules let receive it
                    continue
                _, refused = self.act("developer", "grant",
                                      lambda h=holder: self.token.transfer(h.wallet, each, sender=payer.wallet),
                                      to=holder.label, tokens=each // self.unit)
                if refused is None:
                    self.balance[payer.wallet] -= each
                    self.balance[holder.wallet] += each
                    paid += 1

    # ------------------------------------------------------------------ venues

    def _list(self, name: str, day: float) -> Iterator[Any]:
        yield self.env.timeout(day * DAY)
        address = self.venue_address[name]
        _, refused = self.act("venue", "list", lambda: self.venues.list(self.token, sender=address), venue=name,
                              asset_class=self.asset_class)
        if refused is None:
            self.listed[name] = address

    def _delist(self, name: str) -> None:
        address = self.listed.pop(name)
        self.act("venue", "delist", lambda: self.venues.delist(self.token, sender=address), venue=name,
                 asset_class=self.asset_class)

    def _price(self) -> Iterator[Any]:
        t = self.scenario.trading
        rng = self.rng("price")
        self.price = t.price_usd
        sigma = t.volatility_pct / 100 / np.sqrt(365)
        while True:
            yield self.env.timeout(DAY)
            self.price = float(self.price * np.exp(sigma * rng.standard_normal() - sigma**2 / 2))

    def _trading(self) -> Iterator[Any]:
        t = self.scenario.trading
        rng = self.rng("trading")
        yield self.env.timeout(t.starts_day * DAY + 15 * HOUR)
        while True:
            for _ in range(int(rng.poisson(t.trades_per_day))):
                self._trade(rng)
            yield self.env.timeout(DAY)

    def _trade(self, rng: np.random.Generator) -> None:
        t = self.scenario.trading
        month = self._run_month()
        names = list(self.listed)
        weights = np.array([self._weight(n, month) for n in names], dtype=float)
        sellers = [h for h in self.investors if self.balance[h.wallet] > 0]
        if not names or weights.sum() == 0 or not sellers:
            return
        venue = names[int(rng.choice(len(names), p=weights / weights.sum()))]
        seller = sellers[int(rng.integers(len(sellers)))]
        buyer = self.investors[int(rng.integers(len(self.investors)))]
        size = int(draw(t.size_tokens, rng, 1)[0])
        if buyer is seller:
            return
        self._trade_between(venue, seller, buyer, size, "market")

    def _trade_between(self, venue: str, seller: Holder, buyer: Holder, size: int, motive: str) -> None:
        """Settle a trade of up to ``size`` whole tokens on ``venue`` at today's price (capped
        by the seller's tokens and the buyer's cash); record it, and its refusal."""
        price = max(1, round(self.price * 100)) * (USD // 100)
        whole = min(size, self.balance[seller.wallet] // self.unit, self.cash_of[buyer.wallet] // price)
        if whole <= 0:
            return
        amount, payment = self.tokens(whole), whole * price
        asset_class = self.asset_class
        counts = self.trades.setdefault(asset_class, Counter())
        _, refused = self.act(
            "venue", "trade",
            lambda: self.venues.trade(self.token, self.cash, seller.wallet, buyer.wallet, amount, payment,
                                      sender=self.listed[venue]),
            venue=venue, seller=seller.label, buyer=buyer.label, tokens=whole, price_usd=price / USD,
            asset_class=asset_class, motive=motive,
        )
        if refused is None:
            counts["settled"] += 1
            self.balance[seller.wallet] -= amount
            self.balance[buyer.wallet] += amount
            self.cash_of[buyer.wallet] -= payment
            self.cash_of[seller.wallet] += payment
            return
        counts["refused"] += 1
        if len(self.history) > 1:
            self.refused_after_reclassification[seller.label] += 1
        if type(refused).__name__ == "VenueListingNotPermitted":
            self._delist(venue)

    def _weight(self, name: str, month: int) -> float:
        weights = next(v.weights for v in self.scenario.venues if v.name == name)
        return weights[min(month, len(weights) - 1)]

    def _run_month(self) -> int:
        """Calendar months since the start's month (0 in the first)."""
        return _month(self.now()) - _month(self.start)

    # ------------------------------------------------------------ regulator, monitor

    def _ruling(self, day: float, to: str, reason: str) -> Iterator[Any]:
        yield self.env.timeout(day * DAY)
        _, refused = self.act(
            "regulator", "reclassify",
            lambda: self.assets.reclassify(self.token, int(AssetClass[to.upper()]), _hash(reason), sender=self.regulator),
            to=to, reason=reason,
        )
        if refused is None:
            self._reclassified(to, reason)

    def _reclassified(self, new_class: str, by: str) -> None:
        self.history.append({"day": round(self.env.now / DAY, 4), "time": iso(self.now()), "class": new_class, "by": by})
        self.plot_events.append({"day": self.env.now / DAY, "kind": "reclassified", "class": new_class})
        if new_class in SECURITY_CLASSES and self.scenario.trading.sell_off_on_security_pct > 0:
            self.env.process(self._sell_off())

    def _sell_off(self) -> Iterator[Any]:
        """Holders react to the token becoming a security: a share of them try to sell all
        they hold within ten days, each to a buyer the venue screens as eligible."""
        rng = self.rng(f"sell-off-{len(self.history)}")
        share = self.scenario.trading.sell_off_on_security_pct / 100
        sellers = [h for h in self.investors if self.balance[h.wallet] > 0 and rng.random() < share]
        delays = np.sort(rng.uniform(0, 10 * DAY, size=len(sellers)))
        start = self.env.now
        for seller, at in zip(sellers, delays, strict=True):
            yield self.env.timeout(max(0.0, start + float(at) - self.env.now))
            self.sync()
            names = list(self.listed)
            if not names or self.balance[seller.wallet] == 0:
                continue
            venue = names[int(rng.integers(len(names)))]
            eligible = [h for h in self.investors if h is not seller and self.cash_of[h.wallet] > 0]
            rng.shuffle(eligible)
            buyer = next((h for h in eligible if self.token.recipientRestriction(h.wallet)[0] == 0), None)
            if buyer is not None:
                self._trade_between(venue, seller, buyer, self.balance[seller.wallet] // self.unit, "sell_off")

    def _fair_access(self) -> Iterator[Any]:
        """At the start of each calendar month: each venue's share of last month's volume,
        and each ATS's fair-access duty assessed on chain."""
        ats = [v.name for v in self.scenario.venues if v.registration == "ats"]
        while True:
            nxt = _next_month_start(self.now()) - self.start
            if nxt >= self.end_seconds:
                return
            yield self.env.timeout(nxt - self.env.now)
            self.sync()
            month = _month(self.now())
            for venue in self.scenario.venues:
                address = self.venue_address[venue.name]
                volume = self.venues.volumeOf(address, self.token, month - 1)
                if volume:
                    self.venue_months.append({
                        "month": _month_label(month - 1), "venue": venue.name,
                        "share_pct": self.venues.shareBp(address, self.token, month - 1) / 100,
                        "volume_tokens": volume // self.unit,
                    })
            for name in ats:
                address = self.venue_address[name]
                before = self.venues.fairAccessDuty(address, self.token)
                _, refused = self.act("monitor", "assess_fair_access",
                                      lambda a=address: self.venues.assessFairAccess(a, self.token, sender=self.regulator),
                                      venue=name)
                after = self.venues.fairAccessDuty(address, self.token)
                if refused is None and after != before:
                    count = self.venues.monthsAtThreshold(address, self.token, month)
                    self.fair_access_flags.append({
                        "venue": name, "month": _month_label(month), "day": round(self.env.now / DAY, 4),
                        "duty": after, "months_at_threshold": count,
                    })

    # ---------------------------------------------------------------- measures

    def measure(self) -> Measures:
        """Maturity measures read from the chain: every holder's balance (their sum must be the
        supply), the team's share, the venues whose listing the token's class permits."""
        balances = {h.wallet: self.token.balanceOf(h.wallet) for h in self.investors + self.team}
        supply = self.token.totalSupply()
        if sum(balances.values()) != supply:
            raise RuntimeError(f"holders' balances sum to {sum(balances.values())}, the supply is {supply}")
        for wallet, balance in balances.items():
            if self.balance[wallet] != balance:
                raise RuntimeError(f"the run's ledger has {self.balance[wallet]} for {wallet}, the chain {balance}")
        venues = len(self.venues.tradingVenues(self.token))
        return measure_holdings(balances, [h.wallet for h in self.team], venues)

    def _sample_every(self) -> Iterator[Any]:
        while True:
            self._sample()
            yield self.env.timeout(self.scenario.metrics_every_days * DAY)

    def _sample(self) -> None:
        self.sync()
        m = self.measure()
        self.metrics.sample({
            "t": int(self.env.now), "time": iso(self.now()), "class": self.asset_class,
            "price_usd": round(getattr(self, "price", self.scenario.trading.price_usd), 4),
            "supply": self.token.totalSupply() // self.unit, **_measure_fields(m),
            "trades": sum(c["settled"] for c in self.trades.values()),
            "refusals": sum(self.refusals.values()),
        })

    def _locked_in(self) -> dict[str, Any]:
        """Holders who cannot sell what they hold now: the token's own refusal of their
        transfer (a lock-up, say), or no venue its class permits listing it."""
        venues = len(self.venues.tradingVenues(self.token))
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
                holders.append({"holder": h.label, "type": h.type, "tokens": balance // self.unit, "reason": why,
                                "sells_refused": self.refused_after_reclassification[h.label]})
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
            "sellers_refused_after_reclassification": sum(1 for v in self.refused_after_reclassification.values() if v),
        }

    def state_digest(self) -> str:
        """A hash of the final state: class, every holder's token and cash balance, listings."""
        wallets = [(h.label, h.wallet) for h in self.investors + self.team]
        state = {
            "class": self.assets.classOf(self.token),
            "supply": self.token.totalSupply(),
            "balances": {label: [self.token.balanceOf(w), self.cash.balanceOf(w)] for label, w in wallets},
            "listed": sorted(n for n, a in self.venue_address.items() if self.venues.isListed(a, self.token)),
        }
        return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()

    # ----------------------------------------------------------------- summary

    def _summary(self, status: str, reason: str | None, wall_seconds: float) -> dict[str, Any]:
        metrics: dict[str, Any] = {
            "classification_history": self.history,
            "routes": getattr(self, "routes", {}),
            "exit": self.exit,
            "exemption_refusals": {"total": sum(self.exemption_refusals.values()), **dict(sorted(self.exemption_refusals.items()))},
            "fair_access_flags": self.fair_access_flags,
            "trades_by_class": {c: dict(sorted(v.items())) for c, v in self.trades.items()},
            "refusals_by_error": dict(sorted(self.refusals.items())),
        }
        if self.harbor is not None:
            metrics["raised_usd"] = round(self.raised / USD, 2)
            metrics["disclosures"] = dict(self.disclosures)
            metrics["refunds"] = {**self.refunds, "usd": round(self.refunds["usd"], 2)}
        digest = None
        try:
            final = self.measure()
            metrics["maturity_measures"] = {
                "at_exit": None if self.exit is None else self.exit["measures"],
                "final": _measure_fields(final),
            }
            metrics["venue_shares"] = self.venue_months
            metrics["listed_venues"] = sorted(self.listed)
            metrics["locked_in"] = self._locked_in()
            digest = self.state_digest()
        except Exception:  # the chain may be what failed
            pass
        return self._envelope(status, reason, wall_seconds, metrics, digest, kind="taxonomy")


# -------------------------------------------------------------------- helpers


def _units(usd: float) -> int:
    """Cash-token units of a dollar amount (to the cent)."""
    return round(usd * 100) * (USD // 100)


def _hash(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def _measure_fields(m: Measures) -> dict[str, Any]:
    return {
        "top10_share_pct": m.top10_share_bp / 100,
        "hhi": m.hhi,
        "developer_share_pct": m.developer_share_bp / 100,
        "independent_holders": m.independent_holders,
        "venues": m.venues,
    }


def _month(timestamp: int) -> int:
    """``VenueRegistry.monthOf``: year * 12 + month - 1 (UTC)."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.year * 12 + moment.month - 1


def _month_label(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def _next_month_start(timestamp: int) -> int:
    month = _month(timestamp) + 1
    return int(datetime(month // 12, month % 12 + 1, 1, tzinfo=UTC).timestamp())


__all__ = ["TaxonomySimulation"]
