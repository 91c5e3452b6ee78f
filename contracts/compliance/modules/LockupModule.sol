// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ComplianceModule} from "../ComplianceModule.sol";
import {Restrictions} from "../Restrictions.sol";
import {Calendar} from "../../utils/Calendar.sol";
import {IIdentityRegistry} from "../../identity/IIdentityRegistry.sol";

/// @title LockupModule
/// @notice Holding periods by acquisition lot: Rule 144 and Regulation S.
/// @dev Every mint creates a lot `(amount, releaseTime)` for the recipient, with
/// `releaseTime = acquisition + period`. The period is a number of calendar months
/// (Rule 144(d): 6 months for a reporting issuer, 1 year otherwise; Reg S category 3
/// equity: 1 year, or 6 months for a reporting issuer) or of days (Reg S category 2 and
/// category 3 debt: 40 days), see `Calendar.addMonths`. A lot is released at its release
/// time exactly: one second before, it is locked.
///
/// Tokens that are not in a locked lot are unlocked. When a holder's tokens move, the
/// unlocked ones go first, then locked lots in order of release; lots that move keep
/// their release time (the holding period tacks; the Reg S period is the offering's).
///
/// A holder keeps at most `MAX_LOTS` locked lots: a lot arriving with the release time of
/// one already held joins it, and once the limit is reached an arriving lot joins the latest
/// one, both then released at the later of their two times (never earlier than either was
/// due). So a stream of tiny transfers cannot grow a holder's lots, and the gas of its
/// transfers, without bound.
///
/// Moving tokens between two wallets of the same investor (one investor id in the identity
/// registry) is not a sale: locked lots move freely and keep their release times.
///
/// Two modes:
/// - `Rule144`: a holder may move only unlocked tokens (code 10, `LockupActive`).
/// - `RegS`: during the distribution compliance period (Rule 903(b)(2)(ii), (b)(3)(ii)(A),
///   (b)(3)(iii)(A)) locked tokens may be resold offshore, to non-US persons, but not to a
///   US person (code 11, `RegSUSPersonRestricted`); and no mint may go to a US person at all.
///   The period is the offering's, not each mint's: it starts at the later of the date the
///   securities were first offered and the date of closing (Rule 902(f)), which the issuer
///   records once the offering has closed (`recordDistribution`). Until then every lot is
///   locked with no release time (`PENDING`); from then every lot of the offering, whenever
///   minted, is released at `distributionEnd()`.
contract LockupModule is ComplianceModule {
    enum Mode {
        Rule144,
        RegS
    }

    struct Lot {
        uint192 amount;
        uint64 releaseTime;
    }

    error LockupInvalidPeriod(uint32 periodDays, uint32 periodMonths);
    error LockupNotRegS();
    error LockupDistributionAlreadyRecorded(uint64 closingAt);
    error LockupInvalidDistribution(uint64 firstOfferAt, uint64 closingAt, uint256 now_);

    event DistributionRecorded(uint64 firstOfferAt, uint64 closingAt, uint64 periodEnd);

    /// @notice Release time of a Reg S lot before the offering's closing is recorded: never.
    uint64 public constant PENDING = type(uint64).max;

    uint32 public constant MAX_PERIOD_DAYS = 3660;
    uint32 public constant MAX_PERIOD_MONTHS = 120;
    uint256 public constant MAX_LOTS = 32;

    Mode public immutable mode;
    uint32 public immutable periodDays;
    uint32 public immutable periodMonths;

    mapping(address holder => Lot[]) private _lots;

    /// @notice Reg S: when the securities were first offered, and the offering's closing
    /// (0 until recorded).
    uint64 public firstOfferAt;
    uint64 public closingAt;

    /// @param periodDays_ holding period in days, or 0 when `periodMonths_` is set.
    /// @param periodMonths_ holding period in calendar months, or 0 when `periodDays_` is set.
    constructor(address compliance_, address admin, Mode mode_, uint32 periodDays_, uint32 periodMonths_)
        ComplianceModule(compliance_, admin)
    {
        if (
            (periodDays_ == 0) == (periodMonths_ == 0) || periodDays_ > MAX_PERIOD_DAYS
                || periodMonths_ > MAX_PERIOD_MONTHS
        ) revert LockupInvalidPeriod(periodDays_, periodMonths_);
        mode = mode_;
        periodDays = periodDays_;
        periodMonths = periodMonths_;
    }

    function moduleName() external pure returns (string memory) {
        return "lockup";
    }

    /// @notice Release time of a lot acquired at `acquiredAt`: the period from it (Rule 144),
    /// or the offering's distribution compliance period end (Reg S, `distributionEnd`).
    function releaseTimeFor(uint256 acquiredAt) public view returns (uint64) {
        if (mode == Mode.RegS) return distributionEnd();
        return _after(acquiredAt);
    }

    /// @notice Reg S: record the offering's first offer and closing (both past), once; the
    /// distribution compliance period runs from the later of the two (Rule 902(f)).
    function recordDistribution(uint64 firstOfferAt_, uint64 closingAt_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (mode != Mode.RegS) revert LockupNotRegS();
        if (closingAt != 0) revert LockupDistributionAlreadyRecorded(closingAt);
        if (closingAt_ == 0 || closingAt_ > block.timestamp || firstOfferAt_ > block.timestamp) {
            revert LockupInvalidDistribution(firstOfferAt_, closingAt_, block.timestamp);
        }
        firstOfferAt = firstOfferAt_;
        closingAt = closingAt_;
        emit DistributionRecorded(firstOfferAt_, closingAt_, distributionEnd());
    }

    /// @notice Reg S: the end of the distribution compliance period, `PENDING` until the
    /// closing is recorded (Rule 144 mode: `PENDING`, unused).
    function distributionEnd() public view returns (uint64) {
        if (mode != Mode.RegS || closingAt == 0) return PENDING;
        return _after(firstOfferAt > closingAt ? firstOfferAt : closingAt);
    }

    function _after(uint256 start) private view returns (uint64) {
        if (periodMonths != 0) return uint64(Calendar.addMonths(start, periodMonths));
        return uint64(start + uint256(periodDays) * Calendar.DAY);
    }

    /// @dev A lot's release time: Reg S lots follow the offering's period.
    function _release(Lot storage lot) private view returns (uint64) {
        return lot.releaseTime == PENDING ? distributionEnd() : lot.releaseTime;
    }

    /// @notice Tokens of `holder` still in their holding period, and the earliest time one
    /// of them is released (0 when none is locked).
    function lockedBalanceOf(address holder) public view returns (uint256 locked, uint64 nextRelease) {
        Lot[] storage lots = _lots[holder];
        uint256 n = lots.length;
        for (uint256 i = 0; i < n; ++i) {
            Lot storage lot = lots[i];
            uint64 release = _release(lot);
            if (release > block.timestamp) {
                locked += lot.amount;
                if (nextRelease == 0 || release < nextRelease) nextRelease = release;
            }
        }
    }

    /// @notice Tokens of `holder` free of any holding period.
    function unlockedBalanceOf(address holder) public view returns (uint256 unlocked) {
        (unlocked,) = _unlocked(holder);
    }

    function _unlocked(address holder) private view returns (uint256 unlocked, uint64 nextRelease) {
        uint256 locked;
        (locked, nextRelease) = lockedBalanceOf(holder);
        uint256 balance = _balanceOf(holder);
        unlocked = balance > locked ? balance - locked : 0;
    }

    /// @notice The locked lots of `holder` with their release times (released lots are not
    /// listed; a Reg S lot before the closing is recorded shows `PENDING`).
    function lotsOf(address holder) external view returns (Lot[] memory lots) {
        Lot[] storage all = _lots[holder];
        uint256 count;
        for (uint256 i = 0; i < all.length; ++i) {
            if (_release(all[i]) > block.timestamp) ++count;
        }
        lots = new Lot[](count);
        uint256 j;
        for (uint256 i = 0; i < all.length; ++i) {
            uint64 release = _release(all[i]);
            if (release > block.timestamp) lots[j++] = Lot(all[i].amount, release);
        }
    }

    function checkTransfer(address from, address to, uint256 amount, IIdentityRegistry registry)
        external
        view
        returns (uint8, bytes memory)
    {
        if (from == address(0)) {
            if (mode == Mode.RegS && registry.isUSPerson(to)) {
                return (
                    Restrictions.REG_S_US_PERSON,
                    abi.encodeWithSelector(RegSUSPersonRestricted.selector, to, 0, amount, distributionEnd())
                );
            }
            return _allowed();
        }
        if (from == to) return _allowed();
        (uint256 unlocked, uint64 nextRelease) = _unlocked(from);
        if (amount <= unlocked) return _allowed();
        if (_investorKey(registry, from) == _investorKey(registry, to)) return _allowed();
        if (mode == Mode.Rule144) {
            return (
                Restrictions.LOCKUP_ACTIVE,
                abi.encodeWithSelector(LockupActive.selector, from, unlocked, amount, nextRelease)
            );
        }
        if (registry.isUSPerson(to)) {
            return (
                Restrictions.REG_S_US_PERSON,
                abi.encodeWithSelector(RegSUSPersonRestricted.selector, to, unlocked, amount, nextRelease)
            );
        }
        return _allowed();
    }

    /// @notice Rule 144 mode: refused when `amount` exceeds the unlocked tokens, whoever the
    /// recipient. (Reg S mode depends on the recipient: see `checkTransfer`.)
    function checkSender(address from, uint256 amount, IIdentityRegistry)
        external
        view
        override
        returns (uint8, bytes memory)
    {
        if (mode != Mode.Rule144) return _allowed();
        (uint256 unlocked, uint64 nextRelease) = _unlocked(from);
        if (amount <= unlocked) return _allowed();
        return (
            Restrictions.LOCKUP_ACTIVE,
            abi.encodeWithSelector(LockupActive.selector, from, unlocked, amount, nextRelease)
        );
    }

    function _afterMint(address to, uint256 amount, IIdentityRegistry) internal override {
        if (amount == 0) return;
        _prune(_lots[to]);
        _addLot(_lots[to], uint192(amount), mode == Mode.RegS ? PENDING : releaseTimeFor(block.timestamp));
    }

    function _afterTransfer(address from, address to, uint256 amount, IIdentityRegistry) internal override {
        if (from == to || amount == 0) return;
        _prune(_lots[to]);
        _moveLocked(from, to, amount);
    }

    function _afterBurn(address from, uint256 amount, IIdentityRegistry) internal override {
        if (amount == 0) return;
        _moveLocked(from, address(0), amount);
    }

    /// @dev `amount` left `from` (balances are already updated). Unlocked tokens went
    /// first; whatever came out of locked lots is taken from them in order of release and,
    /// unless burnt, given to `to` with the same release times.
    function _moveLocked(address from, address to, uint256 amount) private {
        Lot[] storage lots = _lots[from];
        uint256 locked = _prune(lots);
        uint256 balanceBefore = _balanceOf(from) + amount;
        uint256 unlocked = balanceBefore > locked ? balanceBefore - locked : 0;
        if (amount <= unlocked) return;
        uint256 need = amount - unlocked;
        while (need > 0 && lots.length > 0) {
            uint256 idx = _earliest(lots);
            Lot memory lot = lots[idx];
            uint256 take = lot.amount < need ? lot.amount : need;
            if (to != address(0)) _addLot(_lots[to], uint192(take), lot.releaseTime);
            need -= take;
            if (take == lot.amount) {
                lots[idx] = lots[lots.length - 1];
                lots.pop();
            } else {
                lots[idx].amount = uint192(lot.amount - take);
            }
        }
    }

    /// @dev Add a locked lot: into one with the same release time, else as a new lot while
    /// fewer than `MAX_LOTS` are held, else into the latest one at the later release time.
    function _addLot(Lot[] storage lots, uint192 amount, uint64 releaseTime) private {
        uint256 n = lots.length;
        uint256 latest;
        for (uint256 i = 0; i < n; ++i) {
            if (lots[i].releaseTime == releaseTime) {
                lots[i].amount += amount;
                return;
            }
            if (lots[i].releaseTime > lots[latest].releaseTime) latest = i;
        }
        if (n < MAX_LOTS) {
            lots.push(Lot(amount, releaseTime));
            return;
        }
        lots[latest].amount += amount;
        if (releaseTime > lots[latest].releaseTime) lots[latest].releaseTime = releaseTime;
    }

    /// @dev Drop released lots; return the sum of the locked ones left.
    function _prune(Lot[] storage lots) private returns (uint256 locked) {
        uint256 i = 0;
        while (i < lots.length) {
            if (_release(lots[i]) <= block.timestamp) {
                lots[i] = lots[lots.length - 1];
                lots.pop();
            } else {
                locked += lots[i].amount;
                ++i;
            }
        }
    }

    function _earliest(Lot[] storage lots) private view returns (uint256 idx) {
        uint64 best = _release(lots[0]);
        for (uint256 i = 1; i < lots.length; ++i) {
            uint64 release = _release(lots[i]);
            if (release < best) {
                best = release;
                idx = i;
            }
        }
    }
}
