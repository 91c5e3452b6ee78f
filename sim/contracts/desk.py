"""The venue's order desk: one read per order instead of three (``contracts/venue/OrderDesk.sol``).

An order needs the oracle's price of the security (refused when stale) and what the trader
can spend now, shares and cash. Read separately that is three calls (``priceOf`` and two
``availableBalanceOf``, or the custody vault's ``positionOf`` twice); ``OrderDesk.orderView``
makes the same reads inside the EVM and returns them together, the price's refusal as the
revert data ``priceOf`` gave, decoded here into the same typed error the separate call raises.
The desk is read-only and stateless: it holds nothing and can move nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.chain.chain import Chain
from sim.chain.contract import Contract
from sim.chain.reverts import ContractRevert, decode_revert
from sim.errors import ConfigError

ZERO_ADDRESS = "0x" + "00" * 20


@dataclass(frozen=True)
class OrderView:
    """What a trader's order needs, read at one block."""

    price: int | None
    """The oracle's price (oracle units), or None when ``priceOf`` refused."""
    refusal: ContractRevert | None
    """The typed error ``priceOf`` refused with (None when priced)."""
    security_available: int
    """Units of the security the trader can deliver now."""
    cash_available: int
    """Units of the cash token the trader can pay now."""


class OrderDesk(Contract):
    """Handle on an ``OrderDesk``, bound to one market (oracle, security, cash)."""

    oracle: str | None = None
    asset: str | None = None
    security: str | None = None
    cash: str | None = None

    def bind(self, *, oracle: Any, asset: Any, security: Any, cash: Any) -> OrderDesk:
        """Fix the market this handle reads: ``oracle`` prices ``asset``; ``security`` gives
        the deliverable shares (the token, or its hold adapter); ``cash`` the cash token."""
        self.oracle, self.asset, self.security, self.cash = (_address(oracle), _address(asset),
                                                             _address(security), _address(cash))
        return self

    def view(self, trader: Any, vault: Any = None) -> OrderView:
        """The price and ``trader``'s available shares and cash (in ``vault``'s books when
        given, else in its own wallet), from one call."""
        if self.oracle is None:
            raise ConfigError("OrderDesk.view: bind the desk to a market first (desk.bind(oracle=, asset=, security=, cash=))")
        priced, price, refusal, shares, cash = self.orderView(
            self.oracle, self.asset, self.security, self.cash,
            ZERO_ADDRESS if vault is None else _address(vault), trader,
        )
        if priced:
            return OrderView(price, None, shares, cash)
        error = decode_revert(refusal)
        error.context = "PriceOracle.priceOf"  # what refused, as the separate call would name it
        return OrderView(None, error, shares, cash)


def _address(contract: Any) -> str:
    return contract if isinstance(contract, str) else contract.address


def deploy_order_desk(chain: Chain, *, deployer: Any) -> OrderDesk:
    """Deploy an order desk (no constructor arguments, no roles: anyone may read it)."""
    return chain.deploy("OrderDesk", sender=deployer, handle=OrderDesk)  # type: ignore[return-value]
