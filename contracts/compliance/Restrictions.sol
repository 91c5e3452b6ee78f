// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Restrictions
/// @notice The restriction codes of ERC-1404 `detectTransferRestriction` and their
/// messages. Code 0 means the transfer is allowed. Every refusal has exactly one code,
/// and the transfer reverts with the custom error listed next to it (declared in
/// `IRestrictionErrors`, or OpenZeppelin's for pause and balance). The Python twin is
/// `sim.contracts.restrictions.Restriction`; a test checks the two agree.
library Restrictions {
    uint8 internal constant SUCCESS = 0;
    uint8 internal constant PAUSED = 1; // EnforcedPause()
    uint8 internal constant SENDER_FROZEN = 2; // SenderFrozen
    uint8 internal constant RECIPIENT_FROZEN = 3; // RecipientFrozen
    uint8 internal constant INVALID_RECIPIENT = 4; // ERC20InvalidReceiver
    uint8 internal constant INSUFFICIENT_BALANCE = 5; // ERC20InsufficientBalance
    uint8 internal constant FROZEN_TOKENS = 6; // InsufficientUnfrozenBalance
    uint8 internal constant RECIPIENT_NOT_VERIFIED = 7; // RecipientNotVerified
    uint8 internal constant TOKENS_ON_HOLD = 8; // TokensOnHold
    uint8 internal constant LOCKUP_ACTIVE = 10; // LockupActive
    uint8 internal constant REG_S_US_PERSON = 11; // RegSUSPersonRestricted
    uint8 internal constant HOLDER_LIMIT = 12; // HolderLimitReached
    uint8 internal constant NON_ACCREDITED_LIMIT = 13; // NonAccreditedLimitReached
    uint8 internal constant JURISDICTION = 14; // JurisdictionRestricted
    uint8 internal constant NOT_ACCREDITED = 15; // InvestorNotAccredited
    uint8 internal constant MAX_BALANCE = 16; // MaxBalanceExceeded
    uint8 internal constant SUPPLY_LIMIT = 17; // SupplyLimitExceeded
    uint8 internal constant INVESTMENT_LIMIT = 18; // InvestmentLimitExceeded
    uint8 internal constant OFFERING_CAP = 19; // OfferingCapExceeded
    uint8 internal constant NOT_WHITELISTED = 20; // RecipientNotWhitelisted
    uint8 internal constant NOT_ELIGIBLE_PARTICIPANT = 21; // RecipientNotEligibleParticipant
    /// @dev a compliance module of a foreign token (an ERC-3643 token's) refused, for a rule
    /// tokensim has no code of its own for (ERC3643HoldAdapter's ERC3643ModuleRefused)
    uint8 internal constant MODULE_REFUSED = 22; // ERC3643ModuleRefused

    /// @notice Human-readable message for `code` (ERC-1404 `messageForTransferRestriction`).
    function message(uint8 code) internal pure returns (string memory) {
        if (code == SUCCESS) return "No restriction";
        if (code == PAUSED) return "Transfers are paused";
        if (code == SENDER_FROZEN) return "Sender wallet is frozen";
        if (code == RECIPIENT_FROZEN) return "Recipient wallet is frozen";
        if (code == INVALID_RECIPIENT) return "Recipient is the zero address";
        if (code == INSUFFICIENT_BALANCE) return "Insufficient balance";
        if (code == FROZEN_TOKENS) return "Amount exceeds the unfrozen balance";
        if (code == RECIPIENT_NOT_VERIFIED) return "Recipient identity is not verified";
        if (code == TOKENS_ON_HOLD) return "Amount exceeds the balance not on hold";
        if (code == LOCKUP_ACTIVE) return "Holding period has not ended for these tokens";
        if (code == REG_S_US_PERSON) return "Reg S distribution compliance period: US person";
        if (code == HOLDER_LIMIT) return "Holder limit reached";
        if (code == NON_ACCREDITED_LIMIT) return "Non-accredited purchaser limit reached";
        if (code == JURISDICTION) return "Recipient jurisdiction not permitted";
        if (code == NOT_ACCREDITED) return "Recipient is not an accredited investor";
        if (code == MAX_BALANCE) return "Investor balance limit exceeded";
        if (code == SUPPLY_LIMIT) return "Supply limit exceeded";
        if (code == INVESTMENT_LIMIT) return "Investor's investment limit exceeded";
        if (code == OFFERING_CAP) return "Offering's 12-month cap exceeded";
        if (code == NOT_WHITELISTED) return "Recipient is not whitelisted for the exempt offering";
        if (code == NOT_ELIGIBLE_PARTICIPANT) return "Recipient is not an eligible contract participant";
        if (code == MODULE_REFUSED) return "Refused by a compliance module";
        return "Unknown restriction code";
    }
}
