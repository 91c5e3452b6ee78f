// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {AssetRegistry} from "../collateral/AssetRegistry.sol";
import {Calendar} from "../utils/Calendar.sol";

/// @dev The agent acts of the token the registry needs: sales mint, refunds burn.
interface IAgentToken {
    function mint(address to, uint256 amount) external;
    function burn(address from, uint256 amount) external;
}

/// @title SafeHarborRegistry
/// @notice A network token's exempt launch: a safe-harbor notice with its disclosures, the
/// exemption's caps on sales, periodic disclosure updates, and the exit report that ends it
/// in a reclassification (Peirce, Token Safe Harbor Proposal 2.0, 2021, proposed Securities
/// Act Rule 195, cited below by paragraph; the innovation
/// exemption's reported terms: time limit, volume caps, whitelisted participants, 2026).
/// @dev The token's admin files the notice (`fileNotice`); the token must be registered in the
/// `AssetRegistry` as `ExemptNetworkToken`. The registry needs `AGENT_ROLE` on the token (it
/// mints each sale, burns on refund) and `CLASSIFIER_ROLE` on the asset registry (it
/// reclassifies on the exit report). The exit report's tests and the classes that follow them
/// are the regulator's (`setExitRules`, `REGULATOR_ROLE`), not the filer's: a developer
/// cannot make its own token mature into a class of its choosing.
///
/// Every purchase is the buyer's own act: a `Purchase` intent the buyer signed (EIP-712) for
/// this token, for at most an amount and at most a price, before a deadline; the developer
/// can sell under it, not beyond it, and never to a buyer who signed none. A refund is the
/// holder's own claim (`claimRefund`): the holder's tokens bought in the sales are burnt and
/// repaid at the price that holder paid. When the notice promises refunds (`refundOnFail`)
/// the sales' proceeds are held here in escrow (`escrowOf`) until the exit: paid to the
/// developer when the network matures, the refunds' source when it fails, so the promise
/// cannot be withdrawn (what buyers who sold their tokens cannot claim stays in escrow: the
/// simulation models no claims deadline).
///
/// | act | when | refused with |
/// |---|---|---|
/// | `sell` | the buyer's intent: for this token, signed, not expired, within its amount and price | `SafeHarborIntentMismatch`, `SafeHarborBadSignature`, `SafeHarborIntentExpired`, `SafeHarborIntentExceeded` |
/// |  | before `salesEnd` (first sale + sale limit, never past the window's end; else the window's end) | `SafeHarborSalesClosed` |
/// |  | disclosures not overdue, when overdue pauses sales | `SafeHarborDisclosureOverdue` |
/// |  | buyer whitelisted, when whitelist-only | `SafeHarborNotWhitelisted` |
/// |  | investor's total paid + cost <= per-investor cap | `SafeHarborInvestorCapExceeded` |
/// |  | total raised + cost <= raise cap | `SafeHarborRaiseCapExceeded` |
/// |  | the token still `ExemptNetworkToken` (a ruling ends the exemption) | `SafeHarborNotExempt` |
/// | `recordMissedDisclosure` | after the due time, once per due time | `SafeHarborNothingMissed` |
/// | `fileExitReport` | from the notice until `windowEnd` (its last second included), still exempt, exit rules set | `SafeHarborExitReportLate`, `SafeHarborNotExempt`, `SafeHarborNoExitRules` |
/// | `recordLapse` | after `windowEnd` with no exit report (anyone), still exempt | `SafeHarborNotLapsed`, `SafeHarborNotExempt` |
/// | `claimRefund` | after an exit report that failed with `refundOnFail` (a term of the notice) | `SafeHarborNoRefund` |
///
/// The clock is the block's timestamp. Token Safe Harbor Proposal 2.0 (Peirce, 2021): the
/// notice of reliance is filed before the first sale (Rule 195(c): `sell` needs the notice);
/// the relief expires three years from the filing of the notice (195(e); `windowEnd`, here
/// `windowMonths` calendar months or `windowSeconds` from `noticeAt`); the exit report is
/// due no later than the expiration (195(f)); the disclosures are updated every six months
/// from the notice, each update due within 30 calendar days after its six-month period ends
/// (195(b)(2); `disclosureMonths`
/// or `disclosureInterval` per period, `disclosureGrace` after it). An update at its due
/// time is on time, one second later the period is missed (with `pauseOnMissedDisclosure`,
/// sales pause until an update is made); an update made before its period ends is an
/// interim one and fulfils no period; a period ending at or after the
/// expiration has no update due (the exit report covers it). A team that holds more than
/// 20% of the tokens cannot count as decentralised (195(k)(2)(i)): the regulator's
/// `maxDeveloperShareBp` may not exceed `MAX_DEVELOPER_SHARE_BP`. On a failed exit report
/// the team files a Form 10 under Exchange Act 12(g) within 120 days of filing it
/// (195(f)(1)(iii)(C)) and trading platforms must stop trading the token within six months
/// (195(g)); the proposal sets no deadline for a lapse without a report, so the same
/// periods run from the block that records the lapse (a modelling choice).
/// `FailureDeadlines` states both; the reclassification to `failClass` is immediate (a modelling shortcut: the
/// token's security rules bind from that block, not after the deadlines). A sale's cost
/// rounds up to the cash unit. The exit report states the network's maturity measures; the
/// token is mature when every measure is within the regulator's threshold, and is then
/// reclassified to the regulator's `matureClass`, else to its `failClass` (with a refund
/// path when the developer's terms promise one, `refundOnFail`).
contract SafeHarborRegistry is AccessControl, EIP712 {
    using SafeERC20 for IERC20;

    bytes32 public constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");

    /// @notice A buyer's consent to buy up to `maxAmount` units of `token` at no more than
    /// `maxPrice` cash units per whole token, until `deadline`.
    struct Purchase {
        address buyer;
        address token;
        uint256 maxAmount;
        uint256 maxPrice;
        uint256 nonce;
        uint64 deadline;
    }

    bytes32 public constant PURCHASE_TYPEHASH = keccak256(
        "Purchase(address buyer,address token,uint256 maxAmount,uint256 maxPrice,uint256 nonce,uint64 deadline)"
    );

    uint256 public constant BPS = 10_000;
    /// @notice Herfindahl-Hirschman index of one holder holding everything (shares in percent, squared).
    uint256 public constant MAX_HHI = 10_000;
    /// @notice A team holding more than 20% cannot count as decentralised (Token Safe Harbor
    /// Proposal 2.0, Rule 195(k)(2)(i), network maturity).
    uint256 public constant MAX_DEVELOPER_SHARE_BP = 2_000;
    /// @notice After a failed exit report, days the team has to file a Form 10 under
    /// Exchange Act 12(g) (Token Safe Harbor Proposal 2.0, Rule 195(f)(1)(iii)(C)).
    uint64 public constant REGISTRATION_DAYS = 120;
    /// @notice After a failure, calendar months trading platforms have to stop trading the
    /// token (Token Safe Harbor Proposal 2.0, Rule 195(g)).
    uint32 public constant PLATFORM_WIND_DOWN_MONTHS = 6;

    enum Status {
        None,
        Running,
        Matured,
        Failed,
        Refunding
    }

    /// @notice An exemption's terms, the developer's. Amounts in units of the cash token.
    struct Terms {
        uint64 windowSeconds; // the relief runs this long from the notice, or
        uint32 windowMonths; // this many calendar months (exactly one of the two)
        uint64 saleLimitSeconds; // 0: sales for the whole window; else from the first sale
        uint64 disclosureInterval; // a disclosure period in seconds, or
        uint32 disclosureMonths; // in calendar months (at most one; neither: no updates due)
        uint64 disclosureGrace; // seconds after a period's end its update is due
        bool pauseOnMissedDisclosure;
        bool whitelistOnly;
        bool refundOnFail; // the developer promises to refund buyers if the exit report fails
        uint256 maxTotalRaise;
        uint256 maxPerInvestor;
    }

    /// @notice What the exit report must show for network maturity, and the classes that
    /// follow: the regulator's.
    struct ExitRules {
        uint16 maxTop10ShareBp;
        uint16 maxHhi;
        uint16 maxDeveloperShareBp;
        uint32 minIndependentHolders;
        uint16 minVenues;
        uint8 matureClass;
        uint8 failClass;
    }

    /// @notice Network-maturity facts measured at the end of the window.
    struct Measures {
        uint16 top10ShareBp;
        uint16 hhi;
        uint16 developerShareBp;
        uint32 independentHolders;
        uint16 venues;
    }

    struct Offering {
        address developer;
        IERC20 cash;
        Status status;
        bytes32 disclosures;
        uint64 noticeAt;
        uint64 firstSaleAt;
        uint64 lastDisclosureAt;
        uint32 periodsDone; // disclosure periods whose update was made or recorded missed
        uint64 owedSince; // due time of the oldest missed update not yet made (0: none owed)
        uint32 missedDisclosures;
        uint256 raised;
        uint256 sold;
        Terms terms;
    }

    /// @dev Bits of `ExitReportFiled.failed`: which measure missed its threshold.
    uint8 public constant FAILED_TOP10 = 1;
    uint8 public constant FAILED_HHI = 2;
    uint8 public constant FAILED_DEVELOPER_SHARE = 4;
    uint8 public constant FAILED_HOLDERS = 8;
    uint8 public constant FAILED_VENUES = 16;

    error SafeHarborNotTokenAdmin(address token, address caller);
    error SafeHarborNotExempt(address token, uint8 assetClass);
    error SafeHarborAlreadyFiled(address token);
    error SafeHarborNoNotice(address token);
    error SafeHarborNotDeveloper(address token, address caller);
    error SafeHarborInvalidTerm(string field, uint256 value, uint256 limit);
    error SafeHarborEnded(address token, Status status);
    error SafeHarborSalesClosed(address token, uint64 time, uint64 salesEnd);
    error SafeHarborDisclosureOverdue(address token, uint64 dueAt);
    error SafeHarborNotWhitelisted(address token, address buyer);
    error SafeHarborInvestorCapExceeded(address buyer, uint256 paid, uint256 cost, uint256 cap);
    error SafeHarborRaiseCapExceeded(uint256 raised, uint256 cost, uint256 cap);
    error SafeHarborZeroAmount();
    error SafeHarborNothingMissed(address token, uint64 dueAt);
    error SafeHarborExitReportLate(address token, uint64 time, uint64 windowEnd);
    error SafeHarborNotLapsed(address token, uint64 time, uint64 windowEnd);
    error SafeHarborNoRefund(address token, Status status);
    error SafeHarborNoExitRules(address token);
    error SafeHarborIntentMismatch(bytes32 intentHash, address token, address intentToken);
    error SafeHarborBadSignature(bytes32 intentHash, address buyer);
    error SafeHarborIntentExpired(bytes32 intentHash, uint64 deadline, uint256 now_);
    error SafeHarborIntentExceeded(bytes32 intentHash, uint256 bought, uint256 amount, uint256 maxAmount);
    error SafeHarborPriceAboveIntent(bytes32 intentHash, uint256 price, uint256 maxPrice);

    event NoticeFiled(address indexed token, address indexed developer, bytes32 disclosures, Terms terms);
    event ExitRulesSet(address indexed token, ExitRules rules);
    event WhitelistSet(address indexed token, address indexed wallet, bool whitelisted);
    event WindowStarted(address indexed token, uint64 windowEnd, uint64 salesEnd);
    event SaleRecorded(address indexed token, address indexed buyer, uint256 amount, uint256 cost, uint256 raised);
    event DisclosuresUpdated(address indexed token, bytes32 disclosures, uint64 nextDueAt);
    event DisclosureMissed(address indexed token, uint64 dueAt, uint32 missed);
    event ExitReportFiled(
        address indexed token, bytes32 report, Measures measures, uint8 failed, uint8 newClass, Status status
    );
    event Refunded(address indexed token, address indexed holder, uint256 amount, uint256 payment);
    /// @notice The escrowed proceeds of a matured offering paid to its developer.
    event EscrowReleased(address indexed token, address indexed developer, uint256 amount);
    event Lapsed(address indexed token, uint64 windowEnd, uint8 newClass);
    /// @notice After a failure: the team registers under 12(g) by `registerBy`, platforms stop
    /// trading by `platformsStopBy` (Token Safe Harbor Proposal 2.0, Rule 195(f)(1)(iii)(C), (g)).
    event FailureDeadlines(address indexed token, uint64 registerBy, uint64 platformsStopBy);

    AssetRegistry public immutable assets;

    mapping(address token => Offering) private _offerings;
    mapping(address token => mapping(address wallet => bool)) private _whitelisted;
    mapping(address token => mapping(address investor => uint256)) public paidBy;
    mapping(address token => mapping(address investor => uint256)) public boughtBy;
    mapping(address token => mapping(address investor => uint256)) public refundedTo;
    mapping(address token => uint256) public refundedTokens;
    /// @notice Sales proceeds held for refunds (offerings whose notice promises them).
    mapping(address token => uint256) public escrowOf;
    mapping(address token => ExitRules) private _exitRules;
    mapping(bytes32 intentHash => uint256) public purchased;

    constructor(address admin, AssetRegistry assets_) EIP712("SafeHarborRegistry", "1") {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        assets = assets_;
    }

    modifier onlyDeveloper(address token) {
        address developer = _offerings[token].developer;
        if (developer == address(0)) revert SafeHarborNoNotice(token);
        if (msg.sender != developer) revert SafeHarborNotDeveloper(token, msg.sender);
        _;
    }

    // ------------------------------------------------------------------- notice

    /// @notice The exit report's tests and classes for `token` (the regulator's).
    function setExitRules(address token, ExitRules calldata rules) external onlyRole(REGULATOR_ROLE) {
        _validateRules(rules);
        _exitRules[token] = rules;
        emit ExitRulesSet(token, rules);
    }

    /// @notice File the safe-harbor notice for `token` (by the token's admin, who becomes
    /// its developer), with the hash of the initial disclosures and the exemption's terms.
    function fileNotice(address token, IERC20 cash, bytes32 disclosures, Terms calldata terms) external {
        if (!IAccessControl(token).hasRole(bytes32(0), msg.sender)) revert SafeHarborNotTokenAdmin(token, msg.sender);
        uint8 current = assets.classOf(token);
        if (current != uint8(AssetRegistry.AssetClass.ExemptNetworkToken)) revert SafeHarborNotExempt(token, current);
        if (_offerings[token].status != Status.None) revert SafeHarborAlreadyFiled(token);
        _validateTerms(terms);
        Offering storage o = _offerings[token];
        o.developer = msg.sender;
        o.cash = cash;
        o.status = Status.Running;
        o.disclosures = disclosures;
        o.noticeAt = uint64(block.timestamp);
        o.lastDisclosureAt = uint64(block.timestamp);
        o.terms = terms;
        emit NoticeFiled(token, msg.sender, disclosures, terms);
    }

    function setWhitelisted(address token, address[] calldata wallets, bool whitelisted) external onlyDeveloper(token) {
        for (uint256 i = 0; i < wallets.length; ++i) {
            _whitelisted[token][wallets[i]] = whitelisted;
            emit WhitelistSet(token, wallets[i], whitelisted);
        }
    }

    // -------------------------------------------------------------------- sales

    /// @notice Sell `amount` token units at `price` cash units per whole token to the buyer
    /// of a signed purchase `intent`: the cost moves from the buyer to the developer and the
    /// tokens are minted, in one act, within the intent's amount and price.
    function sell(address token, Purchase calldata intent, bytes calldata signature, uint256 amount, uint256 price)
        external
        onlyDeveloper(token)
    {
        Offering storage o = _offerings[token];
        if (o.status != Status.Running) revert SafeHarborEnded(token, o.status);
        if (amount == 0) revert SafeHarborZeroAmount();
        _consume(token, intent, signature, amount, price);
        address buyer = intent.buyer;
        _requireExempt(token);
        uint64 now_ = uint64(block.timestamp);
        if (o.firstSaleAt == 0) {
            if (now_ >= windowEnd(token)) revert SafeHarborSalesClosed(token, now_, windowEnd(token));
            o.firstSaleAt = now_;
            emit WindowStarted(token, windowEnd(token), salesEnd(token));
        } else if (now_ >= salesEnd(token)) {
            revert SafeHarborSalesClosed(token, now_, salesEnd(token));
        }
        if (o.terms.pauseOnMissedDisclosure && _overdue(token)) {
            revert SafeHarborDisclosureOverdue(token, o.owedSince != 0 ? o.owedSince : nextDisclosureDue(token));
        }
        if (o.terms.whitelistOnly && !_whitelisted[token][buyer]) revert SafeHarborNotWhitelisted(token, buyer);
        uint256 cost = Math.mulDiv(amount, price, 10 ** IERC20Metadata(token).decimals(), Math.Rounding.Ceil);
        uint256 paid = paidBy[token][buyer];
        if (paid + cost > o.terms.maxPerInvestor) {
            revert SafeHarborInvestorCapExceeded(buyer, paid, cost, o.terms.maxPerInvestor);
        }
        if (o.raised + cost > o.terms.maxTotalRaise) {
            revert SafeHarborRaiseCapExceeded(o.raised, cost, o.terms.maxTotalRaise);
        }
        paidBy[token][buyer] = paid + cost;
        boughtBy[token][buyer] += amount;
        o.raised += cost;
        o.sold += amount;
        if (o.terms.refundOnFail) {
            escrowOf[token] += cost;
            o.cash.safeTransferFrom(buyer, address(this), cost);
        } else {
            o.cash.safeTransferFrom(buyer, o.developer, cost);
        }
        IAgentToken(token).mint(buyer, amount);
        emit SaleRecorded(token, buyer, amount, cost, o.raised);
    }

    /// @notice The EIP-712 digest the buyer of `intent` signs.
    function hashPurchase(Purchase calldata intent) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(
            PURCHASE_TYPEHASH, intent.buyer, intent.token, intent.maxAmount, intent.maxPrice, intent.nonce,
            intent.deadline
        )));
    }

    function _consume(address token, Purchase calldata intent, bytes calldata signature, uint256 amount, uint256 price)
        private
    {
        bytes32 intentHash = hashPurchase(intent);
        if (intent.token != token) revert SafeHarborIntentMismatch(intentHash, token, intent.token);
        if (!SignatureChecker.isValidSignatureNow(intent.buyer, intentHash, signature)) {
            revert SafeHarborBadSignature(intentHash, intent.buyer);
        }
        if (block.timestamp > intent.deadline) revert SafeHarborIntentExpired(intentHash, intent.deadline, block.timestamp);
        uint256 bought = purchased[intentHash];
        if (bought + amount > intent.maxAmount) {
            revert SafeHarborIntentExceeded(intentHash, bought, amount, intent.maxAmount);
        }
        if (price > intent.maxPrice) revert SafeHarborPriceAboveIntent(intentHash, price, intent.maxPrice);
        purchased[intentHash] = bought + amount;
    }

    // -------------------------------------------------------------- disclosures

    /// @notice Publish updated disclosures. Made after its period's end and by its due time,
    /// it is that period's update; made late, the periods past due are first recorded missed
    /// (if no one has), which lifts the pause; made before its period ends, it is interim.
    function updateDisclosures(address token, bytes32 disclosures) external onlyDeveloper(token) {
        Offering storage o = _offerings[token];
        if (o.status != Status.Running) revert SafeHarborEnded(token, o.status);
        for (uint64 due = nextDisclosureDue(token); due != 0 && block.timestamp > due; due = nextDisclosureDue(token)) {
            _recordMiss(token, o, due);
        }
        if (nextDisclosureDue(token) != 0 && block.timestamp >= periodEnd(token, o.periodsDone + 1)) {
            o.periodsDone += 1;
        }
        o.owedSince = 0;
        o.disclosures = disclosures;
        o.lastDisclosureAt = uint64(block.timestamp);
        emit DisclosuresUpdated(token, disclosures, nextDisclosureDue(token));
    }

    /// @notice Record that the update due at `nextDisclosureDue` was not made (anyone may, from
    /// one second after it). Each period without its update is one miss.
    function recordMissedDisclosure(address token) external {
        Offering storage o = _offerings[token];
        if (o.status == Status.None) revert SafeHarborNoNotice(token);
        uint64 due = nextDisclosureDue(token);
        if (o.status != Status.Running || due == 0 || block.timestamp <= due) revert SafeHarborNothingMissed(token, due);
        _recordMiss(token, o, due);
    }

    // --------------------------------------------------------------------- exit

    /// @notice File the exit report, no later than the end of the window: its hash and the
    /// measured maturity facts. The token is reclassified in the same transaction.
    function fileExitReport(address token, bytes32 report, Measures calldata m) external onlyDeveloper(token) {
        Offering storage o = _offerings[token];
        if (o.status != Status.Running) revert SafeHarborEnded(token, o.status);
        uint64 end = windowEnd(token);
        if (block.timestamp > end) revert SafeHarborExitReportLate(token, uint64(block.timestamp), end);
        _requireExempt(token);
        ExitRules memory r = _exitRules[token];
        if (r.matureClass == 0) revert SafeHarborNoExitRules(token);
        uint8 failed;
        if (m.top10ShareBp > r.maxTop10ShareBp) failed |= FAILED_TOP10;
        if (m.hhi > r.maxHhi) failed |= FAILED_HHI;
        if (m.developerShareBp > r.maxDeveloperShareBp) failed |= FAILED_DEVELOPER_SHARE;
        if (m.independentHolders < r.minIndependentHolders) failed |= FAILED_HOLDERS;
        if (m.venues < r.minVenues) failed |= FAILED_VENUES;
        uint8 newClass;
        if (failed == 0) {
            o.status = Status.Matured;
            newClass = r.matureClass;
        } else {
            o.status = o.terms.refundOnFail ? Status.Refunding : Status.Failed;
            newClass = r.failClass;
        }
        assets.reclassify(token, newClass, report);
        emit ExitReportFiled(token, report, m, failed, newClass, o.status);
        if (failed != 0) {
            _failureDeadlines(token);
        } else if (escrowOf[token] != 0) {
            uint256 escrowed = escrowOf[token];
            escrowOf[token] = 0;
            o.cash.safeTransfer(o.developer, escrowed);
            emit EscrowReleased(token, o.developer, escrowed);
        }
    }

    /// @notice Record that the window ended without an exit report (anyone may, from one
    /// second after it): the exemption fails and the token takes the regulator's `failClass`.
    function recordLapse(address token) external {
        Offering storage o = _offerings[token];
        if (o.status == Status.None) revert SafeHarborNoNotice(token);
        if (o.status != Status.Running) revert SafeHarborEnded(token, o.status);
        uint64 end = windowEnd(token);
        if (block.timestamp <= end) revert SafeHarborNotLapsed(token, uint64(block.timestamp), end);
        _requireExempt(token); // a ruling already ended the exemption: a lapse cannot undo it
        ExitRules memory r = _exitRules[token];
        if (r.failClass == 0) revert SafeHarborNoExitRules(token);
        o.status = o.terms.refundOnFail ? Status.Refunding : Status.Failed;
        assets.reclassify(token, r.failClass, keccak256("safe-harbor:lapsed"));
        emit Lapsed(token, end, r.failClass);
        _failureDeadlines(token);
    }

    /// @notice On the refund path, the holder's own claim: its tokens bought in the sales
    /// (and not yet refunded) are burnt and repaid at the price it paid, from the escrow.
    /// Tokens the holder got otherwise (grants, the team's allocation, trades) are not bought
    /// back, and one holder's claim never spends another's.
    function claimRefund(address token) external returns (uint256 amount, uint256 payment) {
        Offering storage o = _offerings[token];
        if (o.status != Status.Refunding) revert SafeHarborNoRefund(token, o.status);
        address holder = msg.sender;
        uint256 bought = boughtBy[token][holder];
        amount = Math.min(IERC20(token).balanceOf(holder), bought - refundedTo[token][holder]);
        if (amount == 0) revert SafeHarborZeroAmount();
        payment = Math.mulDiv(amount, paidBy[token][holder], bought);
        refundedTo[token][holder] += amount;
        refundedTokens[token] += amount;
        escrowOf[token] -= payment;
        IAgentToken(token).burn(holder, amount);
        o.cash.safeTransfer(holder, payment);
        emit Refunded(token, holder, amount, payment);
    }

    // -------------------------------------------------------------------- views

    function offering(address token) external view returns (Offering memory) {
        return _offerings[token];
    }

    function exitRulesOf(address token) external view returns (ExitRules memory) {
        return _exitRules[token];
    }

    function statusOf(address token) external view returns (Status) {
        return _offerings[token].status;
    }

    function isWhitelisted(address token, address wallet) external view returns (bool) {
        return _whitelisted[token][wallet];
    }

    /// @notice End of the safe-harbor window, when the relief expires: the notice + the
    /// window (0 before a notice).
    function windowEnd(address token) public view returns (uint64) {
        Offering storage o = _offerings[token];
        if (o.noticeAt == 0) return 0;
        if (o.terms.windowMonths != 0) return uint64(Calendar.addMonths(o.noticeAt, o.terms.windowMonths));
        return o.noticeAt + o.terms.windowSeconds;
    }

    /// @notice The first second no sale is allowed: the first sale + the sale limit, never
    /// after the window's end; the window's end without a limit (0 before the first sale).
    function salesEnd(address token) public view returns (uint64) {
        Offering storage o = _offerings[token];
        if (o.firstSaleAt == 0) return 0;
        uint64 end = windowEnd(token);
        if (o.terms.saleLimitSeconds == 0) return end;
        uint64 limit = o.firstSaleAt + o.terms.saleLimitSeconds;
        return limit < end ? limit : end;
    }

    /// @notice The end of disclosure period `k` (1: the first), counted from the notice.
    function periodEnd(address token, uint256 k) public view returns (uint64) {
        Offering storage o = _offerings[token];
        if (o.terms.disclosureMonths != 0) return uint64(Calendar.addMonths(o.noticeAt, k * o.terms.disclosureMonths));
        return uint64(o.noticeAt + k * o.terms.disclosureInterval);
    }

    /// @notice When the next update is due: the end of the first period neither updated nor
    /// recorded missed, plus the grace (0: none due, the window ends first or no updates).
    function nextDisclosureDue(address token) public view returns (uint64) {
        Offering storage o = _offerings[token];
        if (o.status != Status.Running) return 0;
        if (o.terms.disclosureMonths == 0 && o.terms.disclosureInterval == 0) return 0;
        uint64 end = periodEnd(token, o.periodsDone + 1);
        if (end >= windowEnd(token)) return 0;
        return end + o.terms.disclosureGrace;
    }

    /// @notice True while an overdue disclosure pauses sales.
    function salesPaused(address token) external view returns (bool) {
        Offering storage o = _offerings[token];
        return o.status == Status.Running && o.terms.pauseOnMissedDisclosure && _overdue(token);
    }

    // ------------------------------------------------------------------ private

    /// @dev An update is overdue from one second after its due time until one is made (a
    /// recorded miss does not lift it).
    function _overdue(address token) private view returns (bool) {
        if (_offerings[token].owedSince != 0) return true;
        uint64 due = nextDisclosureDue(token);
        return due != 0 && block.timestamp > due;
    }

    function _failureDeadlines(address token) private {
        uint64 now_ = uint64(block.timestamp);
        emit FailureDeadlines(
            token, now_ + REGISTRATION_DAYS * 1 days, uint64(Calendar.addMonths(now_, PLATFORM_WIND_DOWN_MONTHS))
        );
    }

    function _requireExempt(address token) private view {
        uint8 current = assets.classOf(token);
        if (current != uint8(AssetRegistry.AssetClass.ExemptNetworkToken)) revert SafeHarborNotExempt(token, current);
    }

    function _recordMiss(address token, Offering storage o, uint64 due) private {
        o.periodsDone += 1;
        if (o.owedSince == 0) o.owedSince = due;
        o.missedDisclosures += 1;
        emit DisclosureMissed(token, due, o.missedDisclosures);
    }

    function _validateTerms(Terms calldata t) private pure {
        if ((t.windowSeconds == 0) == (t.windowMonths == 0)) {
            revert SafeHarborInvalidTerm("windowSeconds", t.windowSeconds, t.windowMonths == 0 ? 1 : 0);
        }
        if (t.windowMonths > 1200) revert SafeHarborInvalidTerm("windowMonths", t.windowMonths, 1200);
        if (t.disclosureMonths != 0 && t.disclosureInterval != 0) {
            revert SafeHarborInvalidTerm("disclosureInterval", t.disclosureInterval, 0);
        }
        if (t.disclosureMonths > 1200) revert SafeHarborInvalidTerm("disclosureMonths", t.disclosureMonths, 1200);
        uint256 window = t.windowSeconds != 0 ? t.windowSeconds : uint256(t.windowMonths) * 31 days;
        if (t.saleLimitSeconds > window) revert SafeHarborInvalidTerm("saleLimitSeconds", t.saleLimitSeconds, window);
    }

    function _validateRules(ExitRules calldata r) private view {
        if (r.maxTop10ShareBp > BPS) revert SafeHarborInvalidTerm("maxTop10ShareBp", r.maxTop10ShareBp, BPS);
        if (r.maxHhi > MAX_HHI) revert SafeHarborInvalidTerm("maxHhi", r.maxHhi, MAX_HHI);
        if (r.maxDeveloperShareBp > MAX_DEVELOPER_SHARE_BP) {
            revert SafeHarborInvalidTerm("maxDeveloperShareBp", r.maxDeveloperShareBp, MAX_DEVELOPER_SHARE_BP);
        }
        uint8 maxClass = assets.MAX_CLASS();
        if (r.matureClass == 0 || r.matureClass > maxClass) {
            revert SafeHarborInvalidTerm("matureClass", r.matureClass, maxClass);
        }
        if (r.failClass == 0 || r.failClass > maxClass) revert SafeHarborInvalidTerm("failClass", r.failClass, maxClass);
    }
}
