// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {AssetRegistry} from "../collateral/AssetRegistry.sol";
import {Calendar} from "../utils/Calendar.sol";

/// @title VenueRegistry
/// @notice Trading venues: what each is registered as, which tokens it lists, the trades it
/// settles, its monthly volume per token, and the ATS fair-access duty.
/// @dev The taxonomy routes listings: the regulator sets, per asset class, the venue kinds
/// that may trade it (`setPermittedKinds`); a venue's `list` is refused when its kind may not
/// trade the token's class, and so is every trade on a listing the token's reclassification
/// has made impermissible, from the block of the reclassification on. An unregistered venue
/// listing a security token is refused here.
///
/// A listed venue settles its matched trades through `trade`: tokens from seller to buyer
/// (the token's compliance applies: a refused transfer reverts the trade) and payment from
/// buyer to seller, in one transaction. Investors approve this registry as their settlement
/// agent on both tokens, but the registry moves nothing on an approval alone: each side of a
/// trade must be an order its owner signed (EIP-712 `Order`) for that venue, that token and
/// that cash token, for at most an amount and at a limit price, before a deadline; a venue
/// can fill an order only up to its amount, only at its price or better, and only if the
/// order names it. An owner can cancel an order (`cancelOrder`). Volume is counted per
/// calendar month (UTC).
///
/// Fair access (Reg ATS, 17 CFR 242.301(b)(5)(i)): an ATS whose share of a token's average daily
/// volume is at least `fairAccessShareBp` (5%) in at least `fairAccessMonths` (4) of the
/// `lookbackMonths` (6) preceding calendar months must grant fair access. The share of the
/// average daily volume in a month is the venue's volume over all venues' volume that month
/// (both averages are over the same days). `assessFairAccess` (anyone) sets or clears the
/// flag from the counts on chain. The duty is a securities-market duty: it applies only while
/// the token's class is a security (`SECURITY_CLASSES`); the months counted are the token's
/// whatever its class was then.
contract VenueRegistry is AccessControl, EIP712 {
    using SafeERC20 for IERC20;

    /// @notice One side of a trade, signed by its owner: sell (or buy) up to `amount` units of
    /// `token` on `venue` for at least (at most) `payment` units of `cash` for the whole
    /// amount, pro rata for a part, until `deadline`. `nonce` tells apart orders alike.
    struct Order {
        address owner;
        address venue;
        address token;
        address cash;
        bool sell;
        uint256 amount;
        uint256 payment;
        uint256 nonce;
        uint64 deadline;
    }

    bytes32 public constant ORDER_TYPEHASH = keccak256(
        "Order(address owner,address venue,address token,address cash,bool sell,uint256 amount,uint256 payment,uint256 nonce,uint64 deadline)"
    );

    bytes32 public constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");
    uint256 public constant BPS = 10_000;
    uint256 public constant MAX_LOOKBACK_MONTHS = 24;
    /// @notice The classes that are securities (bit c = `AssetRegistry.AssetClass` c):
    /// tokenized security, government security, money-market fund, equity, security-based swap.
    uint256 public constant SECURITY_CLASSES = (1 << 1) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10);

    enum VenueKind {
        Unregistered,
        SecuritiesExchange,
        Ats,
        CommodityExchange
    }

    uint8 public constant MAX_KIND = uint8(type(VenueKind).max);

    error VenueInvalidKind(address venue, uint8 kind);
    error VenueInvalidClass(uint8 assetClass);
    error VenueInvalidRule(string field, uint256 value, uint256 limit);
    error VenueListingNotPermitted(address venue, address token, uint8 assetClass, VenueKind kind);
    error VenueAlreadyListed(address venue, address token);
    error VenueNotListed(address venue, address token);
    error VenueNotAts(address venue, VenueKind kind);
    error VenueZeroAmount();
    error VenueOrderNotForVenue(bytes32 orderHash, address venue, address caller);
    error VenueOrderMismatch(bytes32 sellOrder, bytes32 buyOrder);
    error VenueOrderBadSignature(bytes32 orderHash, address owner);
    error VenueOrderExpired(bytes32 orderHash, uint64 deadline, uint256 now_);
    error VenueOrderCancelled(bytes32 orderHash);
    error VenueOrderOverfilled(bytes32 orderHash, uint256 filled, uint256 amount, uint256 orderAmount);
    error VenueOrderPriceNotMet(bytes32 orderHash, uint256 amount, uint256 payment);
    error VenueNotOrderOwner(bytes32 orderHash, address owner, address caller);

    event VenueRegistered(address indexed venue, VenueKind kind, string name);
    event PermittedKindsSet(uint8 indexed assetClass, uint8 kindMask);
    event FairAccessRuleSet(uint16 shareBp, uint8 months, uint8 lookbackMonths);
    event Listed(address indexed venue, address indexed token);
    event Delisted(address indexed venue, address indexed token);
    event TradeSettled(
        address indexed venue,
        address indexed token,
        address seller,
        address buyer,
        uint256 amount,
        uint256 payment,
        uint32 month
    );
    event OrderFilled(bytes32 indexed orderHash, address indexed owner, uint256 amount, uint256 filled);
    event OrderCancelled(bytes32 indexed orderHash, address indexed owner);
    event FairAccessTriggered(address indexed venue, address indexed token, uint32 month, uint8 monthsAtThreshold);
    event FairAccessLapsed(address indexed venue, address indexed token, uint32 month, uint8 monthsAtThreshold);

    AssetRegistry public immutable assets;

    uint16 public fairAccessShareBp = 500;
    uint8 public fairAccessMonths = 4;
    uint8 public lookbackMonths = 6;

    mapping(address venue => VenueKind) public kindOf;
    mapping(address venue => string) public nameOf;
    mapping(uint8 assetClass => uint8 kindMask) public permittedKinds;
    mapping(address venue => mapping(address token => bool)) public isListed;
    mapping(address token => address[]) private _venues;
    mapping(address token => mapping(address venue => mapping(uint32 month => uint256))) private _volume;
    mapping(address token => mapping(uint32 month => uint256)) private _total;
    mapping(address venue => mapping(address token => bool)) public fairAccessDuty;
    mapping(bytes32 orderHash => uint256) public filled;
    mapping(bytes32 orderHash => bool) public cancelled;

    constructor(address admin, AssetRegistry assets_) EIP712("VenueRegistry", "1") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        assets = assets_;
    }

    // ---------------------------------------------------------------- regulator

    function registerVenue(address venue, uint8 kind, string calldata name) external onlyRole(REGULATOR_ROLE) {
        if (kind > MAX_KIND || venue == address(0)) revert VenueInvalidKind(venue, kind);
        kindOf[venue] = VenueKind(kind);
        nameOf[venue] = name;
        emit VenueRegistered(venue, VenueKind(kind), name);
    }

    /// @notice The venue kinds (bit k = `VenueKind` k) that may trade tokens of `assetClass`.
    function setPermittedKinds(uint8 assetClass, uint8 kindMask) external onlyRole(REGULATOR_ROLE) {
        if (assetClass == 0 || assetClass > assets.MAX_CLASS()) revert VenueInvalidClass(assetClass);
        if (kindMask >> (MAX_KIND + 1) != 0) revert VenueInvalidRule("kindMask", kindMask, (1 << (MAX_KIND + 1)) - 1);
        permittedKinds[assetClass] = kindMask;
        emit PermittedKindsSet(assetClass, kindMask);
    }

    function setFairAccessRule(uint16 thresholdBp, uint8 months, uint8 lookback) external onlyRole(REGULATOR_ROLE) {
        if (thresholdBp == 0 || thresholdBp > BPS) revert VenueInvalidRule("shareBp", thresholdBp, BPS);
        if (lookback == 0 || lookback > MAX_LOOKBACK_MONTHS) {
            revert VenueInvalidRule("lookbackMonths", lookback, MAX_LOOKBACK_MONTHS);
        }
        if (months == 0 || months > lookback) revert VenueInvalidRule("months", months, lookback);
        fairAccessShareBp = thresholdBp;
        fairAccessMonths = months;
        lookbackMonths = lookback;
        emit FairAccessRuleSet(thresholdBp, months, lookback);
    }

    // -------------------------------------------------------------------- venue

    /// @notice List `token` on the calling venue; refused when the venue's kind may not
    /// trade the token's class.
    function list(address token) external {
        if (isListed[msg.sender][token]) revert VenueAlreadyListed(msg.sender, token);
        _requirePermitted(msg.sender, token);
        isListed[msg.sender][token] = true;
        _venues[token].push(msg.sender);
        emit Listed(msg.sender, token);
    }

    function delist(address token) external {
        if (!isListed[msg.sender][token]) revert VenueNotListed(msg.sender, token);
        isListed[msg.sender][token] = false;
        address[] storage venues = _venues[token];
        for (uint256 i = 0; i < venues.length; ++i) {
            if (venues[i] == msg.sender) {
                venues[i] = venues[venues.length - 1];
                venues.pop();
                break;
            }
        }
        emit Delisted(msg.sender, token);
    }

    /// @notice Settle a trade matched on the calling venue: `amount` of `token` from the
    /// seller to the buyer against `payment` of `cash` from the buyer to the seller,
    /// atomically, each side under an order its owner signed for this venue.
    function trade(
        Order calldata sellOrder,
        bytes calldata sellSignature,
        Order calldata buyOrder,
        bytes calldata buySignature,
        uint256 amount,
        uint256 payment
    ) external {
        address token = sellOrder.token;
        if (!isListed[msg.sender][token]) revert VenueNotListed(msg.sender, token);
        if (amount == 0) revert VenueZeroAmount();
        _requirePermitted(msg.sender, token);
        bytes32 sellHash = _fill(sellOrder, sellSignature, amount, payment);
        bytes32 buyHash = _fill(buyOrder, buySignature, amount, payment);
        if (!sellOrder.sell || buyOrder.sell || buyOrder.token != token || buyOrder.cash != sellOrder.cash) {
            revert VenueOrderMismatch(sellHash, buyHash);
        }
        IERC20(token).safeTransferFrom(sellOrder.owner, buyOrder.owner, amount);
        IERC20(sellOrder.cash).safeTransferFrom(buyOrder.owner, sellOrder.owner, payment);
        uint32 month = monthOf(block.timestamp);
        _volume[token][msg.sender][month] += amount;
        _total[token][month] += amount;
        emit TradeSettled(msg.sender, token, sellOrder.owner, buyOrder.owner, amount, payment, month);
    }

    /// @notice The owner withdraws an order: no venue can fill it any more.
    function cancelOrder(Order calldata order) external {
        bytes32 orderHash = hashOrder(order);
        if (msg.sender != order.owner) revert VenueNotOrderOwner(orderHash, order.owner, msg.sender);
        cancelled[orderHash] = true;
        emit OrderCancelled(orderHash, order.owner);
    }

    /// @notice The EIP-712 digest the owner of `order` signs.
    function hashOrder(Order calldata order) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(
            ORDER_TYPEHASH, order.owner, order.venue, order.token, order.cash, order.sell, order.amount,
            order.payment, order.nonce, order.deadline
        )));
    }

    /// @dev Check that the calling venue may fill `amount` of `order` for `payment`, and
    /// record the fill.
    function _fill(Order calldata order, bytes calldata signature, uint256 amount, uint256 payment)
        private
        returns (bytes32 orderHash)
    {
        orderHash = hashOrder(order);
        if (order.venue != msg.sender) revert VenueOrderNotForVenue(orderHash, order.venue, msg.sender);
        if (!SignatureChecker.isValidSignatureNow(order.owner, orderHash, signature)) {
            revert VenueOrderBadSignature(orderHash, order.owner);
        }
        if (block.timestamp > order.deadline) revert VenueOrderExpired(orderHash, order.deadline, block.timestamp);
        if (cancelled[orderHash]) revert VenueOrderCancelled(orderHash);
        uint256 done = filled[orderHash];
        if (done + amount > order.amount) revert VenueOrderOverfilled(orderHash, done, amount, order.amount);
        // the seller gets at least its price, the buyer pays at most its own, pro rata
        bool priceMet = order.sell
            ? payment * order.amount >= order.payment * amount
            : payment * order.amount <= order.payment * amount;
        if (!priceMet) revert VenueOrderPriceNotMet(orderHash, amount, payment);
        filled[orderHash] = done + amount;
        emit OrderFilled(orderHash, order.owner, amount, done + amount);
    }

    // -------------------------------------------------------------- fair access

    /// @notice Set or clear `venue`'s fair-access duty for `token` from the preceding months.
    /// @return duty whether the duty applies now.
    function assessFairAccess(address venue, address token) external returns (bool duty) {
        if (kindOf[venue] != VenueKind.Ats) revert VenueNotAts(venue, kindOf[venue]);
        uint32 month = monthOf(block.timestamp);
        uint8 count = monthsAtThreshold(venue, token, month);
        duty = count >= fairAccessMonths && (SECURITY_CLASSES >> assets.classOf(token)) & 1 == 1;
        if (duty != fairAccessDuty[venue][token]) {
            fairAccessDuty[venue][token] = duty;
            if (duty) emit FairAccessTriggered(venue, token, month, count);
            else emit FairAccessLapsed(venue, token, month, count);
        }
    }

    /// @notice Of the `lookbackMonths` calendar months before `month`, how many had the
    /// venue's share of the token's volume at or above the threshold.
    function monthsAtThreshold(address venue, address token, uint32 month) public view returns (uint8 count) {
        uint32 first = month > lookbackMonths ? month - lookbackMonths : 0;
        for (uint32 m = first; m < month; ++m) {
            uint256 total = _total[token][m];
            if (total != 0 && _volume[token][venue][m] * BPS >= uint256(fairAccessShareBp) * total) ++count;
        }
    }

    /// @notice The venue's share of the token's volume in `month`, basis points (rounded down).
    function shareBp(address venue, address token, uint32 month) external view returns (uint256) {
        uint256 total = _total[token][month];
        return total == 0 ? 0 : _volume[token][venue][month] * BPS / total;
    }

    function volumeOf(address venue, address token, uint32 month) external view returns (uint256) {
        return _volume[token][venue][month];
    }

    function totalVolume(address token, uint32 month) external view returns (uint256) {
        return _total[token][month];
    }

    // -------------------------------------------------------------------- views

    /// @notice The month number of a timestamp: year * 12 + month - 1 (UTC).
    function monthOf(uint256 timestamp) public pure returns (uint32) {
        (uint256 year, uint256 month,) = Calendar.civilFromDays(timestamp / Calendar.DAY);
        return uint32(year * 12 + month - 1);
    }

    /// @notice Whether `venue`'s kind may trade `token`'s current class.
    function permitted(address venue, address token) public view returns (bool) {
        uint8 assetClass = assets.classOf(token);
        return assetClass != 0 && permittedKinds[assetClass] & (1 << uint8(kindOf[venue])) != 0;
    }

    /// @notice The venues listing `token` whose listing its current class permits.
    function tradingVenues(address token) external view returns (address[] memory found) {
        address[] storage venues = _venues[token];
        found = new address[](venues.length);
        uint256 k;
        for (uint256 i = 0; i < venues.length; ++i) {
            if (permitted(venues[i], token)) found[k++] = venues[i];
        }
        assembly ("memory-safe") {
            mstore(found, k)
        }
    }

    function _requirePermitted(address venue, address token) private view {
        if (!permitted(venue, token)) {
            revert VenueListingNotPermitted(venue, token, assets.classOf(token), kindOf[venue]);
        }
    }
}
