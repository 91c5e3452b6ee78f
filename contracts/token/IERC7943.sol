// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/// @title IERC7943Fungible
/// @notice ERC-7943 (uRWA, Final), the fungible interface: the compliance views, the
/// frozen amount and the forced transfer a regulated ERC-20 exposes to integrators.
/// ERC-165 interface id `0x3edbb4c4`. Written from the ERC text
/// (https://eips.ethereum.org/EIPS/eip-7943).
interface IERC7943Fungible is IERC165 {
    /// @notice `amount` was taken from `from` and given to `to` by `forcedTransfer`.
    event ForcedTransfer(address indexed from, address indexed to, uint256 amount);

    /// @notice The frozen amount of `account` is now `amount` (an absolute figure).
    event Frozen(address indexed account, uint256 amount);

    error ERC7943CannotSend(address account);
    error ERC7943CannotReceive(address account);
    error ERC7943CannotTransfer(address from, address to, uint256 amount);
    error ERC7943InsufficientUnfrozenBalance(address account, uint256 amount, uint256 unfrozen);

    /// @notice Move `amount` from `from` to `to` without `from`'s act (restricted access).
    function forcedTransfer(address from, address to, uint256 amount) external returns (bool result);

    /// @notice Set the frozen amount of `account` to `amount` (may exceed the balance).
    function setFrozenTokens(address account, uint256 amount) external returns (bool result);

    /// @notice Whether `account` may send at all (account-level, never reverts).
    function canSend(address account) external view returns (bool allowed);

    /// @notice Whether `account` may receive at all (account-level, never reverts).
    function canReceive(address account) external view returns (bool allowed);

    /// @notice The frozen amount of `account` (may exceed its balance).
    function getFrozenTokens(address account) external view returns (uint256 amount);

    /// @notice Whether the permissioned rules allow this transfer (never reverts; the
    /// balance itself is ERC-20's check, not this one's).
    function canTransfer(address from, address to, uint256 amount) external view returns (bool allowed);
}
