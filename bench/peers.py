"""Peer benchmark: tokensim's typed handles against raw pyrevm and other Python libraries over revm.

The same workload on every library, in one run:

- the same OpenZeppelin ERC-20 bytecode: the committed ``CashToken`` artifact
  (``sim/artifacts/CashToken.json``: OpenZeppelin Contracts 5 ``ERC20`` + ``ERC20Burnable`` +
  ``AccessControl`` and the project's holds; ``transfer`` and ``balanceOf`` are
  OpenZeppelin's, with the holds' check on the available balance);
- deployed, ``MINTER_ROLE`` granted, 1,000 accounts minted 10**12 each (setup, untimed);
- timed: N transfers (default 20,000) between random pairs of the 1,000 accounts, each
  reading the returned bool, then N ``balanceOf`` calls of random accounts, each reading
  the returned uint256. The pairs, amounts and accounts are drawn once from a fixed seed
  and are the same for every library; each loop gets them in its own natural form
  (hex strings, checksum strings, bytes).

Loops (each in a process of its own, so one library's imports and memory do not weigh
on another's):

- ``raw pyrevm``: pyrevm ``EVM.message_call`` with calldata built inline (selector plus
  two padded words) and the output read with ``int.from_bytes``: the floor;
- ``tokensim``: ``Chain("revm")`` and the typed handle, ``token.transfer(to, amount,
  sender=...)`` / ``token.balanceOf(account)``, with everything it does per transaction
  (nonces, receipts, typed reverts, compaction every 10,000 transactions);
- ``simular-evm``: its typed ``Contract`` API (``token.transfer.transact(to, amount,
  caller=...)``, ``token.balanceOf.call(account)``), which encodes and decodes in Rust;
- ``verbs``: its ABI type (``Abi.transfer.execute(env, sender, token, [to, amount])``,
  ``Abi.balanceOf.call(...)``) on an ``EmptyEnvRandom``.

The peers are not dependencies of the package: they live in a virtual environment of the
benchmark's own (``bench/requirements-peers.txt``)::

    python -m venv bench/.venv-peers
    bench/.venv-peers/bin/pip install -r bench/requirements-peers.txt
    python bench/peers.py [--transfers N] [--rounds R] [--peers-python PATH] [--json PATH]

A peer whose library cannot be imported is skipped with a line saying so. Rounds alternate
the loops (round r starts with loop r), each loop's best round is kept; the final balances
of every loop are checked equal to the expected ones. Ratios are time per operation
against raw pyrevm's (lower is better). Last, the speed goals of tokensim's typed handles
(``TRANSFER_GOAL`` and ``CALL_GOAL``, ahead of simular-evm's 1.56x / 1.31x measured on
this loop) are printed as reached or not yet; they do not change the exit status.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ARTIFACT = ROOT / "sim" / "artifacts" / "CashToken.json"
PEERS_PYTHON = HERE / ".venv-peers" / "bin" / "python"
ACCOUNTS = 1_000
MINTED = 10**12
SEED = 20
GAS = 30_000_000

TRANSFER_GOAL = 1.5
"""Typed transfers at most this many times raw pyrevm's time per transfer (issue 20)."""
CALL_GOAL = 1.3
"""Typed calls at most this many times raw pyrevm's time per call (issue 20)."""

LOOPS = {
    # name: (label, which python runs it: "self" or "peers")
    "raw_pyrevm": ("raw pyrevm message_call", "self"),
    "tokensim": ("tokensim Chain('revm') typed", "self"),
    "simular": ("simular-evm Contract API", "peers"),
    "verbs": ("verbs ABI execute/call", "peers"),
    "tokensim_base": ("tokensim typed, --baseline-root", "self"),
}


def workload(n: int) -> tuple[list[int], list[tuple[int, int, int]], list[int]]:
    """Account numbers, (sender, recipient, amount) of each transfer, the account of each call."""
    rng = random.Random(SEED)
    accounts = list(range(ACCOUNTS))
    transfers = []
    for _ in range(n):
        a, b = rng.sample(accounts, 2)
        transfers.append((a, b, rng.randint(1, 100)))
    calls = [rng.randrange(ACCOUNTS) for _ in range(n)]
    return accounts, transfers, calls


