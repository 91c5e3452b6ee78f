// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IHoldable} from "./IHoldable.sol";
import {IDvPSettlement} from "./IDvPSettlement.sol";

/// @title DvPSettlement
/// @notice Holds-based delivery versus payment: the securities and the cash stay with
/// their owners until both legs settle together, or neither does (PFMI Principle 12).
/// @dev The life of an instruction:
///
/// 1. `instruct`: the clearing agent records a trade: seller, buyer, security token and
///    quantity, cash token and amount, the settle-by time (the last second it may settle).
/// 2. `affirm`: each party affirms its side; affirming puts that party's leg on hold on
///    the token (`IHoldable.hold`), so it cannot be spent elsewhere but stays visible.
///    A party without the securities or the cash cannot affirm (the token refuses the hold).
/// 3. `settle` (one instruction) or `settleBatch` (a cycle's batch, gross or multilaterally
///    netted): both holds are executed atomically. The tokens check their own rules on the
///    transfers (compliance is checked at settlement); a refusal is recorded
///    (`SettlementRefused`, with the token's error) and neither leg moves.
/// 4. Past the settle-by time, `markFailed` records a fail and rolls the instruction to a
///    new settle-by time. The party that had not affirmed is the failing party: a seller
///    that did not deliver, or a buyer that did not pay; it accrues a cash penalty of
///    `failPenaltyPpm` parts per million of the cash amount per day of fail (CSDR style;
///    1 bp = 100 ppm), owed to the other party. Penalties are recorded, not collected.
/// 5. `buyIn` closes out an instruction whose seller failed to deliver: the buyer's hold
///    is released and the seller owes the replacement cost over the original amount.
///    `cancel` releases both holds.
///
/// Netting: for a batch, the net position of every party in every token is computed; each
/// net deliverer delivers only its net amount, out of its holds, to net receivers; the rest
/// of every hold is released. Netting refuses what gross settlement refuses: before netting,
/// every instruction's two legs are checked as gross settlement would execute them
/// (`IHoldable.holdExecutionRestriction`: freezes, verification, compliance), so a party whose
/// position nets to zero (an intermediary) is checked like any other. All in one
/// transaction: if any leg would be refused, or any net transfer is, the netting is
/// abandoned (`NettingFailed`) and the batch settles gross, instruction by instruction, so
/// one refused trade does not stop the others. Net positions are kept in memory behind an
/// index on (token, party), and receivers are met through a per-token cursor: the gas of
/// netting grows with the batch, not with its square.
contract DvPSettlement is IDvPSettlement, AccessControl {
    bytes32 public constant CLEARING_ROLE = keccak256("CLEARING_ROLE");
    uint256 public constant PPM = 1_000_000;

    error DvPInvalidParties(address seller, address buyer);
    error DvPInvalidTokens(address securityToken, address cashToken);
    error DvPZeroQuantity();
    error DvPDeadlineInPast(uint64 settleBy, uint256 now_);
    error DvPUnknownInstruction(uint256 id);
    error DvPNotPending(uint256 id, Status status);
    error DvPNotParty(uint256 id, address caller, bool asSeller);
    error DvPAlreadyAffirmed(uint256 id, bool asSeller);
    error DvPNotAffirmed(uint256 id, bool sellerAffirmed, bool buyerAffirmed);
    error DvPDeadlinePassed(uint256 id, uint64 settleBy, uint256 now_);
    error DvPDeadlineNotPassed(uint256 id, uint64 settleBy, uint256 now_);
    error DvPInvalidRoll(uint256 id, uint64 newSettleBy, uint256 now_);
    error DvPBuyInNotAllowed(uint256 id, bool sellerAffirmed, uint32 failDays);
    error DvPOnlySelf(address caller);
    error DvPInvalidPenaltyRate(uint256 ppm);

    event Instructed(
        uint256 indexed id,
        address indexed seller,
        address indexed buyer,
        address securityToken,
        uint256 quantity,
        address cashToken,
        uint256 amount,
        uint64 settleBy,
        bytes32 tradeRef
    );
    event Affirmed(uint256 indexed id, address indexed party, bool asSeller);
    event Settled(uint256 indexed id, bool netted);
    event SettlementRefused(uint256 indexed id, bytes reason);
    event InstructionFailed(
        uint256 indexed id, uint32 failDays, address indexed failingParty, uint256 penalty, uint64 newSettleBy
    );
    event Cancelled(uint256 indexed id);
    event BoughtIn(uint256 indexed id, address indexed seller, address indexed buyer, uint256 replacementAmount, uint256 cost);
    event BatchSettled(uint256 settled, uint256 refused, uint256 transfers, bool netted);
    event NettingFailed(bytes reason);
    event FailPenaltyRateSet(uint256 ppm);

    uint256 public failPenaltyPpm;
    uint256 public instructionCount;
    mapping(uint256 id => Instruction) private _instructions;
    /// @dev The statuses of closed instructions, 4 bits each, 64 to a slot: a closed
    /// instruction's record is deleted (its trade stays in the `Instructed` and `Settled`
    /// events), so the contract's storage follows the open instructions, not the history.
    mapping(uint256 slot => uint256) private _closedStatuses;
    mapping(address party => mapping(address cashToken => uint256)) public penaltiesOwed;
    mapping(address party => mapping(address cashToken => uint256)) public penaltiesDue;
    mapping(address party => mapping(address cashToken => uint256)) public buyInCostsOwed;

    /// @param failPenaltyPpm_ daily fail penalty in parts per million of the cash amount
    /// (CSDR, Reg. 2017/389: 1.0 bp = 100 ppm for liquid shares, 0.1 bp = 10 ppm for
    /// sovereign bonds).
    constructor(address admin, uint256 failPenaltyPpm_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setFailPenalty(failPenaltyPpm_);
    }

    // ------------------------------------------------------------- instructions

    function instruct(
        address seller,
        address buyer,
        address securityToken,
        uint256 quantity,
        address cashToken,
        uint256 amount,
        uint64 settleBy,
        bytes32 tradeRef
    ) external onlyRole(CLEARING_ROLE) returns (uint256 id) {
        if (seller == address(0) || buyer == address(0) || seller == buyer) revert DvPInvalidParties(seller, buyer);
        if (securityToken == address(0) || cashToken == address(0) || securityToken == cashToken) {
            revert DvPInvalidTokens(securityToken, cashToken);
        }
        if (quantity == 0) revert DvPZeroQuantity();
        if (settleBy < block.timestamp) revert DvPDeadlineInPast(settleBy, block.timestamp);
        id = ++instructionCount;
        _instructions[id] = Instruction({
            seller: seller,
            buyer: buyer,
            securityToken: securityToken,
            cashToken: cashToken,
            quantity: quantity,
            amount: amount,
            settleBy: settleBy,
            instructedAt: uint64(block.timestamp),
            failDays: 0,
            status: Status.Pending,
            sellerAffirmed: false,
            buyerAffirmed: false,
            tradeRef: tradeRef
        });
        emit Instructed(id, seller, buyer, securityToken, quantity, cashToken, amount, settleBy, tradeRef);
    }

    /// @notice Affirm one side: puts the seller's securities or the buyer's cash on hold.
    function affirm(uint256 id, bool asSeller) external {
        Instruction storage ins = _pending(id);
        if (msg.sender != (asSeller ? ins.seller : ins.buyer)) revert DvPNotParty(id, msg.sender, asSeller);
        if (asSeller ? ins.sellerAffirmed : ins.buyerAffirmed) revert DvPAlreadyAffirmed(id, asSeller);
        if (asSeller) {
            ins.sellerAffirmed = true;
            IHoldable(ins.securityToken).hold(holdIdOf(id, true), ins.seller, ins.quantity);
        } else {
            ins.buyerAffirmed = true;
            if (ins.amount > 0) IHoldable(ins.cashToken).hold(holdIdOf(id, false), ins.buyer, ins.amount);
        }
        emit Affirmed(id, msg.sender, asSeller);
    }

    /// @notice Settle one affirmed instruction; false (and `SettlementRefused`) if a token
    /// refused a leg.
    function settle(uint256 id) external onlyRole(CLEARING_ROLE) returns (bool) {
        _requireSettleable(id);
        return _settleGross(id);
    }

    /// @notice Settle a batch of affirmed instructions, netted or gross; returns how many
    /// settled.
    function settleBatch(uint256[] calldata ids, bool netted) external onlyRole(CLEARING_ROLE) returns (uint256 settled) {
        for (uint256 i = 0; i < ids.length; ++i) {
            _requireSettleable(ids[i]);
        }
        if (netted && ids.length > 1) {
            try this.executeNet(ids) returns (uint256 transfers) {
                for (uint256 i = 0; i < ids.length; ++i) {
                    _close(ids[i], Status.Settled);
                    emit Settled(ids[i], true);
                }
                emit BatchSettled(ids.length, 0, transfers, true);
                return ids.length;
            } catch (bytes memory reason) {
                emit NettingFailed(reason);
            }
        }
        for (uint256 i = 0; i < ids.length; ++i) {
            if (_settleGross(ids[i])) ++settled;
        }
        emit BatchSettled(settled, ids.length - settled, settled * 2, false);
    }

    /// @notice Record a fail past the settle-by time and roll the instruction to `newSettleBy`.
    function markFailed(uint256 id, uint64 newSettleBy) external onlyRole(CLEARING_ROLE) {
        Instruction storage ins = _pending(id);
        if (block.timestamp <= ins.settleBy) revert DvPDeadlineNotPassed(id, ins.settleBy, block.timestamp);
        if (newSettleBy <= block.timestamp) revert DvPInvalidRoll(id, newSettleBy, block.timestamp);
        ins.failDays += 1;
        address failing;
        if (!ins.sellerAffirmed) failing = ins.seller;
        else if (!ins.buyerAffirmed) failing = ins.buyer;
        uint256 penalty;
        if (failing != address(0)) {
            penalty = ins.amount * failPenaltyPpm / PPM;
            address counterparty = failing == ins.seller ? ins.buyer : ins.seller;
            penaltiesOwed[failing][ins.cashToken] += penalty;
            penaltiesDue[counterparty][ins.cashToken] += penalty;
        }
        ins.settleBy = newSettleBy;
        emit InstructionFailed(id, ins.failDays, failing, penalty, newSettleBy);
    }

    /// @notice Cancel a pending instruction and release whatever is on hold.
    function cancel(uint256 id) external onlyRole(CLEARING_ROLE) {
        Instruction storage ins = _pending(id);
        _releaseLegs(id, ins);
        _close(id, Status.Cancelled);
        emit Cancelled(id);
    }

    /// @notice Close out an instruction whose seller failed to deliver; the seller owes the
    /// replacement cost above the original amount.
    function buyIn(uint256 id, uint256 replacementAmount) external onlyRole(CLEARING_ROLE) {
        Instruction storage ins = _pending(id);
        if (ins.sellerAffirmed || ins.failDays == 0) revert DvPBuyInNotAllowed(id, ins.sellerAffirmed, ins.failDays);
        _releaseLegs(id, ins);
        uint256 cost = replacementAmount > ins.amount ? replacementAmount - ins.amount : 0;
        buyInCostsOwed[ins.seller][ins.cashToken] += cost;
        emit BoughtIn(id, ins.seller, ins.buyer, replacementAmount, cost);
        _close(id, Status.BoughtIn);
    }

    function setFailPenaltyPpm(uint256 ppm) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setFailPenalty(ppm);
    }

    // -------------------------------------------------------------------- views

    /// @notice An open instruction's record; of a closed one (settled, cancelled, bought
    /// in) only the status is kept, the other fields read zero.
    function instruction(uint256 id) external view returns (Instruction memory ins) {
        ins = _instructions[id];
        if (ins.status == Status.None) ins.status = _closedStatus(id);
    }

    /// @notice The status of an instruction, open or closed (`None` if there is none).
    function statusOf(uint256 id) external view returns (Status) {
        Status status = _instructions[id].status;
        return status == Status.None ? _closedStatus(id) : status;
    }

    /// @notice The id of the hold an instruction places on a leg.
    function holdIdOf(uint256 id, bool sellerLeg) public view returns (bytes32) {
        return keccak256(abi.encode(address(this), id, sellerLeg));
    }

    // ------------------------------------------------------------ self-calls

    /// @dev Both legs of one instruction; reverts as a whole when a token refuses.
    function executeLegs(uint256 id) external {
        if (msg.sender != address(this)) revert DvPOnlySelf(msg.sender);
        Instruction storage ins = _instructions[id];
        IHoldable(ins.securityToken).executeHold(holdIdOf(id, true), ins.buyer, ins.quantity);
        if (ins.amount > 0) IHoldable(ins.cashToken).executeHold(holdIdOf(id, false), ins.seller, ins.amount);
    }

    /// @dev Net settlement of a batch; reverts as a whole when a token refuses a transfer.
    function executeNet(uint256[] calldata ids) external returns (uint256 transfers) {
        if (msg.sender != address(this)) revert DvPOnlySelf(msg.sender);
        for (uint256 i = 0; i < ids.length; ++i) {
            _requireGrossLegs(ids[i]);
        }
        Net memory net = _netPositions(ids);
        for (uint256 i = 0; i < ids.length; ++i) {
            Instruction storage ins = _instructions[ids[i]];
            transfers += _deliverFromHold(net, ins.securityToken, ins.seller, holdIdOf(ids[i], true), ins.quantity);
            if (ins.amount > 0) {
                transfers += _deliverFromHold(net, ins.cashToken, ins.buyer, holdIdOf(ids[i], false), ins.amount);
            }
        }
    }

    // ---------------------------------------------------------------- internal

    /// @dev The net positions of a batch: one entry per (token, party) in order of first
    /// appearance, found through an open-addressing index (`slots`: entry + 1, 0 empty) so
    /// that netting a batch costs linear, not quadratic, gas; and, per token, a cursor on
    /// the first entry that may still receive (`cursorTokens`/`cursors`, few tokens).
    struct Net {
        address[] tokens;
        address[] parties;
        int256[] amounts;
        uint256 count;
        uint256[] slots;
        uint256 mask;
        address[] cursorTokens;
        uint256[] cursors;
        uint256 cursorCount;
    }

    function _netPositions(uint256[] calldata ids) private view returns (Net memory net) {
        uint256 size = ids.length * 4;
        net.tokens = new address[](size);
        net.parties = new address[](size);
        net.amounts = new int256[](size);
        uint256 width = 8;
        while (width < 2 * size) width <<= 1;
        net.slots = new uint256[](width);
        net.mask = width - 1;
        net.cursorTokens = new address[](ids.length * 2);
        net.cursors = new uint256[](ids.length * 2);
        for (uint256 i = 0; i < ids.length; ++i) {
            Instruction storage ins = _instructions[ids[i]];
            _addNet(net, ins.securityToken, ins.seller, -int256(ins.quantity));
            _addNet(net, ins.securityToken, ins.buyer, int256(ins.quantity));
            _addNet(net, ins.cashToken, ins.buyer, -int256(ins.amount));
            _addNet(net, ins.cashToken, ins.seller, int256(ins.amount));
        }
    }

    function _addNet(Net memory net, address token, address party, int256 delta) private pure {
        (uint256 slot, uint256 entry) = _find(net, token, party);
        if (entry != type(uint256).max) {
            net.amounts[entry] += delta;
            return;
        }
        entry = net.count;
        net.tokens[entry] = token;
        net.parties[entry] = party;
        net.amounts[entry] = delta;
        net.slots[slot] = entry + 1;
        net.count = entry + 1;
    }

    /// @dev The index slot of (token, party) and its entry (`type(uint256).max` and the
    /// empty slot to fill when it has none).
    function _find(Net memory net, address token, address party) private pure returns (uint256 slot, uint256 entry) {
        uint256 hash;
        assembly ("memory-safe") {
            mstore(0x00, token)
            mstore(0x20, party)
            hash := keccak256(0x00, 0x40)
        }
        slot = hash & net.mask;
        while (true) {
            uint256 stored = net.slots[slot];
            if (stored == 0) return (slot, type(uint256).max);
            entry = stored - 1;
            if (net.tokens[entry] == token && net.parties[entry] == party) return (slot, entry);
            slot = (slot + 1) & net.mask;
        }
    }

    /// @dev Deliver, out of one hold of `deliverer` on `token`, what remains of the
    /// deliverer's net delivery, to net receivers in order of first appearance; release
    /// the rest of the hold. Net amounts only move towards zero (a deliverer's up to it, a
    /// receiver's down to it), so an entry that cannot receive never can again, and the
    /// token's cursor only moves forward: the receivers met are those a scan from the
    /// first entry would meet.
    function _deliverFromHold(Net memory net, address token, address deliverer, bytes32 holdId, uint256 held)
        private
        returns (uint256 transfers)
    {
        (, uint256 d) = _find(net, token, deliverer);
        uint256 due = net.amounts[d] < 0 ? uint256(-net.amounts[d]) : 0;
        uint256 send = due < held ? due : held;
        uint256 c = _cursorOf(net, token);
        uint256 r = net.cursors[c];
        while (r < net.count && send > 0) {
            if (net.tokens[r] != token || net.amounts[r] <= 0) {
                ++r;
                continue;
            }
            uint256 room = uint256(net.amounts[r]);
            uint256 x = send < room ? send : room;
            IHoldable(token).executeHold(holdId, net.parties[r], x);
            net.amounts[r] -= int256(x);
            net.amounts[d] += int256(x);
            send -= x;
            held -= x;
            transfers += 1;
            if (net.amounts[r] == 0) ++r;
        }
        net.cursors[c] = r;
        if (held > 0) IHoldable(token).releaseHold(holdId);
    }

    /// @dev The cursor of `token` (a new one at the first entry when it has none).
    function _cursorOf(Net memory net, address token) private pure returns (uint256) {
        for (uint256 i = 0; i < net.cursorCount; ++i) {
            if (net.cursorTokens[i] == token) return i;
        }
        net.cursorTokens[net.cursorCount] = token;
        return net.cursorCount++;
    }

    /// @dev Revert with the token's error if either leg of `id` would be refused gross.
    function _requireGrossLegs(uint256 id) private view {
        Instruction storage ins = _instructions[id];
        _requireLeg(ins.securityToken, holdIdOf(id, true), ins.buyer, ins.quantity);
        if (ins.amount > 0) _requireLeg(ins.cashToken, holdIdOf(id, false), ins.seller, ins.amount);
    }

    function _requireLeg(address token, bytes32 holdId, address to, uint256 amount) private view {
        (uint8 code, bytes memory reason) = IHoldable(token).holdExecutionRestriction(holdId, to, amount);
        if (code != 0) {
            assembly ("memory-safe") {
                revert(add(reason, 32), mload(reason))
            }
        }
    }

    function _settleGross(uint256 id) private returns (bool) {
        try this.executeLegs(id) {
            _close(id, Status.Settled);
            emit Settled(id, false);
            return true;
        } catch (bytes memory reason) {
            emit SettlementRefused(id, reason);
            return false;
        }
    }

    function _requireSettleable(uint256 id) private view {
        Instruction storage ins = _pending(id);
        if (!ins.sellerAffirmed || !ins.buyerAffirmed) revert DvPNotAffirmed(id, ins.sellerAffirmed, ins.buyerAffirmed);
        if (block.timestamp > ins.settleBy) revert DvPDeadlinePassed(id, ins.settleBy, block.timestamp);
    }

    function _releaseLegs(uint256 id, Instruction storage ins) private {
        if (ins.sellerAffirmed) IHoldable(ins.securityToken).releaseHold(holdIdOf(id, true));
        if (ins.buyerAffirmed && ins.amount > 0) IHoldable(ins.cashToken).releaseHold(holdIdOf(id, false));
    }

    function _pending(uint256 id) private view returns (Instruction storage ins) {
        ins = _instructions[id];
        if (ins.status == Status.None) {
            Status closed = _closedStatus(id);
            if (closed == Status.None) revert DvPUnknownInstruction(id);
            revert DvPNotPending(id, closed);
        }
    }

    /// @dev Delete a finished instruction's record and keep its final status.
    function _close(uint256 id, Status status) private {
        delete _instructions[id];
        _closedStatuses[id >> 6] |= uint256(status) << ((id & 63) << 2);
    }

    function _closedStatus(uint256 id) private view returns (Status) {
        return Status((_closedStatuses[id >> 6] >> ((id & 63) << 2)) & 0xf);
    }

    function _setFailPenalty(uint256 ppm) private {
        if (ppm > PPM) revert DvPInvalidPenaltyRate(ppm);
        failPenaltyPpm = ppm;
        emit FailPenaltyRateSet(ppm);
    }
}
