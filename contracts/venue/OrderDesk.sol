// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice What the desk reads of a security or cash token.
interface IAvailableBalance {
    function availableBalanceOf(address holder) external view returns (uint256);
}

/// @notice What the desk reads of the price oracle.
interface IPriceRead {
    function priceOf(address asset) external view returns (uint256 price, uint64 updatedAt);
}

/// @notice What the desk reads of an omnibus custody vault.
interface IPositionRead {
    function positionOf(address token, address client) external view returns (uint256 available, uint256 reserved);
}

/// @title OrderDesk
/// @notice A trader's order desk, in one read: the oracle's price of the security (or the
/// error its `priceOf` refuses with when the price is stale or missing) and what the trader
/// can spend now, shares and cash, as the separate reads would give them.
/// @dev Read-only and stateless: it holds nothing, has no owner and no roles, and writes
/// nothing, so it can move nothing. A venue calls `orderView` once per order instead of
/// `priceOf`, the security's `availableBalanceOf` and the cash token's `availableBalanceOf`
/// (or the custody vault's `positionOf` for both, for a client of an omnibus custodian).
/// The figures are those reads' results at the same block; a refused price does not stop
/// the balances being read (the caller decides what a refusal means).
contract OrderDesk {
    /// @notice The view of `trader` placing an order in `asset` priced by `oracle`.
    /// @param oracle The price oracle.
    /// @param asset What the oracle prices (the security token).
    /// @param security Where the trader's deliverable shares are read (`availableBalanceOf`;
    /// the token itself, or the contract that holds its settlement holds).
    /// @param cash The cash token.
    /// @param vault The omnibus vault keeping `trader`'s positions, or the zero address when
    /// the trader holds in its own wallet.
    /// @param trader The trader's wallet (with a vault: the client's address in its books).
    /// @return priced Whether the oracle gave a fresh price (`priceOf` did not revert).
    /// @return price The oracle's price (zero when refused).
    /// @return priceRefusal The revert data of `priceOf` when it refused (empty otherwise).
    /// @return securityAvailable Units of the security the trader can deliver now.
    /// @return cashAvailable Units of the cash token the trader can pay now.
    /// @dev Flat return values, not a struct: a flat (words and one bytes) tuple is what
    /// the Python side decodes on its fast path.
    function orderView(
        IPriceRead oracle,
        address asset,
        address security,
        address cash,
        IPositionRead vault,
        address trader
    )
        external
        view
        returns (bool priced, uint256 price, bytes memory priceRefusal, uint256 securityAvailable, uint256 cashAvailable)
    {
        try oracle.priceOf(asset) returns (uint256 fresh, uint64) {
            (priced, price) = (true, fresh);
        } catch (bytes memory refusal) {
            priceRefusal = refusal;
        }
        if (address(vault) == address(0)) {
            securityAvailable = IAvailableBalance(security).availableBalanceOf(trader);
            cashAvailable = IAvailableBalance(cash).availableBalanceOf(trader);
        } else {
            (securityAvailable,) = vault.positionOf(asset, trader);
            (cashAvailable,) = vault.positionOf(cash, trader);
        }
    }
}
