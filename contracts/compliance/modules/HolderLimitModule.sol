// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {InvestorBalances} from "./InvestorBalances.sol";
import {ComplianceModule} from "../ComplianceModule.sol";
import {Restrictions} from "../Restrictions.sol";
import {IIdentityRegistry} from "../../identity/IIdentityRegistry.sol";

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
/// When `holders` reaches `holdersThreshold` (2,000) or `nonAccreditedHolders` reaches
/// `nonAccreditedHoldersThreshold` (500), `HoldersOfRecordThresholdReached` is emitted
/// once: the holder test of Exchange Act Section 12(g)(1)(A). The asset test (total assets
/// over $10 million) is the issuer's and is not checked here.
contract HolderLimitModule is InvestorBalances {
    uint256 public constant UNLIMITED = type(uint256).max;

    event HolderLimitSet(uint256 maxHolders);
    event NonAccreditedLimitSet(uint256 maxNonAccreditedPurchasers);
    event OfferingBegun(uint256 offering);
    event HoldersOfRecordThresholdReached(
        uint256 holders, uint256 nonAccreditedHolders, uint256 holdersThreshold, uint256 nonAccreditedThreshold
    );

    error HolderLimitInvalidThreshold(uint256 holdersThreshold, uint256 nonAccreditedThreshold);

    uint256 public maxHolders;
    uint256 public maxNonAccreditedPurchasers;
    uint256 public immutable holdersThreshold;
    uint256 public immutable nonAccreditedHoldersThreshold;

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
        uint256 nonAccreditedHoldersThreshold_
    ) ComplianceModule(compliance_, admin) {
        if (holdersThreshold_ == 0 || nonAccreditedHoldersThreshold_ == 0) {
            revert HolderLimitInvalidThreshold(holdersThreshold_, nonAccreditedHoldersThreshold_);
        }
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
        holders -= 1;
        if (_countedNonAccredited[key]) {
            _countedNonAccredited[key] = false;
            nonAccreditedHolders -= 1;
        }
    }
}
