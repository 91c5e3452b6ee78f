"""Restriction codes of the security token (ERC-1404), mirrored from Solidity.

``detectTransferRestriction(from, to, amount)`` returns one of these codes; a refused
transfer reverts with the custom error mapped to the same code here. The Solidity source
of truth is ``contracts/compliance/Restrictions.sol``; ``tests/contracts`` checks that
every code and message below matches the deployed token's
``messageForTransferRestriction``, and that every refusal's error carries the code
``detectTransferRestriction`` reported.
"""

from __future__ import annotations

from enum import IntEnum


class Restriction(IntEnum):
    """ERC-1404 restriction codes (0 = allowed)."""

    SUCCESS = 0
    PAUSED = 1
    SENDER_FROZEN = 2
    RECIPIENT_FROZEN = 3
    INVALID_RECIPIENT = 4
    INSUFFICIENT_BALANCE = 5
    FROZEN_TOKENS = 6
    RECIPIENT_NOT_VERIFIED = 7
    TOKENS_ON_HOLD = 8
    LOCKUP_ACTIVE = 10
    REG_S_US_PERSON = 11
    HOLDER_LIMIT = 12
    NON_ACCREDITED_LIMIT = 13
    JURISDICTION = 14
    NOT_ACCREDITED = 15
    MAX_BALANCE = 16
    SUPPLY_LIMIT = 17
    INVESTMENT_LIMIT = 18
    OFFERING_CAP = 19
    NOT_WHITELISTED = 20
    NOT_ELIGIBLE_PARTICIPANT = 21
    MODULE_REFUSED = 22

    @property
    def message(self) -> str:
        """The text ``messageForTransferRestriction`` returns for this code."""
        return MESSAGES[self]


MESSAGES: dict[Restriction, str] = {
    Restriction.SUCCESS: "No restriction",
    Restriction.PAUSED: "Transfers are paused",
    Restriction.SENDER_FROZEN: "Sender wallet is frozen",
    Restriction.RECIPIENT_FROZEN: "Recipient wallet is frozen",
    Restriction.INVALID_RECIPIENT: "Recipient is the zero address",
    Restriction.INSUFFICIENT_BALANCE: "Insufficient balance",
    Restriction.FROZEN_TOKENS: "Amount exceeds the unfrozen balance",
    Restriction.RECIPIENT_NOT_VERIFIED: "Recipient identity is not verified",
    Restriction.TOKENS_ON_HOLD: "Amount exceeds the balance not on hold",
    Restriction.LOCKUP_ACTIVE: "Holding period has not ended for these tokens",
    Restriction.REG_S_US_PERSON: "Reg S distribution compliance period: US person",
    Restriction.HOLDER_LIMIT: "Holder limit reached",
    Restriction.NON_ACCREDITED_LIMIT: "Non-accredited purchaser limit reached",
    Restriction.JURISDICTION: "Recipient jurisdiction not permitted",
    Restriction.NOT_ACCREDITED: "Recipient is not an accredited investor",
    Restriction.MAX_BALANCE: "Investor balance limit exceeded",
    Restriction.SUPPLY_LIMIT: "Supply limit exceeded",
    Restriction.INVESTMENT_LIMIT: "Investor's investment limit exceeded",
    Restriction.OFFERING_CAP: "Offering's 12-month cap exceeded",
    Restriction.NOT_WHITELISTED: "Recipient is not whitelisted for the exempt offering",
    Restriction.NOT_ELIGIBLE_PARTICIPANT: "Recipient is not an eligible contract participant",
    Restriction.MODULE_REFUSED: "Refused by a compliance module",
}

RESTRICTION_OF_ERROR: dict[str, Restriction] = {
    "EnforcedPause": Restriction.PAUSED,
    "SenderFrozen": Restriction.SENDER_FROZEN,
    "RecipientFrozen": Restriction.RECIPIENT_FROZEN,
    "ERC20InvalidReceiver": Restriction.INVALID_RECIPIENT,
    "ERC20InsufficientBalance": Restriction.INSUFFICIENT_BALANCE,
    "InsufficientUnfrozenBalance": Restriction.FROZEN_TOKENS,
    "RecipientNotVerified": Restriction.RECIPIENT_NOT_VERIFIED,
    "TokensOnHold": Restriction.TOKENS_ON_HOLD,
    "LockupActive": Restriction.LOCKUP_ACTIVE,
    "RegSUSPersonRestricted": Restriction.REG_S_US_PERSON,
    "HolderLimitReached": Restriction.HOLDER_LIMIT,
    "NonAccreditedLimitReached": Restriction.NON_ACCREDITED_LIMIT,
    "JurisdictionRestricted": Restriction.JURISDICTION,
    "InvestorNotAccredited": Restriction.NOT_ACCREDITED,
    "MaxBalanceExceeded": Restriction.MAX_BALANCE,
    "SupplyLimitExceeded": Restriction.SUPPLY_LIMIT,
    "InvestmentLimitExceeded": Restriction.INVESTMENT_LIMIT,
    "OfferingCapExceeded": Restriction.OFFERING_CAP,
    "RecipientNotWhitelisted": Restriction.NOT_WHITELISTED,
    "RecipientNotEligibleParticipant": Restriction.NOT_ELIGIBLE_PARTICIPANT,
    # ERC3643HoldAdapter's errors for T-REX's modules (T-REX records countries as numbers
    # and balances per identity, so these carry what T-REX has)
    "ERC3643JurisdictionRestricted": Restriction.JURISDICTION,
    "ERC3643MaxBalanceExceeded": Restriction.MAX_BALANCE,
    "ERC3643ModuleRefused": Restriction.MODULE_REFUSED,  # a module tokensim has no code for
}
"""The custom error each restriction code reverts with."""
