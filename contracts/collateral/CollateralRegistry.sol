// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {AssetRegistry} from "./AssetRegistry.sol";
import {Calendar} from "../utils/Calendar.sol";

/// @title CollateralRegistry
/// @notice Which assets count as collateral, at what haircut, and how concentrated an
/// account's collateral may be.
/// @dev Haircuts are in basis points of market value. The default schedule is the standard
/// supervisory one (12 CFR 217.132 / 12 CFR 1240.39, also CFTC 23.156 for uncleared-swap
/// margin): debt by issuer kind, rating band and residual maturity (<= 1 year, <= 5 years,
/// longer; calendar months on chain); main-index equities and gold 15%, other equities 25%;
/// a money-market fund the highest haircut of what it may hold; cash 0; a currency
/// different from the account's adds 8%. A haircut set for an asset (`setHaircut`: the
/// CFTC pilot's BTC, ETH and USDC, or a stressed value) replaces the schedule's. Debt rated
/// below BB- or unrated, matured debt, collectibles, tools and crypto without a set
/// haircut are not on the schedule and are refused. Concentration limits are shares of an
/// account's collateral value after haircuts; defaults from CFTC Reg 1.25 for money-market
/// funds (10% per fund, 25% per fund family, 50% in all funds), none otherwise. Collateral
/// issued by the pledging party is refused (PFMI Principle 5).
contract CollateralRegistry is AccessControl {
    bytes32 public constant COLLATERAL_ADMIN_ROLE = keccak256("COLLATERAL_ADMIN_ROLE");

    uint16 public constant BPS = 10_000;

    /// @dev Why an asset is not on the schedule (`CollateralNotOnSchedule.reason`).
    uint8 public constant REASON_CLASS = 1; // collectible, tool, crypto without a set haircut
    uint8 public constant REASON_RATING = 2; // unrated, or rated below the schedule's bands
    uint8 public constant REASON_MATURED = 3; // debt at or past its maturity
    uint8 public constant REASON_FUND_HOLDINGS = 4; // a fund with no holdings, or one off the schedule

    enum LimitKind {
        PerAsset,
        PerIssuer,
        PerFund,
        PerFundFamily,
        AllFunds
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

    event EligibilitySet(address indexed token, bool eligible);
    event HaircutSet(address indexed token, uint16 haircutBps);
    event HaircutCleared(address indexed token);
    event LimitsSet(uint16 perAsset, uint16 perIssuer, uint16 perFund, uint16 perFundFamily, uint16 allFunds);
    event CurrencyMismatchAddOnSet(uint16 addOnBps);

    AssetRegistry public immutable assets;
    Limits public limits = Limits({perAsset: BPS, perIssuer: BPS, perFund: 1_000, perFundFamily: 2_500, allFunds: 5_000});
    uint16 public currencyMismatchBps = 800;

    mapping(address token => bool) public eligible;
    mapping(address token => uint16) private _setHaircut;
    mapping(address token => bool) private _hasSetHaircut;

    constructor(address admin, AssetRegistry assets_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        assets = assets_;
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

    // ---------------------------------------------------------------------- valuation

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
        if (c == AssetRegistry.AssetClass.MoneyMarketFund) return _fundHaircut(token);
        if (c == AssetRegistry.AssetClass.GovernmentSecurity
            || (c == AssetRegistry.AssetClass.TokenizedSecurity && asset.maturity != 0)) {
            return _debtHaircut(token, asset);
        }
        if (c == AssetRegistry.AssetClass.Equity || c == AssetRegistry.AssetClass.TokenizedSecurity) {
            return asset.mainIndex ? 1_500 : 2_500;
        }
        if (c == AssetRegistry.AssetClass.DigitalCommodity && asset.mainIndex) return 1_500; // gold
        revert CollateralNotOnSchedule(token, REASON_CLASS);
    }

    function _fundHaircut(address fund) private view returns (uint256 highest) {
        address[] memory holdings = assets.fundHoldings(fund);
        if (holdings.length == 0) revert CollateralNotOnSchedule(fund, REASON_FUND_HOLDINGS);
        for (uint256 i = 0; i < holdings.length; ++i) {
            AssetRegistry.Asset memory held = assets.assetOf(holdings[i]);
            uint256 h;
            if (_hasSetHaircut[holdings[i]]) {
                h = _setHaircut[holdings[i]];
            } else {
                try this.scheduleHaircutOf(holdings[i]) returns (uint256 scheduled) {
                    h = scheduled;
                } catch {
                    revert CollateralNotOnSchedule(fund, REASON_FUND_HOLDINGS);
                }
            }
            if (held.currency != assets.assetOf(fund).currency) h += currencyMismatchBps;
            if (h > highest) highest = h;
        }
    }

    /// @notice The schedule's haircut of `token` alone: no eligibility, set haircut or
    /// currency add-on (what a fund's holding contributes).
    function scheduleHaircutOf(address token) external view returns (uint256) {
        return _scheduleHaircut(token, assets.assetOf(token));
    }

    function _debtHaircut(address token, AssetRegistry.Asset memory asset) private view returns (uint256) {
        if (asset.maturity <= block.timestamp) revert CollateralNotOnSchedule(token, REASON_MATURED);
        uint256 band = asset.maturity <= Calendar.addMonths(block.timestamp, 12)
            ? 0
            : (asset.maturity <= Calendar.addMonths(block.timestamp, 60) ? 1 : 2);
        uint8 r = asset.rating;
        bool sovereign = asset.issuerKind == AssetRegistry.IssuerKind.Sovereign;
        if (r >= 1 && r <= 4) return sovereign ? [uint256(50), 200, 400][band] : [uint256(100), 400, 800][band];
        if (r >= 5 && r <= 10) return sovereign ? [uint256(100), 300, 600][band] : [uint256(200), 600, 1_200][band];
        if (sovereign && r >= 11 && r <= 13) return 1_500;
        revert CollateralNotOnSchedule(token, REASON_RATING);
    }

    function _within(LimitKind kind, address key, uint256 value, uint256 total, uint16 limitBps) private pure {
        if (value * BPS > total * limitBps) revert CollateralConcentration(kind, key, value, total, limitBps);
    }

    function _checkLimit(LimitKind kind, uint16 limitBps) private pure {
        if (limitBps == 0 || limitBps > BPS) revert CollateralInvalidLimit(kind, limitBps);
    }
}