def address(i: int) -> bytes:
    """The i-th account: 0x1000...0 + i, plain 20 bytes (no key needed: no signatures on revm)."""
    return (0x10 << 152 | (i + 1)).to_bytes(20, "big")


def expected_balances(transfers: list[tuple[int, int, int]]) -> list[int]:
    balances = [MINTED] * ACCOUNTS
    for a, b, amount in transfers:
        balances[a] -= amount
        balances[b] += amount
    return balances


def _timed(step, items) -> float:
    start = time.perf_counter()
    for item in items:
        step(*item)
    return time.perf_counter() - start


# ----------------------------------------------------------------------------- the loops


def loop_raw_pyrevm(artifact: dict, transfers, calls) -> dict:
    from eth_abi import encode
    from pyrevm import EVM, BlockEnv, Env

    evm = EVM(env=Env(block=BlockEnv(number=1, timestamp=1_700_000_000)), gas_limit=GAS)
    admin = "0x" + address(ACCOUNTS + 1).hex()
    evm.set_balance(admin, 10**20)
    init = bytes.fromhex(artifact["bytecode"][2:]) + encode(
        ["string", "string", "uint8", "address", "bool"], ["US Dollar", "USD", 6, admin, False])
    token = evm.deploy(admin, init, 0, GAS)
    sel = {e["name"]: _selector(e) for e in artifact["abi"] if e.get("type") == "function"}
    minter = bytes.fromhex("9f2df0fed2c77648de5860a4cc508cd0818c85b8b8a1ab4ceeef8d981c8956a6")  # keccak("MINTER_ROLE")
    evm.message_call(admin, token, sel["grantRole"] + minter + bytes(12) + bytes.fromhex(admin[2:]), 0, GAS)
    hexes = ["0x" + address(i).hex() for i in range(ACCOUNTS)]
    words = [bytes(12) + address(i) for i in range(ACCOUNTS)]
    for i in range(ACCOUNTS):
        evm.message_call(admin, token, sel["mint"] + words[i] + MINTED.to_bytes(32, "big"), 0, GAS)
    transfer, balance_of = sel["transfer"], sel["balanceOf"]
    call = evm.message_call
    one = (1).to_bytes(32, "big")

    def send(a, b, amount):
        out = call(hexes[a], token, transfer + words[b] + amount.to_bytes(32, "big"), 0, GAS)
        if bytes(out) != one:
            raise AssertionError("transfer returned false")

    def read(a):
        int.from_bytes(bytes(call(admin, token, balance_of + words[a], 0, GAS)), "big")

    t = _timed(send, transfers)
    c = _timed(read, [(a,) for a in calls])
    final = [int.from_bytes(bytes(call(admin, token, balance_of + words[i])), "big") for i in range(ACCOUNTS)]
    return {"transfer_s": t, "call_s": c, "balances": final}


def _selector(entry: dict) -> bytes:
    from eth_hash.auto import keccak

    types = ",".join(_canonical(p) for p in entry["inputs"])
    return keccak(f"{entry['name']}({types})".encode())[:4]


def _canonical(param: dict) -> str:
    if param["type"].startswith("tuple"):
        return "(" + ",".join(_canonical(c) for c in param["components"]) + ")" + param["type"][5:]
    return param["type"]


def loop_tokensim(artifact: dict, transfers, calls) -> dict:
    from sim.chain import Chain  # from PYTHONPATH: this tree, or --baseline-root's
    from sim.chain.abi import checksum

    chain = Chain("revm")
    admin = chain.deployer
    token = chain.deploy("CashToken", "US Dollar", "USD", 6, admin, False, sender=admin)
    token.grantRole(token.MINTER_ROLE(), admin, sender=admin)
    names = [checksum("0x" + address(i).hex()) for i in range(ACCOUNTS)]
    for name in names:
        token.mint(name, MINTED, sender=admin)
    transfer, balance_of = token.transfer, token.balanceOf

    def send(a, b, amount):
        if transfer(names[b], amount, sender=names[a]).return_value is not True:
            raise AssertionError("transfer returned false")

    def read(a):
        balance_of(names[a])

    t = _timed(send, transfers)
    c = _timed(read, [(a,) for a in calls])
    return {"transfer_s": t, "call_s": c, "balances": [balance_of(n) for n in names]}


