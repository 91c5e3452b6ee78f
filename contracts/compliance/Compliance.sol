// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ICompliance} from "./ICompliance.sol";
import {IComplianceModule} from "./IComplianceModule.sol";
import {IIdentityRegistry} from "../identity/IIdentityRegistry.sol";
import {ISecurityToken} from "../token/ISecurityToken.sol";

/// @title Compliance
/// @notice The ordered list of compliance modules of one security token.
/// @dev Modular compliance in the manner of ERC-3643: each rule is a module contract;
/// the token asks `checkTransfer` before every holder transfer and mint, and reports
/// every balance change afterwards so modules can keep their state (lots, holder counts,
/// rolling sums). The compliance is bound to exactly one token, once; only that token may
/// report balance changes.
contract Compliance is ICompliance, AccessControl {
    uint256 public constant MAX_MODULES = 16;

    error ComplianceTokenAlreadyBound(address token);
    error ComplianceInvalidToken(address token);
    error ComplianceCallerNotToken(address caller);
    error ComplianceModuleAlreadyAdded(address module);
    error ComplianceModuleNotFound(address module);
    error ComplianceModuleLimit(uint256 limit);
    error ComplianceModuleForeign(address module, address boundTo);

    event TokenBound(address indexed token);
    event ModuleAdded(address indexed module, string name);
    event ModuleRemoved(address indexed module, string name);

    address public token;
    IComplianceModule[] private _modules;

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    modifier onlyToken() {
        if (msg.sender != token || token == address(0)) revert ComplianceCallerNotToken(msg.sender);
        _;
    }

    // ------------------------------------------------------------ administration

    function bindToken(address token_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (token != address(0)) revert ComplianceTokenAlreadyBound(token);
        if (token_ == address(0)) revert ComplianceInvalidToken(token_);
        token = token_;
        emit TokenBound(token_);
    }

    /// @notice Append `module`; it must have been deployed for this compliance.
    function addModule(IComplianceModule module) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_modules.length >= MAX_MODULES) revert ComplianceModuleLimit(MAX_MODULES);
        for (uint256 i = 0; i < _modules.length; ++i) {
            if (_modules[i] == module) revert ComplianceModuleAlreadyAdded(address(module));
        }
        address boundTo = ModuleBinding(address(module)).compliance();
        if (boundTo != address(this)) revert ComplianceModuleForeign(address(module), boundTo);
        _modules.push(module);
        emit ModuleAdded(address(module), module.moduleName());
    }

    function removeModule(IComplianceModule module) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            if (_modules[i] == module) {
                for (uint256 j = i; j + 1 < n; ++j) {
                    _modules[j] = _modules[j + 1];
                }
                _modules.pop();
                emit ModuleRemoved(address(module), module.moduleName());
                return;
            }
        }
        revert ComplianceModuleNotFound(address(module));
    }

    function modules() external view returns (IComplianceModule[] memory) {
        return _modules;
    }

    // ------------------------------------------------------------------- checks

    function checkTransfer(address from, address to, uint256 amount)
        external
        view
        returns (uint8 code, bytes memory reason)
    {
        IIdentityRegistry registry = _registry();
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            (code, reason) = _modules[i].checkTransfer(from, to, amount, registry);
            if (code != 0) return (code, reason);
        }
        return (0, "");
    }

    /// @notice The first module refusal that depends on the sender alone.
    function checkSender(address from, uint256 amount) external view returns (uint8 code, bytes memory reason) {
        IIdentityRegistry registry = _registry();
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            (code, reason) = _modules[i].checkSender(from, amount, registry);
            if (code != 0) return (code, reason);
        }
        return (0, "");
    }

    /// @notice The first module refusal that depends on the recipient alone.
    function checkRecipient(address to) external view returns (uint8 code, bytes memory reason) {
        IIdentityRegistry registry = _registry();
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            (code, reason) = _modules[i].checkRecipient(to, registry);
            if (code != 0) return (code, reason);
        }
        return (0, "");
    }

    // -------------------------------------------------------------------- hooks

    function transferred(address from, address to, uint256 amount) external onlyToken {
        IIdentityRegistry registry = _registry();
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            _modules[i].onTransfer(from, to, amount, registry);
        }
    }

    function created(address to, uint256 amount) external onlyToken {
        IIdentityRegistry registry = _registry();
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            _modules[i].onMint(to, amount, registry);
        }
    }

    function destroyed(address from, uint256 amount) external onlyToken {
        IIdentityRegistry registry = _registry();
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            _modules[i].onBurn(from, amount, registry);
        }
    }

    function _registry() private view returns (IIdentityRegistry) {
        return ISecurityToken(token).identityRegistry();
    }
}

/// @dev The one view of a module the compliance needs when adding it.
interface ModuleBinding {
    function compliance() external view returns (address);
}
