"""ERC-3643 (T-REX) tokens on tokensim's chain: an independent implementation of the same
transfer rules, to test an issuer's own T-REX token and to check ours against.

T-REX 4.1.6 (Tokeny) and ONCHAINID 2.2.1 are not part of tokensim: T-REX is GPL-3.0 and
tokensim is MIT, so their compiled artifacts are never copied into ``sim/artifacts``. They
are the npm packages pinned in ``tools/trex/package.json``, installed by ``make trex`` (and
by ``make test``) into ``tools/trex/node_modules``, and loaded from there at run time, or
from the folder ``TOKENSIM_TREX_PATH`` names (a ``node_modules`` holding the same versions).

What ``deploy_trex_token`` builds is T-REX's suite deployed by direct ``init()`` (no
proxies, no factory): a claim-topics registry asking for one KYC claim (topic 1), a
trusted-issuers registry with one ONCHAINID ``ClaimIssuer`` whose key tokensim holds, the
identity registry and its storage, a ``ModularCompliance`` with the modules asked for
(``CountryAllowModule``, ``MaxBalanceModule``, ``SupplyLimitModule``), and the ``Token``,
unpaused, its agent set. ``TrexToken.register`` gives a wallet an ONCHAINID ``Identity``
holding a KYC claim the claim issuer signed (EIP-191 over the identity, topic and data, as
ONCHAINID checks it), registered with its country as ISO 3166-1 numeric.

T-REX reverts with reason strings ("Transfer not possible", "wallet is frozen"), not
codes: ``TrexToken.restriction`` derives the ERC-1404 code tokensim uses from T-REX's own
read functions, in the order its ``transfer`` checks them (pause; frozen wallets, sender
first; the free balance; the recipient's verification; each module's ``moduleCheck``).
Where the two tokens differ (T-REX counts balance limits per identity, has no lock-ups,
forces transfers past compliance) docs/testing-tokens.md lists it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
from eth_abi import encode
from eth_utils import keccak

from sim.chain import Chain, register_artifact
from sim.chain.abi import address_str
from sim.chain.artifacts import Artifact
from sim.chain.restrictions import Restriction
from sim.errors import ConfigError, ContractRevert

TREX_VERSION = "4.1.6"
"""The T-REX release tokensim drives (npm ``@tokenysolutions/t-rex``)."""

ONCHAINID_VERSION = "2.2.1"
"""The ONCHAINID release its identities come from (npm ``@onchain-id/solidity``)."""

KYC_TOPIC = 1
"""The claim topic every holder's identity must carry (T-REX's convention: 1 = KYC)."""

INSTALL = ("run `make trex` (npm ci in tools/trex: the pinned @tokenysolutions/t-rex@4.1.6 and "
           "@onchain-id/solidity@2.2.1), or set TOKENSIM_TREX_PATH to a node_modules folder holding them")

_TREX = "@tokenysolutions/t-rex/artifacts/contracts/"
_OID = "@tokenysolutions/t-rex/artifacts/@onchain-id/solidity/contracts/"  # bundled with T-REX
ARTIFACTS = {
    "Token": _TREX + "token/Token.sol/Token.json",
    "IdentityRegistry": _TREX + "registry/implementation/IdentityRegistry.sol/IdentityRegistry.json",
    "IdentityRegistryStorage": _TREX + "registry/implementation/IdentityRegistryStorage.sol/IdentityRegistryStorage.json",
    "ClaimTopicsRegistry": _TREX + "registry/implementation/ClaimTopicsRegistry.sol/ClaimTopicsRegistry.json",
    "TrustedIssuersRegistry": _TREX + "registry/implementation/TrustedIssuersRegistry.sol/TrustedIssuersRegistry.json",
    "ModularCompliance": _TREX + "compliance/modular/ModularCompliance.sol/ModularCompliance.json",
    "CountryAllowModule": _TREX + "compliance/modular/modules/CountryAllowModule.sol/CountryAllowModule.json",
    "CountryRestrictModule": _TREX + "compliance/modular/modules/CountryRestrictModule.sol/CountryRestrictModule.json",
    "MaxBalanceModule": _TREX + "compliance/modular/modules/MaxBalanceModule.sol/MaxBalanceModule.json",
    "SupplyLimitModule": _TREX + "compliance/modular/modules/SupplyLimitModule.sol/SupplyLimitModule.json",
    "Identity": _OID + "Identity.sol/Identity.json",
    "ClaimIssuer": _OID + "ClaimIssuer.sol/ClaimIssuer.json",
}
"""Where each contract's compiled artifact lies in the npm packages."""

