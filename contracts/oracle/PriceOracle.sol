// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title PriceOracle
/// @notice Prices of assets with the time they were set; reads older than `maxAge` are
/// refused; optionally a deviation guard refuses an update too far from the last price.
/// @dev Prices are in US dollars with `DECIMALS` (8) decimals per one whole token of the
/// asset. A price set at time t may be read until t + maxAge inclusive; from the next
/// second on `priceOf` reverts `OracleStalePrice`. `latestPrice` reads without the age
/// check, for reports.
///
/// Deviation guard (`maxDeviationBps`, 0: off): an update that moves a price by more than
/// that share of the last price, while the last price is still fresh, is refused: `setPrice`
/// reverts `OracleDeviationTooLarge`; `setPrices` leaves that asset's price as it was,
/// emits `PriceRejected` and updates the others. A stale price is no anchor: once it has
/// aged past `maxAge`, the next update is accepted whatever it is, so a real move larger
/// than the guard is published after one oracle age (the feed is stale meanwhile, and reads
/// are refused rather than wrong). A first price has no anchor either.
contract PriceOracle is AccessControl {
    bytes32 public constant FEEDER_ROLE = keccak256("FEEDER_ROLE");
    uint8 public constant DECIMALS = 8;

    struct Price {
        uint256 price;
        uint64 updatedAt;
    }

    error OracleNoPrice(address asset);
    error OracleStalePrice(address asset, uint64 updatedAt, uint64 maxAge, uint256 now_);
    error OracleInvalidPrice(address asset);
    error OracleInvalidMaxAge(uint64 maxAge);
    error OracleBatchLengthMismatch(uint256 assets, uint256 prices);
    error OracleDeviationTooLarge(address asset, uint256 last, uint256 price, uint16 maxDeviationBps);
    error OracleInvalidDeviation(uint16 maxDeviationBps);

    event PriceUpdated(address indexed asset, uint256 price, uint64 updatedAt);
    event MaxAgeSet(uint64 maxAge);
    event MaxDeviationSet(uint16 maxDeviationBps);
    event PriceRejected(address indexed asset, uint256 last, uint256 price, uint16 maxDeviationBps);

    uint16 public constant BPS = 10_000;

    uint64 public maxAge;
    uint16 public maxDeviationBps;
    mapping(address asset => Price) private _prices;

    constructor(address admin, uint64 maxAge_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setMaxAge(maxAge_);
    }

    function setPrice(address asset, uint256 price) external onlyRole(FEEDER_ROLE) {
        uint256 last = _deviating(asset, price);
        if (last != 0) revert OracleDeviationTooLarge(asset, last, price, maxDeviationBps);
        _setPrice(asset, price);
    }

    /// @notice Set many prices; one the deviation guard refuses is skipped (`PriceRejected`).
    function setPrices(address[] calldata assets, uint256[] calldata prices) external onlyRole(FEEDER_ROLE) {
        if (assets.length != prices.length) revert OracleBatchLengthMismatch(assets.length, prices.length);
        for (uint256 i = 0; i < assets.length; ++i) {
            uint256 last = _deviating(assets[i], prices[i]);
            if (last != 0) {
                emit PriceRejected(assets[i], last, prices[i], maxDeviationBps);
                continue;
            }
            _setPrice(assets[i], prices[i]);
        }
    }

    /// @notice Refuse updates moving a fresh price by more than `bps` of it (0: no guard).
    function setMaxDeviation(uint16 bps) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (bps > BPS) revert OracleInvalidDeviation(bps);
        maxDeviationBps = bps;
        emit MaxDeviationSet(bps);
    }

    function setMaxAge(uint64 maxAge_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMaxAge(maxAge_);
    }

    /// @notice The price of `asset` and when it was set; refused when older than `maxAge`.
    function priceOf(address asset) external view returns (uint256 price, uint64 updatedAt) {
        Price memory p = _prices[asset];
        if (p.updatedAt == 0) revert OracleNoPrice(asset);
        if (block.timestamp - p.updatedAt > maxAge) {
            revert OracleStalePrice(asset, p.updatedAt, maxAge, block.timestamp);
        }
        return (p.price, p.updatedAt);
    }

    /// @notice The last price of `asset` whatever its age (zeros when never set).
    function latestPrice(address asset) external view returns (uint256 price, uint64 updatedAt) {
        Price memory p = _prices[asset];
        return (p.price, p.updatedAt);
    }

    /// @dev The last price when the guard refuses `price` for `asset` (0 when it passes).
    function _deviating(address asset, uint256 price) private view returns (uint256) {
        if (maxDeviationBps == 0) return 0;
        Price memory p = _prices[asset];
        if (p.updatedAt == 0 || block.timestamp - p.updatedAt > maxAge) return 0;
        uint256 move = price > p.price ? price - p.price : p.price - price;
        return move * BPS > p.price * maxDeviationBps ? p.price : 0;
    }

    function _setPrice(address asset, uint256 price) private {
        if (price == 0 || asset == address(0)) revert OracleInvalidPrice(asset);
        _prices[asset] = Price(price, uint64(block.timestamp));
        emit PriceUpdated(asset, price, uint64(block.timestamp));
    }

    function _setMaxAge(uint64 maxAge_) private {
        if (maxAge_ == 0) revert OracleInvalidMaxAge(maxAge_);
        maxAge = maxAge_;
        emit MaxAgeSet(maxAge_);
    }
}
