"""The developer: launches the token under a safe harbor, sells, discloses, reports, refunds.

On the notice day the developer files its notice of reliance with the ``SafeHarborRegistry``
(terms: window, sale time limit, disclosure interval, caps, whitelist, a refund promise;
the exit report's tests are the regulator's, set before), lets the registry act as the
token's agent, whitelists participants and mints the team's allocation. It sells in rounds
at a fixed price under the exemption's caps: each buyer signs a purchase intent for what it
asks (EIP-712: at most that many tokens at at most that price, for a day), and the developer
sells under it (each sale is refused on chain when a cap, the whitelist, the time limit or an
overdue disclosure forbids it). It updates its disclosures when due (late when the scenario
says it misses one: six-month periods from the notice, each update due 30 days after its
period under Token Safe Harbor Proposal 2.0, Rule 195(b)(2)), and by the end of the window
(three years from the notice, 195(e), (f)) files the exit report with the network's maturity measured from the
chain; the registry reclassifies the token in the same transaction (at once: the proposal's
120 days to register, 195(f)(1)(iii)(C), and six months for platforms, 195(g), are recorded,
not waited for). On the refund path every investor holding tokens it bought then claims its
refund (its own act: the registry burns them and repays what it paid). Without a safe
harbor the developer just mints the team's allocation at the start. Grants: the team pays
network rewards out of its allocation to investors the token's current rules let receive them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from sim.calendar import DAY, iso
from sim.contracts import AGENT_ROLE
from sim.contracts.taxonomy import FAILED_MEASURES, UNLIMITED, HarborStatus, Measures, Purchase, Terms
from sim.engine.actor import Actor, chunks
from sim.parts.taxonomy.ledger import class_name
from sim.scenario.base import draw

if TYPE_CHECKING:
    from sim.engine.part import Part
    from sim.engine.world import Participant
    from sim.parts.taxonomy.ledger import ClassHistory, Ledger
    from sim.scenario.taxonomy import SaleRound, TaxonomySection


def units_of(usd: float, usd_units: int) -> int:
    """Cash-token units of a dollar amount (to the cent)."""
    return round(usd * 100) * (usd_units // 100)


def digest(text: str) -> bytes:
    """A 32-byte hash standing for a document (disclosures, an exit report, a ruling)."""
    return hashlib.sha256(text.encode()).digest()


def measure_fields(m: Measures) -> dict[str, Any]:
    return {
        "top10_share_pct": m.top10_share_bp / 100,
        "hhi": m.hhi,
        "developer_share_pct": m.developer_share_bp / 100,
        "independent_holders": m.independent_holders,
        "venues": m.venues,
    }


class Developer(Actor):
    """Actor ``developer``.

    Args:
        part: the taxonomy part.
        section: the scenario's ``taxonomy`` section.
        account: the developer's account (token admin and agent).
        token, cash, assets, harbor: the token, the cash token, the asset registry and the
            safe-harbor registry (None without a safe harbor).
        ledger, classes: the part's ledger and class history.
        investors, team: the participants (the team's wallets count as the developer's).
        whitelisted: labels of the participants on the exemption's whitelist.
        measure: the network's maturity measures, read from the chain.
        usd: cash-token units per dollar.
    """

    name = "developer"

    def __init__(
        self, part: Part, section: TaxonomySection, *, account: str, token: Any, cash: Any, assets: Any, harbor: Any,
        ledger: Ledger, classes: ClassHistory, investors: list[Participant], team: list[Participant],
        whitelisted: set[str], measure: Callable[[], Measures], usd: int, scenario_name: str,
    ) -> None:
        super().__init__(part)
        self.section = section
        self.account = account
        self.token, self.cash, self.assets, self.harbor = token, cash, assets, harbor
        self.ledger, self.classes = ledger, classes
        self.investors, self.team, self.whitelisted = investors, team, whitelisted
        self.measure = measure
        self.usd = usd
        self.scenario_name = scenario_name
        self.raised = 0
        self.updates = 0
        self.exit: dict[str, Any] | None = None
        self.refunds: dict[str, Any] = {"holders": 0, "tokens": 0, "usd": 0.0}
        self._nonces = 0  # purchase intents signed so far

    # -------------------------------------------------------------------- launch

    def mint_team(self) -> None:
        """Mint the team's allocation, split across its wallets."""
        d = self.section.developer
        if not d.team_tokens:
            return
        share, rest = divmod(d.team_tokens, len(self.team))
        ledger = self.ledger
        for i, holder in enumerate(self.team):
            amount = ledger.whole(share + (1 if i < rest else 0))
            minted = self.act("team_allocation", lambda h=holder, a=amount: self.token.mint(h.wallet, a, sender=self.account),
                              wallet=holder.label, tokens=amount // ledger.unit)
            if minted:
                ledger.tokens[holder.wallet] += amount

    def launch(self) -> Iterator[Any]:
        """File the notice on its day, then whitelist, mint the team, and start selling,
        disclosing and (after the window) reporting."""
        harbor = self.section.safe_harbor
        assert harbor is not None and self.harbor is not None
        yield self.env.timeout(harbor.notice_day * DAY)
        caps = harbor.caps
        ex = harbor.exit  # its tests are the regulator's (set at deployment); its refund promise is ours
        window_days, window_months = harbor.window
        period_days, period_months = harbor.disclosure_period
        terms = Terms(
            window_seconds=window_days * DAY,
            window_months=window_months,
            sale_limit_seconds=(caps.sale_limit_days or 0) * DAY,
            disclosure_interval=period_days * DAY,
            disclosure_months=period_months,
            disclosure_grace=round(harbor.disclosure_grace_days * DAY),
            pause_on_missed_disclosure=harbor.pause_sales_on_missed_disclosure,
            whitelist_only=caps.whitelist_only,
            refund_on_fail=ex.refund_on_fail,
            max_total_raise=UNLIMITED if caps.total_raise_usd is None else units_of(caps.total_raise_usd, self.usd),
            max_per_investor=UNLIMITED if caps.per_investor_usd is None else units_of(caps.per_investor_usd, self.usd),
        )
        filed = self.act(
            "file_notice",
            lambda: self.harbor.file(self.token, self.cash, digest(f"{self.scenario_name}:disclosures:0"), terms,
                                     sender=self.account),
            **({"window_days": window_days} if window_days else {"window_months": window_months}),
        )
        if not filed:
            return
        self.act("grant_agent_role", lambda: self.token.grantRole(AGENT_ROLE, self.harbor, sender=self.account),
                 to="safe-harbor-registry")
        listed = [h.wallet for h in self.team + self.investors if h.label in self.whitelisted]
        for chunk in chunks(listed, 200):
            self.harbor.setWhitelisted(self.token, chunk, True, sender=self.account)
        self.record("whitelist", wallets=len(listed))
        self.mint_team()
        self.env.process(self.disclose())
        for sale in harbor.rounds:
            self.env.process(self.sell(sale))
        self.env.process(self.file_exit_report())

    def sell(self, sale: SaleRound) -> Iterator[Any]:
        """A round: each buyer drawn asks for tokens; the registry sells what the caps allow."""
        yield self.env.timeout(max(0.0, sale.day * DAY - self.env.now))
        rng = self.world.rng(f"round-{sale.day}")
        pool = [h for h in self.investors if not sale.groups or h.group in sale.groups]
        picks = rng.choice(len(pool), size=min(sale.buyers, len(pool)), replace=False)
        asks = draw(sale.tokens, rng, len(picks))
        price = units_of(sale.price_usd, self.usd)
        ledger = self.ledger
        for index, ask in zip(picks, asks, strict=True):
            buyer = pool[int(index)]
            whole = int(ask)
            if whole * price > ledger.cash[buyer.wallet]:
                whole = ledger.cash[buyer.wallet] // price
            if whole <= 0:
                continue
            amount = ledger.whole(whole)
            cost = amount * price // ledger.unit
            intent = self._intent(buyer, amount, price)
            sold = self.act(
                "sale",
                lambda a=amount, i=intent: self.harbor.sell_under(self.token, i, a, price, sender=self.account),
                buyer=buyer.label, tokens=whole, price_usd=sale.price_usd,
            )
            if sold:
                ledger.tokens[buyer.wallet] += amount
                ledger.pay(buyer.wallet, self.account, cost)
                self.raised += cost

    def _intent(self, buyer: Participant, amount: int, price: int) -> Any:
        """``buyer``'s signed consent to buy ``amount`` units at ``price`` (valid for a day)."""
        self._nonces += 1
        intent = Purchase(buyer.wallet, self.token.address, amount, price, self._nonces, self.world.now() + DAY)
        return self.harbor.sign_purchase(intent)

    def disclose(self) -> Iterator[Any]:
        """Update the disclosures when due (a missed one late, by ``late_days``)."""
        harbor = self.section.safe_harbor
        assert harbor is not None and self.harbor is not None
        update = 0
        while True:
            due = self.harbor.nextDisclosureDue(self.token)
            if due == 0:  # no updates, or the window ends first (the exit report covers it)
                return
            update += 1
            late = harbor.late_days * DAY if update in harbor.missed_disclosures else 0
            at = due - self.world.start + late
            if at >= self.world.end_seconds:
                return
            yield self.env.timeout(at - self.env.now)
            if self.harbor.status(self.token) != HarborStatus.RUNNING:
                return
            made = self.act(
                "update_disclosures",
                lambda n=update: self.harbor.updateDisclosures(self.token, digest(f"disclosures:{n}"), sender=self.account),
                update=update, late_days=late / DAY,
            )
            if made:
                self.updates += 1

    def file_exit_report(self) -> Iterator[Any]:
        """File the exit report ``report_days_before_end`` before the window ends (which is
        when it is due, the window running from the notice)."""
        harbor = self.section.safe_harbor
        assert harbor is not None and self.harbor is not None
        end = max(self.env.now, self.harbor.windowEnd(self.token) - self.world.start
                  - harbor.exit.report_days_before_end * DAY)
        if end >= self.world.end_seconds:
            return
        yield self.env.timeout(end - self.env.now)
        self.world.sync()
        measures = self.measure()
        report = digest(f"{self.scenario_name}:exit:{json.dumps(measures.__dict__, sort_keys=True)}")
        receipt, refused = self.act(
            "exit_report", lambda: self.harbor.exit_report(self.token, report, measures, sender=self.account),
            **measure_fields(measures),
        )
        if refused is not None:
            return
        (event,) = receipt.events_named("ExitReportFiled")
        failed = int(event.failed)
        deadlines = receipt.events_named("FailureDeadlines")
        status = self.harbor.status(self.token)
        new_class = class_name(self.assets.classOf(self.token))
        ex = harbor.exit
        limits = {
            "top10_share_pct": ("<=", ex.max_top10_share_pct), "hhi": ("<=", ex.max_hhi),
            "developer_share_pct": ("<=", ex.max_developer_share_pct),
            "independent_holders": (">=", ex.min_independent_holders), "venues": (">=", ex.min_venues),
        }
        failed_names = {name for bit, name in FAILED_MEASURES.items() if failed & bit}
        measured = measure_fields(measures)
        self.exit = {
            "day": round(self.env.now / DAY, 4),
            "time": iso(self.world.now()),
            "outcome": status.name.lower(),
            "class": new_class,
            "tests": {
                key: {"measured": measured[key], "limit": f"{op} {limit:g}",
                      "passed": key.removesuffix("_pct") not in failed_names}
                for key, (op, limit) in limits.items()
            },
            "measures": measured,
        }
        if deadlines:  # the proposal's 120 days to register, six months for platforms (not waited for)
            self.exit["register_12g_by"] = iso(int(deadlines[0].registerBy))
            self.exit["platforms_stop_by"] = iso(int(deadlines[0].platformsStopBy))
        self.classes.add(self.env.now, iso(self.world.now()), new_class, "exit_report")
        if status == HarborStatus.REFUNDING:
            yield from self.refund()

    def refund(self) -> Iterator[Any]:
        """Every investor holding tokens it bought in the sales claims its refund (its own
        act): the registry burns them and repays what it paid (its ``Refunded`` event says
        how many, for how much); tokens it got otherwise are not bought back."""
        ledger = self.ledger
        for holder in self.investors:
            if ledger.tokens[holder.wallet] == 0 or not self.harbor.boughtBy(self.token, holder.wallet):
                continue
            held = ledger.tokens[holder.wallet] // ledger.unit
            receipt, refused = self.quietly(lambda h=holder: self.harbor.claimRefund(self.token, sender=h.wallet))
            if refused is not None:
                self.refused("refund", refused, by=holder.label, held_tokens=held)
                continue
            (event,) = receipt.events_named("Refunded")  # what it bought and still held, at its own price
            self.record("refund", by=holder.label, held_tokens=held, tokens=event.amount // ledger.unit,
                        usd=event.payment / self.usd)
            ledger.tokens[holder.wallet] -= event.amount
            ledger.pay(self.account, holder.wallet, event.payment)
            self.refunds["holders"] += 1
            self.refunds["tokens"] += event.amount // ledger.unit
            self.refunds["usd"] += event.payment / self.usd
        yield self.env.timeout(0)

    # -------------------------------------------------------------------- grants

    def pay_grants(self) -> Iterator[Any]:
        """Network rewards every ``every_days``: the largest team wallet pays a grant, split
        among recipients drawn at random whom the token's rules let receive it."""
        g = self.section.developer.grants
        assert g is not None
        rng = self.world.rng("grants")
        ledger = self.ledger
        while True:
            yield self.env.timeout(g.every_days * DAY)
            if g.until_day is not None and self.env.now > g.until_day * DAY:
                return
            self.world.sync()
            payer = max(self.team, key=lambda h: (ledger.tokens[h.wallet], h.label))
            each = ledger.whole(g.tokens // g.recipients)
            if each == 0 or ledger.tokens[payer.wallet] < each:
                continue
            order = rng.permutation(len(self.investors))
            paid = 0
            for index in order:
                if paid == g.recipients or ledger.tokens[payer.wallet] < each:
                    break
                holder = self.investors[int(index)]
                code, _ = self.token.recipientRestriction(holder.wallet)
                if code != 0:  # the developer pays only those the rules let receive it
                    continue
                granted = self.act("grant", lambda h=holder: self.token.transfer(h.wallet, each, sender=payer.wallet),
                                   to=holder.label, tokens=each // ledger.unit)
                if granted:
                    ledger.move_tokens(payer.wallet, holder.wallet, each)
                    paid += 1
