// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IIdentityRegistry} from "../identity/IIdentityRegistry.sol";

/// @title ISecurityToken
/// @notice The parts of a security token its compliance reads.
interface ISecurityToken {
    function identityRegistry() external view returns (IIdentityRegistry);
}
