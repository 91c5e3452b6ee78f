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
that the contracts did not decide.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
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
from sim.errors import TransferRestricted

OFFERING_DATE = "2026-01-15T14:00:00"
SHARES_ACCREDITED = 2_000
SHARES_NON_ACCREDITED = 250


@dataclass
class Act:
    """One thing that happened: when, what, and what the chain said."""

    time: int
    act: str
    outcome: str
    allowed: bool


@dataclass
class IssuanceResult:
    acts: list[Act] = field(default_factory=list)
    refusals: Counter[str] = field(default_factory=Counter)
    minted: int = 0
    total_supply: int = 0
    holders: int = 0
    non_accredited_purchasers: int = 0
    resale_settled_at: int | None = None


def run(chain: Chain | None = None, console: Console | None = None) -> IssuanceResult:
    """Play the issuance on ``chain`` (a fresh eth-tester chain by default)."""
    chain = chain or Chain("eth-tester")
    console = console or Console()
    result = IssuanceResult()
    issuer, agent, verifier = chain.accounts[:3]

    def record(act: str, outcome: str, allowed: bool) -> None:
        result.acts.append(Act(chain.now(), act, outcome, allowed))

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
    record("deploy identity registry, token ACME and 3 compliance modules", f"token at {token.address}", True)

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
    record(f"register {len(investors)} investors in one batch", "40 accredited, 36 non-accredited, 1 KP, 1 KYC pending", True)

    for (label, _, shares), investor in zip(identities, investors, strict=True):
        try:
            token.mint(investor, shares, sender=agent)
        except TransferRestricted as refused:
            result.refusals[refused.message] += 1
            record(f"mint {shares} ACME to {label}", f"refused: {type(refused).__name__} (code {refused.code})", False)
        else:
            result.minted += 1
    record(f"mint subscriptions ({len(identities)})", f"{result.minted} minted, {sum(result.refusals.values())} refused", True)

    seller, buyer = investors[0], investors[1]
    release = add_months(chain.now(), 12)
    chain.advance(30 * 86_400)
    _try_resale(token, seller, buyer, record, result)
    chain.warp(release - 1)
    _try_resale(token, seller, buyer, record, result)
    chain.warp(release)
    if _try_resale(token, seller, buyer, record, result):
        result.resale_settled_at = chain.now()

    module = token.module("holder-limit")
    result.total_supply = token.totalSupply()
    result.holders = module.holders()
    result.non_accredited_purchasers = module.nonAccreditedPurchasers()
    _print(console, token, result)
    return result


def _try_resale(token: Any, seller: str, buyer: str, record: Any, result: IssuanceResult) -> bool:
    try:
        token.transfer(buyer, 100, sender=seller)
    except TransferRestricted as refused:
        result.refusals[refused.message] += 1
        detail = f" until {iso(refused.nextRelease)}" if hasattr(refused, "nextRelease") else ""
        record("resale of 100 ACME, accredited-1 to accredited-2", f"refused: {type(refused).__name__}{detail}", False)
        return False
    record("resale of 100 ACME, accredited-1 to accredited-2", "settled", True)
    return True


def _print(console: Console, token: Any, result: IssuanceResult) -> None:
    acts = Table(title="Acme Robotics Class A: Rule 506(b) issuance on the embedded chain")
    acts.add_column("time (UTC)")
    acts.add_column("act")
    acts.add_column("outcome")
    for act in result.acts:
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
