// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Holds} from "./Holds.sol";
import {IRestrictionErrors} from "../compliance/IRestrictionErrors.sol";

/// @title CashToken
/// @notice The payment leg: a tokenized deposit or stablecoin.
/// @dev Minted by `MINTER_ROLE`; any holder may burn its own tokens (or, with allowance,
/// another's) to redeem. With the allow-list enabled, only listed accounts may send or
/// receive (a bank's tokenized deposit); a stablecoin runs with it off. Cash on hold for a
/// pending settlement (see `Holds`; the settlement contract holds `HOLD_OPERATOR_ROLE`)
/// cannot be spent until the hold is executed or released.
contract CashToken is ERC20, ERC20Burnable, AccessControl, Holds, IRestrictionErrors {
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");
    bytes32 public constant LIST_MANAGER_ROLE = keccak256("LIST_MANAGER_ROLE");
    bytes32 public constant HOLD_OPERATOR_ROLE = keccak256("HOLD_OPERATOR_ROLE");

    error CashBatchLengthMismatch(uint256 recipients, uint256 amounts);

    error CashNotAllowListed(address account);

    event AllowListEnabled(bool enabled);
    event AllowListUpdated(address indexed account, bool allowed);

    bool public allowListEnabled;
    mapping(address account => bool) public isAllowListed;

    uint8 private immutable _decimals;

    constructor(string memory name_, string memory symbol_, uint8 decimals_, address admin, bool allowListEnabled_)
        ERC20(name_, symbol_)
    {
        _decimals = decimals_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        allowListEnabled = allowListEnabled_;
        emit AllowListEnabled(allowListEnabled_);
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        _mint(to, amount);
    }

    /// @notice Pay several recipients in one transaction (distributions); all or nothing.
    function batchTransfer(address[] calldata to, uint256[] calldata amounts) external returns (bool) {
        if (to.length != amounts.length) revert CashBatchLengthMismatch(to.length, amounts.length);
        for (uint256 i = 0; i < to.length; ++i) {
            _transfer(msg.sender, to[i], amounts[i]);
        }
        return true;
    }

    /// @notice Cash `holder` can spend now: the balance less cash on hold.
    function availableBalanceOf(address holder) external view returns (uint256) {
        return balanceOf(holder) - heldBalanceOf(holder);
    }

    // ------------------------------------------------------------------- holds

    /// @notice Put `amount` of `holder`'s cash on hold for a settlement.
    function hold(bytes32 holdId, address holder, uint256 amount) external onlyRole(HOLD_OPERATOR_ROLE) {
        uint256 available = balanceOf(holder) - heldBalanceOf(holder);
        if (available < amount) revert TokensOnHold(holder, available, amount);
        _createHold(holdId, holder, amount);
    }

    /// @notice Pay `amount` of a hold to `to` (allow-list rules apply).
    function executeHold(bytes32 holdId, address to, uint256 amount) external onlyRole(HOLD_OPERATOR_ROLE) returns (bool) {
        address holder = _takeFromHold(holdId, amount, to);
        _transfer(holder, to, amount);
        return true;
    }

    function releaseHold(bytes32 holdId) external onlyRole(HOLD_OPERATOR_ROLE) {
        _releaseHold(holdId);
    }

    /// @notice What `executeHold(holdId, to, amount)` would do now (code 0: it would pay).
    function holdExecutionRestriction(bytes32 holdId, address to, uint256 amount)
        external
        view
        returns (uint8, bytes memory)
    {
        Hold memory h = holdOf(holdId);
        if (h.amount < amount) return (1, abi.encodeWithSelector(HoldExceedsAmount.selector, holdId, h.amount, amount));
        if (allowListEnabled) {
            if (!isAllowListed[h.holder]) return (1, abi.encodeWithSelector(CashNotAllowListed.selector, h.holder));
            if (!isAllowListed[to]) return (1, abi.encodeWithSelector(CashNotAllowListed.selector, to));
        }
        return (0, "");
    }

    function setAllowListEnabled(bool enabled) external onlyRole(LIST_MANAGER_ROLE) {
        allowListEnabled = enabled;
        emit AllowListEnabled(enabled);
    }

    function setAllowListed(address account, bool allowed) external onlyRole(LIST_MANAGER_ROLE) {
        _setAllowListed(account, allowed);
    }

    function batchSetAllowListed(address[] calldata accounts, bool allowed) external onlyRole(LIST_MANAGER_ROLE) {
        for (uint256 i = 0; i < accounts.length; ++i) {
            _setAllowListed(accounts[i], allowed);
        }
    }

    function _setAllowListed(address account, bool allowed) private {
        isAllowListed[account] = allowed;
        emit AllowListUpdated(account, allowed);
    }

    function _update(address from, address to, uint256 amount) internal override {
        if (from != address(0)) {
            uint256 balance = balanceOf(from);
            uint256 held = heldBalanceOf(from);
            if (balance >= amount && balance - held < amount) revert TokensOnHold(from, balance - held, amount);
        }
        if (allowListEnabled) {
            if (from != address(0) && !isAllowListed[from]) revert CashNotAllowListed(from);
            if (to != address(0) && !isAllowListed[to]) revert CashNotAllowListed(to);
        }
        super._update(from, to, amount);
    }
}
