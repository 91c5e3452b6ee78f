// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ChainProbe
/// @notice A contract for the backend conformance suite (`sim.testing.conformance`): it
/// reads the block context, stores and emits, and fails in every way the EVM can, so
/// each backend is checked to report the same outcomes.
contract ChainProbe {
    error ProbeFailed(uint256 code, address caller, string note);

    event ValueSet(address indexed caller, uint256 indexed previous, uint256 value, bytes32 tag);

    uint256 public value;
    uint256[] private _items;

    constructor(uint256 initial) payable {
        value = initial;
    }

    function setValue(uint256 newValue, bytes32 tag) external returns (uint256 previous) {
        previous = value;
        value = newValue;
        emit ValueSet(msg.sender, previous, newValue, tag);
    }

    function context() external view returns (uint256 timestamp, uint256 number, address sender, uint256 chainId) {
        return (block.timestamp, block.number, msg.sender, block.chainid);
    }

    function balanceOf(address account) external view returns (uint256) {
        return account.balance;
    }

    function deposit() external payable returns (uint256) {
        return address(this).balance;
    }

    function failWithReason(string calldata reason) external pure {
        revert(reason);
    }

    function failWithCustomError(uint256 code, string calldata note) external view {
        revert ProbeFailed(code, msg.sender, note);
    }

    function failEmpty() external pure {
        revert();
    }

    function failWithPanic(uint256 index) external view returns (uint256) {
        return _items[index];
    }

    function divide(uint256 a, uint256 b) external pure returns (uint256) {
        return a / b;
    }

    function burnGas() external {
        while (true) {
            _items.push(block.number);
        }
    }

    function invalid() external pure {
        assembly {
            invalid()
        }
    }
}
