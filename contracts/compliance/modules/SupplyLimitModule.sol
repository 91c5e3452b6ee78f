// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ComplianceModule} from "../ComplianceModule.sol";
import {Restrictions} from "../Restrictions.sol";
import {IIdentityRegistry} from "../../identity/IIdentityRegistry.sol";

/// @title SupplyLimitModule
/// @notice A mint may bring the total supply up to `supplyLimit` exactly, not beyond
/// (code 17). Transfers are not affected.
contract SupplyLimitModule is ComplianceModule {
    event SupplyLimitSet(uint256 supplyLimit);

    error SupplyLimitInvalid(uint256 supplyLimit);

    uint256 public supplyLimit;

    constructor(address compliance_, address admin, uint256 supplyLimit_) ComplianceModule(compliance_, admin) {
        _setSupplyLimit(supplyLimit_);
    }

    function moduleName() external pure returns (string memory) {
        return "supply-limit";
    }

    function setSupplyLimit(uint256 supplyLimit_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setSupplyLimit(supplyLimit_);
    }

    function checkTransfer(address from, address, uint256 amount, IIdentityRegistry)
        external
        view
        returns (uint8, bytes memory)
    {
        if (from != address(0)) return _allowed();
        uint256 after_ = IERC20(token).totalSupply() + amount;
        if (after_ > supplyLimit) {
            return (
                Restrictions.SUPPLY_LIMIT,
                abi.encodeWithSelector(SupplyLimitExceeded.selector, after_, supplyLimit)
            );
        }
        return _allowed();
    }

    function _setSupplyLimit(uint256 supplyLimit_) private {
        if (supplyLimit_ == 0) revert SupplyLimitInvalid(supplyLimit_);
        supplyLimit = supplyLimit_;
        emit SupplyLimitSet(supplyLimit_);
    }
}
