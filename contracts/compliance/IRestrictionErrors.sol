// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IRestrictionErrors
/// @notice The errors a refused transfer, mint or forced transfer reverts with. Each
/// reports the values involved and the limit that bound, and maps to one restriction
/// code in `Restrictions`. Contracts that can refuse inherit this interface so every
/// error appears in their ABI.
interface IRestrictionErrors {
    /// @dev code 2: the sending wallet is frozen.
    error SenderFrozen(address wallet);
    /// @dev code 3: the receiving wallet is frozen.
    error RecipientFrozen(address wallet);
    /// @dev code 6: `needed` exceeds the sender's balance less its frozen tokens.
    error InsufficientUnfrozenBalance(address holder, uint256 unfrozen, uint256 needed);
    /// @dev code 7: the recipient has no valid (verified, unexpired) identity.
    error RecipientNotVerified(address wallet);
    /// @dev code 8: `needed` exceeds the balance not frozen and not on hold for a settlement.
    error TokensOnHold(address holder, uint256 available, uint256 needed);
    /// @dev code 10: only `unlocked` of the holder's tokens have ended their holding period.
    error LockupActive(address holder, uint256 unlocked, uint256 needed, uint64 nextRelease);
    /// @dev code 11: a US person may not receive tokens still in a Reg S distribution
    /// compliance period.
    error RegSUSPersonRestricted(address recipient, uint256 unlocked, uint256 needed, uint64 nextRelease);
    /// @dev code 12: the number of holders of record is at the cap.
    error HolderLimitReached(uint256 holders, uint256 limit);
    /// @dev code 13: the number of non-accredited purchasers is at the cap (Rule 506(b): 35).
    error NonAccreditedLimitReached(uint256 purchasers, uint256 limit);
    /// @dev code 14: the recipient's jurisdiction is not permitted.
    error JurisdictionRestricted(address wallet, bytes2 jurisdiction);
    /// @dev code 15: the recipient is not an accredited investor.
    error InvestorNotAccredited(address wallet);
    /// @dev code 16: the investor's balance after the transfer would exceed the limit.
    error MaxBalanceExceeded(address wallet, uint256 balanceAfter, uint256 limit);
    /// @dev code 17: the total supply after the mint would exceed the limit.
    error SupplyLimitExceeded(uint256 supplyAfter, uint256 limit);
    /// @dev code 18: the investor's purchases in the rolling window (US cents) plus this one
    /// would exceed the investor's limit.
    error InvestmentLimitExceeded(address wallet, uint256 investedCents, uint256 amountCents, uint256 limitCents);
    /// @dev code 19: the offering's sales in the rolling window (US cents) plus this one would
    /// exceed the offering cap.
    error OfferingCapExceeded(uint256 raisedCents, uint256 amountCents, uint256 capCents);
    /// @dev code 20: while an exemption limits the token to whitelisted participants, the
    /// recipient is not on the exemption's whitelist.
    error RecipientNotWhitelisted(address wallet);
    /// @dev code 21: a security-based swap goes only to eligible contract participants.
    error RecipientNotEligibleParticipant(address wallet);
}
