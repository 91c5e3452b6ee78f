"""The world of a run: one chain, one clock, one recorder, one registry of participants.

Every part of a run (the securities lifecycle, collateral and margin, the taxonomy) lives
in the same world. The world owns what they share:

- the SimPy environment and the clock: ``now()`` is the chain time of the simulation's
  present (``start + env.now``); ``sync()`` moves the chain's clock there before an act;
  the environment has a brake (``Environment.stop``) that a run pulls when interrupted;
- the chain, created at the scenario's start when the run sets up;
- the recorder (``events.jsonl``);
- one random stream per named component: ``rng("venue")`` is the same stream in every run
  with the same seed, whatever else the world holds;
- the participants: each investor or firm is one ``Participant`` with one identity and one
  wallet, whatever roles it plays (an offering's investor, a custody client, a margin
  account holder, a token holder), registered once and found by label or wallet;
- the role accounts (the issuer, the clearing agent, the margin desk...) handed out to the
  parts in set-up order;
- services one part offers the others (``provide``/``service``): the securities lifecycle
  offers its security token, identity registry and cash token; the margin part uses them
  when its section names the security token.

Parts meet here and through SimPy's events, stores and interrupts, never through each
other's attributes::

    world.participants.by_label("inv-0001").wallet
    world.service("security").token
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import simpy
from simpy.core import StopSimulation

from sim.errors import ConfigError

T = TypeVar("T")

if TYPE_CHECKING:
    from sim.chain import Chain
    from sim.contracts import Identity
    from sim.report.recorder import Recorder


class Environment(simpy.Environment):
    """SimPy's environment with a brake: after ``stop()``, ``run`` returns before its next
    step, so the step under way finishes its acts (a transaction sent is recorded) and no
    process is left half-way through one. ``stop`` only sets a flag: it is safe to call from
    a signal handler or another thread.
    """

    def __init__(self) -> None:
        super().__init__()
        self.stopping = False

    def stop(self) -> None:
        """Make ``run`` return before its next step (and at once from any later call)."""
        self.stopping = True

    def step(self) -> None:
        if self.stopping:
            raise StopSimulation(None)  # Environment.run returns
        super().step()


@dataclass(eq=False)
class Participant:
    """An investor or a firm of the world: one identity, one wallet, whatever roles it plays.

    Attributes:
        label: unique in the world (``inv-0001``, ``dealer``, ``hedge-cross``, ``team-1``).
        group: the population, investor group or account spec it comes from.
        wallet: the address it signs with (empty until onboarded).
        identity: its record in the identity registry, when it has one.
        mode: how it holds securities: ``self`` (own wallet), ``segregated`` (a wallet its
            custodian operates) or ``omnibus`` (its custodian's vault is the holder of record).
        custody: its custodian's on-chain presence, when not ``self``.
        active: False while it has lost its keys.
        lost_wallets: wallets it held before a recovery.
        orders_per_day, cash_cents, subscription_cents: its appetite in the securities market.
    """

    label: str
    group: str
    wallet: str = ""
    identity: Identity | None = None
    mode: str = "self"
    custody: Any = None
    active: bool = True
    lost_wallets: list[str] = field(default_factory=list)
    orders_per_day: float = 0.0
    cash_cents: int = 0
    subscription_cents: int = 0

    @property
    def party(self) -> str:
        """The on-chain account that holds for it and is party to its settlements."""
        if self.mode == "omnibus":
            assert self.custody is not None and self.custody.vault is not None
            return self.custody.vault.address
        return self.wallet

    @property
    def investor_type(self) -> str | None:
        return None if self.identity is None else self.identity.investor_type

    def __repr__(self) -> str:
        return f"<Participant {self.label} {self.wallet[:10]}>"


class Participants:
    """The world's registry of participants (Mesa's agent registry, for wallets)."""

    def __init__(self) -> None:
        self._all: list[Participant] = []
        self._by_label: dict[str, Participant] = {}
        self._by_wallet: dict[str, Participant] = {}

    def add(self, participant: Participant) -> Participant:
        if participant.label in self._by_label:
            raise ConfigError(f"two participants are labelled {participant.label!r}")
        self._all.append(participant)
        self._by_label[participant.label] = participant
        if participant.wallet:
            self._by_wallet[participant.wallet] = participant
        return participant

    def onboarded(self, participant: Participant, wallet: str) -> None:
        """``participant`` acts from ``wallet`` from now on (its first, or a recovered one)."""
        if participant.wallet:
            participant.lost_wallets.append(participant.wallet)
        participant.wallet = wallet
        self._by_wallet[wallet] = participant

    def by_label(self, label: str) -> Participant:
        return self._by_label[label]

    def by_wallet(self, wallet: str) -> Participant | None:
        """The participant that holds or held ``wallet`` (None for a vault, a contract...)."""
        return self._by_wallet.get(wallet)

    def in_group(self, group: str) -> list[Participant]:
        return [p for p in self._all if p.group == group]

    def __iter__(self):
        return iter(self._all)

    def __len__(self) -> int:
        return len(self._all)


class World:
    """What the parts of one run share (see the module's docstring).

    Args:
        seed: the run's seed.
        start: Unix time of the scenario's start.
        end_seconds: simulated seconds until the end.
    """

    def __init__(self, *, seed: int, start: int, end_seconds: float) -> None:
        self.seed = seed
        self.start = start
        self.end_seconds = end_seconds
        self.env = Environment()
        self.participants = Participants()
        self.chain: Chain
        self.recorder: Recorder
        self.failure: str | None = None  # why the run failed or was interrupted, once it has
        self.sample_now: Callable[[], dict[str, dict[str, Any]]]  # the run's sampler (``Run.sample``)
        self._accounts_taken = 0
        self._services: dict[str, Any] = {}

    # ------------------------------------------------------------------- clock

    def rng(self, name: str) -> np.random.Generator:
        """The random stream of the component called ``name`` (same seed, same stream)."""
        return np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(zlib.crc32(name.encode()),)))

    def now(self) -> int:
        """Absolute time (Unix seconds) of the simulation's present."""
        return self.start + int(self.env.now)

    def sync(self) -> None:
        """Move the chain's clock to the simulation's present."""
        self.chain.warp(self.now())

    def at_the_end(self, read: Callable[[], T], default: T) -> T:
        """What ``read`` finds on the chain for the summary. After a failure the chain may be
        what failed: then a read that raises gives ``default`` and the summary keeps what the
        event log says; in a run that did not fail, it raises like any other bug."""
        if self.failure is None:
            return read()
        try:
            return read()
        except Exception:
            return default

    # --------------------------------------------------------------- accounts

    def role_accounts(self, count: int) -> list[str]:
        """The next ``count`` of the chain's funded accounts, for a part's roles (the first
        part set up gets the first ones)."""
        first = self._accounts_taken
        accounts = self.chain.accounts[first : first + count]
        if len(accounts) < count:
            accounts = [*accounts, *(self.chain.new_account() for _ in range(count - len(accounts)))]
        self._accounts_taken += count
        return list(accounts)

    # --------------------------------------------------------------- services

    def provide(self, name: str, service: Any) -> None:
        """Offer ``service`` to the other parts under ``name``."""
        if name in self._services:
            raise ConfigError(f"two parts provide the world's {name!r}")
        self._services[name] = service

    def service(self, name: str) -> Any:
        """The service another part provides under ``name`` (``KeyError`` when none does)."""
        try:
            return self._services[name]
        except KeyError:
            raise KeyError(f"no part of this world provides {name!r}") from None

    def has(self, name: str) -> bool:
        return name in self._services


__all__ = ["Environment", "Participant", "Participants", "World"]
