"""Security and cash tokens: typed handles and deployment.

``deploy_security_token`` deploys a token with its ``Compliance`` and the compliance
modules asked for, binds them, and grants the agent role::

    token = deploy_security_token(
        chain, registry=registry, admin=issuer, agent=transfer_agent,
        name="Acme Class A", symbol="ACME", modules=[Lockup.rule_144()],
    )
    token.mint(alice, 1_000, sender=transfer_agent)
    token.restriction(alice, bob, 10)      # Restriction.LOCKUP_ACTIVE
    token.explain(alice, bob, 10)          # LockupActive(holder=..., unlocked=0, ...)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from eth_hash.auto import keccak

from sim.chain.chain import Chain
from sim.chain.contract import Contract
from sim.chain.reverts import decode_revert
from sim.contracts.compliance import ModuleSpec, module_spec
from sim.chain.restrictions import Restriction
from sim.errors import ConfigError, ContractRevert

AGENT_ROLE = keccak(b"AGENT_ROLE")
MINTER_ROLE = keccak(b"MINTER_ROLE")
LIST_MANAGER_ROLE = keccak(b"LIST_MANAGER_ROLE")
DEFAULT_ADMIN_ROLE = b"\x00" * 32


@runtime_checkable
class LifecycleToken(Protocol):
    """The token interface the lifecycle's actors use, and nothing more.

    tokensim's ``SecurityToken`` handle is this interface by its own ABI (the names are its
    functions'); ``sim.contracts.erc3643.Erc3643Token`` puts an ERC-3643 (T-REX) token
    behind the same names. Restriction reads return ``(code, reason)``: the ERC-1404 code
    and the ABI-encoded error a write would revert with (empty when allowed). Writes take
    ``sender=`` (the transfer agent for agent acts) and raise the typed revert when refused.
    For delivery versus payment the DvP contract instructs ``settlement`` where the token
    has one (the hold adapter of a T-REX token), else the token itself (``IHoldable``).
    """

    address: Any

    def symbol(self) -> str: ...
    def decimals(self) -> int: ...
    def balanceOf(self, wallet: Any) -> int: ...
    def totalSupply(self) -> int: ...
    def availableBalanceOf(self, wallet: Any) -> int: ...
    def heldBalanceOf(self, wallet: Any) -> int: ...
    def frozenTokens(self, wallet: Any) -> int: ...
    def transferRestriction(self, sender: Any, to: Any, amount: int) -> tuple[int, bytes]: ...
    def senderRestriction(self, sender: Any, amount: int) -> tuple[int, bytes]: ...
    def recipientRestriction(self, to: Any) -> tuple[int, bytes]: ...
    def detectTransferRestriction(self, sender: Any, to: Any, amount: int) -> int: ...
    def modules(self) -> dict[str, Any]: ...
    def mint(self, to: Any, amount: int, *, sender: Any) -> Any: ...
    def burn(self, holder: Any, amount: int, *, sender: Any) -> Any: ...
    def batchBurn(self, holders: Sequence[Any], amounts: Sequence[int], *, sender: Any) -> Any: ...
    def pause(self, *, sender: Any) -> Any: ...
    def unpause(self, *, sender: Any) -> Any: ...
    def forcedTransfer(self, holder: Any, to: Any, amount: int, override: bool, *, sender: Any) -> Any: ...
    def recoverWallet(self, lost: Any, new: Any, *, sender: Any) -> Any: ...


class SecurityToken(Contract):
    """Handle on a ``SecurityToken`` with its compliance and modules at hand."""

    def restriction(self, sender: Any, recipient: Any, amount: int) -> Restriction:
        """``detectTransferRestriction`` as a ``Restriction`` (zero sender: a mint)."""
        return Restriction(self.detectTransferRestriction(sender, recipient, amount))

    def explain(self, sender: Any, recipient: Any, amount: int) -> ContractRevert | None:
        """The typed error the transfer would raise, without sending it (None: allowed)."""
        code, reason = self.transferRestriction(sender, recipient, amount)
        return None if code == 0 else decode_revert(reason)

    @property
    def compliance_contract(self) -> Contract:
        cached = self.__dict__.get("_compliance")
        if cached is None:
            cached = self.chain.at(self.compliance(), "Compliance")
            self.__dict__["_compliance"] = cached
        return cached

    def modules(self) -> dict[str, Contract]:
        """The installed compliance modules by name (``lockup``, ``holder-limit``...)."""
        found = {}
        for address in self.compliance_contract.modules():
            probe = self.chain.at(address, "SupplyLimitModule")  # any module ABI has moduleName
            name = probe.moduleName()
            found[name] = self.chain.at(address, _MODULE_CONTRACTS[name])
        return found

    def module(self, name: str) -> Contract:
        """The installed module called ``name``; KeyError if there is none."""
        modules = self.modules()
        if name not in modules:
            raise KeyError(f"no {name!r} module installed; installed: {', '.join(modules) or 'none'}")
        return modules[name]


_MODULE_CONTRACTS = {
    "lockup": "LockupModule",
    "holder-limit": "HolderLimitModule",
    "jurisdiction": "JurisdictionModule",
    "accredited-only": "AccreditedOnlyModule",
    "max-balance": "MaxBalanceModule",
    "supply-limit": "SupplyLimitModule",
    "investment-limit": "InvestmentLimitModule",
    "eligible-participant": "EligibleParticipantModule",
    "exemption-whitelist": "ExemptionWhitelistModule",
}


class CashToken(Contract):
    """Handle on a ``CashToken`` (the payment leg)."""




def deploy_security_token(
    chain: Chain,
    *,
    registry: Any,
    admin: Any,
    agent: Any = None,
    name: str = "Tokenized Share",
    symbol: str = "TSH",
    decimals: int = 0,
    modules: Sequence[ModuleSpec | dict[str, Any]] = (),
    module_context: dict[str, Any] | None = None,
) -> SecurityToken:
    """Deploy a security token, its compliance and modules; return the token.

    Args:
        registry: the identity registry (handle or address).
        admin: issuer account; holds ``DEFAULT_ADMIN_ROLE`` on token, compliance, modules.
        agent: transfer agent holding ``AGENT_ROLE`` (mint, burn, freeze, force, recover,
            pause); defaults to ``admin``.
        decimals: 0 for shares (the default), more for fractional units.
        modules: compliance module specs or dicts with a ``kind``; checked before anything
            is deployed.
        module_context: what modules need from the run (``exemption``: the
            ``SafeHarborRegistry`` an ``ExemptionWhitelist`` reads).
    """
    if not isinstance(decimals, int) or not 0 <= decimals <= 36:
        raise ConfigError(f"decimals(={decimals!r}) must be an integer from 0 to 36")
    if not isinstance(name, str) or not name or not isinstance(symbol, str) or not symbol:
        raise ConfigError(f"name and symbol must be non-empty text (got {name!r}, {symbol!r})")
    if isinstance(modules, ModuleSpec | dict | str):
        raise ConfigError("modules must be a list of module specs")
    specs = [module_spec(m) for m in modules]
    compliance = chain.deploy("Compliance", admin, sender=admin)
    token = chain.deploy(
        "SecurityToken", name, symbol, decimals, admin, registry, compliance, sender=admin
    )
    compliance.bindToken(token, sender=admin)
    token.grantRole(AGENT_ROLE, agent if agent is not None else admin, sender=admin)
    for spec in specs:
        module = spec.deploy(chain, compliance, admin=admin, **(module_context or {}))
        compliance.addModule(module, sender=admin)
    return token  # type: ignore[return-value]


def deploy_cash_token(
    chain: Chain,
    *,
    admin: Any,
    minter: Any = None,
    name: str = "US Dollar Token",
    symbol: str = "USDT",
    decimals: int = 6,
    allow_list: bool = False,
) -> CashToken:
    """Deploy a cash token; ``minter`` (default ``admin``) may mint, ``admin`` manages the list."""
    if not isinstance(decimals, int) or not 0 <= decimals <= 36:
        raise ConfigError(f"decimals(={decimals!r}) must be an integer from 0 to 36")
    cash = chain.deploy("CashToken", name, symbol, decimals, admin, allow_list, sender=admin)
    cash.grantRole(MINTER_ROLE, minter if minter is not None else admin, sender=admin)
    cash.grantRole(LIST_MANAGER_ROLE, admin, sender=admin)
    return cash  # type: ignore[return-value]
