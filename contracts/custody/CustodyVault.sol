// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IDvPSettlement} from "../settlement/IDvPSettlement.sol";

/// @dev The eligibility view of a security token (`SecurityToken.recipientRestriction`).
interface IRecipientRestriction {
    function recipientRestriction(address to) external view returns (uint8 code, bytes memory reason);
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
/// Holding periods (Rule 144 lots) are tracked by the token per on-chain holder, here the
/// vault as a whole, not per client: an omnibus structure cannot show them per beneficial
/// owner.
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
        emit Deposited(token, msg.sender, amount);
    }

    /// @notice Move a client's tokens out of custody to `to` (the token's rules apply).
    function withdraw(address token, address client, address to, uint256 amount) external {
        if (msg.sender != client && !hasRole(OPERATOR_ROLE, msg.sender)) revert VaultCallerNotClient(msg.sender, client);
        _debit(token, client, amount);
        ledgerTotal[token] -= amount;
        IERC20(token).safeTransfer(to, amount);
        emit Withdrawn(token, client, to, amount);
    }

    /// @notice Move tokens between two clients' ledgers; nothing moves on chain.
    function internalTransfer(address token, address from, address to, uint256 amount) external onlyRole(OPERATOR_ROLE) {
        _debit(token, from, amount);
        ledgerTotal[token] -= amount;
        _credit(token, to, amount);
        emit InternalTransfer(token, from, to, amount);
    }

    /// @notice Credit a client with tokens that reached the vault without a deposit
    /// (distributions, redemptions, inbound transfers): at most what is unallocated.
    function allocate(address token, address client, uint256 amount) external onlyRole(OPERATOR_ROLE) {
        _requireUnallocated(token, amount);
        _credit(token, client, amount);
    }

    /// @notice `allocate` for many clients at once (a distribution received for all of them).
    function allocateMany(address token, address[] calldata clients, uint256[] calldata amounts)
        external
        onlyRole(OPERATOR_ROLE)
    {
        _requireUnallocated(token, _batchTotal(clients, amounts));
        for (uint256 i = 0; i < clients.length; ++i) {
            _credit(token, clients[i], amounts[i]);
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
            if (allocation.sale) _credit(allocation.cashToken, client, allocation.amount);
            else _creditUnchecked(allocation.securityToken, client, allocation.quantity);
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

    /// @dev The token's own eligibility rules, applied to the beneficial owner. A token
    /// without `recipientRestriction` (cash) has none.
    function _checkEligible(address token, address client) private view {
        (bool ok, bytes memory result) =
            token.staticcall(abi.encodeCall(IRecipientRestriction.recipientRestriction, (client)));
        if (!ok || result.length < 64) return;
        (uint8 code, bytes memory reason) = abi.decode(result, (uint8, bytes));
        if (code != 0) {
            assembly ("memory-safe") {
                revert(add(reason, 32), mload(reason))
            }
        }
    }
}
