"""The chain layer: backends behind one interface, artifacts, ABI, typed reverts."""

from sim.chain.artifacts import Artifact
from sim.chain.backend import Backend, Capabilities
from sim.chain.chain import BACKENDS, Chain, Receipt, make_backend, register_artifact
from sim.chain.contract import Contract
from sim.chain.events import Event

__all__ = [
    "Artifact",
    "BACKENDS",
    "Backend",
    "Capabilities",
    "Chain",
    "Contract",
    "Event",
    "Receipt",
    "make_backend",
    "register_artifact",
]