def loop_simular(artifact: dict, transfers, calls) -> dict:
    from simular import Contract, PyAbi, PyEvm

    evm = PyEvm()
    admin = "0x" + address(ACCOUNTS + 1).hex()
    evm.create_account(admin, 10**20)
    token = Contract(evm, PyAbi.from_abi_bytecode(json.dumps(artifact["abi"]),
                                                   bytes.fromhex(artifact["bytecode"][2:])))
    token.deploy("US Dollar", "USD", 6, admin, False, caller=admin)
    minter = token.MINTER_ROLE.call()
    minter = "0x" + (minter.hex() if isinstance(minter, bytes | bytearray) else str(minter).removeprefix("0x"))
    token.grantRole.transact(minter, admin, caller=admin)
    hexes = ["0x" + address(i).hex() for i in range(ACCOUNTS)]
    for h in hexes:
        token.mint.transact(h, MINTED, caller=admin)

    def send(a, b, amount):
        if token.transfer.transact(hexes[b], amount, caller=hexes[a]).output is not True:
            raise AssertionError("transfer returned false")

    def read(a):
        token.balanceOf.call(hexes[a])

    t = _timed(send, transfers)
    c = _timed(read, [(a,) for a in calls])
    return {"transfer_s": t, "call_s": c, "balances": [int(token.balanceOf.call(h)) for h in hexes]}


def loop_verbs(artifact: dict, transfers, calls) -> dict:
    from verbs.abi import get_abi
    from verbs.envs import EmptyEnvRandom

    env = EmptyEnvRandom(SEED)
    admin = address(ACCOUNTS + 1)
    env.create_account(admin, 10**20)
    abi = get_abi("CashToken", json.loads(json.dumps(artifact["abi"])))
    token = abi.constructor.deploy(env, admin, artifact["bytecode"], ["US Dollar", "USD", 6, admin, False])
    minter = abi.MINTER_ROLE.call(env, admin, token, [])[0][0]
    abi.grantRole.execute(env, admin, token, [minter, admin])
    accounts = [address(i) for i in range(ACCOUNTS)]
    for a in accounts:
        abi.mint.execute(env, admin, token, [a, MINTED])
    transfer, balance_of = abi.transfer, abi.balanceOf

    def send(a, b, amount):
        if transfer.execute(env, accounts[a], token, [accounts[b], amount])[0] != (True,):
            raise AssertionError("transfer returned false")

    def read(a):
        balance_of.call(env, admin, token, [accounts[a]])

    t = _timed(send, transfers)
    c = _timed(read, [(a,) for a in calls])
    return {"transfer_s": t, "call_s": c,
            "balances": [balance_of.call(env, admin, token, [a])[0][0] for a in accounts]}


# ------------------------------------------------------------------------------ harness


def worker(loop: str, n: int) -> None:
    """Run one loop and print its result as one JSON line (the parent reads the last line)."""
    artifact = json.loads(ARTIFACT.read_text())
    _, transfers, calls = workload(n)
    result = globals()[f"loop_{loop.removesuffix('_base')}"](artifact, transfers, calls)
    result["balances_ok"] = result.pop("balances") == expected_balances(transfers)
    print(json.dumps(result))


def probe(python: str, loop: str) -> str | None:
    """None if ``python`` can import what ``loop`` needs, else the reason."""
    module = {"raw_pyrevm": "pyrevm", "tokensim": "pyrevm", "tokensim_base": "pyrevm", "simular": "simular",
              "verbs": "verbs.envs"}[loop]
    if not Path(python).exists():
        return f"no interpreter at {python} (see bench/requirements-peers.txt)"
    done = subprocess.run([python, "-c", f"import {module}"], capture_output=True, text=True, check=False)
    if done.returncode:
        return (done.stderr.strip().splitlines() or ["import failed"])[-1]
    return None


