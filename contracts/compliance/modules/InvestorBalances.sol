// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ComplianceModule} from "../ComplianceModule.sol";
import {IIdentityRegistry} from "../../identity/IIdentityRegistry.sol";

/// @title InvestorBalances
/// @notice Base for modules whose rule counts investors, not wallets.
/// @dev One person may hold through several wallets that share an investor id in the
/// identity registry; holder caps and balance limits apply to the person. This base keeps
/// each investor's balance across wallets and tells the subclass when an investor enters
/// (balance leaves zero) or exits (balance returns to zero). A wallet with no registry
/// record (possible only after a forced transfer with compliance overridden) counts as an
/// investor of its own. Install such modules before the first mint: balances that existed
/// before are not known to them.
abstract contract InvestorBalances is ComplianceModule {
    mapping(bytes32 investorId => uint256) public investorBalance;

    function _afterTransfer(address from, address to, uint256 amount, IIdentityRegistry registry)
        internal
        virtual
        override
    {
        bytes32 fromKey = _investorKey(registry, from);
        bytes32 toKey = _investorKey(registry, to);
        if (fromKey == toKey || amount == 0) return;
        _debit(fromKey, amount);
        _credit(toKey, to, amount, registry);
    }

    function _afterMint(address to, uint256 amount, IIdentityRegistry registry) internal virtual override {
        if (amount == 0) return;
        _credit(_investorKey(registry, to), to, amount, registry);
    }

    function _afterBurn(address from, uint256 amount, IIdentityRegistry registry) internal virtual override {
        if (amount == 0) return;
        _debit(_investorKey(registry, from), amount);
    }

    function _credit(bytes32 key, address wallet, uint256 amount, IIdentityRegistry registry) private {
        uint256 before = investorBalance[key];
        investorBalance[key] = before + amount;
        if (before == 0) _investorEntered(key, wallet, registry);
    }

    function _debit(bytes32 key, uint256 amount) private {
        uint256 before = investorBalance[key];
        if (before == 0) return;
        uint256 remaining = before > amount ? before - amount : 0;
        investorBalance[key] = remaining;
        if (remaining == 0) _investorExited(key);
    }

    /// @dev The investor's balance left zero.
    function _investorEntered(bytes32 key, address wallet, IIdentityRegistry registry) internal virtual {}

    /// @dev The investor's balance returned to zero.
    function _investorExited(bytes32 key) internal virtual {}
}