MODULE_CODES = {
    "CountryAllowModule": Restriction.JURISDICTION,
    "CountryRestrictModule": Restriction.JURISDICTION,
    "MaxBalanceModule": Restriction.MAX_BALANCE,
    "SupplyLimitModule": Restriction.SUPPLY_LIMIT,
}
"""The restriction code a failing module's check stands for."""


class TrexNotInstalled(ConfigError):
    """T-REX's artifacts are not where tokensim looks (the message says what to run)."""


class ForcedTransferRefused(ContractRevert):
    """A forced transfer the token's compliance refuses, stopped before it was sent: T-REX's
    own ``forcedTransfer`` consults no module, so the handle runs them first unless told not
    to (``run_compliance=False``). ``code`` is the ERC-1404 restriction code."""

    def __init__(self, code: Restriction, holder: str, to: str, amount: int) -> None:
        super().__init__(f"forced transfer of {amount} from {holder} to {to} refused by compliance: "
                         f"{code.name} ({code.message})")
        self.code, self.holder, self.to, self.amount = code, holder, to, amount


def trex_root(path: str | Path | None = None) -> Path:
    """The ``node_modules`` folder to load T-REX from: ``path``, else ``TOKENSIM_TREX_PATH``,
    else ``tools/trex/node_modules`` of this checkout. Refused (``TrexNotInstalled``) when
    T-REX is missing there or is another version."""
    given = path or os.environ.get("TOKENSIM_TREX_PATH")
    root = Path(given) if given else Path(__file__).resolve().parents[2] / "tools" / "trex" / "node_modules"
    package = root / "@tokenysolutions" / "t-rex" / "package.json"
    if not package.is_file():
        raise TrexNotInstalled(f"T-REX is not installed at {root}: {INSTALL}")
    version = json.loads(package.read_text()).get("version")
    if version != TREX_VERSION:
        raise TrexNotInstalled(f"{package} is T-REX {version}, tokensim drives {TREX_VERSION}: {INSTALL}")
    return root


@cache
def _artifact(root: Path, name: str) -> Artifact:
    artifact = Artifact.from_file(root / ARTIFACTS[name])
    register_artifact(artifact)  # its events and errors decode by name in receipts
    return artifact


def country_code(iso: str) -> int:
    """ISO 3166-1 numeric code of an alpha-2 code (T-REX records countries as numbers)."""
    country = pycountry.countries.get(alpha_2=iso.upper()) if isinstance(iso, str) and len(iso) == 2 else None
    if country is None:
        raise ConfigError(f"jurisdiction(={iso!r}) is not an ISO 3166-1 alpha-2 code")
    return int(country.numeric)


