// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ERC165} from "@openzeppelin/contracts/utils/introspection/ERC165.sol";

/// The ERC-7943 fungible interface, declared here from the ERC's text so that this token
/// owes nothing to tokensim's contracts.
interface IUrwa {
    event ForcedTransfer(address indexed from, address indexed to, uint256 amount);
    event Frozen(address indexed account, uint256 amount);

    error ERC7943CannotSend(address account);
    error ERC7943CannotReceive(address account);
    error ERC7943CannotTransfer(address from, address to, uint256 amount);
    error ERC7943InsufficientUnfrozenBalance(address account, uint256 amount, uint256 unfrozen);

    function forcedTransfer(address from, address to, uint256 amount) external returns (bool result);
    function setFrozenTokens(address account, uint256 amount) external returns (bool result);
    function canSend(address account) external view returns (bool allowed);
    function canReceive(address account) external view returns (bool allowed);
    function getFrozenTokens(address account) external view returns (uint256 amount);
    function canTransfer(address from, address to, uint256 amount) external view returns (bool allowed);
}

/// A minimal ERC-7943 token, the issuer's own: an owner-kept allow-list, frozen amounts,
/// and a forced transfer that unfreezes what it takes (the ERC's single-party option).
contract MinimalUrwaToken is ERC20, Ownable, ERC165, IUrwa {
    mapping(address account => bool) public allowed;
    mapping(address account => uint256) private _frozen;
    bool private _forcing;

    constructor() ERC20("Minimal uRWA", "MURWA") Ownable(msg.sender) {}

    function setAllowed(address account, bool allowed_) external onlyOwner {
        allowed[account] = allowed_;
    }

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }

    function canSend(address account) public view returns (bool) {
        return allowed[account];
    }

    function canReceive(address account) public view returns (bool) {
        return allowed[account];
    }

    function canTransfer(address from, address to, uint256 amount) external view returns (bool) {
        return canSend(from) && canReceive(to) && (amount > balanceOf(from) || amount <= _unfrozen(from));
    }

    function getFrozenTokens(address account) external view returns (uint256) {
        return _frozen[account];
    }

    function setFrozenTokens(address account, uint256 amount) external onlyOwner returns (bool) {
        _frozen[account] = amount;
        emit Frozen(account, amount);
        return true;
    }

    function forcedTransfer(address from, address to, uint256 amount) external onlyOwner returns (bool) {
        if (!canReceive(to)) revert ERC7943CannotReceive(to);
        uint256 balance = balanceOf(from);
        if (balance >= amount && _frozen[from] > balance - amount) {
            _frozen[from] = balance - amount;
            emit Frozen(from, balance - amount);
        }
        _forcing = true;
        _transfer(from, to, amount);
        _forcing = false;
        emit ForcedTransfer(from, to, amount);
        return true;
    }

    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IUrwa).interfaceId || super.supportsInterface(interfaceId);
    }

    function _update(address from, address to, uint256 amount) internal override {
        if (!_forcing) {
            if (from != address(0)) {
                if (!canSend(from)) revert ERC7943CannotSend(from);
                uint256 unfrozen = _unfrozen(from);
                if (amount <= balanceOf(from) && amount > unfrozen) {
                    revert ERC7943InsufficientUnfrozenBalance(from, amount, unfrozen);
                }
            }
            if (to != address(0) && !canReceive(to)) revert ERC7943CannotReceive(to);
        }
        super._update(from, to, amount);
    }

    function _unfrozen(address account) private view returns (uint256) {
        uint256 balance = balanceOf(account);
        return balance > _frozen[account] ? balance - _frozen[account] : 0;
    }
}
