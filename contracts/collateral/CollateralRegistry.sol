// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {AssetRegistry} from "./AssetRegistry.sol";
import {Calendar} from "../utils/Calendar.sol";

/// @notice What the registry reads of a lock-up module: a holder's tokens still locked.
interface ILockedBalances {
    function lockedBalanceOf(address holder) external view returns (uint256 locked, uint64 nextRelease);
}

/// @title CollateralRegistry
/// @notice Which assets count as collateral, at what haircut, and how concentrated an
/// account's collateral may be.
/// @dev Haircuts are in basis points of market value, from one of three published
/// schedules, fixed when the registry is deployed (`schedule`):
///
/// - `UnclearedSwapMargin`, 17 CFR 23.156(a)(3) (CFTC; the prudential regulators' 12 CFR 45
///   Appendix B is the same table): government and related debt (sovereigns of risk weight
///   at most 20%, central banks, MDBs, GSEs with US government capital support) 0.5 / 2 / 4%
///   by residual maturity (<= 1 year, <= 5 years, longer); other eligible publicly traded
///   debt (corporates, other GSEs; eligibility modelled as an investment-grade rating) 1 /
///   4 / 8%; equities in the S&P 500 or a related index 15%, in the S&P Composite 1500 but
///   not the S&P 500 25%; gold 15%; cash 0. Asset-backed securities and other equities are
///   not eligible. A fund share is eligible when the fund holds only such government debt
///   and cash in the fund's currency (23.156(a)(1)(ix)); 23.156's table gives it no discount,
///   so the prudential regulators' one applies: the weighted average of its holdings'
///   discounts (12 CFR 45 Appendix B, note 1; weights recorded with the holdings).
/// - `UsCapital`, 12 CFR 217.132 Table 1 (also 217.37, 324.132, 1240.39): the column is
///   the issuer's risk weight (217.32), not a rating: sovereign 0% 0.5 / 2 / 4, 20 or 50%
///   1 / 3 / 6, 100% 15; non-sovereign 20% 1 / 4 / 8, 50% 2 / 6 / 12, 100% 4 / 8 / 16;
///   investment-grade securitization 4 / 12 / 24; main-index equities and gold 15, other
///   publicly traded equities 25; mutual funds the highest haircut of any security the fund
///   may hold; cash 0; other exposure types (a sovereign at 150%, a non-investment-grade
///   securitization) 25.
/// - `BaselII`: the Basel II comprehensive approach's rating-based table (what the project
///   implemented first): sovereign AAA to AA- 0.5 / 2 / 4, A+ to BBB- 1 / 3 / 6, BB+ to BB-
///   15; other issuers AAA to AA- 1 / 4 / 8, A+ to BBB- 2 / 6 / 12; main-index equities and
///   gold 15, other equities 25; funds the highest of their holdings; cash 0.
///
/// Under every schedule a currency different from the account's adds 8% (once), and a
/// haircut set for an asset (`setHaircut`: the CFTC pilot's BTC, ETH and USDC, or a stressed
/// value) replaces the schedule's. Matured debt, crypto without a set haircut, collectibles
/// and tools are on no schedule and are refused. Concentration limits are shares of an
/// account's collateral value after haircuts; defaults by analogy with CFTC Reg 1.25 for
/// money-market funds (10% per fund, 25% per fund family, 50% in all funds: limits on how an
/// FCM invests customer funds, not on collateral; a model choice), none otherwise.
/// Collateral issued by the pledging party is refused (PFMI Principle 5). Tokens pledged
/// while still in a holding period (a Rule 144 or Reg S lot, read from the token's lock-up
/// module) count at zero, or, by the scenario's choice under the US capital schedule, at
/// Table 1's "other exposure types" 25% (`lockedPolicy`): restricted securities are not
/// publicly traded, and a taker could not sell them within the period the table assumes.
contract CollateralRegistry is AccessControl {
    bytes32 public constant COLLATERAL_ADMIN_ROLE = keccak256("COLLATERAL_ADMIN_ROLE");

    uint16 public constant BPS = 10_000;

    /// @dev Why an asset is not on the schedule (`CollateralNotOnSchedule.reason`).
    uint8 public constant REASON_CLASS = 1; // collectible, tool, crypto without a set haircut
    uint8 public constant REASON_RATING = 2; // unrated, or rated below the schedule's bands
    uint8 public constant REASON_MATURED = 3; // debt at or past its maturity
    uint8 public constant REASON_FUND_HOLDINGS = 4; // a fund with no holdings, or one off the schedule
    uint8 public constant REASON_ISSUER = 5; // an issuer (or its risk weight) the schedule does not admit

    /// @notice The published haircut schedules (see the contract's documentation).
    enum Schedule {
        BaselII,
        UsCapital,
        UnclearedSwapMargin
    }

    enum LimitKind {
        PerAsset,
        PerIssuer,
        PerFund,
        PerFundFamily,
        AllFunds
    }

    /// @notice How tokens still in a holding period (Rule 144, Reg S lots) count when
    /// pledged: at zero, or under 12 CFR 217.132 Table 1's "other exposure types" (25%),
    /// which only the US capital schedule has.
    enum LockedPolicy {
        Ineligible,
        OtherExposure
    }

    struct Limits {
        uint16 perAsset;
        uint16 perIssuer;
        uint16 perFund;
        uint16 perFundFamily;
        uint16 allFunds;
    }

    error CollateralIneligible(address token);
    error CollateralNotOnSchedule(address token, uint8 reason);
    error CollateralInvalidHaircut(address token, uint256 haircutBps);
    error CollateralInvalidLimit(LimitKind kind, uint256 limitBps);
    error CollateralInvalidAddOn(uint256 addOnBps);
    error CollateralSelfIssued(address token, address pledger);
    error CollateralConcentration(LimitKind kind, address key, uint256 value, uint256 total, uint16 limitBps);
    error CollateralLengthMismatch(uint256 tokens, uint256 values);
    error CollateralLockedPolicyOffSchedule(Schedule schedule, LockedPolicy policy);

    event EligibilitySet(address indexed token, bool eligible);
    event HaircutSet(address indexed token, uint16 haircutBps);
    event HaircutCleared(address indexed token);
    event LimitsSet(uint16 perAsset, uint16 perIssuer, uint16 perFund, uint16 perFundFamily, uint16 allFunds);
    event CurrencyMismatchAddOnSet(uint16 addOnBps);
    event LockedPolicySet(LockedPolicy policy);
    event LockupModuleSet(address indexed token, address module);

    AssetRegistry public immutable assets;
    Schedule public immutable schedule;
    Limits public limits = Limits({perAsset: BPS, perIssuer: BPS, perFund: 1_000, perFundFamily: 2_500, allFunds: 5_000});
    uint16 public currencyMismatchBps = 800;
    /// @notice 12 CFR 217.132 Table 1, "other exposure types": 25 percent.
    uint16 public constant OTHER_EXPOSURE_BPS = 2_500;
    /// @notice Locked tokens count at zero unless the US capital schedule's "other exposure
    /// types" row is chosen (`setLockedPolicy`).
    LockedPolicy public lockedPolicy;
    /// @notice Where a token's holding periods are kept (its lock-up module), if it has any.
    mapping(address token => address) public lockupModuleOf;

    mapping(address token => bool) public eligible;
    mapping(address token => uint16) private _setHaircut;
    mapping(address token => bool) private _hasSetHaircut;

    constructor(address admin, AssetRegistry assets_, Schedule schedule_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        assets = assets_;
        schedule = schedule_;
    }

    // ------------------------------------------------------------------ configuration

    function setEligible(address token, bool isEligible) external onlyRole(COLLATERAL_ADMIN_ROLE) {
        assets.assetOf(token); // reverts AssetUnknown
        eligible[token] = isEligible;
        emit EligibilitySet(token, isEligible);
    }

    function setHaircut(address token, uint256 haircutBps) external onlyRole(COLLATERAL_ADMIN_ROLE) {
        if (haircutBps > BPS) revert CollateralInvalidHaircut(token, haircutBps);
        assets.assetOf(token);
        _setHaircut[token] = uint16(haircutBps);
        _hasSetHaircut[token] = true;
        emit HaircutSet(token, uint16(haircutBps));
    }

    function clearHaircut(address token) external onlyRole(COLLATERAL_ADMIN_ROLE) {
        delete _setHaircut[token];
        delete _hasSetHaircut[token];
        emit HaircutCleared(token);
    }

    function setLimits(Limits calldata l) external onlyRole(COLLATERAL_ADMIN_ROLE) {
        _checkLimit(LimitKind.PerAsset, l.perAsset);
        _checkLimit(LimitKind.PerIssuer, l.perIssuer);
        _checkLimit(LimitKind.PerFund, l.perFund);
        _checkLimit(LimitKind.PerFundFamily, l.perFundFamily);
        _checkLimit(LimitKind.AllFunds, l.allFunds);
        limits = l;
        emit LimitsSet(l.perAsset, l.perIssuer, l.perFund, l.perFundFamily, l.allFunds);
    }

    function setCurrencyMismatchAddOn(uint256 addOnBps) external onlyRole(COLLATERAL_ADMIN_ROLE) {
        if (addOnBps > BPS) revert CollateralInvalidAddOn(addOnBps);
        currencyMismatchBps = uint16(addOnBps);
        emit CurrencyMismatchAddOnSet(uint16(addOnBps));
    }

    /// @notice How locked tokens count as collateral. `OtherExposure` needs the US capital
    /// schedule (the only one with an "other exposure types" row).
    function setLockedPolicy(LockedPolicy policy) external onlyRole(COLLATERAL_ADMIN_ROLE) {
        if (policy == LockedPolicy.OtherExposure && schedule != Schedule.UsCapital) {
            revert CollateralLockedPolicyOffSchedule(schedule, policy);
        }
        lockedPolicy = policy;
        emit LockedPolicySet(policy);
    }

    /// @notice Name the lock-up module that keeps `token`'s holding periods (address 0: none).
    function setLockupModule(address token, address module) external onlyRole(COLLATERAL_ADMIN_ROLE) {
        lockupModuleOf[token] = module;
        emit LockupModuleSet(token, module);
    }

    // ---------------------------------------------------------------------- valuation

    /// @notice Tokens of `holder` still in a holding period, read from the token's lock-up
    /// module (0 when it has none). Never reverts: a module that cannot answer counts every
    /// token as locked.
    function lockedUnits(address token, address holder) external view returns (uint256) {
        address module = lockupModuleOf[token];
        if (module == address(0)) return 0;
        try ILockedBalances(module).lockedBalanceOf(holder) returns (uint256 locked, uint64) {
            return locked;
        } catch {
            return type(uint256).max;
        }
    }

    /// @notice Of `pledged` units of `token` that `holder` keeps pledged in place, how many
    /// are locked (as many as it has locked, whichever lots they are in: the unlocked ones
    /// could be spent first), and the haircut they take (100% when they count at zero).
    /// Never reverts.
    function lockedPledge(address token, bytes3 currency, address holder, uint256 pledged)
        external
        view
        returns (uint256 locked, uint16 haircutBps)
    {
        locked = this.lockedUnits(token, holder);
        if (locked > pledged) locked = pledged;
        (, haircutBps) = this.lockedValuationHaircut(token, currency);
    }

    /// @notice Whether locked units of `token` count, and their haircut: under `OtherExposure`
    /// the larger of the other-exposure haircut (with any currency add-on) and the token's own,
    /// so locked tokens never count for more than free ones. Never reverts: with the
    /// `Ineligible` policy, or a token that does not count at all, they count at zero.
    function lockedValuationHaircut(address token, bytes3 currency) external view returns (bool counts, uint16 haircutBps) {
        if (lockedPolicy == LockedPolicy.Ineligible) return (false, BPS);
        uint16 own;
        try this.haircutOf(token, currency) returns (uint16 h) {
            own = h;
        } catch {
            return (false, BPS);
        }
        uint256 haircut = OTHER_EXPOSURE_BPS;
        if (assets.assetOf(token).currency != currency) haircut += currencyMismatchBps;
        if (own > haircut) haircut = own; // never more than the same tokens count for unlocked
        return (true, haircut > BPS ? BPS : uint16(haircut));
    }

    /// @notice Haircut of `token` held in an account kept in `currency`, in basis points.
    /// Reverts `CollateralIneligible` or `CollateralNotOnSchedule`.
    function haircutOf(address token, bytes3 currency) public view returns (uint16) {
        if (!eligible[token]) revert CollateralIneligible(token);
        AssetRegistry.Asset memory asset = assets.assetOf(token);
        uint256 haircut = _hasSetHaircut[token] ? _setHaircut[token] : _scheduleHaircut(token, asset);
        if (asset.currency != currency) haircut += currencyMismatchBps;
        return haircut > BPS ? BPS : uint16(haircut);
    }

    /// @notice `marketValue` of `token` after its haircut, rounded down.
    function collateralValue(address token, bytes3 currency, uint256 marketValue) external view returns (uint256) {
        return (marketValue * (BPS - haircutOf(token, currency))) / BPS;
    }

    /// @notice Whether `token` counts as collateral now, and its haircut: what a valuation
    /// reads. Never reverts: a token that is not eligible (delisted), not on the schedule,
    /// matured or unknown counts at zero (`counts` false, haircut 100%), so an account that
    /// holds one can still be valued, called and liquidated.
    function valuationHaircut(address token, bytes3 currency) external view returns (bool counts, uint16 haircutBps) {
        try this.haircutOf(token, currency) returns (uint16 haircut) {
            return (true, haircut);
        } catch {
            return (false, BPS);
        }
    }

    /// @notice Reverts unless `pledger` may pledge `token`: eligible and not its own issue.
    function checkPledge(address pledger, address token) external view {
        if (!eligible[token]) revert CollateralIneligible(token);
        if (assets.assetOf(token).issuer == pledger) revert CollateralSelfIssued(token, pledger);
    }

    /// @notice Reverts `CollateralConcentration` for the first limit an account holding
    /// `values` (collateral values after haircuts, one currency) of `tokens` exceeds.
    /// A share exactly at its limit is allowed. `tokens` must not repeat.
    function checkConcentration(address[] calldata tokens, uint256[] calldata values) external view {
        if (tokens.length != values.length) revert CollateralLengthMismatch(tokens.length, values.length);
        uint256 total;
        for (uint256 i = 0; i < values.length; ++i) {
            total += values[i];
        }
        if (total == 0) return;
        Limits memory l = limits;
        address[] memory issuers = new address[](tokens.length);
        bool[] memory funds = new bool[](tokens.length);
        uint256 allFunds;
        for (uint256 i = 0; i < tokens.length; ++i) {
            AssetRegistry.Asset memory asset = assets.assetOf(tokens[i]);
            issuers[i] = asset.issuer;
            funds[i] = asset.assetClass == AssetRegistry.AssetClass.MoneyMarketFund;
            _within(LimitKind.PerAsset, tokens[i], values[i], total, l.perAsset);
            if (funds[i]) {
                _within(LimitKind.PerFund, tokens[i], values[i], total, l.perFund);
                allFunds += values[i];
            }
        }
        for (uint256 i = 0; i < tokens.length; ++i) {
            uint256 byIssuer;
            uint256 byFamily;
            for (uint256 j = 0; j < tokens.length; ++j) {
                if (issuers[j] != issuers[i]) continue;
                byIssuer += values[j];
                if (funds[j]) byFamily += values[j];
            }
            _within(LimitKind.PerIssuer, issuers[i], byIssuer, total, l.perIssuer);
            if (funds[i]) _within(LimitKind.PerFundFamily, issuers[i], byFamily, total, l.perFundFamily);
        }
        _within(LimitKind.AllFunds, address(0), allFunds, total, l.allFunds);
    }

    // ------------------------------------------------------------------------ private

    function _scheduleHaircut(address token, AssetRegistry.Asset memory asset) private view returns (uint256) {
        AssetRegistry.AssetClass c = asset.assetClass;
        if (c == AssetRegistry.AssetClass.Cash) return 0;
        if (c == AssetRegistry.AssetClass.MoneyMarketFund) {
            return schedule == Schedule.UnclearedSwapMargin ? _weightedFundHaircut(token) : _highestFundHaircut(token);
        }
        if (c == AssetRegistry.AssetClass.GovernmentSecurity
            || (c == AssetRegistry.AssetClass.TokenizedSecurity && asset.maturity != 0)) {
            if (asset.maturity <= block.timestamp) revert CollateralNotOnSchedule(token, REASON_MATURED);
            uint256 band = asset.maturity <= Calendar.addMonths(block.timestamp, 12)
                ? 0
                : (asset.maturity <= Calendar.addMonths(block.timestamp, 60) ? 1 : 2);
            if (schedule == Schedule.UsCapital) return _usCapitalDebt(asset, band);
            if (schedule == Schedule.UnclearedSwapMargin) return _swapMarginDebt(token, asset, band);
            return _baselDebt(token, asset, band);
        }
        if (c == AssetRegistry.AssetClass.Equity || c == AssetRegistry.AssetClass.TokenizedSecurity) {
            if (asset.mainIndex) return 1_500;
            if (schedule != Schedule.UnclearedSwapMargin || asset.compositeIndex) return 2_500;
            revert CollateralNotOnSchedule(token, REASON_CLASS); // 23.156: only S&P 1500 equities
        }
        if (c == AssetRegistry.AssetClass.DigitalCommodity && asset.mainIndex) return 1_500; // gold
        revert CollateralNotOnSchedule(token, REASON_CLASS);
    }

    /// @dev 12 CFR 217.132 Table 1: the column by the issuer's risk weight.
    function _usCapitalDebt(AssetRegistry.Asset memory asset, uint256 band) private pure returns (uint256) {
        uint8 w = asset.riskWeight;
        if (asset.issuerKind == AssetRegistry.IssuerKind.Securitization) {
            return asset.rating >= 1 && asset.rating <= 10 ? [uint256(400), 1_200, 2_400][band] : 2_500;
        }
        if (w == 0) return [uint256(50), 200, 400][band]; // a zero risk weight is the sovereign column
        if (asset.issuerKind == AssetRegistry.IssuerKind.Sovereign) {
            if (w == 20 || w == 50) return [uint256(100), 300, 600][band];
            return w == 100 ? 1_500 : 2_500;
        }
        if (w == 20) return [uint256(100), 400, 800][band];
        if (w == 50) return [uint256(200), 600, 1_200][band];
        if (w == 100) return [uint256(400), 800, 1_600][band];
        return 2_500; // other exposure types
    }

    /// @dev 17 CFR 23.156(a)(3): government and related debt, or other eligible debt.
    function _swapMarginDebt(address token, AssetRegistry.Asset memory asset, uint256 band) private pure returns (uint256) {
        AssetRegistry.IssuerKind k = asset.issuerKind;
        if ((k == AssetRegistry.IssuerKind.Sovereign && asset.riskWeight <= 20) || k == AssetRegistry.IssuerKind.SupportedGse) {
            return [uint256(50), 200, 400][band];
        }
        if (k == AssetRegistry.IssuerKind.Other || k == AssetRegistry.IssuerKind.Gse) {
            if (asset.rating < 1 || asset.rating > 10) revert CollateralNotOnSchedule(token, REASON_RATING);
            return [uint256(100), 400, 800][band];
        }
        revert CollateralNotOnSchedule(token, REASON_ISSUER); // a riskier sovereign, an asset-backed security
    }

    /// @dev The Basel II comprehensive approach: by rating band.
    function _baselDebt(address token, AssetRegistry.Asset memory asset, uint256 band) private pure returns (uint256) {
        uint8 r = asset.rating;
        bool sovereign = asset.issuerKind == AssetRegistry.IssuerKind.Sovereign;
        if (r >= 1 && r <= 4) return sovereign ? [uint256(50), 200, 400][band] : [uint256(100), 400, 800][band];
        if (r >= 5 && r <= 10) return sovereign ? [uint256(100), 300, 600][band] : [uint256(200), 600, 1_200][band];
        if (sovereign && r >= 11 && r <= 13) return 1_500;
        revert CollateralNotOnSchedule(token, REASON_RATING);
    }

    /// @dev A holding's own haircut as part of `fund`: a set haircut or the schedule's, plus
    /// the currency add-on when it differs from the fund's.
    function _holdingHaircut(address fund, address holding) private view returns (uint256 h) {
        if (_hasSetHaircut[holding]) {
            h = _setHaircut[holding];
        } else {
            try this.scheduleHaircutOf(holding) returns (uint256 scheduled) {
                h = scheduled;
            } catch {
                revert CollateralNotOnSchedule(fund, REASON_FUND_HOLDINGS);
            }
        }
        if (assets.assetOf(holding).currency != assets.assetOf(fund).currency) h += currencyMismatchBps;
    }

    /// @dev 217.132 and Basel II: the highest haircut of any security the fund may hold.
    function _highestFundHaircut(address fund) private view returns (uint256 highest) {
        address[] memory holdings = assets.fundHoldings(fund);
        if (holdings.length == 0) revert CollateralNotOnSchedule(fund, REASON_FUND_HOLDINGS);
        for (uint256 i = 0; i < holdings.length; ++i) {
            uint256 h = _holdingHaircut(fund, holdings[i]);
            if (h > highest) highest = h;
        }
    }

    /// @dev 23.156(a)(1)(ix) eligibility (only government debt of risk weight at most 20% and
    /// cash, all in the fund's currency) and the prudential regulators' discount: the average
    /// of the holdings' discounts weighted by their shares of the fund, rounded up.
    function _weightedFundHaircut(address fund) private view returns (uint256) {
        address[] memory holdings = assets.fundHoldings(fund);
        uint16[] memory weights = assets.fundWeights(fund);
        if (holdings.length == 0 || weights.length != holdings.length) {
            revert CollateralNotOnSchedule(fund, REASON_FUND_HOLDINGS);
        }
        bytes3 currency = assets.assetOf(fund).currency;
        uint256 weighted;
        for (uint256 i = 0; i < holdings.length; ++i) {
            AssetRegistry.Asset memory held = assets.assetOf(holdings[i]);
            bool government = held.assetClass == AssetRegistry.AssetClass.GovernmentSecurity
                && held.issuerKind == AssetRegistry.IssuerKind.Sovereign && held.riskWeight <= 20;
            if ((!government && held.assetClass != AssetRegistry.AssetClass.Cash) || held.currency != currency) {
                revert CollateralNotOnSchedule(fund, REASON_FUND_HOLDINGS);
            }
            weighted += _holdingHaircut(fund, holdings[i]) * weights[i];
        }
        return (weighted + BPS - 1) / BPS;
    }

    /// @notice The schedule's haircut of `token` alone: no eligibility, set haircut or
    /// currency add-on (what a fund's holding contributes).
    function scheduleHaircutOf(address token) external view returns (uint256) {
        return _scheduleHaircut(token, assets.assetOf(token));
    }

    function _within(LimitKind kind, address key, uint256 value, uint256 total, uint16 limitBps) private pure {
        if (value * BPS > total * limitBps) revert CollateralConcentration(kind, key, value, total, limitBps);
    }

    function _checkLimit(LimitKind kind, uint16 limitBps) private pure {
        if (limitBps == 0 || limitBps > BPS) revert CollateralInvalidLimit(kind, limitBps);
    }
}
