"""Onboarding cost per investor: T-REX (ERC-3643) against tokensim's own token, on revm.

Onboarding is what it takes for a new investor to hold the token: become a verified
holder, then receive a first mint. Each way of doing it below runs for N investors
(default 200) on a fresh ``Chain("revm")`` with a token already deployed (untimed), the
same rules on both tokens: recipients' jurisdictions on an allow-list (US, GB, DE) and at
most 1,000,000 units per holder (ours: ``JurisdictionModule`` and ``MaxBalanceModule``;
T-REX: ``CountryAllowModule`` and ``MaxBalanceModule``); investors' jurisdictions cycle
through the allowed three, each gets 1,000 units, one agent (the deployer) registers and
mints on both. The wallets exist before the clock starts (their keys are made untimed).

Ways (rows):

- ``ours``: one ``IdentityRegistry.registerIdentity`` transaction per investor, by the
  verifier, with the whole record (investor id, type, jurisdiction, expiry, financials):
  ``IdentityRegistry.register``, as ``SecuritiesSystem.register`` and the
  ``make_investor`` fixtures do; then ``mint``.
- ``trex``: ``TrexToken.register`` (sim/contracts/trex.py), T-REX 4.1.6 with ONCHAINID:
  the investor deploys an ONCHAINID ``Identity`` (the full contract, as tokensim does it),
  adds the KYC claim the claim issuer signed (signed in Python, EIP-191), the agent
  registers the identity with its country (``registerIdentity``); then ``mint``.
- ``trex-proxy``: the same with the identity deployed as ONCHAINID's ``IdentityProxy``
  (529 bytes) behind one ``ImplementationAuthority`` whose implementation is the same
  ``Identity`` (both deployed once, untimed, with the suite), the way ONCHAINID's
  ``IdFactory`` deploys identities in production; claim, registration and mint as above.
- ``ours-batch`` and ``trex-proxy-batch``: the registrations batched 100 to a transaction
  (``batchRegisterIdentities``, as the engine registers a scenario's populations, and
  T-REX's ``batchRegisterIdentity``); the identity deployments and claims of T-REX cannot
  be batched by the agent (the investor's key manages the identity); mints one by one.

Per investor: gas (the sum of the receipts' ``gas_used``, split by what the transaction
did: deploy an identity, add the claim, register, mint), transactions, bytes of code
deployed (the runtime code at each created address), and wall time on revm: the whole
loop (Python handles, ABI, signing, the EVM) over N, best of ``--rounds`` rounds (default
3; round r starts with row r). Gas, transactions and bytes must come out the same in every
round. Every investor is checked verified and holding its units on its token after each
round. Ratios are each T-REX row against its tokensim counterpart (``ours`` or
``ours-batch``).

    python bench/onboarding.py [--investors N] [--rounds R] [--rows ours,trex,...] [--json PATH]

T-REX comes from the pinned npm packages (``make trex``; ``TOKENSIM_TREX_PATH``).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ALLOWED = ("US", "GB", "DE")
MAX_BALANCE = 1_000_000
MINTED = 1_000
BATCH = 100  # sim/parts/securities/investors.py REGISTRATION_BATCH
PHASES = ("deploy", "claim", "register", "mint")

ROWS = {
    # name: (label, the tokensim row it is compared with, or None)
    "ours": ("tokensim: register + mint", None),
    "trex": ("T-REX: Identity + claim + register + mint", "ours"),
    "trex-proxy": ("T-REX: IdentityProxy + claim + register + mint", "ours"),
    "ours-batch": ("tokensim: batched register + mint", None),
    "trex-proxy-batch": ("T-REX: IdentityProxy + claim + batched register + mint", "ours-batch"),
}


@dataclass
class Setup:
    """A token deployed on a fresh chain, ready to onboard ``wallets``."""

    chain: Any
    wallets: list[str]
    onboard: Callable[[], None]
    verified: Callable[[str], bool]
    balance: Callable[[str], int]
    registries: set[str]
    token: str
    receipts: list[Any] = field(default_factory=list)


def jurisdiction(i: int) -> str:
    return ALLOWED[i % len(ALLOWED)]


def chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


# ----------------------------------------------------------------------------- the rows


def setup_ours(n: int, batched: bool) -> Setup:
    from sim.chain import Chain
    from sim.contracts import Identity, deploy_security_token
    from sim.contracts.identity import deploy_identity_registry

    chain = Chain("revm")
    admin = chain.deployer
    registry = deploy_identity_registry(chain, admin=admin)
    token = deploy_security_token(chain, registry=registry, admin=admin, symbol="OUR", modules=[
        {"kind": "jurisdiction", "allow": list(ALLOWED)},
        {"kind": "max_balance", "max_balance": MAX_BALANCE},
    ])
    wallets = [chain.new_account() for _ in range(n)]

    def identity(i: int) -> Any:
        return Identity(investor_id=f"onboarding-{i}", investor_type="accredited", jurisdiction=jurisdiction(i))

    def onboard() -> None:
        if batched:
            for batch in chunks(list(range(n)), BATCH):
                registry.register_many([wallets[i] for i in batch], [identity(i) for i in batch], sender=admin)
            for wallet in wallets:
                token.mint(wallet, MINTED, sender=admin)
            return
        for i, wallet in enumerate(wallets):
            registry.register(wallet, identity(i), sender=admin)
            token.mint(wallet, MINTED, sender=admin)

    return Setup(chain, wallets, onboard, lambda w: bool(registry.isVerified(w)), lambda w: int(token.balanceOf(w)),
                 {registry.address}, token.address)


def setup_trex(n: int, proxy: bool, batched: bool) -> Setup:
    from sim.chain import Chain, register_artifact
    from sim.chain.artifacts import Artifact
    from sim.contracts.trex import _artifact, country_code, deploy_trex_token

    chain = Chain("revm")
    admin = chain.deployer
    trex = deploy_trex_token(chain, admin=admin, symbol="TRX", allow_countries=ALLOWED, max_balance=MAX_BALANCE)
    wallets = [chain.new_account() for _ in range(n)]
    if proxy:
        oid = trex.root / "@onchain-id" / "solidity" / "artifacts" / "contracts" / "proxy"
        artifacts = {}
        for name in ("ImplementationAuthority", "IdentityProxy"):
            artifacts[name] = Artifact.from_file(oid / f"{name}.sol" / f"{name}.json")
            register_artifact(artifacts[name])
        identity_artifact = _artifact(trex.root, "Identity")
        library = chain.deploy(identity_artifact, admin, True, sender=admin)
        authority = chain.deploy(artifacts["ImplementationAuthority"], library.address, sender=admin)

    def identity_of(wallet: str) -> Any:
        """Deploy the investor's ONCHAINID (a proxy) and add its signed KYC claim."""
        deployed = chain.deploy(artifacts["IdentityProxy"], authority.address, wallet, sender=wallet)
        identity = chain.at(deployed.address, identity_artifact)
        trex._add_claim(wallet, identity)  # the same signed claim TrexToken.register adds
        trex.identities[wallet] = identity
        return identity

    def onboard() -> None:
        if not proxy:
            for i, wallet in enumerate(wallets):
                trex.register(wallet, jurisdiction(i))
                trex.mint(wallet, MINTED)
            return
        if not batched:
            for i, wallet in enumerate(wallets):
                identity = identity_of(wallet)
                trex.identity_registry.registerIdentity(wallet, identity.address, country_code(jurisdiction(i)),
                                                        sender=trex.agent)
                trex.mint(wallet, MINTED)
            return
        identities = [identity_of(wallet).address for wallet in wallets]
        for batch in chunks(list(range(n)), BATCH):
            trex.identity_registry.batchRegisterIdentity(
                [wallets[i] for i in batch], [identities[i] for i in batch],
                [country_code(jurisdiction(i)) for i in batch], sender=trex.agent)
        for wallet in wallets:
            trex.mint(wallet, MINTED)

    return Setup(chain, wallets, onboard, trex.is_verified, trex.balanceOf,
                 {trex.identity_registry.address, trex.storage.address}, trex.address)


