"""Any ERC-7943 (uRWA) fungible token, driven through the standard's functions only.

ERC-7943 is the minimal face a regulated ERC-20 shows integrators: may this account
send (``canSend``), receive (``canReceive``), may this transfer happen (``canTransfer``),
how much of an account is frozen (``getFrozenTokens``), and the two enforcement acts,
``setFrozenTokens`` and ``forcedTransfer``. A lending pool asks a token those questions
without knowing whose token it is; so does this adapter::

    token = ERC7943Token.at(chain, address)          # refuses a contract without 0x3edbb4c4
    token.can_transfer(alice, bob, 10)               # True / False, never a revert
    token.set_frozen(alice, 30, sender=agent)        # Frozen(alice, 30)
    token.unfrozen_balance(alice)                    # balance less frozen, floored at 0
    token.forced_transfer(alice, bob, 10, sender=agent)

It works the same on our ``SecurityToken`` (which implements the interface on top of its
own, see ``contracts/token/SecurityToken.sol``) and on anyone else's token, e.g. an
OpenZeppelin ``ERC20uRWA``: reverts come back as the typed errors of the token's ABI
(``register_artifact`` a foreign token's artifact so its own errors decode by name).
"""

from __future__ import annotations

from typing import Any

from sim.chain.abi import AbiFunction
from sim.chain.artifacts import Artifact, load
from sim.chain.chain import Chain, Receipt
from sim.chain.contract import Contract
from sim.errors import ConfigError, ContractRevert

INTERFACE_ID = bytes.fromhex("3edbb4c4")
"""ERC-165 id of ``IERC7943Fungible`` (the XOR of its six function selectors)."""

ERC165_ID = bytes.fromhex("01ffc9a7")

SIGNATURES = (
    # ERC-20
    "balanceOf(address)", "totalSupply()", "transfer(address,uint256)", "approve(address,uint256)",
    "transferFrom(address,address,uint256)", "allowance(address,address)", "decimals()",
    # ERC-165
    "supportsInterface(bytes4)",
    # ERC-7943 fungible
    "canSend(address)", "canReceive(address)", "canTransfer(address,address,uint256)",
    "getFrozenTokens(address)", "setFrozenTokens(address,uint256)", "forcedTransfer(address,address,uint256)",
)
"""The functions the adapter calls: ERC-20, ERC-165 and the six of ERC-7943."""

EVENTS = ("Transfer", "Approval", "ForcedTransfer(address,address,uint256)", "Frozen(address,uint256)")


def standard_artifact() -> Artifact:
    """An ABI holding exactly the standard's functions, events and errors.

    Taken from our ``SecurityToken`` artifact, which implements the interface compiled
    from the ERC's text (``contracts/token/IERC7943.sol``); nothing of the token's own
    functions is kept, so calls through it are calls any ERC-7943 token answers.
    """
    abi = []
    for entry in load("SecurityToken").abi:
        kind = entry.get("type")
        if (
            (kind == "function" and AbiFunction(entry).signature in SIGNATURES)
            or (kind == "event" and (entry["name"] in EVENTS or _event_signature(entry) in EVENTS))
            or (kind == "error" and entry["name"].startswith(("ERC7943", "ERC20")))
        ):
            abi.append(entry)
    return Artifact(name="IERC7943Fungible", abi=tuple(abi), bytecode=b"")


def _event_signature(entry: dict[str, Any]) -> str:
    return f"{entry['name']}({','.join(i['type'] for i in entry['inputs'])})"


class ERC7943Token:
    """An ERC-7943 fungible token at an address, whoever wrote it.

    Args:
        chain: the chain it lives on.
        address: the token's address (or any contract handle).

    Attributes:
        contract: a plain ``Contract`` on the standard's ABI (``standard_artifact``).
    """

    def __init__(self, chain: Chain, address: Any) -> None:
        self.chain = chain
        self.contract = Contract(chain, getattr(address, "address", address), standard_artifact())
        self.address = self.contract.address

    @classmethod
    def at(cls, chain: Chain, address: Any) -> ERC7943Token:
        """The token at ``address``, after checking it declares ERC-7943 through ERC-165.

        Raises:
            ConfigError: the contract does not answer ``supportsInterface(0x3edbb4c4)`` with true.
        """
        token = cls(chain, address)
        if not token.supports_erc7943():
            raise ConfigError(
                f"{token.address} does not declare ERC-7943 (supportsInterface(0x{INTERFACE_ID.hex()}) is not true)"
            )
        return token

    # ------------------------------------------------------------------ reads

    def supports_erc7943(self) -> bool:
        """``supportsInterface(0x3edbb4c4)``; False for an address that does not answer it."""
        try:
            return self.contract.supportsInterface(INTERFACE_ID) is True
        except (ContractRevert, ConfigError):  # a revert, or no answer to decode (no code there)
            return False

    def balance_of(self, account: Any) -> int:
        return self.contract.balanceOf(account)

    def total_supply(self) -> int:
        return self.contract.totalSupply()

    def can_send(self, account: Any) -> bool:
        """May ``account`` send at all (allow-lists, KYC, freezes of the account)."""
        return self.contract.canSend(account)

    def can_receive(self, account: Any) -> bool:
        """May ``account`` receive at all."""
        return self.contract.canReceive(account)

    def can_transfer(self, sender: Any, recipient: Any, amount: int) -> bool:
        """Do the token's permissioned rules allow this transfer (frozen tokens included;
        the balance itself is ERC-20's check)."""
        return self.contract.canTransfer(sender, recipient, amount)

    def frozen(self, account: Any) -> int:
        """``getFrozenTokens``: the frozen amount, which may exceed the balance."""
        return self.contract.getFrozenTokens(account)

    def unfrozen_balance(self, account: Any) -> int:
        """What ``account`` may move as far as freezes go: its balance less the frozen
        amount, floored at zero (the ERC's definition of the unfrozen amount)."""
        return max(self.balance_of(account) - self.frozen(account), 0)

    # ----------------------------------------------------------------- acts

    def transfer(self, recipient: Any, amount: int, *, sender: Any) -> Receipt:
        """A holder's own ERC-20 transfer."""
        return self.contract.transfer(recipient, amount, sender=sender)

    def set_frozen(self, account: Any, amount: int, *, sender: Any) -> Receipt:
        """``setFrozenTokens``: make ``amount`` the frozen amount of ``account`` (absolute)."""
        return self.contract.setFrozenTokens(account, amount, sender=sender)

    def forced_transfer(self, sender_of_tokens: Any, recipient: Any, amount: int, *, sender: Any) -> Receipt:
        """ERC-7943's ``forcedTransfer(from, to, amount)``, sent by ``sender`` (the token's
        enforcer: its agent, owner or role holder, whatever the token calls it)."""
        return self.contract.fn("forcedTransfer(address,address,uint256)")(
            sender_of_tokens, recipient, amount, sender=sender
        )

    def __repr__(self) -> str:
        return f"<ERC7943Token {self.address}>"


__all__ = ["ERC165_ID", "INTERFACE_ID", "ERC7943Token", "standard_artifact"]
