// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ComplianceModule} from "../ComplianceModule.sol";
import {Restrictions} from "../Restrictions.sol";
import {IIdentityRegistry} from "../../identity/IIdentityRegistry.sol";

/// @dev The one view of an exemption's whitelist the module needs (`SafeHarborRegistry`).
interface IExemptionWhitelist {
    function isWhitelisted(address token, address wallet) external view returns (bool);
}

/// @title ExemptionWhitelistModule
/// @notice An innovation exemption's "whitelisted participants only": every recipient, of a
/// sale (mint) or a resale, must be on the exemption's whitelist for this token; else code 20.
/// @dev Routed by the taxonomy to the exempt class (`ExemptNetworkToken`), so the whitelist
/// binds while the exemption runs and stops binding the moment the token is reclassified.
contract ExemptionWhitelistModule is ComplianceModule {
    IExemptionWhitelist public immutable exemption;

    constructor(address compliance_, address admin, IExemptionWhitelist exemption_)
        ComplianceModule(compliance_, admin)
    {
        exemption = exemption_;
    }

    function moduleName() external pure returns (string memory) {
        return "exemption-whitelist";
    }

    function checkTransfer(address, address to, uint256, IIdentityRegistry) external view returns (uint8, bytes memory) {
        return _check(to);
    }

    function checkRecipient(address to, IIdentityRegistry) external view override returns (uint8, bytes memory) {
        return _check(to);
    }

    function _check(address to) private view returns (uint8, bytes memory) {
        if (!exemption.isWhitelisted(token, to)) {
            return (Restrictions.NOT_WHITELISTED, abi.encodeWithSelector(RecipientNotWhitelisted.selector, to));
        }
        return _allowed();
    }
}
