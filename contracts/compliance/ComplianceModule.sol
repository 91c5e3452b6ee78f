// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IComplianceModule} from "./IComplianceModule.sol";
import {IRestrictionErrors} from "./IRestrictionErrors.sol";
import {IIdentityRegistry} from "../identity/IIdentityRegistry.sol";

/// @title ComplianceModule
/// @notice Base of every compliance module.
/// @dev A module is deployed for one `Compliance`, after that compliance was bound to its
/// token, and reads the token's balances and supply directly. A subclass implements
/// `moduleName` and `checkTransfer`, and overrides whichever hooks its rule needs
/// (`_afterTransfer`, `_afterMint`, `_afterBurn`; they do nothing by default). Only the
/// compliance may call the hooks. `checkSender` and `checkRecipient` (the parts of the rule
/// that depend on one side alone, for pre-trade checks) allow by default. Parameter setters
/// are guarded by `DEFAULT_ADMIN_ROLE`.
abstract contract ComplianceModule is IComplianceModule, IRestrictionErrors, AccessControl {
    error ModuleCallerNotCompliance(address caller);
    error ModuleComplianceNotBound(address compliance);

    address public immutable compliance;
    address public immutable token;

    constructor(address compliance_, address admin) {
        address token_ = ComplianceToken(compliance_).token();
        if (token_ == address(0)) revert ModuleComplianceNotBound(compliance_);
        compliance = compliance_;
        token = token_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    modifier onlyCompliance() {
        if (msg.sender != compliance) revert ModuleCallerNotCompliance(msg.sender);
        _;
    }

    /// @dev Default: nothing about the sender alone refuses. Override where it does.
    function checkSender(address, uint256, IIdentityRegistry) external view virtual returns (uint8, bytes memory) {
        return _allowed();
    }

    /// @dev Default: nothing about the recipient alone refuses. Override where it does.
    function checkRecipient(address, IIdentityRegistry) external view virtual returns (uint8, bytes memory) {
        return _allowed();
    }

    function onTransfer(address from, address to, uint256 amount, IIdentityRegistry registry)
        external
        onlyCompliance
    {
        _afterTransfer(from, to, amount, registry);
    }

    function onMint(address to, uint256 amount, IIdentityRegistry registry) external onlyCompliance {
        _afterMint(to, amount, registry);
    }

    function onBurn(address from, uint256 amount, IIdentityRegistry registry) external onlyCompliance {
        _afterBurn(from, amount, registry);
    }

    function _afterTransfer(address from, address to, uint256 amount, IIdentityRegistry registry)
        internal
        virtual
    {}

    function _afterMint(address to, uint256 amount, IIdentityRegistry registry) internal virtual {}

    function _afterBurn(address from, uint256 amount, IIdentityRegistry registry) internal virtual {}

    /// @dev The key a person is counted under: the registry's investor id of `wallet`, or
    /// the wallet itself when it has no record (possible only after a forced transfer
    /// with compliance overridden).
    function _investorKey(IIdentityRegistry registry, address wallet) internal view returns (bytes32 key) {
        key = registry.investorIdOf(wallet);
        if (key == bytes32(0)) key = bytes32(uint256(uint160(wallet)));
    }

    function _balanceOf(address account) internal view returns (uint256) {
        return IERC20(token).balanceOf(account);
    }

    function _allowed() internal pure returns (uint8, bytes memory) {
        return (0, "");
    }
}

/// @dev The one view of a compliance a module needs at deployment.
interface ComplianceToken {
    function token() external view returns (address);
}
