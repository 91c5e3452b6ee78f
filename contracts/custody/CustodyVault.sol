// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IDvPSettlement} from "../settlement/IDvPSettlement.sol";

/// @dev The eligibility view of a security token (`SecurityToken.recipientRestriction`), and
/// the ERC-1404 view every such token has.
interface IRecipientRestriction {
    function recipientRestriction(address to) external view returns (uint8 code, bytes memory reason);
    function messageForTransferRestriction(uint8 code) external view returns (string memory);
}

/// @dev What the vault reads of a security token to keep its clients' holding periods.
interface ICompliantToken {
    function compliance() external view returns (address);
    function identityRegistry() external view returns (address);
}

interface IModuleList {
    function modules() external view returns (address[] memory);
}

interface ILockupView {
    function moduleName() external view returns (string memory);
    function mode() external view returns (uint8);
    function lockedBalanceOf(address holder) external view returns (uint256 locked, uint64 nextRelease);
    function lotsOf(address holder) external view returns (CustodyLot[] memory);
}

interface IUSPersonView {
    function isUSPerson(address wallet) external view returns (bool);
}

/// @dev A lot as the lockup module lists it (same layout as `LockupModule.Lot`).
struct CustodyLot {
    uint192 amount;
    uint64 releaseTime;
}

/// @title CustodyVault
/// @notice An omnibus custody account: the vault holds the tokens on chain (it is the
/// holder of record) and keeps a sub-ledger of what each client owns.
/// @dev A custodian's operations desk (`OPERATOR_ROLE`) runs it. For each token and client
/// the ledger has an available and a reserved amount (reserved: committed to a pending
/// settlement). The token's rules apply to the beneficial owners: a client may be credited
/// a security token, by deposit, internal transfer or purchase, only if the token's
/// `recipientRestriction` accepts the client (verified identity, jurisdiction,
/// accreditation); tokens without that view (cash) have no such check.
///
/// Trades: the vault is the on-chain party of a DvP instruction for its clients. `affirm`
/// reserves the client's securities (a sale) or cash (a purchase) and affirms on the
/// settlement contract, which puts the vault's own balance on hold; once the instruction is
/// settled, cancelled or bought in, `book` moves the client's ledger accordingly.
///
/// Reconciliation: `reconcile(token)` returns the ledger total and the vault's on-chain
/// balance. They differ only when tokens moved without the ledger knowing: an inbound
/// transfer not yet allocated (`allocate`), or tokens taken by the token's agent. The
/// custodian checks this daily and records breaks.
///
/// Holding periods: the token's lockup module tracks lots per on-chain holder, here the vault
/// as a whole. The vault keeps each client's own locked lots too, so one client's released
/// tokens never carry another's locked ones out: whenever tokens come in for a client
/// (allocation after a mint, a deposit, a purchase booked), the locked tokens the vault holds
/// beyond those already attributed to clients are attributed to that client, releasing at the
/// latest release time among the vault's lots (never earlier than due); internal transfers
/// move lots with the tokens (the holding period tacks); tokens leave a client unlocked first.
/// A withdrawal or a sale of more than the client's own unlocked tokens is refused with the
/// token's own error (`LockupActive` under Rule 144; `RegSUSPersonRestricted` to a US person
/// under Regulation S), as the token would refuse the client if it held directly.
///
/// Eligibility fails closed: a restricted token (one with the ERC-1404 views) whose
/// `recipientRestriction` cannot answer refuses the credit; only a token without those views
/// (cash) has no check.
contract CustodyVault is AccessControl {
    using SafeERC20 for IERC20;

    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    struct Position {
        uint256 available;
        uint256 reserved;
    }

    /// @dev A client's side of an open DvP instruction, with the instruction's terms (the
    /// settlement contract deletes a closed instruction's record); deleted once booked.
    struct Allocation {
        address client;
        bool sale;
        address securityToken;
        address cashToken;
        uint256 quantity;
        uint256 amount;
    }

    error VaultNotClient(address client);
    error VaultClientExists(address client);
    error VaultInsufficientPosition(address token, address client, uint256 available, uint256 needed);
    error VaultUnallocatedShortfall(address token, uint256 unallocated, uint256 needed);
    error VaultNotParty(address dvp, uint256 id);
    error VaultAllocationExists(address dvp, uint256 id);
    error VaultNoAllocation(address dvp, uint256 id);
    error VaultNotFinal(address dvp, uint256 id, IDvPSettlement.Status status);
    error VaultCallerNotClient(address caller, address client);
    error VaultBatchLengthMismatch(uint256 clients, uint256 amounts);
    error VaultOutflowExceedsShortfall(address token, uint256 shortfall, uint256 amount);
    error LockupActive(address holder, uint256 unlocked, uint256 needed, uint64 nextRelease);
    error RegSUSPersonRestricted(address recipient, uint256 unlocked, uint256 needed, uint64 nextRelease);

    uint256 public constant MAX_CLIENT_LOTS = 32;
    bytes32 private constant LOCKUP = keccak256("lockup");
    uint8 private constant MODE_RULE_144 = 0;

    event ClientOpened(address indexed client);
    event Credited(address indexed token, address indexed client, uint256 amount);
    event Deposited(address indexed token, address indexed client, uint256 amount);
    event Withdrawn(address indexed token, address indexed client, address to, uint256 amount);
    event InternalTransfer(address indexed token, address indexed from, address indexed to, uint256 amount);
    event Reserved(address indexed dvp, uint256 indexed id, address indexed client, bool sale, uint256 amount);
    event OutflowBooked(address indexed token, address indexed client, uint256 amount);
    event Booked(address indexed dvp, uint256 indexed id, address indexed client, IDvPSettlement.Status status);

    string public name;
    mapping(address client => bool) public isClient;
    mapping(address token => uint256) public ledgerTotal;
    mapping(address token => mapping(address client => Position)) private _positions;
    mapping(address dvp => mapping(uint256 id => Allocation)) private _allocations;
    mapping(address token => mapping(address client => CustodyLot[])) private _clientLots;
    mapping(address token => CustodyLot[]) private _attributed; // all clients' lots together

    constructor(string memory name_, address admin) {
        name = name_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    // ----------------------------------------------------------------- clients

    function openAccount(address client) external onlyRole(OPERATOR_ROLE) {
        _open(client);
    }

    function openAccounts(address[] calldata clients) external onlyRole(OPERATOR_ROLE) {
        for (uint256 i = 0; i < clients.length; ++i) {
            _open(clients[i]);
        }
    }

    /// @notice A client moves its own tokens into custody (after approving the vault).
    function deposit(address token, uint256 amount) external {
        _requireClient(msg.sender);
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        _credit(token, msg.sender, amount);
        _attribute(token, msg.sender, amount);
        emit Deposited(token, msg.sender, amount);
    }

    /// @notice Move a client's tokens out of custody to `to` (the token's rules apply).
    function withdraw(address token, address client, address to, uint256 amount) external {
        if (msg.sender != client && !hasRole(OPERATOR_ROLE, msg.sender)) revert VaultCallerNotClient(msg.sender, client);
        _requireUnlocked(token, client, to, amount);
        _debit(token, client, amount);
        ledgerTotal[token] -= amount;
        _release(token, client, amount, address(0));
        IERC20(token).safeTransfer(to, amount);
        emit Withdrawn(token, client, to, amount);
    }

    /// @notice Move tokens between two clients' ledgers; nothing moves on chain.
    function internalTransfer(address token, address from, address to, uint256 amount) external onlyRole(OPERATOR_ROLE) {
        _requireUnlocked(token, from, to, amount);
        _debit(token, from, amount);
        ledgerTotal[token] -= amount;
        _credit(token, to, amount);
        _release(token, from, amount, to);
        emit InternalTransfer(token, from, to, amount);
    }

    /// @notice Credit a client with tokens that reached the vault without a deposit
    /// (distributions, redemptions, inbound transfers): at most what is unallocated.
    function allocate(address token, address client, uint256 amount) external onlyRole(OPERATOR_ROLE) {
        _requireUnallocated(token, amount);
        _credit(token, client, amount);
        _attribute(token, client, amount);
    }

    /// @notice `allocate` for many clients at once (a distribution received for all of them).
    function allocateMany(address token, address[] calldata clients, uint256[] calldata amounts)
        external
        onlyRole(OPERATOR_ROLE)
    {
        _requireUnallocated(token, _batchTotal(clients, amounts));
        for (uint256 i = 0; i < clients.length; ++i) {
            _credit(token, clients[i], amounts[i]);
            _attribute(token, clients[i], amounts[i]);
        }
    }

    /// @notice Debit clients for tokens that left the vault without a withdrawal (a
    /// redemption burn, a court-ordered transfer): at most the shortfall of the on-chain
    /// balance against the ledger.
    function bookOutflow(address token, address[] calldata clients, uint256[] calldata amounts)
        external
        onlyRole(OPERATOR_ROLE)
    {
        uint256 total = _batchTotal(clients, amounts);
        uint256 onChain = IERC20(token).balanceOf(address(this));
        uint256 shortfall = ledgerTotal[token] > onChain ? ledgerTotal[token] - onChain : 0;
        if (total > shortfall) revert VaultOutflowExceedsShortfall(token, shortfall, total);
        for (uint256 i = 0; i < clients.length; ++i) {
            _debit(token, clients[i], amounts[i]);
            ledgerTotal[token] -= amounts[i];
            _release(token, clients[i], amounts[i], address(0));
            emit OutflowBooked(token, clients[i], amounts[i]);
        }
    }

    // ------------------------------------------------------------------ trades

    /// @notice Reserve the client's side of a DvP instruction and affirm it for the vault.
    function affirm(address dvp, uint256 id, address client) external onlyRole(OPERATOR_ROLE) {
        if (_allocations[dvp][id].client != address(0)) revert VaultAllocationExists(dvp, id);
        IDvPSettlement.Instruction memory ins = IDvPSettlement(dvp).instruction(id);
        bool sale = ins.seller == address(this);
        if (!sale && ins.buyer != address(this)) revert VaultNotParty(dvp, id);
        if (sale) {
            _requireUnlocked(ins.securityToken, client, ins.buyer, ins.quantity);
            _reserve(ins.securityToken, client, ins.quantity);
        } else {
            _checkEligible(ins.securityToken, client);
            _reserve(ins.cashToken, client, ins.amount);
        }
        _allocations[dvp][id] = Allocation(client, sale, ins.securityToken, ins.cashToken, ins.quantity, ins.amount);
        emit Reserved(dvp, id, client, sale, sale ? ins.quantity : ins.amount);
        IDvPSettlement(dvp).affirm(id, sale);
    }

    /// @notice Book a final instruction into the client's ledger; the allocation is then
    /// deleted (booking it again is refused as `VaultNoAllocation`).
    function book(address dvp, uint256 id) external onlyRole(OPERATOR_ROLE) {
        Allocation memory allocation = _allocations[dvp][id];
        if (allocation.client == address(0)) revert VaultNoAllocation(dvp, id);
        IDvPSettlement.Status status = IDvPSettlement(dvp).statusOf(id);
        address client = allocation.client;
        (address given, uint256 givenAmount) = allocation.sale
            ? (allocation.securityToken, allocation.quantity)
            : (allocation.cashToken, allocation.amount);
        Position storage reserved = _positions[given][client];
        if (status == IDvPSettlement.Status.Settled) {
            reserved.reserved -= givenAmount;
            ledgerTotal[given] -= givenAmount;
            if (allocation.sale) {
                _release(allocation.securityToken, client, allocation.quantity, address(0));
                _credit(allocation.cashToken, client, allocation.amount);
            } else {
                _creditUnchecked(allocation.securityToken, client, allocation.quantity);
                _attribute(allocation.securityToken, client, allocation.quantity);
            }
        } else if (status == IDvPSettlement.Status.Cancelled || status == IDvPSettlement.Status.BoughtIn) {
            reserved.reserved -= givenAmount;
            reserved.available += givenAmount;
        } else {
            revert VaultNotFinal(dvp, id, status);
        }
        delete _allocations[dvp][id];
        emit Booked(dvp, id, client, status);
    }

    // -------------------------------------------------------------------- views

    function positionOf(address token, address client) external view returns (uint256 available, uint256 reserved) {
        Position storage p = _positions[token][client];
        return (p.available, p.reserved);
    }

    /// @notice The locked lots the vault attributes to `client` in `token` (released ones left out).
    function clientLotsOf(address token, address client) external view returns (CustodyLot[] memory lots) {
        lots = _unreleased(_clientLots[token][client]);
    }

    /// @notice `client`'s tokens of `token` free of any holding period (its own lots).
    function clientUnlockedOf(address token, address client) public view returns (uint256 unlocked, uint64 nextRelease) {
        Position storage p = _positions[token][client];
        uint256 locked;
        (locked, nextRelease) = _lockedOf(_clientLots[token][client]);
        uint256 owned = p.available + p.reserved;
        unlocked = owned > locked ? owned - locked : 0;
        if (unlocked > p.available) unlocked = p.available;
    }

    function allocationOf(address dvp, uint256 id) external view returns (Allocation memory) {
        return _allocations[dvp][id];
    }

    /// @notice The sub-ledger total and the on-chain balance of the vault in `token`.
    function reconcile(address token) external view returns (uint256 ledger, uint256 onChain) {
        return (ledgerTotal[token], IERC20(token).balanceOf(address(this)));
    }

    // ---------------------------------------------------------------- internal

    function _batchTotal(address[] calldata clients, uint256[] calldata amounts) private pure returns (uint256 total) {
        if (clients.length != amounts.length) revert VaultBatchLengthMismatch(clients.length, amounts.length);
        for (uint256 i = 0; i < amounts.length; ++i) {
            total += amounts[i];
        }
    }

    function _open(address client) private {
        if (client == address(0)) revert VaultNotClient(client);
        if (isClient[client]) revert VaultClientExists(client);
        isClient[client] = true;
        emit ClientOpened(client);
    }

    function _credit(address token, address client, uint256 amount) private {
        _requireClient(client);
        _checkEligible(token, client);
        _creditUnchecked(token, client, amount);
    }

    function _creditUnchecked(address token, address client, uint256 amount) private {
        _positions[token][client].available += amount;
        ledgerTotal[token] += amount;
        emit Credited(token, client, amount);
    }

    function _debit(address token, address client, uint256 amount) private {
        Position storage p = _positions[token][client];
        if (p.available < amount) revert VaultInsufficientPosition(token, client, p.available, amount);
        p.available -= amount;
    }

    function _reserve(address token, address client, uint256 amount) private {
        _debit(token, client, amount);
        _positions[token][client].reserved += amount;
    }

    function _requireClient(address client) private view {
        if (!isClient[client]) revert VaultNotClient(client);
    }

    function _requireUnallocated(address token, uint256 amount) private view {
        uint256 onChain = IERC20(token).balanceOf(address(this));
        uint256 unallocated = onChain > ledgerTotal[token] ? onChain - ledgerTotal[token] : 0;
        if (amount > unallocated) revert VaultUnallocatedShortfall(token, unallocated, amount);
    }

    error VaultEligibilityUnknown(address token, address client);

    /// @dev The token's own eligibility rules, applied to the beneficial owner. A token
    /// without the ERC-1404 views (cash) has none; a restricted token whose
    /// `recipientRestriction` reverts or answers nonsense refuses (fail closed).
    function _checkEligible(address token, address client) private view {
        try IRecipientRestriction(token).messageForTransferRestriction(0) returns (string memory) {}
        catch {
            return; // not a restricted token
        }
        (bool ok, bytes memory result) =
            token.staticcall(abi.encodeCall(IRecipientRestriction.recipientRestriction, (client)));
        if (!ok) {
            if (result.length == 0) revert VaultEligibilityUnknown(token, client);
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
        if (result.length < 64) revert VaultEligibilityUnknown(token, client);
        (uint8 code, bytes memory reason) = abi.decode(result, (uint8, bytes));
        if (code != 0) {
            assembly ("memory-safe") {
                revert(add(reason, 32), mload(reason))
            }
        }
    }

    // ------------------------------------------------------------ holding periods

    /// @dev The token's lockup module, if it has one (address 0 otherwise).
    function _lockupOf(address token) private view returns (ILockupView) {
        try ICompliantToken(token).compliance() returns (address compliance) {
            try IModuleList(compliance).modules() returns (address[] memory modules) {
                for (uint256 i = 0; i < modules.length; ++i) {
                    try ILockupView(modules[i]).moduleName() returns (string memory moduleName) {
                        if (keccak256(bytes(moduleName)) == LOCKUP) return ILockupView(modules[i]);
                    } catch {}
                }
            } catch {}
        } catch {}
        return ILockupView(address(0));
    }

    /// @dev After `amount` of `token` came in for `client`: the vault's locked tokens not yet
    /// attributed to a client are attributed to it (up to `amount`), releasing at the latest
    /// release time among the vault's lots.
    function _attribute(address token, address client, uint256 amount) private {
        ILockupView lockup = _lockupOf(token);
        if (address(lockup) == address(0)) return;
        (uint256 locked,) = lockup.lockedBalanceOf(address(this));
        (uint256 attributed,) = _lockedOf(_attributed[token]);
        if (locked <= attributed) return;
        uint256 take = locked - attributed < amount ? locked - attributed : amount;
        CustodyLot[] memory lots = lockup.lotsOf(address(this));
        uint64 latest;
        for (uint256 i = 0; i < lots.length; ++i) {
            if (lots[i].releaseTime > latest) latest = lots[i].releaseTime;
        }
        _addLot(_clientLots[token][client], uint192(take), latest);
        _addLot(_attributed[token], uint192(take), latest);
    }

    /// @dev `amount` left `client` (to another client `to`, or out of the vault when `to` is
    /// 0): unlocked tokens first, then its locked lots in order of release, which follow
    /// the tokens to `to` (tacking) or leave the vault's attributed lots.
    function _release(address token, address client, uint256 amount, address to) private {
        CustodyLot[] storage lots = _clientLots[token][client];
        _prune(lots);
        if (lots.length == 0) return;
        Position storage p = _positions[token][client];
        (uint256 locked,) = _lockedOf(lots);
        uint256 ownedBefore = p.available + p.reserved + amount;
        uint256 unlocked = ownedBefore > locked ? ownedBefore - locked : 0;
        if (amount <= unlocked) return;
        uint256 need = amount - unlocked;
        while (need > 0 && lots.length > 0) {
            uint256 idx = _earliest(lots);
            CustodyLot memory lot = lots[idx];
            uint256 take = lot.amount < need ? lot.amount : need;
            if (to != address(0)) _addLot(_clientLots[token][to], uint192(take), lot.releaseTime);
            else _removeAttributed(token, take, lot.releaseTime);
            need -= take;
            if (take == lot.amount) {
                lots[idx] = lots[lots.length - 1];
                lots.pop();
            } else {
                lots[idx].amount = uint192(lot.amount - take);
            }
        }
    }

    /// @dev Refuse moving more than `client`'s own unlocked tokens to `to`, as the token would
    /// refuse the client holding directly.
    function _requireUnlocked(address token, address client, address to, uint256 amount) private view {
        (uint256 unlocked, uint64 nextRelease) = clientUnlockedOf(token, client);
        if (amount <= unlocked) return;
        ILockupView lockup = _lockupOf(token);
        if (address(lockup) == address(0)) return;
        if (lockup.mode() == MODE_RULE_144) revert LockupActive(client, unlocked, amount, nextRelease);
        address registry = ICompliantToken(token).identityRegistry();
        if (IUSPersonView(registry).isUSPerson(to)) revert RegSUSPersonRestricted(to, unlocked, amount, nextRelease);
    }

    function _removeAttributed(address token, uint256 amount, uint64 releaseTime) private {
        CustodyLot[] storage pool = _attributed[token];
        for (uint256 i = 0; i < pool.length && amount > 0; ++i) {
            if (pool[i].releaseTime != releaseTime) continue;
            uint256 take = pool[i].amount < amount ? pool[i].amount : amount;
            pool[i].amount -= uint192(take);
            amount -= take;
        }
    }

    function _addLot(CustodyLot[] storage lots, uint192 amount, uint64 releaseTime) private {
        _prune(lots);
        uint256 n = lots.length;
        uint256 latest;
        for (uint256 i = 0; i < n; ++i) {
            if (lots[i].releaseTime == releaseTime) {
                lots[i].amount += amount;
                return;
            }
            if (lots[i].releaseTime > lots[latest].releaseTime) latest = i;
        }
        if (n < MAX_CLIENT_LOTS) {
            lots.push(CustodyLot(amount, releaseTime));
            return;
        }
        lots[latest].amount += amount;
        if (releaseTime > lots[latest].releaseTime) lots[latest].releaseTime = releaseTime;
    }

    function _prune(CustodyLot[] storage lots) private {
        uint256 i = 0;
        while (i < lots.length) {
            if (lots[i].releaseTime <= block.timestamp || lots[i].amount == 0) {
                lots[i] = lots[lots.length - 1];
                lots.pop();
            } else {
                ++i;
            }
        }
    }

    function _lockedOf(CustodyLot[] storage lots) private view returns (uint256 locked, uint64 nextRelease) {
        for (uint256 i = 0; i < lots.length; ++i) {
            if (lots[i].releaseTime > block.timestamp) {
                locked += lots[i].amount;
                if (nextRelease == 0 || lots[i].releaseTime < nextRelease) nextRelease = lots[i].releaseTime;
            }
        }
    }

    function _unreleased(CustodyLot[] storage all) private view returns (CustodyLot[] memory lots) {
        uint256 count;
        for (uint256 i = 0; i < all.length; ++i) {
            if (all[i].releaseTime > block.timestamp && all[i].amount > 0) ++count;
        }
        lots = new CustodyLot[](count);
        uint256 j;
        for (uint256 i = 0; i < all.length; ++i) {
            if (all[i].releaseTime > block.timestamp && all[i].amount > 0) lots[j++] = all[i];
        }
    }

    function _earliest(CustodyLot[] storage lots) private view returns (uint256 idx) {
        uint64 best = lots[0].releaseTime;
        for (uint256 i = 1; i < lots.length; ++i) {
            if (lots[i].releaseTime < best) {
                best = lots[i].releaseTime;
                idx = i;
            }
        }
    }
}
