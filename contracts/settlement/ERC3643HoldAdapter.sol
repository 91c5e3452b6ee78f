// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IHoldable} from "./IHoldable.sol";
import {Holds} from "../token/Holds.sol";
import {IRestrictionErrors} from "../compliance/IRestrictionErrors.sol";
import {Restrictions} from "../compliance/Restrictions.sol";

/// @dev The parts of an ERC-3643 token the adapter calls (declared from the standard's
/// interface, EIP-3643 `IToken`; no ERC-3643 implementation code is used here).
interface IERC3643Token {
    function balanceOf(address account) external view returns (uint256);
    function totalSupply() external view returns (uint256);
    function paused() external view returns (bool);
    function isFrozen(address wallet) external view returns (bool);
    function getFrozenTokens(address wallet) external view returns (uint256);
    function identityRegistry() external view returns (address);
    function compliance() external view returns (address);
    function freezePartialTokens(address wallet, uint256 amount) external;
    function unfreezePartialTokens(address wallet, uint256 amount) external;
    function forcedTransfer(address from, address to, uint256 amount) external returns (bool);
}

/// @dev EIP-3643 `IIdentityRegistry`, the two reads the adapter needs.
interface IERC3643IdentityRegistry {
    function isVerified(address wallet) external view returns (bool);
    function investorCountry(address wallet) external view returns (uint16);
    function identity(address wallet) external view returns (address);
}

/// @dev EIP-3643 `IModularCompliance` and its modules' `IModule`, the reads the adapter needs.
interface IERC3643Compliance {
    function getModules() external view returns (address[] memory);
}

interface IERC3643Module {
    function moduleCheck(address from, address to, uint256 value, address compliance) external view returns (bool);
    function name() external pure returns (string memory);
}

