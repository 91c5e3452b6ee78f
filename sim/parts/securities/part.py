"""The securities lifecycle: a security token issued, traded, cleared, held and redeemed.

At time 0 the part deploys its contract system (``system.py``: identity registry, token
with its compliance modules, cash token, DvP settlement, oracle, custodians' vaults),
onboards the investors, and starts its actors' processes:

| actor | module | what it does |
|---|---|---|
| ``oracle`` | ``price_feed.py`` | pushes the token's reference price |
| ``investors`` | ``investors.py`` | subscribe to the offering, place orders |
| ``issuer`` | ``issuer.py`` | runs the offering, pays dividends, coupons and redemption |
| ``venue`` | ``venue.py`` | checks and matches orders (continuous or call auction) |
| ``clearing`` | ``clearing.py`` | instructs DvP, settles cycles, fails, buy-ins |
| ``custodian:<name>`` | ``custodian.py`` | affirms and books for clients, reconciles daily |
| ``trustee:<name>`` | ``custodian.py`` | after a custodian's failure, returns its clients' tokens and cash |
| ``faults`` | ``faults.py`` | the world's faults that concern the lifecycle |
| ``compliance`` | ``compliance.py`` | records what compliance announces (the 12(g) flag) |

It offers the world the ``security`` service (``SecurityService``): the token, its
transfer agent's registrations and mints, its cash token and its price, for a margin part
whose section names the security token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.contracts import Identity
from sim.contracts.oracle import PRICE_DECIMALS
from sim.contracts.settlement import HOLD_OPERATOR_ROLE
from sim.engine.handoff import Handoff
from sim.engine.part import Lines, Part, Section, Table
from sim.engine.world import Participant
from sim.parts.securities.clearing import ClearingAgent
from sim.parts.securities.compliance import ComplianceWatch
from sim.parts.securities.custodian import CustodianActor, Custodians
from sim.parts.securities.faults import Faults
from sim.parts.securities.investors import Investors
from sim.parts.securities.issuer import Issuer
from sim.parts.securities.price_feed import OracleFeed
from sim.parts.securities.system import System
from sim.parts.securities.venue import Venue
from sim.report.holders import HolderIndex


@dataclass
class SecurityService:
    """The security token as the lifecycle offers it to the world's other parts.

    Attributes:
        token, registry, cash: handles on the token, its identity registry, the cash token.
        symbol, unit: the token's symbol and units per whole token.
        feed: its price feed (``feed.paths`` is the token's price path).
    """

    system: System
    feed: OracleFeed
    venue: Venue | None = None

    @property
    def token(self):
        return self.system.token

    @property
    def registry(self):
        return self.system.registry

    @property
    def cash(self):
        return self.system.cash

    @property
    def symbol(self) -> str:
        return self.system.token_symbol

    @property
    def unit(self) -> int:
        return self.system.token_unit

    def register(self, wallet: str, label: str, investor_type: str = "institutional") -> None:
        """Register a firm's wallet (a margin engine, a dealer) with the token's identity registry."""
        self.system.registry.register(wallet, Identity(investor_id=label, investor_type=investor_type),
                                      sender=self.system.agent)

    def mint(self, to: str, units: int) -> Any:
        """The transfer agent mints ``units`` to ``to`` (compliance checks it)."""
        return self.system.token.mint(to, units, sender=self.system.agent)

    def fund(self, to: str, units: int) -> Any:
        """The cash issuer mints ``units`` of cash to ``to`` (allow-listing it first)."""
        self.system.allow_cash([to])
        return self.system.cash.mint(to, units, sender=self.system.cash_issuer)

    def make_hold_operator(self, operator: str) -> Any:
        """The issuer lets ``operator`` (a collateral custodian) place and execute holds on
        the token: holds it places at a holder's own call."""
        return self.system.token.grantRole(HOLD_OPERATOR_ROLE, operator, sender=self.system.issuer)

    @property
    def lockup(self) -> Any:
        """The token's lock-up module (its holding periods), or None."""
        return self.system.modules.get("lockup")

    def admit(self, participant: Participant) -> Participant:
        """Let a firm's onboarded participant (the margin part's liquidator) trade on the
        venue: its identity registered with the token (institutional), its cash allow-listed."""
        self.register(participant.wallet, f"{participant.group}:{participant.label}")
        self.system.allow_cash([participant.wallet])
        participant.identity = Identity(investor_id=f"{participant.group}:{participant.label}",
                                        investor_type="institutional")
        return participant


class SecuritiesPart(Part):
    """The securities lifecycle (see the module's docstring)."""

    name = "securities"
    title = "Securities lifecycle"
    report_module = "sim.parts.securities.report"

    def deploy(self) -> None:
        world, scenario = self.world, self.scenario
        chain = world.chain
        self.system = system = System.deploy(chain, scenario, world.role_accounts(6))
        self.holder_index = HolderIndex(system.token.address)
        chain.on_receipt(self.holder_index)
        self.compliance = ComplianceWatch(self, system)
        self.record(
            "simulation", "deploy",
            token=system.token.address, cash=system.cash.address, dvp=system.dvp.address,
            modules=sorted(system.modules),
            compliance=[spec.model_dump(mode="json", exclude_none=True) for spec in scenario.security.compliance],
            clearing=scenario.clearing.model_dump(mode="json"),
        )
        self.custodians = Custodians([
            CustodianActor(self, system, system.custodians[c.name], c.reconcile_hour_utc) for c in scenario.custodians
        ])
        self.investors = Investors(self, system, self.custodians, scenario)
        self.investors.onboard()
        self.issuer = Issuer(self, system, scenario, self.investors, self.custodians, self.holder_index)
        self.trades = Handoff(world.env)
        self.venue = Venue(self, system, scenario.trading, self.trades)
        self.clearing = ClearingAgent(self, system, scenario, self.trades, self.investors, self.custodians)
        self.investors.issuer, self.investors.venue = self.issuer, self.venue
        self.issuer.on_maturity.append(self.clearing.cancel_all)
        self.feed = OracleFeed(self, system, scenario)
        self.faults = Faults(self, system, scenario, feed=self.feed, clearing=self.clearing,
                             custodians=self.custodians, investors=self.investors, venue=self.venue)
        world.provide("security", SecurityService(system, self.feed, self.venue))

    def start(self) -> None:
        env = self.world.env
        self.feed.start(push_now=True)
        env.process(self.investors.subscribe())
        env.process(self.issuer.run_offering())
        env.process(self.issuer.pay_dividends())
        env.process(self.issuer.pay_coupons_and_redeem())
        env.process(self.investors.place_orders())
        env.process(self.venue.run_auctions())
        env.process(self.clearing.settle_cycles())
        env.process(self.clearing.clear_trades())
        env.process(self.compliance.assess_year_ends())
        for custodian in self.custodians:
            env.process(custodian.reconcile_daily())
        self.faults.schedule()

    # ----------------------------------------------------------------- metrics

    def _state(self) -> dict[str, Any]:
        """What the chain says now: price, supply, holders."""
        system = self.system
        price, _ = system.oracle.latestPrice(system.token)
        return {
            "price_usd": round(price / 10**PRICE_DECIMALS, 2),
            "supply": system.token.totalSupply() // system.token_unit,
            "holders": len(self.holder_index.balances),
        }

    def _owners(self) -> int:
        """Beneficial owners: holders of record, with each omnibus vault seen through to its clients."""
        system = self.system
        owners = {p.identity.investor_id for _, _, p in self.issuer.holders() if p is not None and p.identity}
        for custodian in self.custodians:
            if custodian.vault is None:
                continue
            for p in custodian.clients():
                if sum(custodian.vault.positionOf(system.token, p.wallet)) > 0:
                    owners.add(p.identity.investor_id)
        return len(owners)

    def _counters(self) -> dict[str, Any]:
        m = self.metrics
        return {
            "trades": m.count("trade"),
            "volume_shares": m.total("trade", "shares"),
            "settled": m.count("settle") + m.count("settle_internal") // 2,
            "fails": m.count("fail"),
            "open_fails": sum(1 for ins in self.clearing.pending.values() if ins.fail_days > 0),
            "refusals": m.refusals,
            "reconciliation_breaks": m.count("reconcile", "break"),
            "penalties_usd": m.total("fail", "penalty_cents") / 100,
            "distributed_usd": (m.total("dividend", "cash_cents") + m.total("coupon", "cash_cents")) / 100,
        }

    def sample(self) -> dict[str, Any]:
        return {**self._state(), **self._counters()}

    def summary(self) -> dict[str, Any]:
        m = self.metrics
        metrics = self.world.at_the_end(lambda: {**self._state(), "beneficial_owners": self._owners()}, {})
        metrics.update(self._counters())
        metrics.update(
            {
                "subscriptions": m.count("subscribe"),
                "subscriptions_refused": m.count("subscribe", "refused"),
                "minted_shares": m.total("mint", "shares"),
                "orders": m.count("order"),
                "orders_refused": m.count("order", "refused") + m.count("order_rejected", "refused"),
                "instructions": m.count("instruct"),
                "failed_instructions": len(self.clearing.failed_ids),
                "buy_ins": m.count("buy_in"),
                "buy_in_costs_usd": m.total("buy_in", "cost_cents") / 100,
                "cancelled": m.count("cancel"),
                "dividends_usd": m.total("dividend", "cash_cents") / 100,
                "coupons_usd": m.total("coupon", "cash_cents") / 100,
                "redeemed_usd": m.total("redemption", "cash_cents") / 100,
                "section_12g_flag": m.count("section_12g_flag") > 0,
                "refusals_by_reason": dict(sorted(m.refusals_by_reason.items())),
            }
        )
        if self.compliance.holder_limit is not None:  # Exchange Act 12(g)(1)(A): the fiscal year-end test
            metrics["section_12g_year_ends"] = list(self.compliance.year_ends)
        metrics.update(self._fault_metrics())
        return metrics

    def _fault_metrics(self) -> dict[str, Any]:
        """What the scenario's spikes, defaults and custodian failures came to (each group
        only when the scenario has such a fault)."""
        m, symbol = self.metrics, self.system.token_symbol
        faults = self.scenario.faults
        metrics: dict[str, Any] = {}
        if any(f.kind == "oracle_spike" and f.asset in (None, symbol) for f in faults):
            metrics["price_spikes_published"] = self.feed.spikes_published
            metrics["price_spikes_refused"] = self.feed.spikes_refused
        if any(f.kind == "participant_default" for f in faults):
            metrics["defaults"] = m.count("default")
        if any(f.kind == "custodian_failure" for f in faults):
            metrics["custodian_failures"] = m.count("failure")
            metrics["custody_clients_recovered"] = m.count("self_custody")
            metrics["custody_recoveries_refused"] = m.count("recover_tokens", "refused")
        return metrics

    def state(self) -> dict[str, Any]:
        """For every account that ever held the security or the cash token (the holder
        index, every participant's wallets, the custodians' vaults): balances, holds and
        frozen amounts; every custody client's available and reserved positions; the status
        of every DvP instruction; the total supply."""
        system = self.system
        token, cash = system.token, system.cash
        accounts = {a for a, _ in self.holder_index.holders()}
        participants = [*self.investors.participants, self.investors.dealer]
        for p in participants:
            if p is not None:
                accounts.update([p.wallet, *p.lost_wallets])
        vaults = [c.vault for c in system.custodians.values() if c.vault is not None]
        accounts.update(v.address for v in vaults)
        accounts.update([system.issuer, system.cash_issuer])
        return {
            "supply": token.totalSupply(),
            "cash_supply": cash.totalSupply(),
            "accounts": {
                a: [token.balanceOf(a), token.heldBalanceOf(a), token.frozenTokens(a),
                    cash.balanceOf(a), cash.heldBalanceOf(a)]
                for a in sorted(accounts)
            },
            "custody": {
                v.address: {
                    p.wallet: [*v.positionOf(token, p.wallet), *v.positionOf(cash, p.wallet)]
                    for p in self.investors.participants if p.custody is not None and p.custody.vault is v
                }
                for v in vaults
            },
            "instructions": [system.dvp.statusOf(i) for i in range(1, system.dvp.instructionCount() + 1)],
        }

    # ----------------------------------------------------------------- printing

    @classmethod
    def sections(cls, metrics: dict[str, Any]) -> list[Section]:
        sections: list[Section] = [scalar_table(cls.title, metrics)]
        reasons = metrics.get("refusals_by_reason") or {}
        if reasons:
            sections.append(Table("Refusals by reason", ["reason", "count"], [
                [reason, f"{count:,}"] for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
            ], right={1}))
        return sections


def scalar_table(title: str, metrics: dict[str, Any]) -> Table:
    """A part's scalar metrics as a two-column table (mappings and lists left out)."""
    table = Table(title, ["metric", "value"], right={1})
    for key, value in metrics.items():
        if isinstance(value, dict | list) or value is None:
            continue
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        elif isinstance(value, int):
            shown = f"{value:,}"
        elif isinstance(value, float):
            shown = f"{value:,.2f}"
        else:
            shown = str(value)
        table.rows.append([key, shown])
    return table


__all__ = ["Lines", "SecuritiesPart", "SecurityService", "scalar_table"]
