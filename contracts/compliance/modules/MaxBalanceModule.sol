// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {InvestorBalances} from "./InvestorBalances.sol";
import {ComplianceModule} from "../ComplianceModule.sol";
import {Restrictions} from "../Restrictions.sol";
import {IIdentityRegistry} from "../../identity/IIdentityRegistry.sol";

/// @title MaxBalanceModule
/// @notice No investor (all wallets of one investor id together) may hold more than
/// `maxBalance` token units. Reaching the limit exactly is allowed; one unit more is
/// refused (code 16).
contract MaxBalanceModule is InvestorBalances {
    event MaxBalanceSet(uint256 maxBalance);

    error MaxBalanceInvalid(uint256 maxBalance);

    uint256 public maxBalance;

    constructor(address compliance_, address admin, uint256 maxBalance_) ComplianceModule(compliance_, admin) {
        _setMaxBalance(maxBalance_);
    }

    function moduleName() external pure returns (string memory) {
        return "max-balance";
    }

    function setMaxBalance(uint256 maxBalance_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxBalance(maxBalance_);
    }

    function checkTransfer(address from, address to, uint256 amount, IIdentityRegistry registry)
        external
        view
        returns (uint8, bytes memory)
    {
        bytes32 toKey = _investorKey(registry, to);
        if (from != address(0) && _investorKey(registry, from) == toKey) return _allowed();
        uint256 after_ = investorBalance[toKey] + amount;
        if (after_ > maxBalance) {
            return (
                Restrictions.MAX_BALANCE,
                abi.encodeWithSelector(MaxBalanceExceeded.selector, to, after_, maxBalance)
            );
        }
        return _allowed();
    }

    function _setMaxBalance(uint256 maxBalance_) private {
        if (maxBalance_ == 0) revert MaxBalanceInvalid(maxBalance_);
        maxBalance = maxBalance_;
        emit MaxBalanceSet(maxBalance_);
    }
}
