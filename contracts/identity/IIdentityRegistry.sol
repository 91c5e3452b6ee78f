// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IIdentityRegistry
/// @notice What the token and its compliance modules read about an investor's wallet.
interface IIdentityRegistry {
    /// @notice Investor categories. `Accredited` and above count as accredited investors
    /// (17 CFR 230.501(a)); `Retail` does not.
    enum InvestorType {
        Unknown,
        Retail,
        Accredited,
        QualifiedPurchaser,
        Institutional
    }

    /// @notice One wallet's record. Several wallets may share one `investorId` (one
    /// person, several wallets); holder counts and limits aggregate by investor.
    struct Identity {
        bytes32 investorId;
        bool verified;
        uint64 expiry;
        InvestorType investorType;
        bytes2 jurisdiction;
        bool usPerson;
        uint8 incomeBand;
        uint8 netWorthBand;
    }

    function isVerified(address wallet) external view returns (bool);
    function isAccredited(address wallet) external view returns (bool);
    function isUSPerson(address wallet) external view returns (bool);
    function investorIdOf(address wallet) external view returns (bytes32);
    function jurisdictionOf(address wallet) external view returns (bytes2);
    function incomeOf(address wallet) external view returns (uint256 usd);
    function netWorthOf(address wallet) external view returns (uint256 usd);
    function identityOf(address wallet) external view returns (Identity memory);
}
