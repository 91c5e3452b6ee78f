"""The rpc backend on a real Hardhat node passes the conformance suite; bad nodes fail clearly."""

from __future__ import annotations

import pytest

from sim.chain.rpc import RpcBackend
from sim.errors import BackendUnavailable
from sim.testing.conformance import GENESIS, BackendConformance
from sim.testing.hardhat import HardhatNode

pytestmark = pytest.mark.skipif(HardhatNode.available() is not None, reason=str(HardhatNode.available()))


@pytest.fixture(scope="module")
def node():
    with HardhatNode() as running:
        yield running


class TestRpcConformance(BackendConformance):
    @pytest.fixture(autouse=True)
    def _node(self, node):
        type(self).url = node.url

    @classmethod
    def make_backend(cls):
        return RpcBackend(url=cls.url, genesis_timestamp=GENESIS, isolate=True)


def test_an_unreachable_url_is_named():
    with pytest.raises(BackendUnavailable, match=r"cannot reach the RPC node at http://127.0.0.1:9"):
        RpcBackend(url="http://127.0.0.1:9")


def test_a_node_past_the_start_is_refused(node):
    with pytest.raises(BackendUnavailable, match="after the run's start .* start it with an earlier initial date"):
        RpcBackend(url=node.url, genesis_timestamp=1_000_000_000)


def test_a_shipped_scenario_gives_the_same_events_and_state_on_rpc_and_revm(node, tmp_path):
    from sim.engine import Run
    from sim.scenario import load, shipped

    scenario = load(shipped()["reg_cf_crowdfunding"])
    rpc = RpcBackend(url=node.url, genesis_timestamp=scenario.start_timestamp - 1, isolate=True)
    on_node = Run(scenario, backend=rpc).run(out_dir=tmp_path / "rpc")
    rpc.close()
    fast = Run(scenario, backend="revm").run(out_dir=tmp_path / "revm")
    assert on_node.status == fast.status == "done"
    assert (tmp_path / "rpc" / "events.jsonl").read_bytes() == (tmp_path / "revm" / "events.jsonl").read_bytes()
    assert on_node.summary["state_digest"] == fast.summary["state_digest"]


def test_the_cli_names_an_unreachable_rpc_url_and_exits_2(tmp_path):
    from typer.testing import CliRunner

    from sim.cli import app

    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", "reg_cf_crowdfunding", "--backend", "rpc", "--rpc-url", "http://127.0.0.1:9", "--out", str(out)])
    assert result.exit_code == 2
    assert "cannot reach the RPC node at http://127.0.0.1:9" in " ".join(result.output.split())
    assert not out.exists()


class _PlainNode:
    """A JSON-RPC server like a private chain without dev methods: it knows chain id, version
    and blocks, and answers anything else 'method not found'."""

    def __init__(self) -> None:
        import http.server
        import json
        import threading

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                answers = {
                    "eth_chainId": "0x1",
                    "web3_clientVersion": "PlainNode/1.0",
                    "eth_getBlockByNumber": {"timestamp": "0x0", "baseFeePerGas": "0x0", "number": "0x0"},
                }
                if request["method"] in answers:
                    body = {"jsonrpc": "2.0", "id": request["id"], "result": answers[request["method"]]}
                else:
                    body = {"jsonrpc": "2.0", "id": request["id"],
                            "error": {"code": -32601, "message": f"the method {request['method']} does not exist"}}
                payload = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def test_a_node_without_a_needed_method_is_named():
    plain = _PlainNode()
    try:
        with pytest.raises(BackendUnavailable, match=f"the node at {plain.url} does not support evm_snapshot"):
            RpcBackend(url=plain.url)
    finally:
        plain.close()