@dataclass
class TrexToken:
    """A deployed T-REX token and the suite around it, with the verbs tokensim's own token
    handle has (``register``, ``mint``, ``freeze``, ``restriction``...)."""

    chain: Chain
    root: Path
    admin: str
    agent: str
    token: Any
    identity_registry: Any
    storage: Any
    compliance: Any
    claim_issuer: Any
    claim_key: str
    modules: dict[str, Any] = field(default_factory=dict)
    identities: dict[str, Any] = field(default_factory=dict)
    managers: dict[str, str] = field(default_factory=dict)
    """The management key of each wallet's identity (the wallet itself unless given)."""

    @property
    def address(self) -> str:
        return self.token.address

    # ------------------------------------------------------------- identities

    def register(self, wallet: str, jurisdiction: str = "US", *, verified: bool = True,
                 manager: str | None = None) -> Any:
        """Give ``wallet`` an ONCHAINID identity managed by ``manager``'s key (default: the
        wallet's own; a contract wallet, or an investor keeping a recovery key apart, gives
        another), with a signed KYC claim when ``verified``, and register it with its country."""
        manager = address_str(manager) if manager is not None else address_str(wallet)
        identity = self.chain.deploy(_artifact(self.root, "Identity"), manager, False, sender=manager)
        if verified:
            self._add_claim(manager, identity)
        self.identity_registry.registerIdentity(wallet, identity.address, country_code(jurisdiction),
                                                sender=self.agent)
        self.identities[address_str(wallet)] = identity
        self.managers[address_str(wallet)] = manager
        return identity

    def _add_claim(self, manager: str, identity: Any) -> None:
        data = b"KYC verified by tokensim"
        digest = keccak(encode(["address", "uint256", "bytes"], [identity.address, KYC_TOPIC, data]))
        signature = self.chain.sign(self.claim_key, keccak(b"\x19Ethereum Signed Message:\n32" + digest))
        identity.addClaim(KYC_TOPIC, 1, self.claim_issuer.address, signature, data, "", sender=manager)

    def revoke_kyc(self, wallet: str) -> None:
        """The claim issuer revokes ``wallet``'s KYC claim: it is no longer verified."""
        wallet = address_str(wallet)
        identity = self.identities[wallet]
        claim_id = keccak(encode(["address", "uint256"], [self.claim_issuer.address, KYC_TOPIC]))
        identity.removeClaim(claim_id, sender=self.managers[wallet])

    def restore_kyc(self, wallet: str) -> None:
        wallet = address_str(wallet)
        self._add_claim(self.managers[wallet], self.identities[wallet])

    def set_jurisdiction(self, wallet: str, jurisdiction: str) -> None:
        self.identity_registry.updateCountry(wallet, country_code(jurisdiction), sender=self.agent)

    def is_verified(self, wallet: str) -> bool:
        return bool(self.identity_registry.isVerified(wallet))

    # ------------------------------------------------------------------ reads

    def balanceOf(self, wallet: str) -> int:
        return int(self.token.balanceOf(wallet))

    def totalSupply(self) -> int:
        return int(self.token.totalSupply())

    def restriction(self, sender: str | None, to: str, amount: int) -> Restriction:
        """The ERC-1404 code of ``sender`` moving ``amount`` to ``to`` (``sender`` None: the
        agent minting it), derived from T-REX's read functions in its own order."""
        token = self.token
        if sender is not None:
            if token.paused():
                return Restriction.PAUSED
            if token.isFrozen(sender):
                return Restriction.SENDER_FROZEN
            if token.isFrozen(to):
                return Restriction.RECIPIENT_FROZEN
            balance = int(token.balanceOf(sender))
            if amount > balance:
                return Restriction.INSUFFICIENT_BALANCE
            if amount > balance - int(token.getFrozenTokens(sender)):
                return Restriction.FROZEN_TOKENS
        return self.compliance_restriction(sender, to, amount)

    # ----------------------------------------------------------------- writes

    def mint(self, to: str, amount: int) -> Any:
        return self.token.mint(to, amount, sender=self.agent)

    def burn(self, holder: str, amount: int) -> Any:
        return self.token.burn(holder, amount, sender=self.agent)

    def transfer(self, to: str, amount: int, *, sender: str) -> Any:
        return self.token.transfer(to, amount, sender=sender)

    def pause(self) -> Any:
        return self.token.pause(sender=self.agent)

    def unpause(self) -> Any:
        return self.token.unpause(sender=self.agent)

    def freeze(self, wallet: str, frozen: bool = True) -> Any:
        return self.token.setAddressFrozen(wallet, frozen, sender=self.agent)

    def freeze_partial(self, wallet: str, amount: int) -> Any:
        return self.token.freezePartialTokens(wallet, amount, sender=self.agent)

    def unfreeze_partial(self, wallet: str, amount: int) -> Any:
        return self.token.unfreezePartialTokens(wallet, amount, sender=self.agent)

    def compliance_restriction(self, holder: str | None, to: str, amount: int) -> Restriction:
        """The recipient's verification and each module's check, alone (what a forced
        transfer must still pass, as tokensim's own token requires)."""
        if not self.identity_registry.isVerified(to):
            return Restriction.RECIPIENT_NOT_VERIFIED
        source = holder or "0x0000000000000000000000000000000000000000"
        for name, module in self.modules.items():
            if not module.moduleCheck(source, to, amount, self.compliance.address):
                return MODULE_CODES[name]
        return Restriction.SUCCESS

    def forced_transfer(self, holder: str, to: str, amount: int, *, run_compliance: bool = True) -> Any:
        """The agent moves ``holder``'s tokens to a verified ``to`` (frozen ones unfrozen
        first, as T-REX does). T-REX's own ``forcedTransfer`` consults no module; with
        ``run_compliance`` (the default, as on tokensim's token) the handle checks them first
        and refuses with ``ForcedTransferRefused``, sending nothing; ``run_compliance=False``
        is T-REX's behaviour, an explicit override."""
        if run_compliance:
            code = self.compliance_restriction(holder, to, amount)
            if code != Restriction.SUCCESS:
                raise ForcedTransferRefused(code, holder, to, amount)
        return self.token.forcedTransfer(holder, to, amount, sender=self.agent)

    def recover(self, lost: str, new: str) -> Any:
        """Recover a lost wallet's tokens to ``new`` through the holder's identity: its owner
        adds ``new`` as a management key of the same ONCHAINID (the identity's keys, not the
        agent, prove it is the same investor), then the agent calls T-REX's
        ``recoveryAddress``, which moves the tokens and their freezes and re-registers the
        identity under the new wallet."""
        lost, new = address_str(lost), address_str(new)
        identity = self.identities[lost]
        identity.addKey(keccak(encode(["address"], [new])), 1, 1, sender=self.managers[lost])
        receipt = self.token.recoveryAddress(lost, new, identity.address, sender=self.agent)
        self.identities[new] = self.identities.pop(lost)
        self.managers[new] = self.managers.pop(lost)
        return receipt


