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
///
/// Taxonomy routing: once an asset registry is set (`setAssetRegistry`), each module applies
/// only while the token's class (`AssetRegistry.classOf`) is in the module's class mask (bit
/// `c` for class number `c`; `setModuleClasses`). A module added is routed to every class
/// until set otherwise; a token the registry does not know (class 0) gets every module, the
/// strictest reading. Only the checks are routed: the hooks reach every module whatever the
/// class, so a rule's state (lots, holder counts, rolling sums) is whole when a
/// reclassification brings it into force. A reclassification takes effect on the next check,
/// in the same block.
contract Compliance is ICompliance, AccessControl {
    uint256 public constant MAX_MODULES = 16;
    uint256 public constant ALL_CLASSES = type(uint256).max;

    error ComplianceTokenAlreadyBound(address token);
    error ComplianceInvalidToken(address token);
    error ComplianceCallerNotToken(address caller);
    error ComplianceModuleAlreadyAdded(address module);
    error ComplianceModuleNotFound(address module);
    error ComplianceModuleLimit(uint256 limit);
    error ComplianceModuleForeign(address module, address boundTo);
    error ComplianceNoClasses(address module);

    event TokenBound(address indexed token);
    event ModuleAdded(address indexed module, string name);
    event ModuleRemoved(address indexed module, string name);
    event AssetRegistrySet(address indexed assetRegistry);
    event ModuleClassesSet(address indexed module, uint256 classMask);

    address public token;
    IComplianceModule[] private _modules;
    /// @notice The registry whose class of the token routes the modules (zero: no routing).
    IAssetClasses public assetRegistry;
    /// @notice The classes each installed module applies to (bit c = class number c).
    mapping(address module => uint256) public moduleClasses;

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
        moduleClasses[address(module)] = ALL_CLASSES;
        emit ModuleAdded(address(module), module.moduleName());
    }

    /// @notice Route the modules by the token's class in `registry` (zero address: stop routing).
    function setAssetRegistry(IAssetClasses registry) external onlyRole(DEFAULT_ADMIN_ROLE) {
        assetRegistry = registry;
        emit AssetRegistrySet(address(registry));
    }

    /// @notice Apply the installed `module` only while the token's class is in `classMask`.
    function setModuleClasses(IComplianceModule module, uint256 classMask) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (moduleClasses[address(module)] == 0) revert ComplianceModuleNotFound(address(module));
        if (classMask == 0) revert ComplianceNoClasses(address(module));
        moduleClasses[address(module)] = classMask;
        emit ModuleClassesSet(address(module), classMask);
    }

    /// @notice The modules that apply to the token's current class, in order.
    function activeModules() external view returns (IComplianceModule[] memory active) {
        uint256 bit = _classBit();
        uint256 n = _modules.length;
        active = new IComplianceModule[](n);
        uint256 k;
        for (uint256 i = 0; i < n; ++i) {
            if (moduleClasses[address(_modules[i])] & bit != 0) active[k++] = _modules[i];
        }
        assembly ("memory-safe") {
            mstore(active, k)
        }
    }

    function removeModule(IComplianceModule module) external onlyRole(DEFAULT_ADMIN_ROLE) {
        uint256 n = _modules.length;
        for (uint256 i = 0; i < n; ++i) {
            if (_modules[i] == module) {
                for (uint256 j = i; j + 1 < n; ++j) {
                    _modules[j] = _modules[j + 1];
                }
                _modules.pop();
                delete moduleClasses[address(module)];
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
        uint256 bit = _classBit();
        for (uint256 i = 0; i < n; ++i) {
            if (moduleClasses[address(_modules[i])] & bit == 0) continue;
            (code, reason) = _modules[i].checkTransfer(from, to, amount, registry);
            if (code != 0) return (code, reason);
        }
        return (0, "");
    }

    /// @notice The first module refusal that depends on the sender alone.
    function checkSender(address from, uint256 amount) external view returns (uint8 code, bytes memory reason) {
        IIdentityRegistry registry = _registry();
        uint256 n = _modules.length;
        uint256 bit = _classBit();
        for (uint256 i = 0; i < n; ++i) {
            if (moduleClasses[address(_modules[i])] & bit == 0) continue;
            (code, reason) = _modules[i].checkSender(from, amount, registry);
            if (code != 0) return (code, reason);
        }
        return (0, "");
    }

    /// @notice The first module refusal that depends on the recipient alone.
    function checkRecipient(address to) external view returns (uint8 code, bytes memory reason) {
        IIdentityRegistry registry = _registry();
        uint256 n = _modules.length;
        uint256 bit = _classBit();
        for (uint256 i = 0; i < n; ++i) {
            if (moduleClasses[address(_modules[i])] & bit == 0) continue;
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

    /// @dev The mask bit of the token's class now; every bit when not routed or not registered.
    function _classBit() private view returns (uint256) {
        IAssetClasses registry = assetRegistry;
        if (address(registry) == address(0)) return ALL_CLASSES;
        uint8 assetClass = registry.classOf(token);
        return assetClass == 0 ? ALL_CLASSES : 1 << assetClass;
    }

    function _registry() private view returns (IIdentityRegistry) {
        return ISecurityToken(token).identityRegistry();
    }
}

/// @dev The one view of the asset registry the router needs.
interface IAssetClasses {
    function classOf(address token) external view returns (uint8);
}

/// @dev The one view of a module the compliance needs when adding it.
interface ModuleBinding {
    function compliance() external view returns (address);
}
