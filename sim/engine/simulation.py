"""``Simulation``: a SimPy environment bound to a chain, a seed and a recorder.

A run deploys the contract system at the scenario's start, onboards the investors, and
starts the actors' processes: the oracle feed, the offering, the order stream and the
venue, the clearing cycles, the custodians' reconciliations, distributions, faults, and
the metrics sampler. Simulated time is seconds from ``scenario.start``; whenever an actor
acts on the chain, the chain's clock is moved to ``start + env.now`` first, so every
transaction runs in a block whose timestamp is exactly its simulated time.

Randomness: each actor draws from its own ``numpy`` generator, seeded from the run's
seed and the actor's name, so adding an actor does not change the others' draws. Same
scenario, seed and backend: byte-identical ``events.jsonl``.

A run writes, in its output directory, ``events.jsonl`` (flushed as it goes),
``metrics.csv`` and ``summary.json``. A run that fails keeps the events up to the failure
and writes the summary with ``status: failed`` and the reason::

    result = Simulation(load("scenarios/reg_d_506b_lifecycle.yaml"), seed=7).run(out_dir=Path("runs/x"))
    result.summary["metrics"]["trades"]
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from eth_hash.auto import keccak

from sim.actors.base import Actor
from sim.actors.clearing import ClearingAgent
from sim.actors.custodian import CustodianActor
from sim.actors.faults import Faults
from sim.actors.investors import Investors, Participant
from sim.actors.issuer import Issuer
from sim.actors.oracle import OracleFeed
from sim.actors.venue import Venue
from sim.calendar import HOUR, iso
from sim.chain import Backend
from sim.contracts.oracle import PRICE_DECIMALS
from sim.engine.run import ChainRun, Progress, RunResult  # noqa: F401  (Progress, RunResult: re-exported)
from sim.engine.system import System
from sim.report.holders import HolderIndex
from sim.scenario import Scenario

_SECTION_12G = keccak(b"HoldersOfRecordThresholdReached(uint256,uint256,uint256,uint256)")


class Simulation(ChainRun):
    """One run of a scenario.

    Args:
        scenario: the validated scenario.
        seed: overrides ``scenario.seed``.
        backend: chain backend name: ``revm`` (the default, fast), ``eth-tester`` (the
            reference; the equivalence tests hold them to the same event log) or ``rpc``
            (an external node; pass ``backend_options={"url": ...}``); or a ``Backend``
            already created with its genesis one second before the scenario's start.
        backend_options: keyword arguments for the backend, when given by name.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        seed: int | None = None,
        backend: str | Backend = "revm",
        backend_options: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(scenario, seed=seed, backend=backend, backend_options=backend_options)
        self.system: System
        self.custodians: dict[str, CustodianActor] = {}
        self._notices: list[tuple[str, dict[str, Any]]] = []

    # ---------------------------------------------------------------- services

    def record_as(self, actor: str, act: str, outcome: str = "ok", **fields: Any) -> None:
        self.recorder.record(self.env.now, actor, act, outcome, **fields)

    def custodian(self, p: Participant) -> CustodianActor:
        return self.custodians[p.custody.name]

    def custodian_or_self(self, p: Participant) -> Actor:
        """The actor that acts for ``p`` on chain: its custodian, or the investors' own."""
        return self.custodians[p.custody.name] if p.custody is not None else self.investors

    def notify_moved(self, p: Participant, asset: str, units: int) -> None:
        """A movement of ``p``'s wallet the system made; segregated custodians book it."""
        if p.mode == "segregated":
            self.custodians[p.custody.name].moved(p, asset, units)

    def label_of(self, address: str) -> str:
        for custody in self.system.custodians.values():
            if custody.vault is not None and custody.vault.address == address:
                return f"custodian:{custody.name}"
        return address

    def _write_outputs(self, out_dir: Path) -> None:
        self.metrics.write_csv(out_dir / "metrics.csv")

    def _setup(self) -> None:
        scenario = self.scenario
        self.chain = self._connect()
        self.system = System.deploy(self.chain, scenario)
        self.holder_index = HolderIndex(self.system.token.address)
        self.chain.on_receipt(self.holder_index)
        self.chain.on_receipt(self._watch_compliance)
        self.recorder.subscribe(self._flush_notices)
        self.recorder.record(
            0, "simulation", "deploy",
            token=self.system.token.address, cash=self.system.cash.address, dvp=self.system.dvp.address,
            modules=sorted(self.system.modules),
        )
        for custodian in scenario.custodians:
            self.custodians[custodian.name] = CustodianActor(self, self.system.custodians[custodian.name], custodian.reconcile_hour_utc)
        self.investors = Investors(self)
        self.investors.onboard()
        self.issuer = Issuer(self)
        self.venue = Venue(self)
        self.clearing = ClearingAgent(self)
        self.oracle_feed = OracleFeed(self)
        self.faults = Faults(self)
        env = self.env
        env.process(self.oracle_feed.publish())
        env.process(self.investors.subscribe())
        env.process(self.issuer.run_offering())
        env.process(self.issuer.pay_dividends())
        env.process(self.issuer.pay_coupons_and_redeem())
        env.process(self.investors.place_orders())
        env.process(self.venue.run_auctions())
        env.process(self.clearing.settle_cycles())
        for custodian in self.custodians.values():
            env.process(custodian.reconcile_daily())
        self.faults.schedule()
        env.process(self._sample_every())

    # ------------------------------------------------------- compliance notices

    def _watch_compliance(self, receipt) -> None:
        """Queue what the compliance modules announce (the 12(g) flag) as it happens."""
        module = self.system.modules.get("holder-limit")
        if module is None:
            return
        address = bytes.fromhex(module.address[2:])
        for log in receipt.logs:
            if log.address == address and log.topics[0] == _SECTION_12G:
                holders, non_accredited, threshold, non_accredited_threshold = (
                    int.from_bytes(log.data[i : i + 32], "big") for i in range(0, 128, 32)
                )
                self._notices.append(
                    ("section_12g_flag", {
                        "holders": holders, "non_accredited_holders": non_accredited,
                        "holders_threshold": threshold, "non_accredited_threshold": non_accredited_threshold,
                    })
                )

    def _flush_notices(self, record) -> None:
        """Write queued notices right after the record of the act that caused them."""
        if record["actor"] == "compliance" or not self._notices:
            return
        notices, self._notices = self._notices, []
        for act, fields in notices:
            self.recorder.record(self.env.now, "compliance", act, **fields)

    # ----------------------------------------------------------------- metrics

    def _sample_every(self):
        interval = self.scenario.metrics_every_hours * HOUR
        while True:
            yield self.env.timeout(interval)
            self._sample()

    def _state(self) -> dict[str, Any]:
        """What the chain says now: price, supply, holders."""
        system = self.system
        price, _ = system.oracle.latestPrice(system.token)
        holders = self.issuer.holders()
        return {
            "price_usd": round(price / 10**PRICE_DECIMALS, 2),
            "supply": system.token.totalSupply() // system.token_unit,
            "holders": len(holders),
        }

    def _owners(self) -> int:
        """Beneficial owners: holders of record, with each omnibus vault seen through to its clients."""
        system = self.system
        owners = {p.identity.investor_id for _, _, p in self.issuer.holders() if p is not None}
        for custody in system.custodians.values():
            if custody.vault is None:
                continue
            for p in self.investors.participants:
                if p.custody is custody and sum(custody.vault.positionOf(system.token, p.wallet)) > 0:
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

    def _sample(self) -> None:
        self.sync()
        row = {"t": int(self.env.now), "time": iso(self.now()), **self._state(), **self._counters()}
        self.metrics.sample(row)

    def state_digest(self) -> str:
        """A hash of the final on-chain state of the run, the same on every backend.

        Covers, for every account that ever held the security or the cash token (the
        holder index, every participant's wallets, the custodians' vaults): balances, holds
        and frozen amounts; every custody client's available and reserved positions; the
        status of every DvP instruction; the total supply.
        """
        system = self.system
        token, cash = system.token, system.cash
        accounts = {a for a, _ in self.holder_index.holders()}
        for p in [*self.investors.participants, self.investors.dealer]:
            if p is not None:
                accounts.update([p.wallet, *p.lost_wallets])
        vaults = [c.vault for c in system.custodians.values() if c.vault is not None]
        accounts.update(v.address for v in vaults)
        accounts.update([system.issuer, system.cash_issuer])
        state: dict[str, Any] = {
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
        return "sha256:" + hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()

    def _summary(self, status: str, reason: str | None, wall_seconds: float) -> dict[str, Any]:
        m = self.metrics
        metrics: dict[str, Any] = {}
        digest = None
        try:
            metrics.update(self._state())
            metrics["beneficial_owners"] = self._owners()
            digest = self.state_digest()
        except Exception:  # the chain may be what failed
            pass
        if hasattr(self, "clearing"):
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
        return self._envelope(status, reason, wall_seconds, metrics, digest)
