// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IHoldable
/// @notice The hold interface the settlement contract uses on both legs' tokens.
interface IHoldable {
    function hold(bytes32 holdId, address holder, uint256 amount) external;
    function executeHold(bytes32 holdId, address to, uint256 amount) external returns (bool);
    function releaseHold(bytes32 holdId) external;

    /// @notice What `executeHold(holdId, to, amount)` would do now, without doing it: code 0
    /// when it would go through, else a nonzero code and the error it would revert with.
    function holdExecutionRestriction(bytes32 holdId, address to, uint256 amount)
        external
        view
        returns (uint8 code, bytes memory reason);
}