/// @title ERC3643HoldAdapter
/// @notice Holds-based delivery versus payment for an ERC-3643 (T-REX) token, which has no
/// holds of its own: the settlement contract (`DvPSettlement`) uses this adapter as the
/// security leg's `IHoldable`, exactly as it uses tokensim's own `SecurityToken`.
/// @dev The adapter is an agent of the token (T-REX's `addAgent`). Its powers are used
/// only within a hold the holder committed to:
///
/// - `hold`: a hold operator (the DvP contract, which calls it only from `affirm`, the
///   holder's own act) puts `amount` of the holder's free balance aside: the adapter
///   freezes it on the token (`freezePartialTokens`), so the holder cannot spend it and
///   ownership stays visible. Refused (the token's own rule errors) when the wallet is
///   frozen or the free balance is short.
/// - `executeHold`: the operator that placed the hold, while it is still a hold operator,
///   delivers all or part of it to `to`.
///   T-REX's agent transfer (`forcedTransfer`) consults no compliance module and ignores a
///   pause, so the adapter first runs, in T-REX's own order, what T-REX's `transfer` would
///   check (pause, frozen wallets, the recipient's verification, every compliance module's
///   `moduleCheck`) and reverts with tokensim's restriction error for the first that fails;
///   then it unfreezes the amount and transfers it (`forcedTransfer`, which also updates
///   the modules' state through `transferred`).
/// - `releaseHold`: the rest of the hold is unfrozen.
///
/// T-REX keeps one frozen amount per wallet: a hold's tokens and an agent's legal freeze
/// are both in `getFrozenTokens`. The adapter keeps what it holds (`heldBalanceOf`); the
/// rest of the frozen amount is the agent's freeze (`frozenTokens`). An agent that
/// unfreezes past its own freeze, or burns, forces or recovers tokens on hold, takes from
/// a hold: that is T-REX's model, not prevented here (tokensim's handle, `Erc3643Token`,
/// refuses those burns, forced transfers and recoveries first); a hold so emptied would
/// unfreeze, when released, what the agent froze since.
///
/// A refusal by a module maps to the restriction code of the rule it enforces by the
/// module's `name()`: T-REX's `CountryAllowModule` and `CountryRestrictModule` (14, the
/// jurisdiction field carrying T-REX's ISO 3166-1 numeric country), `MaxBalanceModule`
/// (16, per identity), `SupplyLimitModule` (17); any other module refuses with
/// `ERC3643ModuleRefused` (code 22, MODULE_REFUSED: a rule tokensim has no code of its own for).
contract ERC3643HoldAdapter is IHoldable, IRestrictionErrors, Holds, AccessControl {
    bytes32 public constant HOLD_OPERATOR_ROLE = keccak256("HOLD_OPERATOR_ROLE");

    error EnforcedPause();
    error ERC20InvalidReceiver(address receiver);
    error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed);
    error ERC3643ModuleRefused(address module, string moduleName, address from, address to, uint256 amount);
    error ERC3643MaxBalanceExceeded(address wallet, address identity, uint256 amount);
    error ERC3643JurisdictionRestricted(address wallet, uint16 country);
    error TokenRecoveryWithHolds(address lostWallet, uint256 held);

    IERC3643Token public immutable token;

    constructor(address admin, IERC3643Token token_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        token = token_;
    }

    // ------------------------------------------------------------------ reads

    /// @notice The agent's own freeze on `holder` (T-REX's frozen amount less the holds).
    function frozenTokens(address holder) public view returns (uint256) {
        uint256 frozen = token.getFrozenTokens(holder);
        uint256 held = heldBalanceOf(holder);
        return frozen > held ? frozen - held : 0;
    }

    /// @notice Tokens `holder` can move now: its balance less frozen and held tokens.
    function availableBalanceOf(address holder) public view returns (uint256) {
        uint256 balance = token.balanceOf(holder);
        uint256 locked = frozenTokens(holder) + heldBalanceOf(holder);
        return balance > locked ? balance - locked : 0;
    }

    /// @notice The restriction code and ABI-encoded error of `from` sending `amount` to `to`
    /// by T-REX's `transfer` (`from` zero: the agent minting, by T-REX's `mint`).
    function transferRestriction(address from, address to, uint256 amount)
        public
        view
        returns (uint8 code, bytes memory reason)
    {
        if (from == address(0)) return _complianceRestriction(from, to, amount);
        if (token.paused()) return (Restrictions.PAUSED, abi.encodeWithSelector(EnforcedPause.selector));
        if (token.isFrozen(from)) return (Restrictions.SENDER_FROZEN, abi.encodeWithSelector(SenderFrozen.selector, from));
        if (token.isFrozen(to)) return (Restrictions.RECIPIENT_FROZEN, abi.encodeWithSelector(RecipientFrozen.selector, to));
        (code, reason) = _availableRestriction(from, amount, 0);
        if (code != Restrictions.SUCCESS) return (code, reason);
        return _complianceRestriction(from, to, amount);
    }

    /// @notice Pre-trade check of a seller: pause, frozen wallet, balance not frozen or held.
    function senderRestriction(address from, uint256 amount) external view returns (uint8 code, bytes memory reason) {
        if (token.paused()) return (Restrictions.PAUSED, abi.encodeWithSelector(EnforcedPause.selector));
        if (token.isFrozen(from)) return (Restrictions.SENDER_FROZEN, abi.encodeWithSelector(SenderFrozen.selector, from));
        return _availableRestriction(from, amount, 0);
    }

    /// @notice Pre-trade check of a buyer: not frozen, verified, and no module refusing it
    /// any amount (T-REX's country modules; amount rules are the transfer's).
    function recipientRestriction(address to) external view returns (uint8 code, bytes memory reason) {
        if (to == address(0)) {
            return (Restrictions.INVALID_RECIPIENT, abi.encodeWithSelector(ERC20InvalidReceiver.selector, to));
        }
        if (token.isFrozen(to)) return (Restrictions.RECIPIENT_FROZEN, abi.encodeWithSelector(RecipientFrozen.selector, to));
        if (!_registry().isVerified(to)) {
            return (Restrictions.RECIPIENT_NOT_VERIFIED, abi.encodeWithSelector(RecipientNotVerified.selector, to));
        }
        address compliance = token.compliance();
        address[] memory modules = IERC3643Compliance(compliance).getModules();
        for (uint256 i = 0; i < modules.length; ++i) {
            bytes32 kind = keccak256(bytes(IERC3643Module(modules[i]).name()));
            if (kind != keccak256("CountryAllowModule") && kind != keccak256("CountryRestrictModule")) continue;
            if (!IERC3643Module(modules[i]).moduleCheck(address(0), to, 0, compliance)) {
                return _moduleRefusal(modules[i], address(0), to, 0);
            }
        }
        return (Restrictions.SUCCESS, "");
    }

    /// @notice Whether the agent may recover `lostWallet` now: not while it has tokens on
    /// hold for a pending settlement (T-REX's `recoveryAddress` would move them, frozen, to
    /// the new wallet and the settlement could no longer deliver them), as on tokensim's token.
    function recoveryRestriction(address lostWallet) external view returns (uint8, bytes memory) {
        uint256 held = heldBalanceOf(lostWallet);
        if (held > 0) {
            return (Restrictions.TOKENS_ON_HOLD, abi.encodeWithSelector(TokenRecoveryWithHolds.selector, lostWallet, held));
        }
        return (Restrictions.SUCCESS, "");
    }

    /// @inheritdoc IHoldable
    function holdExecutionRestriction(bytes32 holdId, address to, uint256 amount)
        public
        view
        returns (uint8, bytes memory)
    {
        Hold memory h = holdOf(holdId);
        if (h.amount < amount) {
            return (Restrictions.TOKENS_ON_HOLD, abi.encodeWithSelector(HoldExceedsAmount.selector, holdId, h.amount, amount));
        }
        if (token.paused()) return (Restrictions.PAUSED, abi.encodeWithSelector(EnforcedPause.selector));
        if (token.isFrozen(h.holder)) {
            return (Restrictions.SENDER_FROZEN, abi.encodeWithSelector(SenderFrozen.selector, h.holder));
        }
        if (token.isFrozen(to)) return (Restrictions.RECIPIENT_FROZEN, abi.encodeWithSelector(RecipientFrozen.selector, to));
        (uint8 code, bytes memory reason) = _availableRestriction(h.holder, amount, amount);
        if (code != Restrictions.SUCCESS) return (code, reason);
        return _complianceRestriction(h.holder, to, amount);
    }

    // ----------------------------------------------------------------- holds

    /// @inheritdoc IHoldable
    function hold(bytes32 holdId, address holder, uint256 amount) external onlyRole(HOLD_OPERATOR_ROLE) {
        if (token.isFrozen(holder)) revert SenderFrozen(holder);
        (uint8 code, bytes memory reason) = _availableRestriction(holder, amount, 0);
        if (code != Restrictions.SUCCESS) _revertWith(reason);
        _createHold(holdId, holder, amount);
        token.freezePartialTokens(holder, amount);
    }

    /// @inheritdoc IHoldable
    /// @dev Only by the operator that placed the hold, and only while it still holds
    /// `HOLD_OPERATOR_ROLE`, as on tokensim's token: a venue whose role the admin revoked can
    /// no longer move tokens (it can still release what it put on hold, which moves nothing).
    function executeHold(bytes32 holdId, address to, uint256 amount) external returns (bool) {
        _operatorHold(holdId);
        _checkRole(HOLD_OPERATOR_ROLE);
        (uint8 code, bytes memory reason) = holdExecutionRestriction(holdId, to, amount);
        if (code != Restrictions.SUCCESS) _revertWith(reason);
        address holder = _takeFromHold(holdId, amount, to);
        _unfreeze(holder, amount);
        token.forcedTransfer(holder, to, amount);
        return true;
    }

    /// @inheritdoc IHoldable
    function releaseHold(bytes32 holdId) external {
        Hold memory h = holdOf(holdId);
        _releaseHold(holdId);  // only its operator
        _unfreeze(h.holder, h.amount);
    }

    // -------------------------------------------------------------- internal

    /// @dev Unfreeze what a hold froze (less, if the agent unfroze part of it meanwhile:
    /// see the contract's notes).
    function _unfreeze(address holder, uint256 amount) private {
        uint256 frozen = token.getFrozenTokens(holder);
        uint256 unfreeze = amount < frozen ? amount : frozen;
        if (unfreeze > 0) token.unfreezePartialTokens(holder, unfreeze);
    }

    function _registry() private view returns (IERC3643IdentityRegistry) {
        return IERC3643IdentityRegistry(token.identityRegistry());
    }

    /// @dev Balance rules of `holder` moving `amount`, `releasing` of it coming out of a hold.
    function _availableRestriction(address holder, uint256 amount, uint256 releasing)
        private
        view
        returns (uint8, bytes memory)
    {
        uint256 balance = token.balanceOf(holder);
        if (amount > balance) {
            return (Restrictions.INSUFFICIENT_BALANCE,
                abi.encodeWithSelector(ERC20InsufficientBalance.selector, holder, balance, amount));
        }
        uint256 frozen = frozenTokens(holder);
        uint256 unfrozen = balance > frozen ? balance - frozen : 0;
        if (amount > unfrozen) {
            return (Restrictions.FROZEN_TOKENS,
                abi.encodeWithSelector(InsufficientUnfrozenBalance.selector, holder, unfrozen, amount));
        }
        uint256 held = heldBalanceOf(holder) - releasing;
        uint256 available = unfrozen > held ? unfrozen - held : 0;
        if (amount > available) {
            return (Restrictions.TOKENS_ON_HOLD, abi.encodeWithSelector(TokensOnHold.selector, holder, available, amount));
        }
        return (Restrictions.SUCCESS, "");
    }

    /// @notice The recipient's verification and every module's check, in T-REX's order:
    /// what a forced transfer must pass unless the agent overrides compliance.
    function complianceRestriction(address from, address to, uint256 amount) public view returns (uint8, bytes memory) {
        return _complianceRestriction(from, to, amount);
    }

    function _complianceRestriction(address from, address to, uint256 amount) private view returns (uint8, bytes memory) {
        if (!_registry().isVerified(to)) {
            return (Restrictions.RECIPIENT_NOT_VERIFIED, abi.encodeWithSelector(RecipientNotVerified.selector, to));
        }
        address compliance = token.compliance();
        address[] memory modules = IERC3643Compliance(compliance).getModules();
        for (uint256 i = 0; i < modules.length; ++i) {
            if (!IERC3643Module(modules[i]).moduleCheck(from, to, amount, compliance)) {
                return _moduleRefusal(modules[i], from, to, amount);
            }
        }
        return (Restrictions.SUCCESS, "");
    }

    function _moduleRefusal(address module, address from, address to, uint256 amount)
        private
        view
        returns (uint8, bytes memory)
    {
        string memory moduleName = IERC3643Module(module).name();
        bytes32 kind = keccak256(bytes(moduleName));
        if (kind == keccak256("CountryAllowModule") || kind == keccak256("CountryRestrictModule")) {
            return (Restrictions.JURISDICTION,
                abi.encodeWithSelector(ERC3643JurisdictionRestricted.selector, to, _registry().investorCountry(to)));
        }
        if (kind == keccak256("MaxBalanceModule")) {
            return (Restrictions.MAX_BALANCE,
                abi.encodeWithSelector(ERC3643MaxBalanceExceeded.selector, to, _registry().identity(to), amount));
        }
        if (kind == keccak256("SupplyLimitModule")) {
            return (Restrictions.SUPPLY_LIMIT,
                abi.encodeWithSelector(SupplyLimitExceeded.selector, token.totalSupply() + amount, _supplyLimit(module)));
        }
        return (Restrictions.MODULE_REFUSED, abi.encodeWithSelector(ERC3643ModuleRefused.selector, module, moduleName, from, to, amount));
    }

    function _supplyLimit(address module) private view returns (uint256 limit) {
        (bool ok, bytes memory data) =
            module.staticcall(abi.encodeWithSignature("getSupplyLimit(address)", token.compliance()));
        if (ok && data.length == 32) limit = abi.decode(data, (uint256));
    }

    function _revertWith(bytes memory reason) private pure {
        assembly ("memory-safe") {
            revert(add(reason, 32), mload(reason))
        }
    }
}
