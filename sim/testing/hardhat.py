"""A real Hardhat node for the rpc backend: started on a free port, stopped afterwards.

Runs ``npx hardhat node --hostname 127.0.0.1`` in ``tools/hardhat`` (Hardhat pinned in its
package.json; ``npm ci`` there installs it)::

    with HardhatNode() as node:
        chain = Chain("rpc", url=node.url, genesis_timestamp=start - 1)
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from sim.errors import BackendUnavailable

PROJECT = Path(__file__).resolve().parents[2] / "tools" / "hardhat"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class HardhatNode:
    """A Hardhat dev node process; a context manager."""

    def __init__(self, *, initial_date: str = "2020-01-01T00:00:00Z", startup_seconds: float = 90.0) -> None:
        self.initial_date = initial_date
        self.startup_seconds = startup_seconds
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen | None = None

    @staticmethod
    def available() -> str | None:
        """None when a node can be started here, else the reason it cannot."""
        if shutil.which("npx") is None:
            return "Node.js (npx) is not installed"
        if not (PROJECT / "node_modules" / "hardhat").is_dir():
            return f"Hardhat is not installed: run `npm ci` in {PROJECT}"
        return None

    def start(self) -> HardhatNode:
        reason = self.available()
        if reason:
            raise BackendUnavailable(reason)
        env = {**os.environ, "TOKENSIM_INITIAL_DATE": self.initial_date}
        self._process = subprocess.Popen(
            ["npx", "hardhat", "node", "--hostname", "127.0.0.1", "--port", str(self.port)],
            cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )
        deadline = time.monotonic() + self.startup_seconds
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BackendUnavailable(f"hardhat node exited: {self._process.stderr.read().decode()[-500:]}")
            if self._answers():
                return self
            time.sleep(0.25)
        self.stop()
        raise BackendUnavailable(f"hardhat node did not answer on {self.url} within {self.startup_seconds:g} s")

    def _answers(self) -> bool:
        request = urllib.request.Request(
            self.url, data=json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                return "result" in json.loads(response.read())
        except OSError:
            return False

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
        self._process = None

    def __enter__(self) -> HardhatNode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
