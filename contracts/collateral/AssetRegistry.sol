// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title AssetRegistry
/// @notice What each token is: its class, issuer, credit rating, risk weight, maturity and
/// currency. The collateral and margin contracts read it; nothing else decides what an asset is.
/// @dev Ratings are notches of the S&P scale: 1 = AAA, 2 = AA+, ... 10 = BBB-, 11 = BB+,
/// 12 = BB, 13 = BB-, 14 = below BB- (B+ and lower, defaulted); 0 = unrated (Basel II's
/// schedule reads them; US rules do not use ratings). `riskWeight` is the issuer's risk
/// weight in percent under the US capital rule (12 CFR 217.32: the US government, its
/// central bank and agencies 0; GSEs 20; corporates 100; 0, 20, 50, 100 or 150), which
/// picks the column of 12 CFR 217.132 Table 1. `mainIndex` marks an equity in a main index
/// (the S&P 500 or a related index) or, on a digital commodity, gold (both take the same
/// supervisory haircut); `compositeIndex` an equity in the S&P Composite 1500 but not the
/// S&P 500 (17 CFR 23.156).
/// A money-market fund lists what it may hold (`setFundHoldings`) and, when known, the
/// share of its value in each (basis points summing to 10,000; the schedule that weights
/// its holdings' haircuts needs them). `maturity` is a timestamp, 0 for none.
///
/// The class is also the taxonomy router's key: a token's `Compliance` applies the modules
/// routed to its current class, and `VenueRegistry` lets only the venue kinds permitted for
/// the class list it. `reclassify` (by `CLASSIFIER_ROLE`: the regulator's registrar, or a
/// `SafeHarborRegistry` acting on an exit report) changes the class with an event, and every
/// check after it, in the same block, follows the new class.
contract AssetRegistry is AccessControl {
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    bytes32 public constant CLASSIFIER_ROLE = keccak256("CLASSIFIER_ROLE");

    uint8 public constant RATING_BELOW_BB_MINUS = 14;
    uint256 public constant MAX_FUND_HOLDINGS = 32;

    enum AssetClass {
        Unknown,
        TokenizedSecurity,
        DigitalCommodity,
        Collectible,
        Tool,
        Stablecoin,
        Cash,
        GovernmentSecurity,
        MoneyMarketFund,
        Equity,
        SecurityBasedSwap,
        ExemptNetworkToken
    }

    /// @notice The highest class number (`ExemptNetworkToken`).
    uint8 public constant MAX_CLASS = uint8(type(AssetClass).max);

    /// @dev `Sovereign`: a central government, its central bank or agencies, a multilateral
    /// development bank; `SupportedGse`: a government-sponsored enterprise operating with
    /// the US government's capital support (17 CFR 23.156(a)(1)(v)); `Gse`: one without;
    /// `Securitization`: a securitization exposure (an asset-backed security).
    enum IssuerKind {
        Sovereign,
        Other,
        Gse,
        SupportedGse,
        Securitization
    }

    struct Asset {
        AssetClass assetClass;
        IssuerKind issuerKind;
        uint8 rating;
        bool mainIndex;
        address issuer;
        uint64 maturity;
        bytes3 currency;
        uint8 riskWeight;
        bool compositeIndex;
    }

    error AssetUnknown(address token);
    error AssetInvalidToken(address token);
    error AssetInvalidClass(address token, uint8 assetClass);
    error AssetClassChangeNeedsReclassify(address token, AssetClass current, AssetClass requested);
    error AssetInvalidRating(address token, uint8 rating);
    error AssetInvalidCurrency(address token);
    error AssetNotAFund(address token);
    error AssetInvalidHolding(address fund, address holding);
    error AssetTooManyHoldings(address fund, uint256 count, uint256 max);
    error AssetInvalidRiskWeight(address token, uint8 riskWeight);
    error AssetInvalidWeights(address fund, uint256 holdings, uint256 weights, uint256 totalBps);

    event AssetRegistered(
        address indexed token,
        AssetClass assetClass,
        IssuerKind issuerKind,
        uint8 rating,
        bool mainIndex,
        address indexed issuer,
        uint64 maturity,
        bytes3 currency,
        uint8 riskWeight,
        bool compositeIndex
    );
    event FundHoldingsSet(address indexed fund, address[] holdings, uint16[] weightsBps);
    event AssetReclassified(address indexed token, AssetClass fromClass, AssetClass toClass, bytes32 reason);

    mapping(address token => Asset) private _assets;
    mapping(address fund => address[]) private _holdings;
    mapping(address fund => uint16[]) private _weights;

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Record (or correct) what `token` is. A registered token's class changes only by
    /// `reclassify`, with its event.
    function register(address token, Asset calldata asset) external onlyRole(REGISTRAR_ROLE) {
        if (token == address(0)) revert AssetInvalidToken(token);
        if (asset.assetClass == AssetClass.Unknown) revert AssetInvalidClass(token, uint8(asset.assetClass));
        AssetClass current = _assets[token].assetClass;
        if (current != AssetClass.Unknown && current != asset.assetClass) {
            revert AssetClassChangeNeedsReclassify(token, current, asset.assetClass);
        }
        if (asset.rating > RATING_BELOW_BB_MINUS) revert AssetInvalidRating(token, asset.rating);
        if (asset.currency == bytes3(0)) revert AssetInvalidCurrency(token);
        uint8 w = asset.riskWeight;
        if (w != 0 && w != 20 && w != 50 && w != 100 && w != 150) revert AssetInvalidRiskWeight(token, w);
        _assets[token] = asset;
        emit AssetRegistered(
            token, asset.assetClass, asset.issuerKind, asset.rating, asset.mainIndex, asset.issuer,
            asset.maturity, asset.currency, asset.riskWeight, asset.compositeIndex
        );
    }

    /// @notice Change the class of the registered `token` to `newClass` (a number, so that an
    /// unknown class is refused with `AssetInvalidClass` rather than an undecodable revert).
    /// @param reason a hash of what decided it (an exit report, a ruling).
    function reclassify(address token, uint8 newClass, bytes32 reason) external onlyRole(CLASSIFIER_ROLE) {
        AssetClass current = _assets[token].assetClass;
        if (current == AssetClass.Unknown) revert AssetUnknown(token);
        if (newClass == 0 || newClass > MAX_CLASS) revert AssetInvalidClass(token, newClass);
        AssetClass next = AssetClass(newClass);
        _assets[token].assetClass = next;
        emit AssetReclassified(token, current, next, reason);
    }

    /// @notice The class number of `token` (0 when it is not registered).
    function classOf(address token) external view returns (uint8) {
        return uint8(_assets[token].assetClass);
    }

    /// @notice What the money-market fund `fund` may hold (registered assets, not funds) and,
    /// if known, the share of its value in each (`weightsBps`, summing to 10,000; empty when
    /// not known).
    function setFundHoldings(address fund, address[] calldata holdings, uint16[] calldata weightsBps)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        if (_assets[fund].assetClass != AssetClass.MoneyMarketFund) revert AssetNotAFund(fund);
        if (holdings.length > MAX_FUND_HOLDINGS) revert AssetTooManyHoldings(fund, holdings.length, MAX_FUND_HOLDINGS);
        if (weightsBps.length != 0) {
            uint256 total;
            for (uint256 i = 0; i < weightsBps.length; ++i) {
                total += weightsBps[i];
            }
            if (weightsBps.length != holdings.length || total != 10_000) {
                revert AssetInvalidWeights(fund, holdings.length, weightsBps.length, total);
            }
        }
        for (uint256 i = 0; i < holdings.length; ++i) {
            AssetClass held = _assets[holdings[i]].assetClass;
            if (held == AssetClass.Unknown || held == AssetClass.MoneyMarketFund) {
                revert AssetInvalidHolding(fund, holdings[i]);
            }
        }
        _holdings[fund] = holdings;
        _weights[fund] = weightsBps;
        emit FundHoldingsSet(fund, holdings, weightsBps);
    }

    /// @notice The record of `token`; reverts `AssetUnknown` when it has none.
    function assetOf(address token) external view returns (Asset memory) {
        Asset memory asset = _assets[token];
        if (asset.assetClass == AssetClass.Unknown) revert AssetUnknown(token);
        return asset;
    }

    function isRegistered(address token) external view returns (bool) {
        return _assets[token].assetClass != AssetClass.Unknown;
    }

    function fundHoldings(address fund) external view returns (address[] memory) {
        return _holdings[fund];
    }

    /// @notice The share of `fund`'s value in each holding, basis points (empty: not known).
    function fundWeights(address fund) external view returns (uint16[] memory) {
        return _weights[fund];
    }
}
