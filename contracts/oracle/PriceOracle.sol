// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title PriceOracle
/// @notice Prices of assets with the time they were set; reads older than `maxAge` are
/// refused.
/// @dev Prices are in US dollars with `DECIMALS` (8) decimals per one whole token of the
/// asset. A price set at time t may be read until t + maxAge inclusive; from the next
/// second on `priceOf` reverts `OracleStalePrice`. `latestPrice` reads without the age
/// check, for reports.
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

    event PriceUpdated(address indexed asset, uint256 price, uint64 updatedAt);
    event MaxAgeSet(uint64 maxAge);

    uint64 public maxAge;
    mapping(address asset => Price) private _prices;

    constructor(address admin, uint64 maxAge_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setMaxAge(maxAge_);
    }

    function setPrice(address asset, uint256 price) external onlyRole(FEEDER_ROLE) {
        _setPrice(asset, price);
    }

    function setPrices(address[] calldata assets, uint256[] calldata prices) external onlyRole(FEEDER_ROLE) {
        if (assets.length != prices.length) revert OracleBatchLengthMismatch(assets.length, prices.length);
        for (uint256 i = 0; i < assets.length; ++i) {
            _setPrice(assets[i], prices[i]);
        }
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
