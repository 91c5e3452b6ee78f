// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ComplianceModule} from "../ComplianceModule.sol";
import {Restrictions} from "../Restrictions.sol";
import {Calendar} from "../../utils/Calendar.sol";
import {IIdentityRegistry} from "../../identity/IIdentityRegistry.sol";

/// @title InvestmentLimitModule
/// @notice Rolling-window limits on what a non-accredited investor may buy in an offering
/// (Reg CF, Reg A Tier 2), and on what the offering may raise.
/// @dev Purchases are mints, valued at `priceCents` per whole token (rounded up to the
/// cent). A purchase counts for `windowMonths` calendar months (12) from its time. An
/// accredited investor has no limit. For others, with g the greater of income and net
/// worth (band floors from the identity registry):
///   limit = max(floorUsd, g * lowBps / 10000)   if income or net worth is below thresholdUsd
///   limit = g * highBps / 10000                 otherwise
///   limit = min(limit, ceilingUsd)              when ceilingUsd is not 0
/// Reg CF (17 CFR 227.100(a)(2)): threshold $124,000, floor $2,500, 5% and 10%, ceiling
/// $124,000. Reg A Tier 2 (17 CFR 230.251(d)(2)(i)(C)): 10% of the greater of income and
/// net worth, no floor or ceiling (threshold 0, both rates 10%). The Python presets in
/// `sim.contracts.compliance` name these sources. Purchases bringing the investor exactly
/// to the limit are allowed; one cent more is refused (code 18). The offering cap (Reg CF
/// $5 million, Reg A Tier 2 $75 million in 12 months) works the same way (code 19).
contract InvestmentLimitModule is ComplianceModule {
    struct LimitRule {
        uint64 thresholdUsd;
        uint64 floorUsd;
        uint16 lowBps;
        uint16 highBps;
        uint64 ceilingUsd;
    }

    struct Purchase {
        uint64 time;
        uint192 cents;
    }

    struct Ledger {
        Purchase[] items;
        uint256 head;
        uint256 total;
    }

    event PriceSet(uint256 priceCents);
    event OfferingCapSet(uint256 capCents);

    error InvestmentLimitInvalidRule(uint16 lowBps, uint16 highBps);
    error InvestmentLimitInvalidWindow(uint32 windowMonths);
    error InvestmentLimitInvalidPrice(uint256 priceCents);

    uint256 public constant UNLIMITED = type(uint256).max;

    LimitRule private _rule;
    uint32 public immutable windowMonths;
    uint256 public priceCents;
    uint256 public offeringCapCents;

    mapping(bytes32 investorId => Ledger) private _investors;
    Ledger private _offering;

    constructor(
        address compliance_,
        address admin,
        LimitRule memory rule_,
        uint32 windowMonths_,
        uint256 priceCents_,
        uint256 offeringCapCents_
    ) ComplianceModule(compliance_, admin) {
        if (rule_.lowBps > 10_000 || rule_.highBps > 10_000) {
            revert InvestmentLimitInvalidRule(rule_.lowBps, rule_.highBps);
        }
        if (windowMonths_ == 0 || windowMonths_ > 120) revert InvestmentLimitInvalidWindow(windowMonths_);
        _rule = rule_;
        windowMonths = windowMonths_;
        _setPrice(priceCents_);
        offeringCapCents = offeringCapCents_;
        emit OfferingCapSet(offeringCapCents_);
    }

    function moduleName() external pure returns (string memory) {
        return "investment-limit";
    }

    function rule() external view returns (LimitRule memory) {
        return _rule;
    }

    function setPriceCents(uint256 priceCents_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setPrice(priceCents_);
    }

    /// @param capCents the offering cap in US cents, 0 for none.
    function setOfferingCapCents(uint256 capCents) external onlyRole(DEFAULT_ADMIN_ROLE) {
        offeringCapCents = capCents;
        emit OfferingCapSet(capCents);
    }

    /// @notice The 12-month limit of `wallet`'s investor in US cents (UNLIMITED if accredited).
    function limitOf(address wallet, IIdentityRegistry registry) public view returns (uint256) {
        if (registry.isAccredited(wallet)) return UNLIMITED;
        uint256 income = registry.incomeOf(wallet);
        uint256 netWorth = registry.netWorthOf(wallet);
        uint256 greater = income > netWorth ? income : netWorth;
        LimitRule memory r = _rule;
        uint256 limitCents;
        if (income < r.thresholdUsd || netWorth < r.thresholdUsd) {
            limitCents = greater * r.lowBps / 100;
            uint256 floorCents = uint256(r.floorUsd) * 100;
            if (limitCents < floorCents) limitCents = floorCents;
        } else {
            limitCents = greater * r.highBps / 100;
        }
        if (r.ceilingUsd != 0 && limitCents > uint256(r.ceilingUsd) * 100) limitCents = uint256(r.ceilingUsd) * 100;
        return limitCents;
    }

    /// @notice What `investorId` bought in the current window, in US cents.
    function investedCents(bytes32 investorId) public view returns (uint256) {
        return _inWindow(_investors[investorId]);
    }

    /// @notice What the offering raised in the current window, in US cents.
    function raisedCents() public view returns (uint256) {
        return _inWindow(_offering);
    }

    /// @notice The value of `amount` token units at the offering price, rounded up to the cent.
    function valueInCents(uint256 amount) public view returns (uint256) {
        uint256 unit = 10 ** IERC20Metadata(token).decimals();
        return (amount * priceCents + unit - 1) / unit;
    }

    function checkTransfer(address from, address to, uint256 amount, IIdentityRegistry registry)
        external
        view
        returns (uint8, bytes memory)
    {
        if (from != address(0) || amount == 0) return _allowed();
        uint256 cents = valueInCents(amount);
        uint256 limit = limitOf(to, registry);
        if (limit != UNLIMITED) {
            uint256 invested = investedCents(_investorKey(registry, to));
            if (invested + cents > limit) {
                return (
                    Restrictions.INVESTMENT_LIMIT,
                    abi.encodeWithSelector(InvestmentLimitExceeded.selector, to, invested, cents, limit)
                );
            }
        }
        if (offeringCapCents != 0) {
            uint256 raised = raisedCents();
            if (raised + cents > offeringCapCents) {
                return (
                    Restrictions.OFFERING_CAP,
                    abi.encodeWithSelector(OfferingCapExceeded.selector, raised, cents, offeringCapCents)
                );
            }
        }
        return _allowed();
    }

    function _afterMint(address to, uint256 amount, IIdentityRegistry registry) internal override {
        if (amount == 0) return;
        uint256 cents = valueInCents(amount);
        _record(_investors[_investorKey(registry, to)], cents);
        _record(_offering, cents);
    }

    function _record(Ledger storage ledger, uint256 cents) private {
        _expire(ledger);
        ledger.items.push(Purchase(uint64(block.timestamp), uint192(cents)));
        ledger.total += cents;
    }

    /// @dev Drop purchases that left the window (they are in time order).
    function _expire(Ledger storage ledger) private {
        uint256 head = ledger.head;
        uint256 n = ledger.items.length;
        while (head < n && !_counts(ledger.items[head])) {
            ledger.total -= ledger.items[head].cents;
            delete ledger.items[head];
            ++head;
        }
        ledger.head = head;
    }

    function _inWindow(Ledger storage ledger) private view returns (uint256 total) {
        total = ledger.total;
        uint256 n = ledger.items.length;
        for (uint256 i = ledger.head; i < n && !_counts(ledger.items[i]); ++i) {
            total -= ledger.items[i].cents;
        }
    }

    function _counts(Purchase storage p) private view returns (bool) {
        return block.timestamp < Calendar.addMonths(p.time, windowMonths);
    }

    function _setPrice(uint256 priceCents_) private {
        if (priceCents_ == 0) revert InvestmentLimitInvalidPrice(priceCents_);
        priceCents = priceCents_;
        emit PriceSet(priceCents_);
    }
}
