"""What the taxonomy part's actors share: the token's ledger and its class history.

``Ledger`` keeps each wallet's token units and cash units as the acts that succeed move them
(every sample checks it against the chain: a difference fails the run). ``ClassHistory``
keeps the token's class from registration on; listeners hear of each reclassification at
once, in the act that made it (the holders' reaction to the token becoming a security
starts there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.contracts.assets import AssetClass

SECURITY_CLASSES = {"tokenized_security", "government_security", "money_market_fund", "equity", "security_based_swap"}
"""The classes that are securities (``VenueRegistry.SECURITY_CLASSES``)."""


def class_name(value: int) -> str:
    return AssetClass(value).name.lower()


class Ledger:
    """Token and cash units by wallet, from the acts that succeed."""

    def __init__(self, unit: int) -> None:
        self.unit = unit
        self.tokens: dict[str, int] = {}
        self.cash: dict[str, int] = {}

    def whole(self, tokens: float) -> int:
        """Units of ``tokens`` whole tokens."""
        return int(tokens) * self.unit

    def move_tokens(self, sender: str, recipient: str, units: int) -> None:
        self.tokens[sender] -= units
        self.tokens[recipient] += units

    def pay(self, payer: str, payee: str, units: int) -> None:
        self.cash[payer] -= units
        self.cash[payee] += units


class ClassHistory:
    """The token's classes, oldest first, and who listens for a change."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.listeners: list[Callable[[str], None]] = []

    @property
    def current(self) -> str:
        return self.entries[-1]["class"]

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, seconds: float, time: str, asset_class: str, by: str) -> None:
        """The token is of ``asset_class`` from ``seconds`` into the run (``time``), ``by``
        registration, an exit report or a ruling; a change after the first is told to every
        listener."""
        self.entries.append({"day": round(seconds / 86_400, 4), "time": time, "class": asset_class, "by": by})
        if len(self.entries) > 1:
            for listener in self.listeners:
                listener(asset_class)