def run_one(python: str, loop: str, n: int, baseline_root: str | None = None) -> dict:
    path = baseline_root if loop == "tokensim_base" else str(ROOT) if LOOPS[loop][1] == "self" else ""
    env = dict(os.environ, PYTHONPATH=path or "")
    done = subprocess.run([python, __file__, "--worker", loop, "--transfers", str(n)],
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise RuntimeError(f"{loop} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transfers", type=int, default=20_000, help="transfers, and as many calls (default 20,000)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds; each loop's best is kept (default 3)")
    parser.add_argument("--peers-python", default=str(PEERS_PYTHON), help="the interpreter with the peers installed")
    parser.add_argument("--loops", default="raw_pyrevm,tokensim,simular,verbs", help="which loops (default: all)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--baseline-root", help="also run the tokensim loop on the tokensim tree at this path "
                        "(e.g. an export of an earlier commit), for before/after in one run")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.transfers)
        return

    pythons = {"self": sys.executable, "peers": args.peers_python}
    loops = []
    names = args.loops.split(",") + (["tokensim_base"] if args.baseline_root else [])
    for loop in names:
        python = pythons[LOOPS[loop][1]]
        reason = probe(python, loop)
        if reason:
            print(f"skipping {LOOPS[loop][0]}: {reason}")
            continue
        loops.append(loop)
    best: dict[str, dict] = {}
    for r in range(args.rounds):
        order = loops[r % len(loops):] + loops[: r % len(loops)]
        for loop in order:
            result = run_one(pythons[LOOPS[loop][1]], loop, args.transfers, args.baseline_root)
            print(f"  round {r + 1}: {loop:<11} transfers {result['transfer_s']:7.3f} s  calls {result['call_s']:7.3f} s"
                  f"  balances {'ok' if result['balances_ok'] else 'WRONG'}", flush=True)
            if not result["balances_ok"]:
                raise SystemExit(f"{loop}: final balances differ from the expected ones")
            kept = best.setdefault(loop, dict(result))
            kept["transfer_s"] = min(kept["transfer_s"], result["transfer_s"])
            kept["call_s"] = min(kept["call_s"], result["call_s"])
    n = args.transfers
    base = best.get("raw_pyrevm")
    print(f"\n{n:,} transfers and {n:,} balanceOf calls among {ACCOUNTS:,} accounts, OpenZeppelin ERC-20 (CashToken);"
          f" best of {args.rounds} alternating rounds")
    print(f"{'loop':<32}{'tx/s':>10}{'calls/s':>10}{'us/tx':>8}{'us/call':>9}{'tx vs raw':>11}{'call vs raw':>13}")
    rows = []
    for loop, result in best.items():
        t, c = result["transfer_s"], result["call_s"]
        row = {"loop": loop, "label": LOOPS[loop][0], "tx_per_s": n / t, "calls_per_s": n / c,
               "tx_ratio": t / base["transfer_s"] if base else None, "call_ratio": c / base["call_s"] if base else None}
        rows.append(row)
        ratios = (f"{row['tx_ratio']:>10.2f}x{row['call_ratio']:>12.2f}x" if base else "")
        print(f"{LOOPS[loop][0]:<32}{n / t:>10,.0f}{n / c:>10,.0f}{t / n * 1e6:>8.1f}{c / n * 1e6:>9.1f}{ratios}")
    goals = []
    ours = next((row for row in rows if row["loop"] == "tokensim"), None)
    if ours is not None and base is not None:
        print(f"\n{'goal (tokensim typed handles vs raw pyrevm)':<46}{'goal':>8}{'now':>9}  reached")
        for label, key, goal in (("transfers", "tx_ratio", TRANSFER_GOAL), ("calls", "call_ratio", CALL_GOAL)):
            reached = ours[key] <= goal
            goals.append({"what": label, "goal": goal, "ratio": round(ours[key], 2), "reached": reached})
            print(f"{label:<46}{f'<= {goal}x':>8}{ours[key]:>8.2f}x  {'yes' if reached else 'not yet'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": platform.platform(), "python": platform.python_version(),
                                         "transfers": n, "rounds": args.rounds, "rows": rows, "goals": goals},
                                        indent=2))


if __name__ == "__main__":
    main()