SETUPS: dict[str, Callable[[int], Setup]] = {
    "ours": lambda n: setup_ours(n, batched=False),
    "ours-batch": lambda n: setup_ours(n, batched=True),
    "trex": lambda n: setup_trex(n, proxy=False, batched=False),
    "trex-proxy": lambda n: setup_trex(n, proxy=True, batched=False),
    "trex-proxy-batch": lambda n: setup_trex(n, proxy=True, batched=True),
}


# ------------------------------------------------------------------------------ harness


def phase(setup: Setup, raw: Any) -> str:
    """What an onboarding transaction did, from its receipt: created a contract (an
    identity), emitted from the token (the mint), from an identity registry or its storage
    (a registration), or else from the investor's identity (the claim)."""
    from sim.chain.abi import checksum

    if raw.contract_address:
        return "deploy"
    emitters = {checksum("0x" + log.address.hex()) for log in raw.logs}
    if setup.token in emitters:
        return "mint"
    if emitters & setup.registries:
        return "register"
    if emitters:
        return "claim"
    raise AssertionError(f"an onboarding transaction with no logs: {raw!r}")


def run_row(row: str, n: int) -> dict[str, Any]:
    """One round of ``row``: set up (untimed), onboard N investors (timed), check, count."""
    setup = SETUPS[row](n)
    setup.chain.on_receipt(setup.receipts.append)
    start = time.perf_counter()
    setup.onboard()
    seconds = time.perf_counter() - start
    unverified = [w for w in setup.wallets if not setup.verified(w)]
    wrong = [w for w in setup.wallets if setup.balance(w) != MINTED]
    if unverified or wrong:
        raise SystemExit(f"{row}: {len(unverified)} investors not verified, {len(wrong)} without their {MINTED} units")
    gas = dict.fromkeys(PHASES, 0)
    txs = dict.fromkeys(PHASES, 0)
    code = 0
    for raw in setup.receipts:
        what = phase(setup, raw)
        gas[what] += raw.gas_used
        txs[what] += 1
        if what == "deploy":
            code += len(setup.chain.backend.code(raw.contract_address))
    return {"seconds": seconds, "gas": gas, "txs": txs, "code_bytes": code, "verified": n - len(unverified)}


