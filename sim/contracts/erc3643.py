"""An ERC-3643 (T-REX) token behind the lifecycle's token interface.

The lifecycle's actors use one token interface (``sim.contracts.token.LifecycleToken``):
balances, mints and burns, pause, forced transfers, recovery, restriction codes, holds
for delivery versus payment. tokensim's ``SecurityToken`` is that interface by its own
ABI; ``Erc3643Token`` here puts a T-REX 4.1.6 token behind the same names, so a scenario
with ``security: {standard: erc3643}`` runs the same actors on T-REX:

- restriction codes come from ``ERC3643HoldAdapter`` (an MIT contract of tokensim's, in
  ``contracts/settlement``), which reads T-REX's own state in T-REX's order (pause,
  frozen wallets, balance not frozen or held, the recipient's verification, each
  module's ``moduleCheck``) and answers with tokensim's codes and errors;
- settlement: T-REX has no holds, so the adapter, a T-REX agent, is the security leg the
  DvP contract instructs (``settlement``): a holder's affirmation freezes the tokens,
  settlement runs the checks above and moves them, a release unfreezes them
  (docs/architecture.md says why this and not T-REX's DVD manager);
- tokens on hold never move but by their hold: the agent's burns, forced transfers and
  recoveries that need them are refused first (``TokensOnHold``, ``TokenRecoveryWithHolds``),
  as on tokensim's token (T-REX would unfreeze and take them, and its one frozen amount per
  wallet would no longer cover the holds);
- writes T-REX refuses with a reason string ("Compliance not followed") are checked
  first by the adapter's views and refused with tokensim's typed error before anything
  is sent, so a refusal carries the same code on both tokens;
- identities: each investor gets an ONCHAINID identity, managed by a key of the
  investor's kept apart from its wallet (the key recovery uses), with a KYC claim the
  claim issuer signed, registered with its ISO 3166-1 numeric country.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sim.chain import Chain, Contract
from sim.chain.abi import address_str
from sim.chain.restrictions import Restriction
from sim.chain.reverts import decode_revert, solidity
from sim.contracts.compliance import Jurisdictions, MaxBalance, ModuleSpec, SupplyLimit
from sim.contracts.identity import Identity
from sim.contracts.trex import TREX_VERSION, TrexToken, deploy_trex_token
from sim.errors import ConfigError

HOLD_OPERATOR_ROLE_NAME = "HOLD_OPERATOR_ROLE"

_MODULE_NAMES = {
    "CountryAllowModule": "jurisdiction",
    "CountryRestrictModule": "jurisdiction",
    "MaxBalanceModule": "max-balance",
    "SupplyLimitModule": "supply-limit",
}


class Erc3643Registry:
    """The identity registry as the lifecycle uses it (``register``, ``register_many``,
    ``isVerified``), on T-REX: ONCHAINID identities with signed KYC claims."""

    def __init__(self, suite: TrexToken) -> None:
        self.suite = suite
        self.address = suite.identity_registry.address

    def register(self, wallet: Any, identity: Identity, *, sender: Any = None, manager: Any = None) -> None:
        """Register ``wallet`` for ``identity``: a verified identity gets the KYC claim, an
        unverified one none (T-REX then refuses it as a recipient). ``manager`` is the key
        managing the ONCHAINID (a fresh key of the investor's when None)."""
        key = manager if manager is not None else self.suite.chain.new_account()
        self.suite.register(address_str(wallet), identity.jurisdiction, verified=identity.verified, manager=key)

    def register_many(self, wallets: Sequence[Any], identities: Sequence[Identity], *, sender: Any = None) -> None:
        for wallet, identity in zip(wallets, identities, strict=True):
            self.register(wallet, identity)

    def isVerified(self, wallet: Any) -> bool:
        return bool(self.suite.identity_registry.isVerified(wallet))


class Erc3643Token:
    """A T-REX token with the lifecycle's token interface (see the module's docstring).

    Attributes:
        suite: the T-REX suite (``TrexToken``: token, registries, compliance, modules).
        adapter: the ``ERC3643HoldAdapter`` (restriction codes, holds).
        settlement: what the DvP contract instructs for the security leg (the adapter).
    """

    standard = "erc3643"

    def __init__(self, suite: TrexToken, adapter: Contract) -> None:
        self.suite, self.adapter = suite, adapter
        self.token = suite.token
        self.chain = suite.chain
        self.address = suite.token.address

    @property
    def settlement(self) -> Contract:
        return self.adapter

    def __repr__(self) -> str:
        return f"<Erc3643Token T-REX {TREX_VERSION} at {self.address}>"

    # ------------------------------------------------------------------ reads

    def symbol(self) -> str:
        return self.token.symbol()

    def name(self) -> str:
        return self.token.name()

    def decimals(self) -> int:
        return int(self.token.decimals())

    def balanceOf(self, wallet: Any) -> int:
        return int(self.token.balanceOf(wallet))

    def totalSupply(self) -> int:
        return int(self.token.totalSupply())

    def paused(self) -> bool:
        return bool(self.token.paused())

    def isFrozen(self, wallet: Any) -> bool:
        return bool(self.token.isFrozen(wallet))

    def frozenTokens(self, wallet: Any) -> int:
        """The agent's own freeze (T-REX's frozen amount less the adapter's holds)."""
        return int(self.adapter.frozenTokens(wallet))

    def heldBalanceOf(self, wallet: Any) -> int:
        return int(self.adapter.heldBalanceOf(wallet))

    def availableBalanceOf(self, wallet: Any) -> int:
        return int(self.adapter.availableBalanceOf(wallet))

    def transferRestriction(self, sender: Any, to: Any, amount: int) -> tuple[int, bytes]:
        return self.adapter.transferRestriction(sender, to, amount)

    def senderRestriction(self, sender: Any, amount: int) -> tuple[int, bytes]:
        return self.adapter.senderRestriction(sender, amount)

    def recipientRestriction(self, to: Any) -> tuple[int, bytes]:
        return self.adapter.recipientRestriction(to)

    def detectTransferRestriction(self, sender: Any, to: Any, amount: int) -> int:
        code, _ = self.transferRestriction(sender, to, amount)
        return int(code)

    def restriction(self, sender: Any, to: Any, amount: int) -> Restriction:
        return Restriction(self.detectTransferRestriction(sender, to, amount))

    def modules(self) -> dict[str, Any]:
        """The installed T-REX modules by tokensim's kind names (``jurisdiction``...)."""
        return {_MODULE_NAMES[name]: module for name, module in self.suite.modules.items()}

    # ----------------------------------------------------------------- writes

    def _refuse(self, code: int, reason: bytes) -> None:
        if code != Restriction.SUCCESS:
            raise decode_revert(reason)

    def mint(self, to: Any, amount: int, *, sender: Any) -> Any:
        """T-REX's ``mint`` after the adapter's check (verification, modules)."""
        self._refuse(*self.adapter.transferRestriction(_ZERO, to, amount))
        return self.token.mint(to, amount, sender=sender)

    def _refuse_held(self, takes: Sequence[tuple[Any, int]]) -> None:
        """Refuse (``TokensOnHold``) an agent's burn or forced transfer that needs tokens on
        hold, as tokensim's token does. T-REX would unfreeze them and take them: the pending
        settlement could no longer deliver them, and the adapter, releasing the hold later,
        would unfreeze in their place whatever the agent froze since (T-REX keeps one frozen
        amount per wallet). ``takes``: (holder, amount) pairs, a holder's amounts summed."""
        wanted: dict[str, int] = {}
        for holder, amount in takes:
            wanted[address_str(holder)] = wanted.get(address_str(holder), 0) + int(amount)
        for holder, amount in wanted.items():
            held = self.heldBalanceOf(holder)
            if held == 0:
                continue
            balance = self.balanceOf(holder)
            available = balance - held if balance > held else 0
            if amount > available and amount <= balance:
                raise solidity.TokensOnHold(holder, available, amount)

    def burn(self, holder: Any, amount: int, *, sender: Any) -> Any:
        """T-REX's ``burn``; refused (``TokensOnHold``) when it needs tokens on hold."""
        self._refuse_held([(holder, amount)])
        return self.token.burn(holder, amount, sender=sender)

    def batchBurn(self, holders: Sequence[Any], amounts: Sequence[int], *, sender: Any) -> Any:
        self._refuse_held(list(zip(holders, amounts, strict=True)))
        return self.token.batchBurn(list(holders), list(amounts), sender=sender)

    def transfer(self, to: Any, amount: int, *, sender: Any) -> Any:
        self._refuse(*self.adapter.transferRestriction(sender, to, amount))
        return self.token.transfer(to, amount, sender=sender)

    def approve(self, spender: Any, amount: int, *, sender: Any) -> Any:
        return self.token.approve(spender, amount, sender=sender)

    def pause(self, *, sender: Any) -> Any:
        return self.token.pause(sender=sender)

    def unpause(self, *, sender: Any) -> Any:
        return self.token.unpause(sender=sender)

    def forcedTransfer(self, holder: Any, to: Any, amount: int, override: bool = False, *, sender: Any) -> Any:
        """The agent moves ``holder``'s tokens. T-REX's own ``forcedTransfer`` consults no
        module; without ``override`` the adapter's compliance check runs first, as on
        tokensim's token, and a refusal sends nothing. With or without ``override``, tokens on
        hold for a pending settlement never move (``TokensOnHold``), as on tokensim's token."""
        self._refuse_held([(holder, amount)])
        if not override:
            self._refuse(*self.adapter.complianceRestriction(holder, to, amount))
        return self.token.forcedTransfer(holder, to, amount, sender=sender)

    def recoverWallet(self, lost: Any, new: Any, *, sender: Any = None) -> Any:
        """T-REX's ``recoveryAddress`` through the investor's ONCHAINID key (``TrexToken.recover``).
        The new wallet must not be registered yet: T-REX re-registers the identity under it.
        Refused (``TokenRecoveryWithHolds``) while the lost wallet has tokens on hold, as on
        tokensim's token: T-REX would move them, frozen, away from the pending settlement."""
        self._refuse(*self.adapter.recoveryRestriction(lost))
        return self.suite.recover(address_str(lost), address_str(new))

    def grantRole(self, role: bytes, account: Any, *, sender: Any) -> Any:
        """Only the hold operator role exists here: it is granted on the adapter."""
        return self.adapter.grantRole(role, account, sender=sender)


_ZERO = "0x0000000000000000000000000000000000000000"


def trex_settings(modules: Sequence[ModuleSpec]) -> dict[str, Any]:
    """``deploy_trex_token`` arguments for tokensim's module specs (the kinds T-REX has)."""
    settings: dict[str, Any] = {}
    for spec in modules:
        if isinstance(spec, Jurisdictions):
            settings["allow_countries" if spec.allow is not None else "block_countries"] = spec.allow or spec.block
        elif isinstance(spec, MaxBalance):
            settings["max_balance"] = spec.max_balance
        elif isinstance(spec, SupplyLimit):
            settings["supply_limit"] = spec.supply_limit
        else:
            raise ConfigError(f"standard erc3643 (T-REX {TREX_VERSION}) has no compliance module for {spec.kind}")
    return settings


def deploy_erc3643_token(
    chain: Chain,
    *,
    admin: Any,
    agent: Any,
    name: str,
    symbol: str,
    decimals: int = 0,
    modules: Sequence[ModuleSpec] = (),
    root: Any = None,
) -> tuple[Erc3643Token, Erc3643Registry]:
    """Deploy T-REX with the rules asked for, and tokensim's hold adapter as its agent."""
    suite = deploy_trex_token(chain, admin=admin, agent=agent, name=name, symbol=symbol, decimals=decimals,
                              root=root, **trex_settings(modules))
    adapter = chain.deploy("ERC3643HoldAdapter", admin, suite.token.address, sender=admin)
    suite.token.addAgent(adapter.address, sender=admin)
    return Erc3643Token(suite, adapter), Erc3643Registry(suite)


__all__ = ["Erc3643Registry", "Erc3643Token", "deploy_erc3643_token", "trex_settings"]
