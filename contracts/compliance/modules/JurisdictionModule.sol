// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ComplianceModule} from "../ComplianceModule.sol";
import {Restrictions} from "../Restrictions.sol";
import {IIdentityRegistry} from "../../identity/IIdentityRegistry.sol";

/// @title JurisdictionModule
/// @notice Who may receive the token by jurisdiction (ISO 3166-1 alpha-2), as an
/// allow-list (only listed jurisdictions) or a block-list (all but the listed ones).
/// Applies to mints and transfers; a refusal has code 14.
contract JurisdictionModule is ComplianceModule {
    enum ListMode {
        AllowList,
        BlockList
    }

    event JurisdictionListed(bytes2 indexed jurisdiction, bool listed);

    ListMode public immutable listMode;
    mapping(bytes2 jurisdiction => bool) public isListed;

    constructor(address compliance_, address admin, ListMode listMode_, bytes2[] memory jurisdictions)
        ComplianceModule(compliance_, admin)
    {
        listMode = listMode_;
        _setListed(jurisdictions, true);
    }

    function moduleName() external pure returns (string memory) {
        return "jurisdiction";
    }

    function setListed(bytes2[] calldata jurisdictions, bool listed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setListed(jurisdictions, listed);
    }

    function checkTransfer(address, address to, uint256, IIdentityRegistry registry)
        external
        view
        returns (uint8, bytes memory)
    {
        return _checkJurisdiction(to, registry);
    }

    function checkRecipient(address to, IIdentityRegistry registry)
        external
        view
        override
        returns (uint8, bytes memory)
    {
        return _checkJurisdiction(to, registry);
    }

    function _checkJurisdiction(address to, IIdentityRegistry registry) private view returns (uint8, bytes memory) {
        bytes2 jurisdiction = registry.jurisdictionOf(to);
        bool permitted = listMode == ListMode.AllowList ? isListed[jurisdiction] : !isListed[jurisdiction];
        if (!permitted) {
            return (
                Restrictions.JURISDICTION,
                abi.encodeWithSelector(JurisdictionRestricted.selector, to, jurisdiction)
            );
        }
        return _allowed();
    }

    function _setListed(bytes2[] memory jurisdictions, bool listed) private {
        for (uint256 i = 0; i < jurisdictions.length; ++i) {
            isListed[jurisdictions[i]] = listed;
            emit JurisdictionListed(jurisdictions[i], listed);
        }
    }
}
