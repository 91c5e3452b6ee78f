"""The regulator: the token's class at registration, and rulings that reclassify it.

At the start the regulator records the token's class. Each scripted ruling reclassifies the
token in the ``AssetRegistry`` on its day (``reclassify`` with the ruling's reason); from
that moment the token's compliance routes by the new class and the ``VenueRegistry`` lets
only the venue kinds the class permits trade it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sim.calendar import DAY, iso
from sim.contracts.assets import AssetClass
from sim.engine.actor import Actor

if TYPE_CHECKING:
    from sim.engine.part import Part
    from sim.parts.taxonomy.ledger import ClassHistory
    from sim.scenario.taxonomy import Reclassification


class Regulator(Actor):
    """Actor ``regulator``."""

    name = "regulator"

    def __init__(self, part: Part, *, account: str, assets: Any, token: Any, classes: ClassHistory) -> None:
        super().__init__(part)
        self.account = account
        self.assets = assets
        self.token = token
        self.classes = classes

    def classify(self, asset_class: str) -> None:
        """The token's class at registration."""
        self.classes.add(self.env.now, iso(self.world.now()), asset_class, "registration")
        self.record("classify", asset_class=asset_class)

    def rule(self, ruling: Reclassification) -> Iterator[Any]:
        """Reclassify the token on the ruling's day."""
        yield self.env.timeout(ruling.day * DAY)
        ruled = self.act(
            "reclassify",
            lambda: self.assets.reclassify(self.token, int(AssetClass[ruling.to.upper()]),
                                           hashlib.sha256(ruling.reason.encode()).digest(), sender=self.account),
            to=ruling.to, reason=ruling.reason,
        )
        if ruled:
            self.classes.add(self.env.now, iso(self.world.now()), ruling.to, ruling.reason)
