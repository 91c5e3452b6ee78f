// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IIdentityRegistry} from "../identity/IIdentityRegistry.sol";

/// @title IComplianceModule
/// @notice One transfer rule, as a contract of its own, plugged into a `Compliance`.
/// @dev A module answers one question, `checkTransfer`, and keeps whatever state the rule
/// needs through three hooks that the compliance calls after every balance change. A
/// mint is checked as a transfer from the zero address. The answer is a restriction code
/// (0 = allowed) and, when refused, the ABI-encoded custom error the token reverts with,
/// so that the code a view reports and what a transfer does come from one function.
interface IComplianceModule {
    /// @notice A short stable name, e.g. "lockup".
    function moduleName() external pure returns (string memory);

    /// @notice Whether moving `amount` from `from` to `to` is allowed by this rule.
    /// @param from the sender, or the zero address for a mint.
    /// @return code 0 when allowed, else a code from `Restrictions`.
    /// @return reason the ABI-encoded custom error to revert with (empty when allowed).
    function checkTransfer(address from, address to, uint256 amount, IIdentityRegistry registry)
        external
        view
        returns (uint8 code, bytes memory reason);

    /// @notice The part of the rule that depends on the sender alone: a refusal here means
    /// every transfer of `amount` from `from` is refused (for pre-trade checks).
    function checkSender(address from, uint256 amount, IIdentityRegistry registry)
        external
        view
        returns (uint8 code, bytes memory reason);

    /// @notice The part of the rule that depends on the recipient alone: may `to` hold the
    /// token at all (for pre-trade checks and beneficial owners in custody).
    function checkRecipient(address to, IIdentityRegistry registry)
        external
        view
        returns (uint8 code, bytes memory reason);

    /// @notice Called after a transfer between holders (including forced transfers and
    /// wallet recoveries), with balances already updated.
    function onTransfer(address from, address to, uint256 amount, IIdentityRegistry registry) external;

    /// @notice Called after a mint, with balances already updated.
    function onMint(address to, uint256 amount, IIdentityRegistry registry) external;

    /// @notice Called after a burn, with balances already updated.
    function onBurn(address from, uint256 amount, IIdentityRegistry registry) external;
}
