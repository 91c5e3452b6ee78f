// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ComplianceModule} from "../ComplianceModule.sol";
import {Restrictions} from "../Restrictions.sol";
import {IIdentityRegistry} from "../../identity/IIdentityRegistry.sol";

/// @title AccreditedOnlyModule
/// @notice Rule 506(c): every purchaser is an accredited investor whose status was
/// verified (17 CFR 230.506(c)(2)). The recipient of a mint, and unless `mintsOnly` of
/// every transfer, must be verified with an accredited investor type; else code 15.
contract AccreditedOnlyModule is ComplianceModule {
    bool public immutable mintsOnly;

    constructor(address compliance_, address admin, bool mintsOnly_) ComplianceModule(compliance_, admin) {
        mintsOnly = mintsOnly_;
    }

    function moduleName() external pure returns (string memory) {
        return "accredited-only";
    }

    function checkTransfer(address from, address to, uint256, IIdentityRegistry registry)
        external
        view
        returns (uint8, bytes memory)
    {
        if (mintsOnly && from != address(0)) return _allowed();
        return _checkAccredited(to, registry);
    }

    /// @notice For resales: refused when the recipient is not accredited (unless `mintsOnly`).
    function checkRecipient(address to, IIdentityRegistry registry)
        external
        view
        override
        returns (uint8, bytes memory)
    {
        if (mintsOnly) return _allowed();
        return _checkAccredited(to, registry);
    }

    function _checkAccredited(address to, IIdentityRegistry registry) private view returns (uint8, bytes memory) {
        if (!registry.isAccredited(to)) {
            return (Restrictions.NOT_ACCREDITED, abi.encodeWithSelector(InvestorNotAccredited.selector, to));
        }
        return _allowed();
    }
}
