"""A scripted Reg D 506(b) issuance, narrated act by act.

Acme Robotics sells Class A shares as restricted securities in a Rule 506(b) private
placement, with a transfer agent minting each allocation on chain:

1. the system is deployed: identity registry, the token with three compliance modules
   (Rule 144 one-year lock-up for a non-reporting issuer, the 506(b) cap of 35
   non-accredited purchasers, no holders in sanctioned jurisdictions);
2. a verifier registers 78 investors: 40 accredited, 36 non-accredited, one in North
   Korea, one whose KYC is still pending;
3. the agent mints each subscription: the 36th non-accredited purchaser, the
   sanctioned investor and the unverified one are refused on chain, each with its
   typed reason;
4. an investor tries to resell after a month: refused, the lot is locked; one second
   before the holding period ends: still refused; at the second it ends: settled.

Every act is a transaction on the embedded chain; nothing here is computed in Python
that the contracts did not decide. Each step is told in plain words (the rule, what the
chain did); in a terminal the demo waits for Enter between steps (``pause``). With a run
directory it writes the acts there as a run's files (``events.jsonl``, ``metrics.csv``,
``summary.json``) and their ``report.html``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from sim.calendar import add_months, iso, timestamp
from sim.chain import Chain
from sim.contracts import (
    HolderLimit,
    Identity,
    Jurisdictions,
    Lockup,
    deploy_identity_registry,
    deploy_security_token,
)
from sim.demos._narration import tell
from sim.errors import TransferRestricted

OFFERING_DATE = "2026-01-15T14:00:00"
SHARES_ACCREDITED = 2_000
SHARES_NON_ACCREDITED = 250


@dataclass
class Act:
    """One thing that happened: when, what, and what the chain said; ``actor`` and ``name``
    are its record's (``events.jsonl``), ``fields`` the record's details."""

    time: int
    act: str
    outcome: str
    allowed: bool
    actor: str = "issuer"
    name: str = "act"
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class IssuanceResult:
    acts: list[Act] = field(default_factory=list)
    refusals: Counter[str] = field(default_factory=Counter)
    minted: int = 0
    total_supply: int = 0
    holders: int = 0
    non_accredited_purchasers: int = 0
    resale_settled_at: int | None = None
    steps: list[str] = field(default_factory=list)
    out_dir: Path | None = None


class _Teller:
    """Tells the steps: a title, the rule in plain words, what the chain did; waits for
    ``pause`` before every step but the first."""

    def __init__(self, console: Console, pause: Callable[[], None] | None, result: IssuanceResult) -> None:
        self.console, self.pause, self.result = console, pause, result

    def step(self, title: str, rule: str, told: list[str]) -> None:
        tell(self.console, self.pause, len(self.result.steps), title, rule, told)
        self.result.steps.append(title)


def run(chain: Chain | None = None, console: Console | None = None, out_dir: Path | None = None,
        pause: Callable[[], None] | None = None) -> IssuanceResult:
    """Play the issuance on ``chain`` (a fresh eth-tester chain by default), telling it step
    by step (``pause`` between steps); with ``out_dir``, write its run files and report there
    (an earlier demo's files replaced)."""
    chain = chain or Chain("eth-tester")
    console = console or Console()
    result = IssuanceResult()
    teller = _Teller(console, pause, result)
    issuer, agent, verifier = chain.accounts[:3]

    def record(act: str, outcome: str, allowed: bool, actor: str = "issuer", name: str = "act",
               **fields: Any) -> None:
        result.acts.append(Act(chain.now(), act, outcome, allowed, actor, name, fields))

    chain.warp(timestamp(OFFERING_DATE))
    registry = deploy_identity_registry(chain, admin=issuer, verifiers=[verifier])
    token = deploy_security_token(
        chain,
        registry=registry,
        admin=issuer,
        agent=agent,
        name="Acme Robotics Class A",
        symbol="ACME",
        modules=[
            Lockup.rule_144(reporting_issuer=False),
            HolderLimit.rule_506b(),
            Jurisdictions(block=["CU", "IR", "KP", "SY"]),
        ],
    )
    record("deploy identity registry, token ACME and 3 compliance modules", f"token at {token.address}", True,
           name="deploy", token=token.address, modules=["lockup", "holder-limit", "jurisdiction"])
    teller.step("the token and its rules",
                "a 506(b) private placement sells restricted securities: the buyer may not resell for a year "
                "(Rule 144(d), an issuer not reporting), at most 35 purchasers may be non-accredited (Rule "
                "506(b)(2)(i)), and sanctioned jurisdictions may not hold. Each rule is a compliance module the "
                "token runs on every mint and transfer.",
                [f"Deployed: the identity registry, token ACME at {token.address}, and its modules: a one-year "
                 "lock-up per acquisition lot, the 506(b) purchaser count, blocked jurisdictions CU, IR, KP, SY."])

    identities: list[tuple[str, Identity, int]] = []
    for i in range(40):
        identities.append((f"accredited-{i + 1}", Identity(
            investor_id=f"acme-accredited-{i + 1}", investor_type="accredited",
            income_usd=250_000 + 10_000 * i, net_worth_usd=1_500_000,
        ), SHARES_ACCREDITED))
    for i in range(36):
        identities.append((f"non-accredited-{i + 1}", Identity(
            investor_id=f"acme-retail-{i + 1}", investor_type="retail",
            income_usd=90_000, net_worth_usd=300_000,
        ), SHARES_NON_ACCREDITED))
    identities.append(("pyongyang-trading", Identity(
        investor_id="acme-kp", investor_type="institutional", jurisdiction="KP",
    ), SHARES_ACCREDITED))
    identities.append(("kyc-pending", Identity(
        investor_id="acme-pending", investor_type="accredited", verified=False,
    ), SHARES_ACCREDITED))
    wallets = [chain.new_account() for _ in identities]
    investors = registry.register_many(wallets, [i for _, i, _ in identities], sender=verifier)
    record(f"register {len(investors)} investors in one batch", "40 accredited, 36 non-accredited, 1 KP, 1 KYC pending", True,
           actor="verifier", name="register", investors=len(investors))
    teller.step("onboarding",
                "only investors whose identity a verifier has checked may hold the token; the registry records "
                "each one's type (accredited or not) and jurisdiction, and the modules read them.",
                [f"The verifier registers {len(investors)} investors in one transaction: 40 accredited, 36 "
                 "non-accredited, one in North Korea, and one whose KYC is still pending (registered, not verified)."])

    for (label, _, shares), investor in zip(identities, investors, strict=True):
        try:
            token.mint(investor, shares, sender=agent)
        except TransferRestricted as refused:
            result.refusals[refused.message] += 1
            record(f"mint {shares} ACME to {label}", f"refused: {type(refused).__name__} (code {refused.code})", False,
                   actor="transfer-agent", name="mint", investor=label, shares=shares, code=refused.code,
                   reason=refused.message, error=type(refused).__name__)
        else:
            result.minted += 1
            record(f"mint {shares} ACME to {label}", "minted", True, actor="transfer-agent", name="mint",
                   investor=label, shares=shares)
    record(f"mint subscriptions ({len(identities)})", f"{result.minted} minted, {sum(result.refusals.values())} refused",
           True, actor="transfer-agent", name="subscriptions", minted=result.minted,
           refused=sum(result.refusals.values()))
    refused_mints = [a for a in result.acts if a.name == "mint" and not a.allowed]
    teller.step("subscriptions",
                "the transfer agent mints each subscription; the token checks every mint against its modules "
                "and refuses, with a restriction code and a typed error, what a rule forbids.",
                [f"{result.minted} of {len(identities)} subscriptions minted; refused:",
                 *(f"  {a.fields['investor']}: {a.fields['error']} (code {a.fields['code']}): {a.fields['reason']}"
                   for a in refused_mints)])

    seller, buyer = investors[0], investors[1]
    release = add_months(chain.now(), 12)
    chain.advance(30 * 86_400)
    _try_resale(token, seller, buyer, record, result)
    chain.warp(release - 1)
    _try_resale(token, seller, buyer, record, result)
    chain.warp(release)
    if _try_resale(token, seller, buyer, record, result):
        result.resale_settled_at = chain.now()
    resales = [a for a in result.acts if a.name == "resale"]
    teller.step("the holding period",
                "a lot can be resold once its holding period has ended, at the second it ends (Rule 144(d): one "
                "year for an issuer not reporting, counted in calendar months): one second before, the token "
                "refuses the transfer.",
                [f"{iso(a.time)}: {a.outcome}" for a in resales])

    module = token.module("holder-limit")
    result.total_supply = token.totalSupply()
    result.holders = module.holders()
    result.non_accredited_purchasers = module.nonAccreditedPurchasers()
    _print(console, token, result)
    if out_dir is not None:
        _write_run(Path(out_dir), chain, result)
        teller.step("the report", "every act of the demo, refusals included, is a record of events.jsonl; "
                    "report.html shows them on one page.",
                    [f"Open {result.out_dir / 'report.html'} in a browser to see the whole issuance."])
    return result


def _write_run(out_dir: Path, chain: Chain, result: IssuanceResult) -> None:
    """The demo's acts as a run's files (one record per act; the counts at the start and the
    end; a summary) and their report, in ``out_dir`` (an earlier demo's files replaced)."""
    import importlib.metadata

    from sim.report.html import write_report
    from sim.report.run_dir import prepare

    prepare(out_dir, force=True)
    start = result.acts[0].time
    with (out_dir / "events.jsonl").open("w", encoding="utf-8") as handle:
        for seq, act in enumerate(result.acts):
            record = {"seq": seq, "t": act.time - start, "time": iso(act.time), "actor": act.actor, "act": act.name,
                      "outcome": "ok" if act.allowed else "refused", **act.fields}
            handle.write(json.dumps(record, sort_keys=False) + "\n")
    end = result.acts[-1].time
    (out_dir / "metrics.csv").write_text(
        "t,minted,refused,holders\n"
        f"0,0,0,0\n{end - start},{result.minted},{sum(result.refusals.values())},{result.holders}\n",
        encoding="utf-8")
    summary = {
        "status": "done", "scenario": "demo_issuance", "kind": "demo", "seed": 0, "backend": chain.backend.name,
        "start": iso(start), "sim_days": round((end - start) / 86_400, 4), "events": len(result.acts),
        "versions": {"tokensim": importlib.metadata.version("tokensim"), **chain.backend.info().versions},
        "metrics": {
            "subscriptions_minted": result.minted,
            "refusals": sum(result.refusals.values()),
            "refusals_by_reason": dict(sorted(result.refusals.items())),
            "total_supply": result.total_supply,
            "holders": result.holders,
            "non_accredited_purchasers": result.non_accredited_purchasers,
            "resale_settled_at": iso(result.resale_settled_at) if result.resale_settled_at else "never",
        },
    }
    (out_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    write_report(out_dir)
    result.out_dir = out_dir


def _try_resale(token: Any, seller: str, buyer: str, record: Any, result: IssuanceResult) -> bool:
    try:
        token.transfer(buyer, 100, sender=seller)
    except TransferRestricted as refused:
        result.refusals[refused.message] += 1
        detail = f" until {iso(refused.nextRelease)}" if hasattr(refused, "nextRelease") else ""
        record("resale of 100 ACME, accredited-1 to accredited-2", f"refused: {type(refused).__name__}{detail}", False,
               actor="accredited-1", name="resale", to="accredited-2", shares=100, code=refused.code,
               reason=refused.message, error=type(refused).__name__)
        return False
    record("resale of 100 ACME, accredited-1 to accredited-2", "settled", True, actor="accredited-1", name="resale",
           to="accredited-2", shares=100)
    return True


def _print(console: Console, token: Any, result: IssuanceResult) -> None:
    acts = Table(title="Acme Robotics Class A: Rule 506(b) issuance on the embedded chain")
    acts.add_column("time (UTC)")
    acts.add_column("act")
    acts.add_column("outcome")
    for act in result.acts:
        if act.name == "mint" and act.allowed:
            continue  # told by the subscriptions' row
        style = None if act.allowed else "red"
        acts.add_row(iso(act.time), act.act, act.outcome, style=style)
    console.print(acts)
    refusals = Table(title="Refusals by reason")
    refusals.add_column("reason")
    refusals.add_column("count", justify="right")
    for reason, count in sorted(result.refusals.items()):
        refusals.add_row(reason, str(count))
    console.print(refusals)
    console.print(
        f"supply {result.total_supply} ACME; {result.holders} holders of record; "
        f"{result.non_accredited_purchasers}/35 non-accredited purchasers (Rule 506(b)); "
        f"resale settled at {iso(result.resale_settled_at) if result.resale_settled_at else 'never'}"
    )
