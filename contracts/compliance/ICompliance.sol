// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ICompliance
/// @notice What a `SecurityToken` asks of its compliance.
interface ICompliance {
    function token() external view returns (address);

    /// @notice The first refusal among the modules, in the order they were added.
    function checkTransfer(address from, address to, uint256 amount)
        external
        view
        returns (uint8 code, bytes memory reason);

    function checkSender(address from, uint256 amount) external view returns (uint8 code, bytes memory reason);
    function checkRecipient(address to) external view returns (uint8 code, bytes memory reason);

    function transferred(address from, address to, uint256 amount) external;
    function created(address to, uint256 amount) external;
    function destroyed(address from, uint256 amount) external;
}
