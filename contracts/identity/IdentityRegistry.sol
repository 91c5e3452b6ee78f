// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IIdentityRegistry} from "./IIdentityRegistry.sol";

/// @title IdentityRegistry
/// @notice Investor records keyed by wallet, written only by trusted verifiers (KYC/AML
/// providers, transfer agents holding `VERIFIER_ROLE`).
/// @dev A record says whether the wallet's owner passed verification and until when, the
/// investor type, the jurisdiction (ISO 3166-1 alpha-2, e.g. "US"), whether the owner is
/// a US person (Regulation S, 17 CFR 230.902(k)), and what the investment limits need
/// (`Financials`): exact income and net worth (the default), or the Reg CF / Reg A limits
/// the intermediary attests (17 CFR 227.303(b)(1)), or, as a privacy option, bands. A
/// band is read as its floor in US dollars (floors fixed at deployment, `bandFloorsUsd`),
/// so a limit computed from a band uses the lowest value the band allows: it comes out
/// low, never above the rule's.
contract IdentityRegistry is IIdentityRegistry, AccessControl {
    bytes32 public constant VERIFIER_ROLE = keccak256("VERIFIER_ROLE");

    error IdentityInvalidWallet(address wallet);
    error IdentityInvalidInvestorId(address wallet);
    error IdentityInvalidInvestorType(address wallet);
    error IdentityInvalidJurisdiction(address wallet, bytes2 jurisdiction);
    error IdentityUnknownBand(address wallet, uint8 band, uint256 bands);
    error IdentityExpiryNotInFuture(address wallet, uint64 expiry, uint256 now_);
    error IdentityNotRegistered(address wallet);
    error IdentityBatchLengthMismatch(uint256 wallets, uint256 identities);
    error IdentityInvalidBandFloors(uint256 index);
    error IdentityInvestorIdImmutable(address wallet, bytes32 investorId, bytes32 proposed);

    event IdentityRegistered(
        address indexed wallet, bytes32 indexed investorId, InvestorType investorType, bytes2 jurisdiction, uint64 expiry
    );
    event IdentityUpdated(
        address indexed wallet, bytes32 indexed investorId, InvestorType investorType, bytes2 jurisdiction, uint64 expiry
    );
    event IdentityRevoked(address indexed wallet, bytes32 indexed investorId, address indexed verifier);
    event IdentityRemoved(address indexed wallet, bytes32 indexed investorId, address indexed verifier);

    uint64[] private _bandFloorsUsd;
    mapping(address wallet => Identity) private _identities;

    /// @param admin receives `DEFAULT_ADMIN_ROLE` (grants and revokes verifiers).
    /// @param bandFloorsUsd_ floor of each income / net-worth band in US dollars; must start
    /// at 0 and increase strictly.
    constructor(address admin, uint64[] memory bandFloorsUsd_) {
        if (bandFloorsUsd_.length == 0 || bandFloorsUsd_.length > 255 || bandFloorsUsd_[0] != 0) {
            revert IdentityInvalidBandFloors(0);
        }
        for (uint256 i = 1; i < bandFloorsUsd_.length; ++i) {
            if (bandFloorsUsd_[i] <= bandFloorsUsd_[i - 1]) revert IdentityInvalidBandFloors(i);
        }
        _bandFloorsUsd = bandFloorsUsd_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ------------------------------------------------------------------ writes

    /// @notice Create or replace the record of `wallet`. A wallet's investor id never
    /// changes once registered: holder counts and limits are kept per investor id, so
    /// re-keying a wallet that holds tokens would strand them. Remove the record first.
    function registerIdentity(address wallet, Identity calldata identity) external onlyRole(VERIFIER_ROLE) {
        _register(wallet, identity);
    }

    /// @notice Create or replace many records in one transaction (all or nothing).
    function batchRegisterIdentities(address[] calldata wallets, Identity[] calldata identities)
        external
        onlyRole(VERIFIER_ROLE)
    {
        if (wallets.length != identities.length) {
            revert IdentityBatchLengthMismatch(wallets.length, identities.length);
        }
        for (uint256 i = 0; i < wallets.length; ++i) {
            _register(wallets[i], identities[i]);
        }
    }

    /// @notice Mark the record of `wallet` as no longer verified (the record stays, so the
    /// investor id still links the wallet to its owner).
    function revokeIdentity(address wallet) external onlyRole(VERIFIER_ROLE) {
        Identity storage record = _identities[wallet];
        if (record.investorId == bytes32(0)) revert IdentityNotRegistered(wallet);
        record.verified = false;
        emit IdentityRevoked(wallet, record.investorId, msg.sender);
    }

    /// @notice Delete the record of `wallet`.
    function removeIdentity(address wallet) external onlyRole(VERIFIER_ROLE) {
        bytes32 investorId = _identities[wallet].investorId;
        if (investorId == bytes32(0)) revert IdentityNotRegistered(wallet);
        delete _identities[wallet];
        emit IdentityRemoved(wallet, investorId, msg.sender);
    }

    // ------------------------------------------------------------------- reads

    /// @notice True while the wallet's record is verified and not expired.
    function isVerified(address wallet) public view returns (bool) {
        Identity storage record = _identities[wallet];
        return record.verified && block.timestamp < record.expiry;
    }

    /// @notice True when the wallet is verified and its investor type is accredited or above.
    function isAccredited(address wallet) external view returns (bool) {
        return isVerified(wallet) && _identities[wallet].investorType >= InvestorType.Accredited;
    }

    function isUSPerson(address wallet) external view returns (bool) {
        return _identities[wallet].usPerson;
    }

    function investorIdOf(address wallet) external view returns (bytes32) {
        return _identities[wallet].investorId;
    }

    function jurisdictionOf(address wallet) external view returns (bytes2) {
        return _identities[wallet].jurisdiction;
    }

    /// @notice Annual income of the wallet's owner in US dollars: exact, or the floor of its
    /// band under the privacy option; 0 when only attested limits are recorded.
    function incomeOf(address wallet) external view returns (uint256) {
        Identity storage record = _identities[wallet];
        if (record.financials == Financials.Bands) return _bandFloorsUsd[record.incomeBand];
        return record.incomeUsd;
    }

    /// @notice Net worth of the wallet's owner in US dollars: exact, or the floor of its
    /// band under the privacy option; 0 when only attested limits are recorded.
    function netWorthOf(address wallet) external view returns (uint256) {
        Identity storage record = _identities[wallet];
        if (record.financials == Financials.Bands) return _bandFloorsUsd[record.netWorthBand];
        return record.netWorthUsd;
    }

    /// @notice Whom the wallet's owner counts as when purchasers are counted (Rule 506(b),
    /// 17 CFR 230.501(e)(1)): the purchaser it is counted with, or its own investor id.
    function purchaserKeyOf(address wallet) external view returns (bytes32) {
        Identity storage record = _identities[wallet];
        return record.countedWith != bytes32(0) ? record.countedWith : record.investorId;
    }

    /// @notice How the wallet's record carries income, net worth or limits.
    function financialsOf(address wallet) external view returns (Financials) {
        return _identities[wallet].financials;
    }

    function identityOf(address wallet) external view returns (Identity memory) {
        return _identities[wallet];
    }

    /// @notice The band floors in US dollars, band 0 first.
    function bandFloorsUsd() external view returns (uint64[] memory) {
        return _bandFloorsUsd;
    }

    // ---------------------------------------------------------------- internal

    function _register(address wallet, Identity calldata identity) private {
        if (wallet == address(0)) revert IdentityInvalidWallet(wallet);
        if (identity.investorId == bytes32(0)) revert IdentityInvalidInvestorId(wallet);
        if (identity.investorType == InvestorType.Unknown) revert IdentityInvalidInvestorType(wallet);
        if (!_isAlpha2(identity.jurisdiction)) revert IdentityInvalidJurisdiction(wallet, identity.jurisdiction);
        if (identity.financials == Financials.Bands) {
            uint256 bands = _bandFloorsUsd.length;
            if (identity.incomeBand >= bands) revert IdentityUnknownBand(wallet, identity.incomeBand, bands);
            if (identity.netWorthBand >= bands) revert IdentityUnknownBand(wallet, identity.netWorthBand, bands);
        }
        if (identity.expiry <= block.timestamp) {
            revert IdentityExpiryNotInFuture(wallet, identity.expiry, block.timestamp);
        }
        bytes32 current = _identities[wallet].investorId;
        bool existed = current != bytes32(0);
        if (existed && current != identity.investorId) {
            revert IdentityInvestorIdImmutable(wallet, current, identity.investorId);
        }
        _identities[wallet] = identity;
        if (existed) {
            emit IdentityUpdated(
                wallet, identity.investorId, identity.investorType, identity.jurisdiction, identity.expiry
            );
        } else {
            emit IdentityRegistered(
                wallet, identity.investorId, identity.investorType, identity.jurisdiction, identity.expiry
            );
        }
    }

    function _isAlpha2(bytes2 code) private pure returns (bool) {
        return code[0] >= "A" && code[0] <= "Z" && code[1] >= "A" && code[1] <= "Z";
    }
}