def per_investor(result: dict[str, Any], n: int) -> dict[str, Any]:
    gas = {k: v / n for k, v in result["gas"].items()}
    return {
        "gas": sum(gas.values()), "gas_by_phase": gas,
        "txs": sum(result["txs"].values()) / n, "txs_by_phase": {k: v / n for k, v in result["txs"].items()},
        "code_bytes": result["code_bytes"] / n, "us": result["seconds"] / n * 1e6,
        "verified": result["verified"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--investors", type=int, default=200, help="investors onboarded per row (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; each row's fastest is kept (default 3)")
    parser.add_argument("--rows", default=",".join(ROWS), help=f"which rows (default: all: {','.join(ROWS)})")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    rows = args.rows.split(",")
    unknown = [r for r in rows if r not in ROWS]
    if unknown:
        parser.error(f"unknown rows {unknown}; known: {', '.join(ROWS)}")
    if args.investors < 1 or args.rounds < 1:
        parser.error("--investors and --rounds must be at least 1")
    n = args.investors

    best: dict[str, dict[str, Any]] = {}
    for r in range(args.rounds):
        order = rows[r % len(rows):] + rows[: r % len(rows)]
        for row in order:
            result = run_row(row, n)
            print(f"  round {r + 1}: {row:<17} {result['seconds']:7.3f} s  gas {sum(result['gas'].values()):>12,}"
                  f"  verified {result['verified']}/{n}", flush=True)
            kept = best.setdefault(row, dict(result))
            if (kept["gas"], kept["txs"], kept["code_bytes"]) != (result["gas"], result["txs"], result["code_bytes"]):
                raise SystemExit(f"{row}: gas, transactions or code differ between rounds")
            kept["seconds"] = min(kept["seconds"], result["seconds"])

    figures = {row: per_investor(best[row], n) for row in rows}
    print(f"\nOnboarding {n:,} investors on revm (allow-list {'/'.join(ALLOWED)}, max balance {MAX_BALANCE:,},"
          f" mint {MINTED:,}); per investor, wall time best of {args.rounds} rounds")
    head = f"{'row':<18}{'gas':>11}{'deploy':>11}{'claim':>9}{'register':>10}{'mint':>9}{'txs':>6}{'code B':>8}{'us':>9}"
    print(head)
    for row in rows:
        f = figures[row]
        g = f["gas_by_phase"]
        print(f"{row:<18}{f['gas']:>11,.0f}{g['deploy']:>11,.0f}{g['claim']:>9,.0f}{g['register']:>10,.0f}"
              f"{g['mint']:>9,.0f}{f['txs']:>6.2f}{f['code_bytes']:>8,.0f}{f['us']:>9,.0f}")
    ratios = {}
    print("\nT-REX / ours, per investor:")
    for row in rows:
        base = ROWS[row][1]
        if base is None or base not in figures:
            continue
        f, b = figures[row], figures[base]
        ratios[row] = {"against": base, "gas": f["gas"] / b["gas"], "txs": f["txs"] / b["txs"],
                       "code_bytes": None if not b["code_bytes"] else f["code_bytes"] / b["code_bytes"],
                       "time": f["us"] / b["us"]}
        x = ratios[row]
        code = f"{x['code_bytes']:.2f}x" if x["code_bytes"] is not None else f"{f['code_bytes']:,.0f} B vs 0"
        print(f"  {row:<17} vs {base:<11} gas {x['gas']:5.2f}x  txs {x['txs']:4.2f}x  code {code}"
              f"  time {x['time']:5.2f}x")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "machine": platform.platform(), "python": platform.python_version(), "investors": n,
            "rounds": args.rounds, "rows": {row: {"label": ROWS[row][0], **figures[row]} for row in rows},
            "ratios": ratios}, indent=2))


if __name__ == "__main__":
    main()
