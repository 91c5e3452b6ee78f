// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IHoldable} from "../settlement/IHoldable.sol";

/// @title CollateralCustodian
/// @notice The margin engine's custodian of tokenized securities given as collateral.
/// @dev Given by title transfer, the tokens are this contract's: it is their holder of
/// record, so the token must admit it as a holder (a registered, eligible identity) or the
/// pledge is refused with the token's own error. Pledged in place, they stay in the
/// owner's wallet under a hold this contract places (the token has made it a hold
/// operator): the owner cannot spend, and the token's agent cannot freeze, force away or
/// recover, tokens on hold; only this contract can execute the hold (on default) or release
/// it (on return).
///
/// Only its engine calls it, and the engine does so only for the account whose own call it
/// is serving (`pledge`, `pledgeInPlace`, `release`, `releaseInPlace`) or on that account's
/// liquidation (`foreclose`): no one else can move or encumber anyone's tokens through it.
/// On foreclosure each movement is a transfer the token checks like any other (pause,
/// freezes, the recipient's verification, the Rule 144 lock-up of the pledgor's lots, which
/// tack: the liquidator receives them with their release times); a refusal is recorded
/// (`ForeclosureRefused`, with the token's error) and the tokens stay pledged.
contract CollateralCustodian {
    using SafeERC20 for IERC20;

    error CustodianOnlyEngine(address caller);

    event Encumbered(address indexed account, address indexed token, uint256 amount, bytes32 holdId);
    /// @notice The token refused a foreclosure (`reason`: its error); the tokens stay pledged.
    event ForeclosureRefused(address indexed account, address indexed token, uint256 amount, bool inPlace, bytes reason);

    address public immutable engine;

    mapping(address account => mapping(address token => bytes32)) public holdIdOf;
    mapping(address account => mapping(address token => uint256)) public encumberedOf;
    uint256 private _nonce;

    constructor(address engine_) {
        engine = engine_;
    }

    modifier onlyEngine() {
        if (msg.sender != engine) revert CustodianOnlyEngine(msg.sender);
        _;
    }

    /// @notice Make `account`'s hold on `token` one of `amount` (none when 0), replacing the
    /// one it had. Fails as the token's `hold` does (a frozen wallet, tokens not available).
    function encumber(address account, address token, uint256 amount) external onlyEngine returns (bytes32 holdId) {
        bytes32 old = holdIdOf[account][token];
        if (old != bytes32(0)) IHoldable(token).releaseHold(old);
        if (amount != 0) {
            holdId = keccak256(abi.encode(address(this), account, token, ++_nonce));
            IHoldable(token).hold(holdId, account, amount);
        }
        holdIdOf[account][token] = holdId;
        encumberedOf[account][token] = amount;
        emit Encumbered(account, token, amount, holdId);
    }

    /// @notice Return `amount` of `token` given by title transfer to its owner `to`.
    function deliver(address token, address to, uint256 amount) external onlyEngine {
        IERC20(token).safeTransfer(to, amount);
    }

    /// @notice On `account`'s liquidation: move `fromTitle` of the tokens it gave by title
    /// transfer, then `fromHold` of those pledged in place (its hold executed), to `to`.
    /// Returns what moved of each. Never reverts.
    function foreclose(address account, address token, address to, uint256 fromTitle, uint256 fromHold)
        external
        onlyEngine
        returns (uint256 movedTitle, uint256 movedHold)
    {
        if (fromTitle != 0) {
            try IERC20(token).transfer(to, fromTitle) returns (bool ok) {
                if (ok) movedTitle = fromTitle;
            } catch (bytes memory refusal) {
                emit ForeclosureRefused(account, token, fromTitle, false, refusal);
            }
        }
        if (fromHold == 0) return (movedTitle, 0);
        bytes32 holdId = holdIdOf[account][token];
        IHoldable holdable = IHoldable(token);
        uint8 code;
        bytes memory reason;
        try holdable.holdExecutionRestriction(holdId, to, fromHold) returns (uint8 c, bytes memory r) {
            (code, reason) = (c, r);
        } catch (bytes memory r) {
            (code, reason) = (type(uint8).max, r);
        }
        if (code == 0) {
            try holdable.executeHold(holdId, to, fromHold) {
                movedHold = fromHold;
            } catch (bytes memory r) {
                (code, reason) = (type(uint8).max, r);
            }
        }
        if (code != 0) {
            emit ForeclosureRefused(account, token, fromHold, true, reason);
            return (movedTitle, 0);
        }
        uint256 left = encumberedOf[account][token] - fromHold;
        encumberedOf[account][token] = left;
        if (left == 0) holdIdOf[account][token] = bytes32(0); // a hold executed in full is gone
    }
}
