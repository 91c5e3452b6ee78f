// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IDvPSettlement
/// @notice What a participant contract (a custody vault) needs of the settlement contract.
interface IDvPSettlement {
    enum Status {
        None,
        Pending,
        Settled,
        Cancelled,
        BoughtIn
    }

    struct Instruction {
        address seller;
        address buyer;
        address securityToken;
        address cashToken;
        uint256 quantity;
        uint256 amount;
        uint64 settleBy;
        uint64 instructedAt;
        uint32 failDays;
        Status status;
        bool sellerAffirmed;
        bool buyerAffirmed;
        bytes32 tradeRef;
    }

    function instruction(uint256 id) external view returns (Instruction memory);

    function statusOf(uint256 id) external view returns (Status);
    function affirm(uint256 id, bool asSeller) external;
}
