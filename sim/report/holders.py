"""Holders of record, indexed from the token's ``Transfer`` logs as transactions land.

Reading every investor's balance each time a report needs the holders costs one EVM call
per investor; an indexer that follows the token's own ``Transfer(from, to, value)`` events
knows the same thing at no cost. ``HolderIndex`` subscribes to the chain's receipts and
keeps each account's balance; ``tests/engine`` checks it against ``balanceOf`` at the end of
a run.
"""

from __future__ import annotations

from eth_hash.auto import keccak

from sim.chain.abi import checksum
from sim.chain.backend import RawReceipt

TRANSFER = keccak(b"Transfer(address,address,uint256)")
ZERO = b"\x00" * 20


class HolderIndex:
    """Balances of one token by account, from its Transfer logs."""

    def __init__(self, token_address: str) -> None:
        self.token = bytes.fromhex(token_address[2:])
        self.balances: dict[bytes, int] = {}
        self._names: dict[bytes, str] = {}  # checksum address of each account seen, made once

    def __call__(self, receipt: RawReceipt) -> None:
        for log in receipt.logs:
            if log.address != self.token or len(log.topics) != 3 or log.topics[0] != TRANSFER:
                continue
            sender, recipient = log.topics[1][12:], log.topics[2][12:]
            value = int.from_bytes(log.data, "big")
            if sender != ZERO:
                left = self.balances.get(sender, 0) - value
                if left:
                    self.balances[sender] = left
                else:
                    self.balances.pop(sender, None)
            if recipient != ZERO:
                self.balances[recipient] = self.balances.get(recipient, 0) + value

    def holders(self) -> list[tuple[str, int]]:
        """(checksum address, balance) of every holder, in order of first holding."""
        names = self._names
        out = []
        for account, balance in self.balances.items():
            name = names.get(account)
            if name is None:
                name = names[account] = checksum("0x" + account.hex())
            out.append((name, balance))
        return out
