"""The revm backend passes the backend conformance suite."""

from sim.chain.revm import RevmBackend
from sim.testing.conformance import GENESIS, BackendConformance


class TestRevmConformance(BackendConformance):
    @classmethod
    def make_backend(cls):
        return RevmBackend(genesis_timestamp=GENESIS)
