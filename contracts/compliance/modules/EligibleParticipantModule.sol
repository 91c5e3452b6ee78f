// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ComplianceModule} from "../ComplianceModule.sol";
import {Restrictions} from "../Restrictions.sol";
import {IIdentityRegistry} from "../../identity/IIdentityRegistry.sol";

/// @title EligibleParticipantModule
/// @notice A third-party synthetic tokenized security may be a security-based swap, which may
/// be sold only to eligible contract participants (SEC staff statement, Jan 2026; Exchange
/// Act 6(l)). The registry's investor types stand for the test: `QualifiedPurchaser` and
/// `Institutional` count as eligible (an ECP individual has over $10M invested, CEA 1a(18));
/// `Retail` and `Accredited` do not. Every recipient, of a mint or a resale; else code 21.
contract EligibleParticipantModule is ComplianceModule {
    constructor(address compliance_, address admin) ComplianceModule(compliance_, admin) {}

    function moduleName() external pure returns (string memory) {
        return "eligible-participant";
    }

    function checkTransfer(address, address to, uint256, IIdentityRegistry registry)
        external
        view
        returns (uint8, bytes memory)
    {
        return _check(to, registry);
    }

    function checkRecipient(address to, IIdentityRegistry registry) external view override returns (uint8, bytes memory) {
        return _check(to, registry);
    }

    function _check(address to, IIdentityRegistry registry) private view returns (uint8, bytes memory) {
        IIdentityRegistry.InvestorType kind = registry.identityOf(to).investorType;
        if (kind != IIdentityRegistry.InvestorType.QualifiedPurchaser && kind != IIdentityRegistry.InvestorType.Institutional) {
            return (
                Restrictions.NOT_ELIGIBLE_PARTICIPANT,
                abi.encodeWithSelector(RecipientNotEligibleParticipant.selector, to)
            );
        }
        return _allowed();
    }
}
