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

    /// @notice How a record carries what the investment limits need.
    /// `Exact`: annual income and net worth in whole US dollars (for a non-natural person,
    /// annual revenue and net assets at the latest fiscal year end, as Rule
    /// 251(d)(2)(i)(C) of Regulation A reads them).
    /// `Attested`: the limits the intermediary attests, relying on the investor's
    /// representation (17 CFR 227.303(b)(1)); income and net worth are not recorded.
    /// `Bands`: a privacy option: only the band of each figure is recorded, read as the
    /// band's floor, so every limit computed from it comes out at or below the rule's.
    enum Financials {
        Exact,
        Attested,
        Bands
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
        Financials financials;
        uint64 incomeUsd;
        uint64 netWorthUsd;
        uint8 incomeBand;
        uint8 netWorthBand;
        uint64 regCfLimitCents;
        uint64 regALimitCents;
        /// The investor id of the purchaser this investor is counted with under Rule 506(b)
        /// (17 CFR 230.501(e)(1)(i)-(iii): a relative or spouse sharing the purchaser's
        /// principal residence, or a trust, estate or organisation more than 50% theirs);
        /// 0: counted as itself.
        bytes32 countedWith;
    }

    function isVerified(address wallet) external view returns (bool);
    function isAccredited(address wallet) external view returns (bool);
    function isUSPerson(address wallet) external view returns (bool);
    function investorIdOf(address wallet) external view returns (bytes32);
    function jurisdictionOf(address wallet) external view returns (bytes2);
    function incomeOf(address wallet) external view returns (uint256 usd);
    function netWorthOf(address wallet) external view returns (uint256 usd);
    function financialsOf(address wallet) external view returns (Financials);
    function purchaserKeyOf(address wallet) external view returns (bytes32);
    function identityOf(address wallet) external view returns (Identity memory);
}
