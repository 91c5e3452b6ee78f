"""``Handoff``: a SimPy store whose consumer takes an item in the instant it is put.

A trade made by a venue goes to the clearing agent as a ``Store.put``. With a plain store,
the clearing agent would take it after everything else already scheduled for that
instant (a sample of the metrics, a price update); in a market the hand-off happens within
the match, before anything else can look. A ``Handoff`` schedules the taking of an item
urgently: the consumer runs as soon as the producer's step ends, ahead of the instant's
other events, and takes the items in the order they were put. (A store hands an item to
a waiting consumer when its put event is processed, so both the put and the get succeed
urgently.)
"""

from __future__ import annotations

import simpy
from simpy.core import URGENT
from simpy.resources.store import StoreGet, StorePut


class Handoff(simpy.Store):
    """A store whose ``put`` and ``get`` succeed urgently (see the module's docstring)."""

    def _do_put(self, event: StorePut) -> None:
        if len(self.items) < self._capacity:
            self.items.append(event.item)
            event._ok = True
            event._value = None
            self._env.schedule(event, URGENT)

    def _do_get(self, event: StoreGet) -> None:
        if self.items:
            # Event.succeed, scheduled with URGENT instead of NORMAL priority.
            event._ok = True
            event._value = self.items.pop(0)
            self._env.schedule(event, URGENT)


__all__ = ["Handoff"]
