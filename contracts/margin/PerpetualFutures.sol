// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {PriceOracle} from "../oracle/PriceOracle.sol";

/// @notice What the perpetuals need from the margin engine: the accounts' cash ledger and
/// the check that an opening trade leaves each side at or above its initial requirement.
interface IMarginAccounts {
    function settleCash(address account, int256 amount) external;
    function checkOpening(address account) external view;
    function hasAccount(address account) external view returns (bool);
    function underlyingToken(uint32 index) external view returns (address);
    function cashScale() external view returns (uint256);
}

/// @title PerpetualFutures
/// @notice Perpetual futures margined by the `MarginEngine`: one contract is one whole
/// token of the underlying. Positions are bilateral (every long has a short, so open
/// positions net to zero); trades execute at the mark price.
/// @dev The mark price of market `id` is the oracle's price of `markFeedOf(id)` (a feed
/// address derived from this contract and the id); the index is the oracle's price of the
/// underlying token. Both are refused when stale. Profit and loss settles into the
/// engine's cash ledger, in the cash token: each position keeps the mark price it was last
/// settled at, and `settle` moves quantity x (mark - last) into cash. Funding: at each
/// interval longs pay shorts quantity x (mark - index), capped at `fundingCapBps` of the
/// index, per contract (shorts pay when negative); it accrues to a cumulative index per
/// market and is paid when a position settles. Funding is applied by the funding keeper
/// (`FUNDING_KEEPER_ROLE`) once due; an application that comes late charges every interval
/// that has elapsed (each at the premium of the time of application, capped per interval),
/// so a missed interval is never free and the schedule never drifts. Prices are in cents (the oracle's price
/// truncated to the cent); cash amounts are cents x the engine's `cashScale`, so every
/// transfer is exact and the sum over all positions of funding and P&L is zero.
contract PerpetualFutures is AccessControl {
    bytes32 public constant MARKET_ADMIN_ROLE = keccak256("MARKET_ADMIN_ROLE");
    bytes32 public constant TRADER_ROLE = keccak256("TRADER_ROLE");
    bytes32 public constant FUNDING_KEEPER_ROLE = keccak256("FUNDING_KEEPER_ROLE");

    uint256 public constant BPS = 10_000;
    uint256 private constant ORACLE_UNITS_PER_CENT = 1e6; // oracle prices have 8 decimals

    struct Market {
        uint32 underlying; // the engine's underlying index
        uint64 fundingInterval;
        uint64 nextFunding;
        uint16 fundingCapBps;
        uint64 positionLimit; // contracts per account, long or short; 0: none
        int256 cumulativeFunding; // cash units per contract paid by a long since listing
        uint256 openInterest; // contracts long (= contracts short)
    }

    struct Position {
        int256 quantity;
        uint256 lastPrice; // cents: the mark it was last settled at
        int256 fundingIndex; // `cumulativeFunding` when last settled
    }

    error PerpUnknownMarket(uint256 market);
    error PerpInvalidMarket(uint32 underlying, uint64 fundingInterval, uint16 fundingCapBps);
    error PerpInvalidTrade(address long, address short, uint256 quantity);
    error PerpNoAccount(address account);
    error PerpPositionLimit(address account, uint256 market, int256 position, uint64 limit);
    error PerpFundingNotDue(uint256 market, uint64 nextFunding, uint256 now_);
    error PerpEngineAlreadySet(address engine);
    error PerpOnlyEngine(address caller);

    event EngineSet(address engine);
    event MarketListed(uint256 indexed market, uint32 underlying, address markFeed, uint64 fundingInterval, uint16 fundingCapBps, uint64 positionLimit);
    event Traded(uint256 indexed market, address indexed long, address indexed short, uint256 quantity, uint256 price);
    event Settled(address indexed account, uint256 indexed market, int256 pnl, int256 funding, uint256 price);
    event FundingApplied(
        uint256 indexed market, uint256 mark, uint256 index, int256 perContract, int256 cumulativeFunding, uint64 intervals
    );
    event PositionsTransferred(address indexed from, address indexed to, uint256 indexed market, int256 quantity, uint256 price);

    PriceOracle public immutable oracle;
    IMarginAccounts public engine;
    Market[] private _markets;
    mapping(address account => mapping(uint256 market => Position)) private _positions;
    mapping(address account => uint256[]) private _marketsOf; // markets with a nonzero position

    constructor(address admin, PriceOracle oracle_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        oracle = oracle_;
    }

    /// @notice Bind the margin engine whose accounts these positions belong to (once).
    function setEngine(IMarginAccounts engine_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(engine) != address(0)) revert PerpEngineAlreadySet(address(engine));
        engine = engine_;
        emit EngineSet(address(engine_));
    }

    // ------------------------------------------------------------------------ markets

    /// @notice List a perpetual on the engine's underlying `underlying`; funding every
    /// `fundingInterval` seconds from now.
    function listMarket(uint32 underlying, uint64 fundingInterval, uint16 fundingCapBps, uint64 positionLimit)
        external
        onlyRole(MARKET_ADMIN_ROLE)
        returns (uint256 id)
    {
        engine.underlyingToken(underlying); // reverts for an unknown underlying
        if (fundingInterval == 0 || fundingCapBps > BPS) {
            revert PerpInvalidMarket(underlying, fundingInterval, fundingCapBps);
        }
        id = _markets.length;
        _markets.push(
            Market({
                underlying: underlying,
                fundingInterval: fundingInterval,
                nextFunding: uint64(block.timestamp) + fundingInterval,
                fundingCapBps: fundingCapBps,
                positionLimit: positionLimit,
                cumulativeFunding: 0,
                openInterest: 0
            })
        );
        emit MarketListed(id, underlying, markFeedOf(id), fundingInterval, fundingCapBps, positionLimit);
    }

    function marketCount() external view returns (uint256) {
        return _markets.length;
    }

    function market(uint256 id) external view returns (Market memory) {
        return _market(id);
    }

    /// @notice The oracle feed that carries market `id`'s mark price.
    function markFeedOf(uint256 id) public view returns (address) {
        return address(uint160(uint256(keccak256(abi.encode(address(this), id)))));
    }

    /// @notice Mark price of market `id` in cents; refused when stale.
    function markPrice(uint256 id) public view returns (uint256) {
        _market(id);
        (uint256 price,) = oracle.priceOf(markFeedOf(id));
        return price / ORACLE_UNITS_PER_CENT;
    }

    // ------------------------------------------------------------------------ trading

    /// @notice `long` buys and `short` sells `quantity` contracts at the mark price. Each
    /// side whose position grows must stay within the position limit and at or above its
    /// initial requirement after the trade (the engine checks, including retail caps).
    function trade(uint256 id, address long, address short, uint256 quantity) external onlyRole(TRADER_ROLE) {
        Market storage m = _market(id);
        if (quantity == 0 || long == short || quantity > uint256(uint128(type(int128).max))) {
            revert PerpInvalidTrade(long, short, quantity);
        }
        if (!engine.hasAccount(long)) revert PerpNoAccount(long);
        if (!engine.hasAccount(short)) revert PerpNoAccount(short);
        uint256 mark = markPrice(id);
        int256 q = int256(quantity);
        int256 longBefore = _positions[long][id].quantity;
        int256 shortBefore = _positions[short][id].quantity;
        _settle(long, id, mark);
        _settle(short, id, mark);
        _setQuantity(long, id, longBefore + q);
        _setQuantity(short, id, shortBefore - q);
        m.openInterest = _openInterestAfter(m.openInterest, longBefore, longBefore + q);
        m.openInterest = _openInterestAfter(m.openInterest, shortBefore, shortBefore - q);
        emit Traded(id, long, short, quantity, mark);
        _checkOpening(long, id, longBefore, longBefore + q, m.positionLimit);
        _checkOpening(short, id, shortBefore, shortBefore - q, m.positionLimit);
    }

    /// @notice Apply funding to market `id` once its time has come: one interval's funding
    /// for every interval due (by the funding keeper).
    function applyFunding(uint256 id) external onlyRole(FUNDING_KEEPER_ROLE) {
        Market storage m = _market(id);
        if (block.timestamp < m.nextFunding) revert PerpFundingNotDue(id, m.nextFunding, block.timestamp);
        uint256 mark = markPrice(id);
        (uint256 indexPrice,) = oracle.priceOf(engine.underlyingToken(m.underlying));
        uint256 index = indexPrice / ORACLE_UNITS_PER_CENT;
        int256 premium = int256(mark) - int256(index);
        int256 cap = int256((index * m.fundingCapBps) / BPS);
        if (premium > cap) premium = cap;
        if (premium < -cap) premium = -cap;
        uint64 intervals = (uint64(block.timestamp) - m.nextFunding) / m.fundingInterval + 1;
        int256 perContract = premium * int256(engine.cashScale()) * int256(uint256(intervals));
        m.cumulativeFunding += perContract;
        m.nextFunding += intervals * m.fundingInterval;
        emit FundingApplied(id, mark, index, perContract, m.cumulativeFunding, intervals);
    }

    /// @notice Settle every position of `account` at the mark: P&L and funding to cash.
    function settle(address account) public {
        uint256[] storage ids = _marketsOf[account];
        for (uint256 i = 0; i < ids.length; ++i) {
            _settle(account, ids[i], markPrice(ids[i]));
        }
    }

    /// @notice Move every position of `from` to `to` at the mark (a liquidation): both
    /// settle first, so `from` keeps what it made or lost until now. Engine only.
    function transferAll(address from, address to) external {
        if (msg.sender != address(engine)) revert PerpOnlyEngine(msg.sender);
        uint256[] memory ids = _marketsOf[from];
        for (uint256 i = 0; i < ids.length; ++i) {
            uint256 id = ids[i];
            uint256 mark = markPrice(id);
            _settle(from, id, mark);
            _settle(to, id, mark);
            int256 q = _positions[from][id].quantity;
            int256 toBefore = _positions[to][id].quantity;
            Market storage m = _markets[id];
            m.openInterest = _openInterestAfter(m.openInterest, q, 0);
            m.openInterest = _openInterestAfter(m.openInterest, toBefore, toBefore + q);
            _setQuantity(from, id, 0);
            _setQuantity(to, id, toBefore + q);
            emit PositionsTransferred(from, to, id, q, mark);
        }
    }

    // -------------------------------------------------------------------------- views

    function positionOf(address account, uint256 id) external view returns (Position memory) {
        return _positions[account][id];
    }

    /// @notice `account`'s open positions: underlying, quantity and mark (cents) each.
    function positionsOf(address account)
        external
        view
        returns (uint32[] memory underlyings, int256[] memory quantities, uint256[] memory marks)
    {
        uint256[] storage ids = _marketsOf[account];
        underlyings = new uint32[](ids.length);
        quantities = new int256[](ids.length);
        marks = new uint256[](ids.length);
        for (uint256 i = 0; i < ids.length; ++i) {
            underlyings[i] = _markets[ids[i]].underlying;
            quantities[i] = _positions[account][ids[i]].quantity;
            marks[i] = markPrice(ids[i]);
        }
    }

    /// @notice P&L and funding `settle` would move into `account`'s cash now.
    function unsettledOf(address account) external view returns (int256 total) {
        uint256[] storage ids = _marketsOf[account];
        for (uint256 i = 0; i < ids.length; ++i) {
            (int256 pnl, int256 funding) = _owed(account, ids[i], markPrice(ids[i]));
            total += pnl + funding;
        }
    }

    // ------------------------------------------------------------------------ private

    function _market(uint256 id) private view returns (Market storage) {
        if (id >= _markets.length) revert PerpUnknownMarket(id);
        return _markets[id];
    }

    function _owed(address account, uint256 id, uint256 mark) private view returns (int256 pnl, int256 funding) {
        Position storage p = _positions[account][id];
        int256 scale = int256(engine.cashScale());
        pnl = p.quantity * (int256(mark) - int256(p.lastPrice)) * scale;
        funding = -p.quantity * (_markets[id].cumulativeFunding - p.fundingIndex);
    }

    function _settle(address account, uint256 id, uint256 mark) private {
        Position storage p = _positions[account][id];
        if (p.quantity != 0) {
            (int256 pnl, int256 funding) = _owed(account, id, mark);
            if (pnl + funding != 0) engine.settleCash(account, pnl + funding);
            emit Settled(account, id, pnl, funding, mark);
        }
        p.lastPrice = mark;
        p.fundingIndex = _markets[id].cumulativeFunding;
    }

    function _setQuantity(address account, uint256 id, int256 quantity) private {
        Position storage p = _positions[account][id];
        if (p.quantity == 0 && quantity != 0) {
            _marketsOf[account].push(id);
        } else if (p.quantity != 0 && quantity == 0) {
            uint256[] storage ids = _marketsOf[account];
            for (uint256 i = 0; i < ids.length; ++i) {
                if (ids[i] == id) {
                    ids[i] = ids[ids.length - 1];
                    ids.pop();
                    break;
                }
            }
        }
        p.quantity = quantity;
    }

    function _openInterestAfter(uint256 openInterest, int256 before, int256 after_) private pure returns (uint256) {
        // open interest counts the long side: add what a long grew by, take off what it shrank
        uint256 longBefore = before > 0 ? uint256(before) : 0;
        uint256 longAfter = after_ > 0 ? uint256(after_) : 0;
        return openInterest + longAfter - longBefore;
    }

    function _checkOpening(address account, uint256 id, int256 before, int256 after_, uint64 limit) private view {
        uint256 absBefore = before < 0 ? uint256(-before) : uint256(before);
        uint256 absAfter = after_ < 0 ? uint256(-after_) : uint256(after_);
        if (after_ == 0 || (absAfter <= absBefore && (before > 0) == (after_ > 0))) return; // reduced: allowed
        if (limit != 0 && absAfter > limit) revert PerpPositionLimit(account, id, after_, limit);
        engine.checkOpening(account);
    }
}
