// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ISecurityToken} from "./ISecurityToken.sol";
import {IERC7943Fungible} from "./IERC7943.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IIdentityRegistry} from "../identity/IIdentityRegistry.sol";
import {ICompliance} from "../compliance/ICompliance.sol";
import {IRestrictionErrors} from "../compliance/IRestrictionErrors.sol";
import {Restrictions} from "../compliance/Restrictions.sol";
import {Holds} from "./Holds.sol";

/// @title SecurityToken
/// @notice A restricted ERC-20 security token: only verified investors may receive it,
/// and every transfer must pass the token's compliance modules.
/// @dev All restrictions live in one override of `_update`, the hook every balance change
/// goes through; what it checks depends on the operation under way:
///
/// | operation | by | checks |
/// |---|---|---|
/// | transfer, transferFrom, batchTransfer | holder | pause, wallet freeze, balance, partial freeze, recipient verified, compliance |
/// | mint, batchMint | agent | recipient verified, compliance (mint rules) |
/// | burn, batchBurn | agent | balance, partial freeze |
/// | forcedTransfer (no override) | agent | balance, partial freeze, recipient verified, compliance |
/// | forcedTransfer (override) | agent | balance, partial freeze; the override is recorded in `ForcedTransfer` |
/// | forcedTransfer (ERC-7943, 3 arguments) | agent | recipient eligible (`canReceive`), balance, partial freeze, compliance |
/// | recoverWallet | agent | lost and new wallet belong to one investor, new wallet verified, no holds |
/// | hold | hold operator | wallet not frozen, balance not frozen and not on hold |
/// | executeHold | hold operator | as a holder transfer, from the holder |
///
/// Agent operations ignore the pause and wallet freezes (they are how an agent acts on
/// a frozen wallet) but never move partially frozen tokens or tokens on hold: a forced
/// transfer or burn that needs them is refused until the agent unfreezes them explicitly
/// (`TokensUnfrozen`) or the hold operator releases them. Recovery moves the balance, the
/// frozen amount and the wallet freeze to the new wallet and freezes the lost one.
///
/// Holds (see `Holds`) keep tokens with their owner while a settlement is pending; the
/// settlement contract holds `HOLD_OPERATOR_ROLE`. `freezePartialTokens` never freezes
/// tokens on hold (frozen plus held stays within the balance); ERC-7943's
/// `setFrozenTokens` sets any amount, and a freeze prevails over a hold placed before it.
///
/// `detectTransferRestriction(from, to, amount)` (ERC-1404) runs the same function the
/// holder transfer runs, so its code always equals what the transfer does; with `from` the
/// zero address it reports the mint rules. A refusal reverts with the custom error named
/// in `Restrictions`, carrying the values involved.
///
/// ERC-7943 (uRWA, fungible; `supportsInterface(0x3edbb4c4)`), on the same rules:
/// `canSend` is "the wallet is not frozen", `canReceive` is `recipientRestriction == 0`,
/// `canTransfer` is `detectTransferRestriction == 0` except that an amount above the
/// balance is left to ERC-20 (then only pause, `canSend` and `canReceive` answer),
/// `getFrozenTokens` is `frozenTokens`, `setFrozenTokens` sets the partial freeze to an
/// absolute amount (it may exceed the balance: later receipts stay frozen), and
/// `forcedTransfer(from, to, amount)` is the agent's compliance-checked forced transfer
/// with the recipient's eligibility checked first. It never moves frozen tokens (the
/// ERC's "should not bypass the frozen constraints"): the agent lowers the freeze first.
/// Every change of the frozen amount emits `Frozen` (the new total) besides
/// `TokensFrozen`/`TokensUnfrozen` (the change).
contract SecurityToken is
    ERC20,
    AccessControlDefaultAdminRules,
    Pausable,
    Holds,
    ISecurityToken,
    IRestrictionErrors,
    IERC7943Fungible
{
    bytes32 public constant AGENT_ROLE = keccak256("AGENT_ROLE");
    bytes32 public constant HOLD_OPERATOR_ROLE = keccak256("HOLD_OPERATOR_ROLE");

    enum Operation {
        Transfer,
        Mint,
        Burn,
        Forced,
        ForcedOverride,
        Recovery
    }

    error TokenBatchLengthMismatch(uint256 first, uint256 second);
    error TokenInvalidAddress(address account);
    error TokenFreezeExceedsBalance(address wallet, uint256 balance, uint256 held, uint256 frozenAfter);
    error TokenUnfreezeExceedsFrozen(address wallet, uint256 frozen, uint256 amount);
    error TokenRecoveryInvestorMismatch(
        address lostWallet, address newWallet, bytes32 lostInvestorId, bytes32 newInvestorId
    );
    error TokenRecoveryWithHolds(address lostWallet, uint256 held);
    error TokenComplianceNotBound(address compliance, address boundTo);

    event IdentityRegistrySet(address indexed identityRegistry);
    event ComplianceSet(address indexed compliance);
    event AddressFrozen(address indexed wallet, bool indexed frozen, address indexed agent);
    event TokensFrozen(address indexed wallet, uint256 amount);
    event TokensUnfrozen(address indexed wallet, uint256 amount);
    event ForcedTransfer(
        address indexed from, address indexed to, uint256 amount, bool complianceOverridden, address indexed agent
    );
    event WalletRecovered(
        address indexed lostWallet, address indexed newWallet, bytes32 indexed investorId, uint256 amount, address agent
    );

    IIdentityRegistry public identityRegistry;
    ICompliance public compliance;
    mapping(address wallet => bool) public isFrozen;
    mapping(address wallet => uint256) public frozenTokens;

    uint8 private immutable _decimals;
    Operation private transient _operation;

    /// @param admin receives `DEFAULT_ADMIN_ROLE` (the issuer); grant `AGENT_ROLE` to the
    /// transfer agent. The admin role changes hands in two steps (`beginDefaultAdminTransfer`
    /// by the admin, `acceptDefaultAdminTransfer` by the new one): a mistyped address cannot
    /// take over the token.
    constructor(
        string memory name_,
        string memory symbol_,
        uint8 decimals_,
        address admin,
        IIdentityRegistry identityRegistry_,
        ICompliance compliance_
    ) ERC20(name_, symbol_) AccessControlDefaultAdminRules(0, admin) {
        _decimals = decimals_;
        _setIdentityRegistry(identityRegistry_);
        _setCompliance(compliance_);
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    // ----------------------------------------------------------------- ERC-1404

    /// @notice Restriction code of moving `amount` from `from` to `to` (0 = allowed). With
    /// `from` the zero address: the code of minting `amount` to `to`.
    function detectTransferRestriction(address from, address to, uint256 amount) external view returns (uint8) {
        (uint8 code,) = transferRestriction(from, to, amount);
        return code;
    }

    function messageForTransferRestriction(uint8 code) external pure returns (string memory) {
        return Restrictions.message(code);
    }

    /// @notice ERC-7943: true when the token's rules allow the transfer (with `from` zero,
    /// the mint). The same as `detectTransferRestriction == 0` for any amount up to the
    /// balance; above it, ERC-20's balance check is not this function's (ERC-7943), and
    /// only the pause, `canSend(from)` and `canReceive(to)` answer.
    function canTransfer(address from, address to, uint256 amount) external view returns (bool) {
        if (from != address(0) && amount > balanceOf(from)) return !paused() && canSend(from) && canReceive(to);
        (uint8 code,) = transferRestriction(from, to, amount);
        return code == Restrictions.SUCCESS;
    }

    /// @notice ERC-7943: `account` may send (its wallet is not frozen). Amount rules
    /// (balance, partial freeze, holds, lock-ups) are `canTransfer`'s.
    function canSend(address account) public view returns (bool) {
        return !isFrozen[account];
    }

    /// @notice ERC-7943: `account` may receive (`recipientRestriction(account)` is 0:
    /// not frozen, verified, eligible under every compliance module).
    function canReceive(address account) public view returns (bool) {
        (uint8 code,) = recipientRestriction(account);
        return code == Restrictions.SUCCESS;
    }

    /// @notice ERC-7943: the frozen amount of `account` (`frozenTokens`; may exceed its balance).
    function getFrozenTokens(address account) external view returns (uint256) {
        return frozenTokens[account];
    }

    /// @notice ERC-165: ERC-7943 fungible (`0x3edbb4c4`), AccessControl, ERC-165.
    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(AccessControlDefaultAdminRules, IERC165)
        returns (bool)
    {
        return interfaceId == type(IERC7943Fungible).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @notice The restriction code and the ABI-encoded error the operation would revert
    /// with (empty when allowed).
    function transferRestriction(address from, address to, uint256 amount)
        public
        view
        returns (uint8 code, bytes memory reason)
    {
        if (from == address(0)) return _mintRestriction(to, amount);
        return _holderRestriction(from, to, amount);
    }

    /// @notice Pre-trade check of a seller: a non-zero code means any transfer of `amount`
    /// from `from` is refused, with that code (pause, freeze, balance, holds, lock-up). A
    /// zero does not promise a transfer passes: the recipient's side is checked with it.
    function senderRestriction(address from, uint256 amount) external view returns (uint8 code, bytes memory reason) {
        if (paused()) return (Restrictions.PAUSED, abi.encodeWithSelector(EnforcedPause.selector));
        if (isFrozen[from]) return (Restrictions.SENDER_FROZEN, abi.encodeWithSelector(SenderFrozen.selector, from));
        (code, reason) = _availableRestriction(from, amount);
        if (code != Restrictions.SUCCESS) return (code, reason);
        return compliance.checkSender(from, amount);
    }

    /// @notice Pre-trade check of a buyer, or eligibility of a beneficial owner: a non-zero
    /// code means `to` may not receive the token at all (verification, freeze,
    /// jurisdiction, accreditation). A zero does not promise a transfer passes.
    function recipientRestriction(address to) public view returns (uint8 code, bytes memory reason) {
        if (to == address(0)) {
            return (Restrictions.INVALID_RECIPIENT, abi.encodeWithSelector(ERC20InvalidReceiver.selector, to));
        }
        if (isFrozen[to]) return (Restrictions.RECIPIENT_FROZEN, abi.encodeWithSelector(RecipientFrozen.selector, to));
        if (!identityRegistry.isVerified(to)) {
            return (Restrictions.RECIPIENT_NOT_VERIFIED, abi.encodeWithSelector(RecipientNotVerified.selector, to));
        }
        return compliance.checkRecipient(to);
    }

    /// @notice Tokens `holder` can move now: the balance less frozen and held tokens.
    function availableBalanceOf(address holder) external view returns (uint256) {
        uint256 locked = frozenTokens[holder] + heldBalanceOf(holder);
        uint256 balance = balanceOf(holder);
        return balance > locked ? balance - locked : 0;
    }

    // ------------------------------------------------------------------- holds

    /// @notice Put `amount` of `holder`'s tokens on hold for a settlement (a frozen wallet
    /// cannot commit its tokens to one).
    function hold(bytes32 holdId, address holder, uint256 amount) external onlyRole(HOLD_OPERATOR_ROLE) {
        if (isFrozen[holder]) revert SenderFrozen(holder);
        (uint8 code, bytes memory reason) = _availableRestriction(holder, amount);
        if (code != Restrictions.SUCCESS) _revertWith(reason);
        _createHold(holdId, holder, amount);
    }

    /// @notice What `executeHold(holdId, to, amount)` would do now: the holder-transfer rules
    /// with the hold's own tokens counted as available (as its execution takes them out of
    /// the hold first).
    function holdExecutionRestriction(bytes32 holdId, address to, uint256 amount)
        external
        view
        returns (uint8, bytes memory)
    {
        Hold memory h = holdOf(holdId);
        if (h.amount < amount) {
            return (Restrictions.TOKENS_ON_HOLD, abi.encodeWithSelector(HoldExceedsAmount.selector, holdId, h.amount, amount));
        }
        return _holderRestrictionReleasing(h.holder, to, amount, amount);
    }

    /// @notice Deliver `amount` of a hold to `to`: a transfer from the holder under the
    /// holder-transfer rules (pause, freezes, verification, compliance).
    function executeHold(bytes32 holdId, address to, uint256 amount) external onlyRole(HOLD_OPERATOR_ROLE) returns (bool) {
        address holder = _takeFromHold(holdId, amount, to);
        _transfer(holder, to, amount);
        return true;
    }

    /// @notice Give the rest of a hold back to the holder.
    function releaseHold(bytes32 holdId) external onlyRole(HOLD_OPERATOR_ROLE) {
        _releaseHold(holdId);
    }

    // ------------------------------------------------------------ holder actions

    /// @notice Transfer to several recipients at once (all or nothing).
    function batchTransfer(address[] calldata to, uint256[] calldata amounts) external returns (bool) {
        _sameLength(to.length, amounts.length);
        for (uint256 i = 0; i < to.length; ++i) {
            _transfer(msg.sender, to[i], amounts[i]);
        }
        return true;
    }

    // ------------------------------------------------------------- agent actions

    function mint(address to, uint256 amount) external onlyRole(AGENT_ROLE) {
        _as(Operation.Mint);
        _mint(to, amount);
        _as(Operation.Transfer);
    }

    function batchMint(address[] calldata to, uint256[] calldata amounts) external onlyRole(AGENT_ROLE) {
        _sameLength(to.length, amounts.length);
        _as(Operation.Mint);
        for (uint256 i = 0; i < to.length; ++i) {
            _mint(to[i], amounts[i]);
        }
        _as(Operation.Transfer);
    }

    function burn(address from, uint256 amount) external onlyRole(AGENT_ROLE) {
        _as(Operation.Burn);
        _burn(from, amount);
        _as(Operation.Transfer);
    }

    function batchBurn(address[] calldata from, uint256[] calldata amounts) external onlyRole(AGENT_ROLE) {
        _sameLength(from.length, amounts.length);
        _as(Operation.Burn);
        for (uint256 i = 0; i < from.length; ++i) {
            _burn(from[i], amounts[i]);
        }
        _as(Operation.Transfer);
    }

    /// @notice Move tokens without the holder's signature (court order, error correction).
    /// @param overrideCompliance when true, skip recipient verification and the compliance
    /// modules; the event records it. Partially frozen tokens never move.
    function forcedTransfer(address from, address to, uint256 amount, bool overrideCompliance)
        external
        onlyRole(AGENT_ROLE)
        returns (bool)
    {
        _forcedTransfer(from, to, amount, overrideCompliance);
        return true;
    }

    /// @notice ERC-7943's forced transfer: the recipient must be eligible (`canReceive`),
    /// then as `forcedTransfer(from, to, amount, false)` (balance, partial freeze, holds,
    /// compliance), recorded in ERC-7943's `ForcedTransfer(from, to, amount)`.
    function forcedTransfer(address from, address to, uint256 amount)
        external
        onlyRole(AGENT_ROLE)
        returns (bool)
    {
        (uint8 code, bytes memory reason) = recipientRestriction(to);
        if (code != Restrictions.SUCCESS) _revertWith(reason);
        _as(Operation.Forced);
        _transfer(from, to, amount);
        _as(Operation.Transfer);
        emit ForcedTransfer(from, to, amount);
        return true;
    }

    function batchForcedTransfer(
        address[] calldata from,
        address[] calldata to,
        uint256[] calldata amounts,
        bool overrideCompliance
    ) external onlyRole(AGENT_ROLE) {
        _sameLength(from.length, to.length);
        _sameLength(from.length, amounts.length);
        for (uint256 i = 0; i < from.length; ++i) {
            _forcedTransfer(from[i], to[i], amounts[i], overrideCompliance);
        }
    }

    /// @notice Move everything of a lost wallet to a new wallet of the same investor.
    function recoverWallet(address lostWallet, address newWallet) external onlyRole(AGENT_ROLE) returns (bool) {
        if (newWallet == address(0) || newWallet == lostWallet) revert TokenInvalidAddress(newWallet);
        bytes32 lostId = identityRegistry.investorIdOf(lostWallet);
        bytes32 newId = identityRegistry.investorIdOf(newWallet);
        if (lostId == bytes32(0) || lostId != newId) {
            revert TokenRecoveryInvestorMismatch(lostWallet, newWallet, lostId, newId);
        }
        if (!identityRegistry.isVerified(newWallet)) revert RecipientNotVerified(newWallet);
        uint256 held = heldBalanceOf(lostWallet);
        if (held > 0) revert TokenRecoveryWithHolds(lostWallet, held);
        uint256 amount = balanceOf(lostWallet);
        if (amount > 0) {
            _as(Operation.Recovery);
            _transfer(lostWallet, newWallet, amount);
            _as(Operation.Transfer);
        }
        uint256 frozen = frozenTokens[lostWallet];
        if (frozen > 0) {
            _setFrozenTokens(lostWallet, 0);
            _setFrozenTokens(newWallet, frozenTokens[newWallet] + frozen);
        }
        if (isFrozen[lostWallet] && !isFrozen[newWallet]) _setFrozen(newWallet, true);
        if (!isFrozen[lostWallet]) _setFrozen(lostWallet, true);
        emit WalletRecovered(lostWallet, newWallet, lostId, amount, msg.sender);
        return true;
    }

    function setAddressFrozen(address wallet, bool frozen) external onlyRole(AGENT_ROLE) {
        _setFrozen(wallet, frozen);
    }

    function batchSetAddressFrozen(address[] calldata wallets, bool frozen) external onlyRole(AGENT_ROLE) {
        for (uint256 i = 0; i < wallets.length; ++i) {
            _setFrozen(wallets[i], frozen);
        }
    }

    function freezePartialTokens(address wallet, uint256 amount) external onlyRole(AGENT_ROLE) {
        _freezePartial(wallet, amount);
    }

    function batchFreezePartialTokens(address[] calldata wallets, uint256[] calldata amounts)
        external
        onlyRole(AGENT_ROLE)
    {
        _sameLength(wallets.length, amounts.length);
        for (uint256 i = 0; i < wallets.length; ++i) {
            _freezePartial(wallets[i], amounts[i]);
        }
    }

    /// @notice ERC-7943: set `account`'s frozen amount to `amount`, above its balance too
    /// (tokens it receives later stay frozen up to that amount). Frozen tokens never move
    /// by a holder, a burn or a forced transfer; a settlement hold whose tokens are frozen
    /// after it was placed cannot be executed (the freeze prevails) and is released.
    function setFrozenTokens(address account, uint256 amount) external onlyRole(AGENT_ROLE) returns (bool) {
        _setFrozenTokens(account, amount);
        return true;
    }

    function unfreezePartialTokens(address wallet, uint256 amount) external onlyRole(AGENT_ROLE) {
        _unfreezePartial(wallet, amount);
    }

    function batchUnfreezePartialTokens(address[] calldata wallets, uint256[] calldata amounts)
        external
        onlyRole(AGENT_ROLE)
    {
        _sameLength(wallets.length, amounts.length);
        for (uint256 i = 0; i < wallets.length; ++i) {
            _unfreezePartial(wallets[i], amounts[i]);
        }
    }

    /// @notice Stop holder transfers (agent operations continue).
    function pause() external onlyRole(AGENT_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(AGENT_ROLE) {
        _unpause();
    }

    // ------------------------------------------------------------- administration

    function setIdentityRegistry(IIdentityRegistry identityRegistry_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setIdentityRegistry(identityRegistry_);
    }

    /// @notice Replace the compliance: only by one already bound to this token (a contract
    /// whose `token()` is this one), so the token's rules cannot be swapped for an arbitrary
    /// contract.
    function setCompliance(ICompliance compliance_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        address boundTo;
        if (address(compliance_).code.length != 0) {
            try compliance_.token() returns (address token) {
                boundTo = token;
            } catch {}
        }
        if (boundTo != address(this)) revert TokenComplianceNotBound(address(compliance_), boundTo);
        _setCompliance(compliance_);
    }

    // ------------------------------------------------------------------- the hook

    function _update(address from, address to, uint256 amount) internal override {
        Operation op = _operation;
        uint8 code;
        bytes memory reason;
        if (op == Operation.Transfer) {
            (code, reason) = _holderRestriction(from, to, amount);
        } else if (op == Operation.Mint) {
            (code, reason) = _mintRestriction(to, amount);
        } else if (op == Operation.Burn) {
            (code, reason) = _availableRestriction(from, amount);
        } else if (op == Operation.Forced) {
            (code, reason) = _forcedRestriction(from, to, amount, true);
        } else if (op == Operation.ForcedOverride) {
            (code, reason) = _forcedRestriction(from, to, amount, false);
        }
        if (code != Restrictions.SUCCESS) _revertWith(reason);
        super._update(from, to, amount);
        if (from == address(0)) {
            compliance.created(to, amount);
        } else if (to == address(0)) {
            compliance.destroyed(from, amount);
        } else {
            compliance.transferred(from, to, amount);
        }
    }

    // -------------------------------------------------------------- restrictions

    function _holderRestriction(address from, address to, uint256 amount)
        private
        view
        returns (uint8, bytes memory)
    {
        return _holderRestrictionReleasing(from, to, amount, 0);
    }

    /// @dev The holder-transfer rules, with `released` of the sender's held tokens counted as
    /// available (a hold being executed).
    function _holderRestrictionReleasing(address from, address to, uint256 amount, uint256 released)
        private
        view
        returns (uint8, bytes memory)
    {
        if (to == address(0)) {
            return (Restrictions.INVALID_RECIPIENT, abi.encodeWithSelector(ERC20InvalidReceiver.selector, to));
        }
        if (paused()) return (Restrictions.PAUSED, abi.encodeWithSelector(EnforcedPause.selector));
        if (isFrozen[from]) return (Restrictions.SENDER_FROZEN, abi.encodeWithSelector(SenderFrozen.selector, from));
        if (isFrozen[to]) {
            return (Restrictions.RECIPIENT_FROZEN, abi.encodeWithSelector(RecipientFrozen.selector, to));
        }
        (uint8 code, bytes memory reason) = _available(from, amount, released);
        if (code != Restrictions.SUCCESS) return (code, reason);
        if (!identityRegistry.isVerified(to)) {
            return (Restrictions.RECIPIENT_NOT_VERIFIED, abi.encodeWithSelector(RecipientNotVerified.selector, to));
        }
        return compliance.checkTransfer(from, to, amount);
    }

    function _mintRestriction(address to, uint256 amount) private view returns (uint8, bytes memory) {
        if (to == address(0)) {
            return (Restrictions.INVALID_RECIPIENT, abi.encodeWithSelector(ERC20InvalidReceiver.selector, to));
        }
        if (!identityRegistry.isVerified(to)) {
            return (Restrictions.RECIPIENT_NOT_VERIFIED, abi.encodeWithSelector(RecipientNotVerified.selector, to));
        }
        return compliance.checkTransfer(address(0), to, amount);
    }

    function _forcedRestriction(address from, address to, uint256 amount, bool runCompliance)
        private
        view
        returns (uint8 code, bytes memory reason)
    {
        (code, reason) = _availableRestriction(from, amount);
        if (code != Restrictions.SUCCESS || !runCompliance) return (code, reason);
        if (!identityRegistry.isVerified(to)) {
            return (Restrictions.RECIPIENT_NOT_VERIFIED, abi.encodeWithSelector(RecipientNotVerified.selector, to));
        }
        return compliance.checkTransfer(from, to, amount);
    }

    function _availableRestriction(address from, uint256 amount) private view returns (uint8, bytes memory) {
        return _available(from, amount, 0);
    }

    /// @dev Balance, partial freeze and holds, with `released` held tokens counted as available.
    function _available(address from, uint256 amount, uint256 released) private view returns (uint8, bytes memory) {
        uint256 balance = balanceOf(from);
        if (balance < amount) {
            return (
                Restrictions.INSUFFICIENT_BALANCE,
                abi.encodeWithSelector(ERC20InsufficientBalance.selector, from, balance, amount)
            );
        }
        uint256 frozen = frozenTokens[from];
        uint256 unfrozen = balance > frozen ? balance - frozen : 0;
        if (unfrozen < amount) {
            return (
                Restrictions.FROZEN_TOKENS,
                abi.encodeWithSelector(InsufficientUnfrozenBalance.selector, from, unfrozen, amount)
            );
        }
        uint256 held = heldBalanceOf(from) - released;
        uint256 available = unfrozen > held ? unfrozen - held : 0;
        if (available < amount) {
            return (Restrictions.TOKENS_ON_HOLD, abi.encodeWithSelector(TokensOnHold.selector, from, available, amount));
        }
        return (Restrictions.SUCCESS, "");
    }

    // ------------------------------------------------------------------ helpers

    function _forcedTransfer(address from, address to, uint256 amount, bool overrideCompliance) private {
        _as(overrideCompliance ? Operation.ForcedOverride : Operation.Forced);
        _transfer(from, to, amount);
        _as(Operation.Transfer);
        emit ForcedTransfer(from, to, amount, overrideCompliance, msg.sender);
    }

    function _setFrozen(address wallet, bool frozen) private {
        isFrozen[wallet] = frozen;
        emit AddressFrozen(wallet, frozen, msg.sender);
    }

    function _freezePartial(address wallet, uint256 amount) private {
        uint256 balance = balanceOf(wallet);
        uint256 held = heldBalanceOf(wallet);
        uint256 frozenAfter = frozenTokens[wallet] + amount;
        if (frozenAfter + held > balance) revert TokenFreezeExceedsBalance(wallet, balance, held, frozenAfter);
        _setFrozenTokens(wallet, frozenAfter);
    }

    function _unfreezePartial(address wallet, uint256 amount) private {
        uint256 frozen = frozenTokens[wallet];
        if (amount > frozen) revert TokenUnfreezeExceedsFrozen(wallet, frozen, amount);
        _setFrozenTokens(wallet, frozen - amount);
    }

    /// @dev The one writer of `frozenTokens`: the change in `TokensFrozen`/`TokensUnfrozen`,
    /// the new total in ERC-7943's `Frozen`.
    function _setFrozenTokens(address wallet, uint256 amount) private {
        uint256 before = frozenTokens[wallet];
        frozenTokens[wallet] = amount;
        if (amount > before) emit TokensFrozen(wallet, amount - before);
        else if (amount < before) emit TokensUnfrozen(wallet, before - amount);
        emit Frozen(wallet, amount);
    }

    function _setIdentityRegistry(IIdentityRegistry identityRegistry_) private {
        if (address(identityRegistry_) == address(0)) revert TokenInvalidAddress(address(identityRegistry_));
        identityRegistry = identityRegistry_;
        emit IdentityRegistrySet(address(identityRegistry_));
    }

    function _setCompliance(ICompliance compliance_) private {
        if (address(compliance_) == address(0)) revert TokenInvalidAddress(address(compliance_));
        compliance = compliance_;
        emit ComplianceSet(address(compliance_));
    }

    function _as(Operation op) private {
        _operation = op;
    }

    function _sameLength(uint256 first, uint256 second) private pure {
        if (first != second) revert TokenBatchLengthMismatch(first, second);
    }

    function _revertWith(bytes memory reason) private pure {
        assembly ("memory-safe") {
            revert(add(reason, 32), mload(reason))
        }
    }
}
