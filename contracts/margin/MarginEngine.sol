// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {CollateralRegistry} from "../collateral/CollateralRegistry.sol";
import {PriceOracle} from "../oracle/PriceOracle.sol";
import {CollateralCustodian} from "./CollateralCustodian.sol";
import {MarginCalculator, MarginMath} from "./MarginMath.sol";
import {IMarginAccounts, PerpetualFutures} from "./PerpetualFutures.sol";

/// @title MarginEngine
/// @notice Margin accounts: cash, pledged collateral, securities bought on margin and (in
/// `PerpetualFutures`) perpetual positions, margined siloed or as one portfolio.
/// @dev Equity = cash (negative: a margin loan) + spot positions at the oracle price +
/// collateral at the oracle price less its `CollateralRegistry` haircut + the perpetuals'
/// unsettled P&L and funding. Requirements come from `MarginMath` (siloed: Reg T 50% /
/// FINRA 4210 25% plus a scan of the perpetuals; portfolio: one scan, floored per position
/// and at `crossFloorBps` of the siloed requirement). A retail account's initial
/// requirement is also at least each position's notional over its class's leverage cap
/// (ESMA); its close-out level is `closeOutBps` of that initial requirement. Opening a
/// position or withdrawing needs equity at or above the initial requirement afterwards.
/// Below maintenance the margin desk issues a call with a deadline; a call unmet at its
/// deadline, or a retail account under its close-out level, may be liquidated: the book
/// passes to the liquidator's account at market prices, collateral is sold to it until the
/// cash is no longer negative, and what is still negative once no collateral is left is a
/// shortfall charged to the default fund (retail: negative balance protection, nothing is
/// owed; otherwise the firm keeps a claim). While collateral is left that could not be sold
/// (no fresh price, a foreclosure the token refused, such as a Rule 144 lot still locked)
/// the debit stays on the account, secured by it (`DebitCarried`): the owner cannot take it
/// back past its equity, and the account can be called and liquidated again. Every valuation reads the oracle and is refused when a price it needs is
/// stale; collateral that no longer counts (delisted, matured, off the schedule: see
/// `CollateralRegistry.valuationHaircut`) counts at zero and needs no price, so it never
/// stops a valuation, a call or a liquidation. Concentration limits hold after a pledge and
/// after a release.
///
/// Collateral is given by title transfer (`pledge`: the tokens move to this contract, which
/// must then be a permitted holder under the token's own rules) or pledged in place
/// (`pledgeInPlace`: the owner keeps the tokens under a hold this contract placed at the
/// owner's own call, which only this contract can execute, on default, or release, on
/// return). A token the risk admin gives a `CollateralCustodian` (a security token: it can
/// only change hands under its transfer rules) is held by that custodian when given by
/// title transfer, and its holds are the custodian's; it is not sold to the liquidation
/// account on this ledger: on liquidation the tokens covering the debit at the mark are
/// foreclosed, moved to the liquidator's wallet by a transfer the token checks like any
/// other (a refusal, such as a Rule 144 lot still locked, is recorded and leaves them
/// pledged); the liquidator sells them through the market and pays the proceeds in
/// (`settleForeclosure`); what stays negative is then foreclosed on again, or carried while
/// refused, and only when no collateral is left is it a shortfall. A title pledge may not
/// move the pledger's locked lots (`MarginLockedByTitle`: they would count in full in the
/// custodian's hands); locked tokens are pledged in place. Tokens pledged
/// while in a holding period count as the `CollateralRegistry.lockedPolicy` says.
/// Amounts are in cash-token units; prices in cents (the oracle's price truncated to the
/// cent); quantities in whole tokens.
contract MarginEngine is AccessControl, IMarginAccounts {
    using SafeERC20 for IERC20;

    bytes32 public constant RISK_ADMIN_ROLE = keccak256("RISK_ADMIN_ROLE");
    /// @notice A dealer fills accounts' spot orders as principal, from its own inventory and cash.
    bytes32 public constant DEALER_ROLE = keccak256("DEALER_ROLE");
    bytes32 public constant MARGIN_DESK_ROLE = keccak256("MARGIN_DESK_ROLE");
    bytes32 public constant LIQUIDATOR_ROLE = keccak256("LIQUIDATOR_ROLE");
    bytes32 public constant TREASURY_ROLE = keccak256("TREASURY_ROLE");

    uint256 public constant BPS = 10_000;
    uint256 private constant ORACLE_UNITS_PER_CENT = 1e6; // oracle prices have 8 decimals
    uint256 public constant MAX_COLLATERAL_TOKENS = 16;

    enum Method {
        Siloed,
        Portfolio
    }

    struct Underlying {
        address token;
        uint16 upBps; // scan range up
        uint16 downBps; // scan range down
        uint16 retailLeverage; // ESMA cap, x:1; 0: not offered to retail on margin
        uint64 positionLimit; // whole tokens of spot per account; 0: none
        uint256 unit; // token units in one whole token
    }

    struct Account {
        bool open;
        bool retail;
        Method method;
        int256 cash;
        uint64 callDeadline; // 0: no call outstanding
        uint256 claim; // shortfall the firm is owed after a liquidation (non-retail)
    }

    /// @notice An account's valuation; amounts in cash-token units.
    struct Status {
        int256 equity;
        uint256 initial;
        uint256 maintenance;
        uint256 siloedInitial;
        uint256 portfolioInitial;
        uint256 retailInitial;
        uint256 collateralValue;
        uint256 positionsValue; // gross market value of spot plus perpetual notional
    }

    error MarginAccountExists(address account);
    error MarginNoAccount(address account);
    error MarginInvalidConfig(uint256 crossFloorBps, uint256 closeOutBps, uint64 callPeriod);
    error MarginInvalidUnderlying(address token, uint16 upBps, uint16 downBps);
    error MarginUnderlyingListed(address token);
    error MarginUnknownToken(address token);
    error MarginInvalidAmount(uint256 amount);
    error MarginInsufficient(address account, int256 equity, uint256 initial);
    error MarginLeverageCap(address account, int256 equity, uint256 retailInitial, uint256 notional);
    error MarginNotOfferedToRetail(address account, uint32 underlying);
    error MarginPositionLimit(address account, uint32 underlying, uint256 quantity, uint64 limit);
    error MarginInsufficientPosition(address account, uint32 underlying, uint256 held, uint256 wanted);
    error MarginInsufficientCollateral(address account, address token, uint256 held, uint256 wanted);
    error MarginInsufficientCash(address account, int256 cash, uint256 wanted);
    error MarginTooManyCollateralTokens(address account, uint256 max);
    error MarginNotBelowMaintenance(address account, int256 equity, uint256 maintenance);
    error MarginCallOutstanding(address account, uint64 deadline);
    error MarginNotLiquidatable(address account, int256 equity, uint256 maintenance, uint64 callDeadline);
    error MarginOnlyPerpetuals(address caller);
    error MarginNotForeclosable(address token);
    error MarginNoForeclosure(address account);
    error MarginCustodianInUse(address token, uint256 pledged);
    error MarginForeclosurePending(address account, uint256 markValue);
    error MarginLockedByTitle(address token, uint256 lockedBefore, uint256 lockedAfter);

    event AccountOpened(address indexed account, bool retail, Method method);
    event CashDeposited(address indexed account, uint256 amount);
    event CashWithdrawn(address indexed account, uint256 amount);
    event Pledged(address indexed account, address indexed token, uint256 amount);
    event Released(address indexed account, address indexed token, uint256 amount);
    event UnderlyingListed(uint32 indexed underlying, address token, uint16 upBps, uint16 downBps, uint16 retailLeverage, uint64 positionLimit);
    event SpotTraded(address indexed account, uint32 indexed underlying, int256 quantity, uint256 price, address dealer);
    event MarginCallIssued(address indexed account, int256 equity, uint256 maintenance, uint64 deadline);
    event MarginCallMet(address indexed account, int256 equity, uint256 maintenance);
    event Liquidated(address indexed account, address indexed liquidator, bool retail, int256 equity, uint256 initial, uint256 maintenance);
    event CollateralSold(address indexed account, address indexed token, uint256 amount, uint256 proceeds);
    event ShortfallCharged(address indexed account, uint256 shortfall, uint256 fromDefaultFund, uint256 uncovered, bool retail);
    event DefaultFundPaidIn(uint256 amount);
    event LendingFunded(uint256 amount);
    event CustodianSet(address indexed token, address custodian);
    event PledgedInPlace(address indexed account, address indexed token, uint256 amount);
    event ReleasedInPlace(address indexed account, address indexed token, uint256 amount);
    /// @notice Collateral moved to the liquidator on default, valued at the mark (cash units).
    event Foreclosed(address indexed account, address indexed token, address indexed to, uint256 fromTitle, uint256 fromHold, uint256 markValue);
    event ForeclosureSettled(address indexed account, uint256 proceeds, uint256 markValue);
    /// @notice After a liquidation the account still owes `debit`, secured by collateral it
    /// could not sell (`tokens` kinds): not a shortfall while that collateral is there.
    event DebitCarried(address indexed account, uint256 debit, uint256 tokens);

    IERC20 public immutable cash;
    CollateralRegistry public immutable collateral;
    PriceOracle public immutable oracle;
    PerpetualFutures public immutable perpetuals;
    bytes3 public immutable currency;
    /// @inheritdoc IMarginAccounts
    uint256 public immutable cashScale; // cash units per cent

    /// @notice How portfolio accounts (and the derivatives of siloed ones) are scanned.
    MarginMath.ScanMethod public immutable scanMethod;
    uint16 public crossFloorBps;
    uint16 public closeOutBps;
    uint64 public callPeriod;
    address public liquidationAccount;

    uint256 public defaultFund;
    uint256 public lendingCapital;
    uint256 public uncoveredShortfall;
    int256 public perpetualsPool; // cash paid out by the perpetuals less cash paid in

    Underlying[] private _underlyings;
    mapping(address token => uint32) private _underlyingIndex; // index + 1
    mapping(address => Account) private _accounts;
    mapping(address => mapping(uint32 => uint256)) private _spot;
    mapping(address => uint32[]) private _spotOf;
    mapping(address => mapping(address => uint256)) private _collateral;
    mapping(address => address[]) private _collateralOf;
    mapping(address token => uint256) private _unitOf;

    /// @notice The custodian of a token liquidated by foreclosure and a sale through the
    /// market (see the contract's documentation); only such tokens may be pledged in place.
    /// @notice The requirement arithmetic (`MarginMath`), in a contract of its own that this
    /// engine deploys: called, not inlined, to keep the engine within the code-size limit.
    MarginCalculator public immutable calculator;
    mapping(address token => CollateralCustodian) public custodianOf;
    mapping(address => mapping(address => uint256)) private _inPlace; // part of _collateral under a hold
    mapping(address => uint256) private _pendingSale; // mark value of foreclosed collateral not yet sold
    mapping(address token => uint256) private _pledgedTotal; // of every account, by title or in place

    constructor(
        address admin,
        IERC20 cash_,
        CollateralRegistry collateral_,
        PriceOracle oracle_,
        PerpetualFutures perpetuals_,
        bytes3 currency_,
        uint16 crossFloorBps_,
        uint16 closeOutBps_,
        uint64 callPeriod_,
        MarginMath.ScanMethod scanMethod_
    ) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        calculator = new MarginCalculator();
        scanMethod = scanMethod_;
        cash = cash_;
        collateral = collateral_;
        oracle = oracle_;
        perpetuals = perpetuals_;
        currency = currency_;
        uint8 decimals = IERC20Metadata(address(cash_)).decimals();
        if (decimals < 2) revert MarginUnknownToken(address(cash_));
        cashScale = 10 ** (decimals - 2);
        _configure(crossFloorBps_, closeOutBps_, callPeriod_);
    }

    // ------------------------------------------------------------------ configuration

    function configure(uint16 crossFloorBps_, uint16 closeOutBps_, uint64 callPeriod_) external onlyRole(RISK_ADMIN_ROLE) {
        _configure(crossFloorBps_, closeOutBps_, callPeriod_);
    }

    /// @notice List `token` as an underlying of spot and perpetual positions.
    function listUnderlying(address token, uint16 upBps, uint16 downBps, uint16 retailLeverage, uint64 positionLimit)
        external
        onlyRole(RISK_ADMIN_ROLE)
        returns (uint32 index)
    {
        if (upBps == 0 || downBps == 0 || upBps > BPS || downBps > BPS) {
            revert MarginInvalidUnderlying(token, upBps, downBps);
        }
        if (_underlyingIndex[token] != 0) revert MarginUnderlyingListed(token);
        index = uint32(_underlyings.length);
        _underlyings.push(Underlying(token, upBps, downBps, retailLeverage, positionLimit, _unit(token)));
        _underlyingIndex[token] = index + 1;
        emit UnderlyingListed(index, token, upBps, downBps, retailLeverage, positionLimit);
    }

    /// @notice Give `token` (a security token) a custodian: it holds what is given by title
    /// transfer, places the holds of what is pledged in place, and forecloses on default.
    /// Refused while any of the token is pledged (its holds and title would be stranded).
    function setCustodian(address token, CollateralCustodian custodian) external onlyRole(RISK_ADMIN_ROLE) {
        if (_pledgedTotal[token] != 0) revert MarginCustodianInUse(token, _pledgedTotal[token]);
        custodianOf[token] = custodian;
        emit CustodianSet(token, address(custodian));
    }

    /// @notice The account that takes over liquidated books (the liquidator's own).
    function setLiquidationAccount(address account) external onlyRole(RISK_ADMIN_ROLE) {
        if (!_accounts[account].open) revert MarginNoAccount(account);
        liquidationAccount = account;
    }

    function openAccount(address account, bool retail, Method method) external onlyRole(RISK_ADMIN_ROLE) {
        if (_accounts[account].open) revert MarginAccountExists(account);
        _accounts[account] = Account({open: true, retail: retail, method: method, cash: 0, callDeadline: 0, claim: 0});
        emit AccountOpened(account, retail, method);
    }

    function payIntoDefaultFund(uint256 amount) external onlyRole(TREASURY_ROLE) {
        cash.safeTransferFrom(msg.sender, address(this), amount);
        defaultFund += amount;
        emit DefaultFundPaidIn(amount);
    }

    /// @notice Capital that funds margin loans (the cash paid to dealers for accounts
    /// whose cash goes negative).
    function fundLending(uint256 amount) external onlyRole(TREASURY_ROLE) {
        cash.safeTransferFrom(msg.sender, address(this), amount);
        lendingCapital += amount;
        emit LendingFunded(amount);
    }

    // ------------------------------------------------------------ cash and collateral

    function depositCash(uint256 amount) external {
        Account storage a = _account(msg.sender);
        if (amount == 0) revert MarginInvalidAmount(amount);
        cash.safeTransferFrom(msg.sender, address(this), amount);
        a.cash += int256(amount);
        emit CashDeposited(msg.sender, amount);
    }

    /// @notice Withdraw cash; equity must stay at or above the initial requirement.
    function withdrawCash(uint256 amount) external {
        Account storage a = _account(msg.sender);
        if (amount == 0) revert MarginInvalidAmount(amount);
        if (a.cash < int256(amount)) revert MarginInsufficientCash(msg.sender, a.cash, amount);
        a.cash -= int256(amount);
        _requireInitial(msg.sender);
        cash.safeTransfer(msg.sender, amount);
        emit CashWithdrawn(msg.sender, amount);
    }

    /// @notice Pledge collateral: eligible, on the haircut schedule, not the pledger's own
    /// issue, and within the concentration limits with it.
    function pledge(address token, uint256 amount) external {
        _account(msg.sender);
        if (amount == 0) revert MarginInvalidAmount(amount);
        collateral.checkPledge(msg.sender, token);
        collateral.haircutOf(token, currency); // reverts when off the schedule
        _addCollateral(msg.sender, token, amount);
        CollateralCustodian custodian = custodianOf[token];
        uint256 lockedBefore = collateral.lockedUnits(token, msg.sender);
        IERC20(token).safeTransferFrom(msg.sender, address(custodian) == address(0) ? address(this) : address(custodian), amount);
        uint256 lockedAfter = collateral.lockedUnits(token, msg.sender);
        if (lockedAfter < lockedBefore) revert MarginLockedByTitle(token, lockedBefore, lockedAfter);
        _checkConcentration(msg.sender);
        emit Pledged(msg.sender, token, amount);
    }

    /// @notice Pledge in place: the caller's own `amount` of `token` stays in its wallet
    /// under a hold this contract places now (the caller's act) and alone can execute (on
    /// default) or release (on return). The same checks as `pledge`; the token must have a
    /// custodian, which the token has made a hold operator. Tokens still
    /// in a holding period may be pledged this way (a pledge is not a sale): they count as
    /// `CollateralRegistry.lockedPolicy` says.
    function pledgeInPlace(address token, uint256 amount) external {
        _account(msg.sender);
        if (amount == 0) revert MarginInvalidAmount(amount);
        CollateralCustodian custodian = custodianOf[token];
        if (address(custodian) == address(0)) revert MarginNotForeclosable(token);
        collateral.checkPledge(msg.sender, token);
        collateral.haircutOf(token, currency); // reverts when off the schedule
        _addCollateral(msg.sender, token, amount);
        uint256 total = _inPlace[msg.sender][token] + amount;
        _inPlace[msg.sender][token] = total;
        custodian.encumber(msg.sender, token, total);
        _checkConcentration(msg.sender);
        emit PledgedInPlace(msg.sender, token, amount);
    }

    /// @notice Take back tokens pledged in place (the hold shrinks by `amount`); equity must
    /// stay at or above the initial requirement, and what stays within the limits.
    function releaseInPlace(address token, uint256 amount) external {
        _account(msg.sender);
        uint256 held = _inPlace[msg.sender][token];
        if (amount == 0 || amount > held) revert MarginInsufficientCollateral(msg.sender, token, held, amount);
        _removeCollateral(msg.sender, token, amount);
        _inPlace[msg.sender][token] = held - amount; // valued as it will be
        _requireInitial(msg.sender);
        _checkConcentration(msg.sender);
        custodianOf[token].encumber(msg.sender, token, held - amount);
        emit ReleasedInPlace(msg.sender, token, amount);
    }

    /// @notice Take collateral back; equity must stay at or above the initial requirement,
    /// and what stays pledged within the concentration limits.
    function release(address token, uint256 amount) external {
        _account(msg.sender);
        uint256 held = _collateral[msg.sender][token] - _inPlace[msg.sender][token]; // given by title transfer
        if (amount == 0 || amount > held) revert MarginInsufficientCollateral(msg.sender, token, held, amount);
        _removeCollateral(msg.sender, token, amount);
        _requireInitial(msg.sender);
        _checkConcentration(msg.sender);
        CollateralCustodian custodian = custodianOf[token];
        if (address(custodian) == address(0)) IERC20(token).safeTransfer(msg.sender, amount);
        else custodian.deliver(token, msg.sender, amount);
        emit Released(msg.sender, token, amount);
    }

    // ------------------------------------------------------------------ spot on margin

    /// @notice The calling dealer fills `account`'s order: it sells (`quantity` > 0) or buys
    /// (< 0) whole tokens of an underlying at the oracle price. The dealer delivers or takes
    /// the tokens and takes or pays the cash from its own wallet (it has approved this
    /// contract for both): only the dealer's own call moves them, so no other caller can
    /// trade on its approvals. The account's side is its cash and spot on this engine's
    /// ledger; a purchase beyond the account's cash is a margin loan. A purchase must keep
    /// the account within the position limit, the retail cap and its initial requirement.
    function tradeSpot(address account, uint32 underlying, int256 quantity) external onlyRole(DEALER_ROLE) {
        address dealer = msg.sender;
        Account storage a = _account(account);
        Underlying memory u = _underlying(underlying);
        if (quantity == 0) revert MarginInvalidAmount(0);
        uint256 price = _price(u.token);
        uint256 qty = uint256(quantity > 0 ? quantity : -quantity);
        uint256 amount = qty * price * cashScale;
        uint256 held = _spot[account][underlying];
        if (quantity > 0) {
            if (held == 0) _spotOf[account].push(underlying);
            _spot[account][underlying] = held + qty;
            a.cash -= int256(amount);
            IERC20(u.token).safeTransferFrom(dealer, address(this), qty * u.unit);
            cash.safeTransfer(dealer, amount);
            emit SpotTraded(account, underlying, quantity, price, dealer);
            if (u.positionLimit != 0 && held + qty > u.positionLimit) {
                revert MarginPositionLimit(account, underlying, held + qty, u.positionLimit);
            }
            if (a.retail && u.retailLeverage == 0) revert MarginNotOfferedToRetail(account, underlying);
            _requireInitial(account);
        } else {
            if (qty > held) revert MarginInsufficientPosition(account, underlying, held, qty);
            _setSpot(account, underlying, held - qty);
            a.cash += int256(amount);
            cash.safeTransferFrom(dealer, address(this), amount);
            IERC20(u.token).safeTransfer(dealer, qty * u.unit);
            emit SpotTraded(account, underlying, quantity, price, dealer);
        }
    }

    // ------------------------------------------------------------- the perpetuals' side

    /// @inheritdoc IMarginAccounts
    function settleCash(address account, int256 amount) external {
        if (msg.sender != address(perpetuals)) revert MarginOnlyPerpetuals(msg.sender);
        _accounts[account].cash += amount;
        perpetualsPool -= amount;
    }

    /// @inheritdoc IMarginAccounts
    function checkOpening(address account) external view {
        if (msg.sender != address(perpetuals)) revert MarginOnlyPerpetuals(msg.sender);
        (uint32[] memory underlyings, int256[] memory quantities,) = perpetuals.positionsOf(account);
        if (_accounts[account].retail) {
            for (uint256 i = 0; i < underlyings.length; ++i) {
                if (quantities[i] != 0 && _underlyings[underlyings[i]].retailLeverage == 0) {
                    revert MarginNotOfferedToRetail(account, underlyings[i]);
                }
            }
        }
        _requireInitial(account);
    }

    /// @inheritdoc IMarginAccounts
    function hasAccount(address account) external view returns (bool) {
        return _accounts[account].open;
    }

    /// @inheritdoc IMarginAccounts
    function underlyingToken(uint32 index) external view returns (address) {
        return _underlying(index).token;
    }

    // ------------------------------------------------------ calls and liquidation

    /// @notice Call for margin: the account is below maintenance; it has until
    /// `callPeriod` from now to get back to maintenance.
    function issueCall(address account) external onlyRole(MARGIN_DESK_ROLE) {
        Account storage a = _account(account);
        if (a.callDeadline != 0) revert MarginCallOutstanding(account, a.callDeadline);
        Status memory s = statusOf(account);
        if (_covers(s.equity, s.maintenance)) revert MarginNotBelowMaintenance(account, s.equity, s.maintenance);
        a.callDeadline = uint64(block.timestamp) + callPeriod;
        emit MarginCallIssued(account, s.equity, s.maintenance, a.callDeadline);
    }

    /// @notice Close an outstanding call if the account is back at maintenance.
    function reviewCall(address account) external onlyRole(MARGIN_DESK_ROLE) returns (bool met) {
        Account storage a = _account(account);
        if (a.callDeadline == 0) return true;
        Status memory s = statusOf(account);
        met = _covers(s.equity, s.maintenance);
        if (met) {
            a.callDeadline = 0;
            emit MarginCallMet(account, s.equity, s.maintenance);
        }
    }

    /// @notice Whether the liquidator may act on `account` now, with its valuation.
    function liquidatable(address account) public view returns (bool, Status memory s) {
        Account storage a = _account(account);
        s = statusOf(account);
        if (_pendingSale[account] != 0) return (false, s); // its last liquidation is still selling
        // ESMA: closed out when equity falls to less than the close-out share (half) of the
        // initial margin protection
        bool closeOut = a.retail && s.initial > 0
            && (s.equity < 0 || uint256(s.equity) * BPS < s.initial * closeOutBps);
        bool callExpired = a.callDeadline != 0 && block.timestamp > a.callDeadline && !_covers(s.equity, s.maintenance);
        return (closeOut || callExpired, s);
    }

    /// @notice Liquidate: a call unmet past its deadline, or a retail account under its
    /// close-out level. The book passes to the liquidation account at market prices;
    /// collateral is sold to it (or foreclosed) while the cash is negative; what remains
    /// negative is carried while collateral is left, else a shortfall charged to the default fund.
    function liquidate(address account) external onlyRole(LIQUIDATOR_ROLE) {
        (bool allowed, Status memory s) = liquidatable(account);
        Account storage a = _accounts[account];
        if (!allowed) revert MarginNotLiquidatable(account, s.equity, s.maintenance, a.callDeadline);
        address to = liquidationAccount;
        if (!_accounts[to].open || to == account) revert MarginNoAccount(to);
        perpetuals.transferAll(account, to);
        uint32[] memory held = _spotOf[account];
        for (uint256 i = 0; i < held.length; ++i) {
            uint32 u = held[i];
            uint256 qty = _spot[account][u];
            int256 amount = int256(qty * _price(_underlyings[u].token) * cashScale);
            _setSpot(account, u, 0);
            if (_spot[to][u] == 0) _spotOf[to].push(u);
            _spot[to][u] += qty;
            a.cash += amount;
            _accounts[to].cash -= amount;
        }
        _sellCollateral(account, to);
        a.callDeadline = 0;
        emit Liquidated(account, to, a.retail, s.equity, s.initial, s.maintenance);
        _chargeShortfall(account);
    }

    /// @notice The liquidator has sold what it foreclosed of `account`'s collateral: it pays
    /// the `proceeds` in from its own wallet, they go to the account's cash, and what stays
    /// negative is a shortfall, charged to the default fund. Proceeds above the debit are
    /// the account holder's.
    function settleForeclosure(address account, uint256 proceeds) external onlyRole(LIQUIDATOR_ROLE) {
        Account storage a = _account(account);
        uint256 mark = _pendingSale[account];
        if (mark == 0) revert MarginNoForeclosure(account);
        _pendingSale[account] = 0;
        if (proceeds != 0) cash.safeTransferFrom(msg.sender, address(this), proceeds);
        a.cash += int256(proceeds);
        emit ForeclosureSettled(account, proceeds, mark);
        if (a.cash < 0) _sellCollateral(account, liquidationAccount); // what is left covers the rest
        _chargeShortfall(account);
    }

    // -------------------------------------------------------------------------- views

    function accountOf(address account) external view returns (Account memory) {
        return _accounts[account];
    }

    function underlyingCount() external view returns (uint256) {
        return _underlyings.length;
    }

    function spotOf(address account, uint32 index) external view returns (uint256) {
        return _spot[account][index];
    }

    function collateralOf(address account, address token) external view returns (uint256) {
        return _collateral[account][token];
    }

    function collateralTokensOf(address account) external view returns (address[] memory) {
        return _collateralOf[account];
    }

    /// @notice Units of `token` `account` has pledged in place (part of `collateralOf`).
    function inPlaceOf(address account, address token) external view returns (uint256) {
        return _inPlace[account][token];
    }

    /// @notice Mark value of `account`'s foreclosed collateral the liquidator has not yet
    /// sold and settled (0: none pending).
    function pendingSaleOf(address account) external view returns (uint256) {
        return _pendingSale[account];
    }

    /// @notice `account`'s equity and requirements by both methods (amounts in cash units);
    /// `initial` and `maintenance` are those of the account's own method, with the retail
    /// cap. Refused (`OracleStalePrice`) when any price it needs is stale.
    function statusOf(address account) public view returns (Status memory s) {
        Account storage a = _account(account);
        (MarginMath.Position[] memory positions, uint256 spotValue, int256 unsettled, uint256 notional) =
            _positions(account);
        s.collateralValue = _collateralValue(account);
        s.positionsValue = notional;
        s.equity = a.cash + int256(spotValue) + int256(s.collateralValue) + unsettled;
        MarginMath.ScanRange[] memory ranges = _ranges();
        MarginMath.Requirement memory siloed = calculator.siloed(positions, ranges, scanMethod);
        MarginMath.Requirement memory cross = calculator.portfolio(positions, ranges, crossFloorBps, scanMethod);
        s.siloedInitial = siloed.initial * cashScale;
        s.portfolioInitial = cross.initial * cashScale;
        if (a.method == Method.Siloed) {
            s.initial = s.siloedInitial;
            s.maintenance = siloed.maintenance * cashScale;
        } else {
            s.initial = s.portfolioInitial;
            s.maintenance = cross.maintenance * cashScale;
        }
        if (a.retail) {
            s.retailInitial = _retailInitial(positions) * cashScale;
            if (s.retailInitial > s.initial) s.initial = s.retailInitial;
            uint256 closeOut = (s.initial * closeOutBps) / BPS;
            if (closeOut > s.maintenance) s.maintenance = closeOut;
        }
    }

    // ------------------------------------------------------------------------ private

    function _configure(uint16 crossFloorBps_, uint16 closeOutBps_, uint64 callPeriod_) private {
        if (crossFloorBps_ > BPS || closeOutBps_ == 0 || closeOutBps_ > BPS || callPeriod_ == 0) {
            revert MarginInvalidConfig(crossFloorBps_, closeOutBps_, callPeriod_);
        }
        crossFloorBps = crossFloorBps_;
        closeOutBps = closeOutBps_;
        callPeriod = callPeriod_;
    }

    function _account(address account) private view returns (Account storage a) {
        a = _accounts[account];
        if (!a.open) revert MarginNoAccount(account);
    }

    function _underlying(uint32 index) private view returns (Underlying memory) {
        if (index >= _underlyings.length) revert MarginMath.MarginUnknownUnderlying(index);
        return _underlyings[index];
    }

    function _unit(address token) private view returns (uint256) {
        if (token.code.length == 0) revert MarginUnknownToken(token);
        return 10 ** IERC20Metadata(token).decimals();
    }

    /// Oracle price in cents, refused when stale.
    function _price(address token) private view returns (uint256) {
        (uint256 price,) = oracle.priceOf(token);
        return price / ORACLE_UNITS_PER_CENT;
    }

    function _covers(int256 equity, uint256 requirement) private pure returns (bool) {
        return equity >= 0 && uint256(equity) >= requirement;
    }

    /// Opening, withdrawing and releasing need equity at the initial requirement, and no
    /// foreclosure still selling: an account under liquidation cannot add risk or take value
    /// out while it is not liquidatable (until the liquidator settles the sale).
    function _requireInitial(address account) private view {
        uint256 pending = _pendingSale[account];
        if (pending != 0) revert MarginForeclosurePending(account, pending);
        Status memory s = statusOf(account);
        if (_covers(s.equity, s.initial)) return;
        if (_accounts[account].retail && s.retailInitial == s.initial) {
            revert MarginLeverageCap(account, s.equity, s.retailInitial, s.positionsValue);
        }
        revert MarginInsufficient(account, s.equity, s.initial);
    }

    function _positions(address account)
        private
        view
        returns (MarginMath.Position[] memory positions, uint256 spotValue, int256 unsettled, uint256 notional)
    {
        uint32[] storage spot = _spotOf[account];
        (uint32[] memory perpUnderlyings, int256[] memory quantities, uint256[] memory marks) =
            perpetuals.positionsOf(account);
        positions = new MarginMath.Position[](spot.length + perpUnderlyings.length);
        for (uint256 i = 0; i < spot.length; ++i) {
            uint32 u = spot[i];
            uint256 qty = _spot[account][u];
            uint256 price = _price(_underlyings[u].token);
            positions[i] = MarginMath.Position(u, int256(qty), price, MarginMath.SPOT);
            spotValue += qty * price * cashScale;
        }
        for (uint256 i = 0; i < perpUnderlyings.length; ++i) {
            positions[spot.length + i] = MarginMath.Position(perpUnderlyings[i], quantities[i], marks[i], MarginMath.PERP);
            notional += uint256(quantities[i] < 0 ? -quantities[i] : quantities[i]) * marks[i] * cashScale;
        }
        notional += spotValue;
        if (perpUnderlyings.length > 0) unsettled = perpetuals.unsettledOf(account);
    }

    function _ranges() private view returns (MarginMath.ScanRange[] memory ranges) {
        ranges = new MarginMath.ScanRange[](_underlyings.length);
        for (uint256 i = 0; i < ranges.length; ++i) {
            ranges[i] = MarginMath.ScanRange(_underlyings[i].upBps, _underlyings[i].downBps);
        }
    }

    /// Sum over positions of notional / leverage cap in cents, each rounded up.
    function _retailInitial(MarginMath.Position[] memory positions) private view returns (uint256 total) {
        for (uint256 i = 0; i < positions.length; ++i) {
            MarginMath.Position memory p = positions[i];
            uint256 leverage = _underlyings[p.underlying].retailLeverage;
            if (leverage == 0) continue; // refused at opening (MarginNotOfferedToRetail)
            uint256 notional = uint256(p.quantity < 0 ? -p.quantity : p.quantity) * p.price;
            total += (notional + leverage - 1) / leverage;
        }
    }

    function _collateralValue(address account) private view returns (uint256 total) {
        address[] storage tokens = _collateralOf[account];
        for (uint256 i = 0; i < tokens.length; ++i) {
            total += _valueOf(account, tokens[i], _collateral[account][tokens[i]]);
        }
    }

    /// Collateral value after haircut of `account`'s `amount` units of `token`, in cash
    /// units; zero, with no price read, for collateral that does not count. Of tokens pledged
    /// in place, as many as the pledger still has locked (whichever lots they are in: the
    /// unlocked ones could be spent first) count as the registry's locked policy says.
    function _valueOf(address account, address token, uint256 amount) private view returns (uint256) {
        (bool counts, uint16 haircut) = collateral.valuationHaircut(token, currency);
        if (!counts) return 0;
        uint256 inPlace = _inPlace[account][token];
        if (inPlace == 0) return (_marketValue(token, amount) * (BPS - haircut)) / BPS;
        (uint256 locked, uint16 lockedHaircut) = collateral.lockedPledge(token, currency, account, inPlace);
        return (_marketValue(token, amount - locked) * (BPS - haircut)) / BPS
            + (_marketValue(token, locked) * (BPS - lockedHaircut)) / BPS;
    }

    /// Market value of `amount` units of `token` in cash units, rounded down.
    function _marketValue(address token, uint256 amount) private view returns (uint256) {
        return (amount * _price(token) * cashScale) / _unitOf[token];
    }

    function _checkConcentration(address account) private view {
        address[] memory tokens = _collateralOf[account];
        uint256[] memory values = new uint256[](tokens.length);
        for (uint256 i = 0; i < tokens.length; ++i) {
            values[i] = _valueOf(account, tokens[i], _collateral[account][tokens[i]]);
        }
        collateral.checkConcentration(tokens, values);
    }

    function _setSpot(address account, uint32 u, uint256 qty) private {
        _spot[account][u] = qty;
        if (qty != 0) return;
        uint32[] storage list = _spotOf[account];
        for (uint256 i = 0; i < list.length; ++i) {
            if (list[i] == u) {
                list[i] = list[list.length - 1];
                list.pop();
                return;
            }
        }
    }

    function _addCollateral(address account, address token, uint256 amount) private {
        if (_collateral[account][token] == 0) {
            if (_collateralOf[account].length == MAX_COLLATERAL_TOKENS) {
                revert MarginTooManyCollateralTokens(account, MAX_COLLATERAL_TOKENS);
            }
            _collateralOf[account].push(token);
            if (_unitOf[token] == 0) _unitOf[token] = _unit(token);
        }
        _collateral[account][token] += amount;
        _pledgedTotal[token] += amount;
    }

    /// What stays negative after a liquidation: nothing while a foreclosure is selling;
    /// carried while collateral is left; else a shortfall charged to the default fund.
    function _chargeShortfall(address account) private {
        Account storage a = _accounts[account];
        if (a.cash >= 0 || _pendingSale[account] != 0) return;
        uint256 shortfall = uint256(-a.cash);
        uint256 kinds = _collateralOf[account].length;
        if (kinds != 0) {
            emit DebitCarried(account, shortfall, kinds);
            return;
        }
        uint256 fromFund = shortfall < defaultFund ? shortfall : defaultFund;
        defaultFund -= fromFund;
        uint256 uncovered = shortfall - fromFund;
        uncoveredShortfall += uncovered;
        a.cash = 0;
        if (!a.retail) a.claim += shortfall;
        emit ShortfallCharged(account, shortfall, fromFund, uncovered, a.retail);
    }

    function _removeCollateral(address account, address token, uint256 amount) private {
        uint256 left = _collateral[account][token] - amount;
        _collateral[account][token] = left;
        _pledgedTotal[token] -= amount;
        if (left != 0) return;
        address[] storage list = _collateralOf[account];
        for (uint256 i = 0; i < list.length; ++i) {
            if (list[i] == token) {
                list[i] = list[list.length - 1];
                list.pop();
                return;
            }
        }
    }

    /// Sell collateral to the liquidation account at market value while cash is negative;
    /// foreclose, instead, what has a custodian (it is sold through the market).
    function _sellCollateral(address account, address to) private {
        Account storage a = _accounts[account];
        address[] memory tokens = _collateralOf[account];
        for (uint256 i = 0; i < tokens.length; ++i) {
            int256 uncovered = -a.cash - int256(_pendingSale[account]); // the debit not yet met
            if (uncovered <= 0) break;
            address token = tokens[i];
            uint256 price;
            try oracle.priceOf(token) returns (uint256 oraclePrice, uint64) {
                price = oraclePrice / ORACLE_UNITS_PER_CENT;
            } catch {
                continue; // no fresh price (a delisted asset, a stale feed): not sold, stays with the account
            }
            if (price == 0) continue; // worth less than a cent a token: nothing to sell for
            uint256 unit = _unitOf[token];
            // units whose market value covers the debit, rounded up
            uint256 perUnitNumerator = price * cashScale; // cash units per whole token
            uint256 needed = (uint256(uncovered) * unit + perUnitNumerator - 1) / perUnitNumerator;
            CollateralCustodian custodian = custodianOf[token];
            if (address(custodian) != address(0)) _foreclose(custodian, account, token, to, needed, perUnitNumerator);
            else _sellToLiquidator(account, token, to, needed, perUnitNumerator);
        }
    }

    /// Sell up to `needed` units of `account`'s `token` to the liquidation account `to` on
    /// this ledger, at the mark.
    function _sellToLiquidator(address account, address token, address to, uint256 needed, uint256 perUnitNumerator)
        private
    {
        uint256 held = _collateral[account][token];
        uint256 sold = needed < held ? needed : held;
        uint256 proceeds = (sold * perUnitNumerator) / _unitOf[token];
        _removeCollateral(account, token, sold);
        _addCollateral(to, token, sold);
        _accounts[account].cash += int256(proceeds);
        _accounts[to].cash -= int256(proceeds);
        emit CollateralSold(account, token, sold, proceeds);
    }

    /// Have the custodian move up to `needed` units of `account`'s `token` to the
    /// liquidator's wallet `to`: first what it holds by title transfer, then what is pledged
    /// in place. Each is a transfer the token checks; a refusal is recorded by the custodian
    /// and leaves the tokens pledged. Never reverts.
    function _foreclose(
        CollateralCustodian custodian,
        address account,
        address token,
        address to,
        uint256 needed,
        uint256 perUnitNumerator
    ) private {
        uint256 inPlace = _inPlace[account][token];
        uint256 title = _collateral[account][token] - inPlace;
        uint256 fromTitle = needed < title ? needed : title;
        uint256 fromHold = needed - fromTitle < inPlace ? needed - fromTitle : inPlace;
        (uint256 movedTitle, uint256 movedHold) = custodian.foreclose(account, token, to, fromTitle, fromHold);
        uint256 moved = movedTitle + movedHold;
        if (moved == 0) return;
        _inPlace[account][token] = inPlace - movedHold;
        _removeCollateral(account, token, moved);
        uint256 markValue = (moved * perUnitNumerator) / _unitOf[token];
        _pendingSale[account] += markValue;
        emit Foreclosed(account, token, to, movedTitle, movedHold, markValue);
    }
}
