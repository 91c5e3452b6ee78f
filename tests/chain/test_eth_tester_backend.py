"""The eth-tester backend passes the backend conformance suite."""

from sim.chain.eth_tester import EthTesterBackend
from sim.testing.conformance import GENESIS, BackendConformance


class TestEthTesterConformance(BackendConformance):
    @classmethod
    def make_backend(cls):
        return EthTesterBackend(genesis_timestamp=GENESIS)