def deploy_trex_token(
    chain: Chain,
    *,
    admin: Any,
    agent: Any = None,
    name: str = "T-REX Share",
    symbol: str = "TRX",
    decimals: int = 0,
    allow_countries: Sequence[str] | None = None,
    block_countries: Sequence[str] | None = None,
    max_balance: int | None = None,
    supply_limit: int | None = None,
    root: str | Path | None = None,
) -> TrexToken:
    """Deploy T-REX's suite and token on ``chain`` with the modules asked for.

    Args:
        admin: owns every contract of the suite.
        agent: the token's and identity registry's agent (mint, burn, freeze, force,
            register identities); defaults to ``admin``.
        allow_countries: recipients' jurisdictions allowed (ISO alpha-2), by
            ``CountryAllowModule``; None: no allow-list.
        block_countries: recipients' jurisdictions refused, by ``CountryRestrictModule``;
            None: no block-list.
        max_balance: most units one identity may hold (``MaxBalanceModule``).
        supply_limit: most units in issue (``SupplyLimitModule``).
        root: the node_modules to load T-REX from (see ``trex_root``).
    """
    folder = trex_root(root)
    agent = agent if agent is not None else admin

    def deploy(contract: str, *args: Any, sender: Any = admin) -> Any:
        return chain.deploy(_artifact(folder, contract), *args, sender=sender)

    topics = deploy("ClaimTopicsRegistry")
    topics.init(sender=admin)
    topics.addClaimTopic(KYC_TOPIC, sender=admin)
    issuers = deploy("TrustedIssuersRegistry")
    issuers.init(sender=admin)
    claim_key = chain.new_account()
    claim_issuer = deploy("ClaimIssuer", claim_key, sender=claim_key)
    issuers.addTrustedIssuer(claim_issuer.address, [KYC_TOPIC], sender=admin)
    storage = deploy("IdentityRegistryStorage")
    storage.init(sender=admin)
    registry = deploy("IdentityRegistry")
    registry.init(issuers.address, topics.address, storage.address, sender=admin)
    storage.bindIdentityRegistry(registry.address, sender=admin)
    compliance = deploy("ModularCompliance")
    compliance.init(sender=admin)
    token_identity = deploy("Identity", admin, False)
    token = deploy("Token")
    token.init(registry.address, compliance.address, name, symbol, decimals, token_identity.address, sender=admin)
    token.addAgent(agent, sender=admin)
    registry.addAgent(agent, sender=admin)
    registry.addAgent(token.address, sender=admin)  # recovery re-registers the identity (T-REX's own set-up)
    suite = TrexToken(chain, folder, address_str(admin), address_str(agent), token, registry, storage, compliance,
                      claim_issuer, claim_key)
    settings: list[tuple[str, str, list[str], list[Any]]] = []
    if allow_countries is not None:
        settings.append(("CountryAllowModule", "batchAllowCountries(uint16[])", ["uint16[]"],
                         [[country_code(c) for c in allow_countries]]))
    if block_countries is not None:
        settings.append(("CountryRestrictModule", "batchRestrictCountries(uint16[])", ["uint16[]"],
                         [[country_code(c) for c in block_countries]]))
    if max_balance is not None:
        settings.append(("MaxBalanceModule", "setMaxBalance(uint256)", ["uint256"], [max_balance]))
    if supply_limit is not None:
        settings.append(("SupplyLimitModule", "setSupplyLimit(uint256)", ["uint256"], [supply_limit]))
    for contract, signature, types, values in settings:
        module = deploy(contract)
        module.initialize(sender=admin)
        compliance.addModule(module.address, sender=admin)
        call = keccak(text=signature)[:4] + encode(types, values)
        compliance.callModuleFunction(call, module.address, sender=admin)
        suite.modules[contract] = module
    token.unpause(sender=agent)
    return suite


__all__ = ["KYC_TOPIC", "TREX_VERSION", "ForcedTransferRefused", "TrexNotInstalled", "TrexToken", "country_code", "deploy_trex_token",
           "trex_root"]
