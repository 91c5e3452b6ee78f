"""Testing support: the pytest plugin, ``reverts``, and the backend conformance suite."""

from sim.testing.reverts import reverts

__all__ = ["reverts"]
