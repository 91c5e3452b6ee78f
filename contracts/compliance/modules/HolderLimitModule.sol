// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {InvestorBalances} from "./InvestorBalances.sol";
import {ComplianceModule} from "../ComplianceModule.sol";
import {Restrictions} from "../Restrictions.sol";
import {IIdentityRegistry} from "../../identity/IIdentityRegistry.sol";
import {Calendar} from "../../utils/Calendar.sol";

/// @title HolderLimitModule
/// @notice Caps on holders of record and on non-accredited purchasers, and the Section
/// 12(g) registration flag.
/// @dev Three numbers, counted per investor (see `InvestorBalances`):
/// - `holders`: investors holding a positive balance now. A transfer that would make a new
///   holder when `holders` is at `maxHolders` is refused (code 12), unless the sender
///   leaves at the same time.
/// - `nonAccreditedPurchasers`: distinct non-accredited purchasers in the current offering
///   (received a mint since `beginOffering`). Rule 506(b) allows at most 35 (17 CFR
///   230.506(b)(2)(i)); the 36th distinct one is refused (code 13). Purchasers are counted
///   as 17 CFR 230.501(e)(1) counts them: a relative or spouse sharing a purchaser's home,
///   and a trust, estate or organisation more than 50% theirs, are counted with that
///   purchaser (the identity registry's `purchaserKeyOf`), accredited investors not at all.
///   The count is per offering: the issuer starts a new one with `beginOffering` (whether
///   two offerings are one, Rule 152's integration, is the issuer's judgement, not checked
///   here). Resales are not purchases in the offering and do not count.
/// - `nonAccreditedHolders`: holders that were non-accredited when they entered.
/// Section 12(g)(1)(A) asks for registration when, on the last day of its fiscal year, the
/// issuer has 2,000 holders of record or 500 who are not accredited (and total assets over
/// $10 million, the issuer's and not checked here). The test is at fiscal year-end: at the
/// first holder change after a fiscal year ends (or when anyone calls `assessYearEnd`), the
/// counts as they stood at the end of that year's last day are assessed once
/// (`YearEndAssessed`, with `registrationRequired`). Holders of securities issued under Reg
/// CF (Rule 12g-6) or Reg A Tier 2 (Rule 12g5-1(a)(7)) are excluded when the issuer meets
/// those rules' conditions (current in its annual reports, a registered transfer agent, and
/// total assets of $25 million or less (12g-6), or a public float under $75 million, or
/// revenue under $50 million without one (12g5-1(a)(7))): facts of the issuer, which its
/// admin states (`setExemptHoldersExcluded`); then no year-end test requires registration.
/// `HoldersOfRecordThresholdReached` stays as an early warning only, emitted once the
/// instant `holders` reaches `holdersThreshold` or `nonAccreditedHolders` reaches
/// `nonAccreditedHoldersThreshold`: it is not the registration test.
contract HolderLimitModule is InvestorBalances {
    uint256 public constant UNLIMITED = type(uint256).max;

    event HolderLimitSet(uint256 maxHolders);
    event NonAccreditedLimitSet(uint256 maxNonAccreditedPurchasers);
    event OfferingBegun(uint256 offering);
    event ExemptHoldersExcludedSet(bool excluded);
    event YearEndAssessed(
        uint64 yearEnd, uint256 holders, uint256 nonAccreditedHolders, bool excluded, bool registrationRequired
    );
    event HoldersOfRecordThresholdReached(
        uint256 holders, uint256 nonAccreditedHolders, uint256 holdersThreshold, uint256 nonAccreditedThreshold
    );

    error HolderLimitInvalidThreshold(uint256 holdersThreshold, uint256 nonAccreditedThreshold);
    error HolderLimitInvalidFiscalYearEnd(uint8 month);

    uint256 public maxHolders;
    uint256 public maxNonAccreditedPurchasers;
    uint256 public immutable holdersThreshold;
    uint256 public immutable nonAccreditedHoldersThreshold;

    /// @notice The month whose last day ends the issuer's fiscal year (12: December).
    uint8 public immutable fiscalYearEndMonth;
    /// @notice The issuer meets Rule 12g-6 / 12g5-1(a)(7)'s conditions: holders of these
    /// exempt-offering securities are not counted for 12(g).
    bool public exemptHoldersExcluded;
    /// @notice The last fiscal year-end assessed (0: none yet).
    uint64 public lastYearEndAssessed;
    uint64 private immutable _deployedAt;

    uint256 public holders;
    uint256 public nonAccreditedHolders;
    uint256 public nonAccreditedPurchasers;
    bool public thresholdReached;

    /// @notice The current offering (1 at deployment), whose purchasers are counted.
    uint256 public offering = 1;
    mapping(uint256 offering => mapping(bytes32 purchaserKey => bool)) private _purchaserIn;
    mapping(bytes32 investorId => bool) private _countedNonAccredited;

    constructor(
        address compliance_,
        address admin,
        uint256 maxHolders_,
        uint256 maxNonAccreditedPurchasers_,
        uint256 holdersThreshold_,
        uint256 nonAccreditedHoldersThreshold_,
        uint8 fiscalYearEndMonth_,
        bool exemptHoldersExcluded_
    ) ComplianceModule(compliance_, admin) {
        if (holdersThreshold_ == 0 || nonAccreditedHoldersThreshold_ == 0) {
            revert HolderLimitInvalidThreshold(holdersThreshold_, nonAccreditedHoldersThreshold_);
        }
        if (fiscalYearEndMonth_ == 0 || fiscalYearEndMonth_ > 12) revert HolderLimitInvalidFiscalYearEnd(fiscalYearEndMonth_);
        fiscalYearEndMonth = fiscalYearEndMonth_;
        exemptHoldersExcluded = exemptHoldersExcluded_;
        _deployedAt = uint64(block.timestamp);
        maxHolders = maxHolders_;
        maxNonAccreditedPurchasers = maxNonAccreditedPurchasers_;
        holdersThreshold = holdersThreshold_;
        nonAccreditedHoldersThreshold = nonAccreditedHoldersThreshold_;
        emit HolderLimitSet(maxHolders_);
        emit NonAccreditedLimitSet(maxNonAccreditedPurchasers_);
    }

    function moduleName() external pure returns (string memory) {
        return "holder-limit";
    }

    function setMaxHolders(uint256 maxHolders_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        maxHolders = maxHolders_;
        emit HolderLimitSet(maxHolders_);
    }

    function setMaxNonAccreditedPurchasers(uint256 limit) external onlyRole(DEFAULT_ADMIN_ROLE) {
        maxNonAccreditedPurchasers = limit;
        emit NonAccreditedLimitSet(limit);
    }

    /// @notice State whether the issuer meets the conditions under which holders of its Reg CF
    /// or Reg A Tier 2 securities are excluded from the 12(g) count (Rules 12g-6,
    /// 12g5-1(a)(7)).
    function setExemptHoldersExcluded(bool excluded) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _assessYearEnd();
        exemptHoldersExcluded = excluded;
        emit ExemptHoldersExcludedSet(excluded);
    }

    /// @notice The latest fiscal year-end at or before `time`: the first second after the
    /// last day of `fiscalYearEndMonth`.
    function yearEndAtOrBefore(uint256 time) public view returns (uint64) {
        (uint256 year,,) = Calendar.civilFromDays(time / Calendar.DAY);
        for (uint256 y = year + 1; y + 2 >= year; --y) {
            uint256 nextMonth = uint256(fiscalYearEndMonth) % 12 + 1;
            uint256 nextYear = fiscalYearEndMonth == 12 ? y + 1 : y;
            uint256 end = Calendar.daysFromCivil(nextYear, nextMonth, 1) * Calendar.DAY;
            if (end <= time) return uint64(end);
        }
        return 0;
    }

    /// @notice Assess the fiscal year-end just passed, if not yet done (anyone may).
    function assessYearEnd() external {
        _assessYearEnd();
    }

    function _assessYearEnd() private {
        uint64 end = yearEndAtOrBefore(block.timestamp);
        if (end == 0 || end <= lastYearEndAssessed || end <= _deployedAt) return;
        lastYearEndAssessed = end;
        bool excluded = exemptHoldersExcluded;
        bool required = !excluded
            && (holders >= holdersThreshold || nonAccreditedHolders >= nonAccreditedHoldersThreshold);
        emit YearEndAssessed(end, holders, nonAccreditedHolders, excluded, required);
    }

    /// @notice Start counting the purchasers of a new offering from zero.
    function beginOffering() external onlyRole(DEFAULT_ADMIN_ROLE) {
        offering += 1;
        nonAccreditedPurchasers = 0;
        emit OfferingBegun(offering);
    }

    /// @notice True if the wallet's owner (as 501(e)(1) counts it) is already a
    /// non-accredited purchaser in the current offering.
    function isNonAccreditedPurchaser(address wallet, IIdentityRegistry registry) public view returns (bool) {
        return _purchaserIn[offering][_purchaserKey(registry, wallet)];
    }

    function _purchaserKey(IIdentityRegistry registry, address wallet) private view returns (bytes32) {
        bytes32 key = registry.purchaserKeyOf(wallet);
        return key != bytes32(0) ? key : bytes32(uint256(uint160(wallet)));
    }

    function checkTransfer(address from, address to, uint256 amount, IIdentityRegistry registry)
        external
        view
        returns (uint8, bytes memory)
    {
        if (amount == 0) return _allowed();
        bytes32 toKey = _investorKey(registry, to);
        bytes32 fromKey;
        if (from != address(0)) {
            fromKey = _investorKey(registry, from);
            if (fromKey == toKey) return _allowed();
        }
        if (investorBalance[toKey] == 0) {
            bool senderLeaves = from != address(0) && investorBalance[fromKey] == amount;
            if (!senderLeaves && holders >= maxHolders) {
                return (
                    Restrictions.HOLDER_LIMIT,
                    abi.encodeWithSelector(HolderLimitReached.selector, holders, maxHolders)
                );
            }
        }
        if (
            from == address(0) && !registry.isAccredited(to) && !isNonAccreditedPurchaser(to, registry)
                && nonAccreditedPurchasers >= maxNonAccreditedPurchasers
        ) {
            return (
                Restrictions.NON_ACCREDITED_LIMIT,
                abi.encodeWithSelector(
                    NonAccreditedLimitReached.selector, nonAccreditedPurchasers, maxNonAccreditedPurchasers
                )
            );
        }
        return _allowed();
    }

    function _afterMint(address to, uint256 amount, IIdentityRegistry registry) internal override {
        if (amount > 0 && !registry.isAccredited(to)) {
            bytes32 key = _purchaserKey(registry, to);
            if (!_purchaserIn[offering][key]) {
                _purchaserIn[offering][key] = true;
                nonAccreditedPurchasers += 1;
            }
        }
        super._afterMint(to, amount, registry);
    }

    function _investorEntered(bytes32 key, address wallet, IIdentityRegistry registry) internal override {
        _assessYearEnd();
        holders += 1;
        if (!registry.isAccredited(wallet)) {
            _countedNonAccredited[key] = true;
            nonAccreditedHolders += 1;
        }
        if (
            !thresholdReached
                && (holders >= holdersThreshold || nonAccreditedHolders >= nonAccreditedHoldersThreshold)
        ) {
            thresholdReached = true;
            emit HoldersOfRecordThresholdReached(
                holders, nonAccreditedHolders, holdersThreshold, nonAccreditedHoldersThreshold
            );
        }
    }

    function _investorExited(bytes32 key) internal override {
        _assessYearEnd();
        holders -= 1;
        if (_countedNonAccredited[key]) {
            _countedNonAccredited[key] = false;
            nonAccreditedHolders -= 1;
        }
    }
}
