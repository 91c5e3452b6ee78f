// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ComplianceModule} from "../ComplianceModule.sol";
import {Restrictions} from "../Restrictions.sol";
import {Calendar} from "../../utils/Calendar.sol";
import {IIdentityRegistry} from "../../identity/IIdentityRegistry.sol";

/// @title InvestmentLimitModule
/// @notice Limits on what a non-accredited investor may buy (Reg CF, Reg A Tier 2), and on
/// what the offering may raise.
/// @dev Purchases are mints, valued at `priceCents` per whole token (rounded up to the
/// cent). An accredited investor has no limit. For others the limit is the one the
/// intermediary attests when the identity record carries attested limits (17 CFR
/// 227.303(b)(1)); else, with g the greater of income and net worth as recorded (exact
/// figures, or band floors under the registry's privacy option, which come out low):
///   limit = max(floorUsd, g * lowBps / 10000)   if income or net worth is below thresholdUsd
///   limit = g * highBps / 10000                 otherwise
///   limit = min(limit, ceilingUsd)              when ceilingUsd is not 0
/// Reg CF (17 CFR 227.100(a)(2)): threshold $124,000, floor $2,500, 5% and 10%, ceiling
/// $124,000; purchases count for 12 calendar months, across all issuers' Reg CF offerings:
/// the intermediary records those it knows of elsewhere (`recordPurchaseElsewhere`, relying
/// on the investor's representation, 227.303(b)(1)). Reg A Tier 2 (17 CFR
/// 230.251(d)(2)(i)(C)): 10% of the greater of income and net worth (revenue and net assets
/// for a non-natural person), no floor or ceiling, counted per offering
/// (`investorWindowMonths` 0: a purchase counts as long as the offering lasts), and no limit
/// at all for securities listed on a national securities exchange upon qualification
/// (251(d)(2)(i)(D), `rule.listed`). Purchases bringing the investor exactly to the limit
/// are allowed; one cent more is refused (code 18). The offering cap (Reg CF $5 million,
/// Reg A Tier 2 $75 million, each in 12 months) counts over `offeringWindowMonths` (code 19).
contract InvestmentLimitModule is ComplianceModule {
    /// @notice Which exemption's limit: it picks the attested limit an identity carries.
    enum Regime {
        RegCF,
        RegATier2
    }

    struct LimitRule {
        Regime regime;
        bool listed;
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
    event PurchaseElsewhereRecorded(bytes32 indexed investorId, uint64 time, uint256 cents);

    error InvestmentLimitInvalidRule(uint16 lowBps, uint16 highBps);
    error InvestmentLimitInvalidWindow(uint32 windowMonths);
    error InvestmentLimitInvalidPrice(uint256 priceCents);
    error InvestmentLimitListedNotRegA();
    /// @dev Only Reg CF limits run across issuers (17 CFR 227.100(a)(2)); Reg A Tier 2 counts
    /// per offering.
    error InvestmentLimitNotAcrossIssuers(Regime regime);
    /// @dev A purchase elsewhere must not be later than now nor earlier than the investor's
    /// last recorded purchase (the ledger is in time order).
    error InvestmentLimitPurchaseOutOfOrder(bytes32 investorId, uint64 time, uint64 last, uint256 now_);

    uint256 public constant UNLIMITED = type(uint256).max;

    LimitRule private _rule;
    /// @notice Calendar months an investor's purchase counts; 0: for the whole offering.
    uint32 public immutable investorWindowMonths;
    /// @notice Calendar months a sale counts towards the offering cap.
    uint32 public immutable offeringWindowMonths;
    uint256 public priceCents;
    uint256 public offeringCapCents;

    mapping(bytes32 investorId => Ledger) private _investors;
    Ledger private _offering;

    constructor(
        address compliance_,
        address admin,
        LimitRule memory rule_,
        uint32 investorWindowMonths_,
        uint32 offeringWindowMonths_,
        uint256 priceCents_,
        uint256 offeringCapCents_
    ) ComplianceModule(compliance_, admin) {
        if (rule_.lowBps > 10_000 || rule_.highBps > 10_000) {
            revert InvestmentLimitInvalidRule(rule_.lowBps, rule_.highBps);
        }
        if (rule_.listed && rule_.regime != Regime.RegATier2) revert InvestmentLimitListedNotRegA();
        if (investorWindowMonths_ > 120) revert InvestmentLimitInvalidWindow(investorWindowMonths_);
        if (offeringWindowMonths_ == 0 || offeringWindowMonths_ > 120) {
            revert InvestmentLimitInvalidWindow(offeringWindowMonths_);
        }
        _rule = rule_;
        investorWindowMonths = investorWindowMonths_;
        offeringWindowMonths = offeringWindowMonths_;
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

    /// @notice The investor limit of `wallet`'s investor in US cents (UNLIMITED if
    /// accredited, or for Reg A securities listed upon qualification).
    function limitOf(address wallet, IIdentityRegistry registry) public view returns (uint256) {
        if (registry.isAccredited(wallet)) return UNLIMITED;
        LimitRule memory r = _rule;
        if (r.listed) return UNLIMITED;
        if (registry.financialsOf(wallet) == IIdentityRegistry.Financials.Attested) {
            IIdentityRegistry.Identity memory record = registry.identityOf(wallet);
            return r.regime == Regime.RegCF ? record.regCfLimitCents : record.regALimitCents;
        }
        uint256 income = registry.incomeOf(wallet);
        uint256 netWorth = registry.netWorthOf(wallet);
        uint256 greater = income > netWorth ? income : netWorth;
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

    /// @notice Record a Reg CF purchase `investorId` made in another issuer's offering at
    /// `time`, as the intermediary knows it (17 CFR 227.303(b)(1)): it counts towards the
    /// investor's limit for 12 months from `time`, as the offering's own sales do.
    function recordPurchaseElsewhere(bytes32 investorId, uint64 time, uint256 cents)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (_rule.regime != Regime.RegCF) revert InvestmentLimitNotAcrossIssuers(_rule.regime);
        Ledger storage ledger = _investors[investorId];
        uint64 last = ledger.items.length == 0 ? 0 : ledger.items[ledger.items.length - 1].time;
        if (time > block.timestamp || time < last) {
            revert InvestmentLimitPurchaseOutOfOrder(investorId, time, last, block.timestamp);
        }
        _record(ledger, time, cents, investorWindowMonths);
        emit PurchaseElsewhereRecorded(investorId, time, cents);
    }

    /// @notice What `investorId` bought in the current window, in US cents (for Reg CF, in
    /// every offering the module knows of).
    function investedCents(bytes32 investorId) public view returns (uint256) {
        return _inWindow(_investors[investorId], investorWindowMonths);
    }

    /// @notice What the offering raised in the current window, in US cents.
    function raisedCents() public view returns (uint256) {
        return _inWindow(_offering, offeringWindowMonths);
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
        uint64 now_ = uint64(block.timestamp);
        _record(_investors[_investorKey(registry, to)], now_, cents, investorWindowMonths);
        _record(_offering, now_, cents, offeringWindowMonths);
    }

    function _record(Ledger storage ledger, uint64 time, uint256 cents, uint32 months) private {
        _expire(ledger, months);
        ledger.items.push(Purchase(time, uint192(cents)));
        ledger.total += cents;
    }

    /// @dev Drop purchases that left the window (they are in time order).
    function _expire(Ledger storage ledger, uint32 months) private {
        uint256 head = ledger.head;
        uint256 n = ledger.items.length;
        while (head < n && !_counts(ledger.items[head], months)) {
            ledger.total -= ledger.items[head].cents;
            delete ledger.items[head];
            ++head;
        }
        ledger.head = head;
    }

    function _inWindow(Ledger storage ledger, uint32 months) private view returns (uint256 total) {
        total = ledger.total;
        uint256 n = ledger.items.length;
        for (uint256 i = ledger.head; i < n && !_counts(ledger.items[i], months); ++i) {
            total -= ledger.items[i].cents;
        }
    }

    /// @dev A purchase counts for `months` calendar months from its time; with 0, for good
    /// (the whole offering).
    function _counts(Purchase storage p, uint32 months) private view returns (bool) {
        return months == 0 || block.timestamp < Calendar.addMonths(p.time, months);
    }

    function _setPrice(uint256 priceCents_) private {
        if (priceCents_ == 0) revert InvestmentLimitInvalidPrice(priceCents_);
        priceCents = priceCents_;
        emit PriceSet(priceCents_);
    }
}
