// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IHoldable
/// @notice The hold interface the settlement contract uses on both legs' tokens.
interface IHoldable {
    function hold(bytes32 holdId, address holder, uint256 amount) external;
    function executeHold(bytes32 holdId, address to, uint256 amount) external returns (bool);
    function releaseHold(bytes32 holdId) external;
}
