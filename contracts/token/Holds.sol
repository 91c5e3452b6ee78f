// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Holds
/// @notice Holds on token balances: tokens set aside for a pending settlement that stay
/// with their owner, so ownership stays visible on chain while they wait.
/// @dev In the manner of ERC-1996 (holdable tokens): a hold operator (the DvP settlement
/// contract, holding `HOLD_OPERATOR_ROLE` on the token) places a hold on a holder's
/// balance when the holder affirms a trade; held tokens cannot be spent, frozen or forced
/// away; the operator that placed a hold later executes it (all or part, as a transfer
/// the token checks like any other) or releases it. The token implements `hold`,
/// `executeHold` and `releaseHold` with its own checks and calls the internal functions
/// here for the bookkeeping.
abstract contract Holds {
    struct Hold {
        address holder;
        address operator;
        uint256 amount;
    }

    error HoldAlreadyExists(bytes32 holdId);
    error HoldNotFound(bytes32 holdId);
    error HoldCallerNotOperator(bytes32 holdId, address caller, address operator);
    error HoldExceedsAmount(bytes32 holdId, uint256 held, uint256 requested);
    error HoldZeroAmount(bytes32 holdId);

    event HoldCreated(bytes32 indexed holdId, address indexed holder, address indexed operator, uint256 amount);
    event HoldReleased(bytes32 indexed holdId, address indexed holder, uint256 amount);
    event HoldExecuted(bytes32 indexed holdId, address indexed holder, address indexed to, uint256 amount);

    mapping(bytes32 holdId => Hold) private _holds;
    mapping(address holder => uint256) private _held;

    /// @notice Tokens of `holder` on hold (not spendable).
    function heldBalanceOf(address holder) public view returns (uint256) {
        return _held[holder];
    }

    function holdOf(bytes32 holdId) public view returns (Hold memory) {
        return _holds[holdId];
    }

    function _createHold(bytes32 holdId, address holder, uint256 amount) internal {
        if (amount == 0) revert HoldZeroAmount(holdId);
        if (_holds[holdId].amount != 0) revert HoldAlreadyExists(holdId);
        _holds[holdId] = Hold(holder, msg.sender, amount);
        _held[holder] += amount;
        emit HoldCreated(holdId, holder, msg.sender, amount);
    }

    /// @dev Take `amount` out of the hold (for execution); return the holder.
    function _takeFromHold(bytes32 holdId, uint256 amount, address to) internal returns (address holder) {
        Hold storage hold = _operatorHold(holdId);
        if (amount > hold.amount) revert HoldExceedsAmount(holdId, hold.amount, amount);
        holder = hold.holder;
        hold.amount -= amount;
        _held[holder] -= amount;
        if (hold.amount == 0) delete _holds[holdId];
        emit HoldExecuted(holdId, holder, to, amount);
    }

    function _releaseHold(bytes32 holdId) internal {
        Hold storage hold = _operatorHold(holdId);
        address holder = hold.holder;
        uint256 amount = hold.amount;
        _held[holder] -= amount;
        delete _holds[holdId];
        emit HoldReleased(holdId, holder, amount);
    }

    function _operatorHold(bytes32 holdId) internal view returns (Hold storage hold) {
        hold = _holds[holdId];
        if (hold.amount == 0) revert HoldNotFound(holdId);
        if (hold.operator != msg.sender) revert HoldCallerNotOperator(holdId, msg.sender, hold.operator);
    }
}
