"""Logs to named events, for every contract whose artifact is known.

Decoding looks events up by their first topic (the keccak of the signature) and the
number of topics, so ERC-20's ``Transfer(address,address,uint256)`` (three topics) and
any other ``Transfer`` with a different indexing do not collide. Logs no known ABI
describes decode as an ``Event`` named ``"<unknown>"`` with the raw topics and data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.chain.abi import AbiEvent, checksum
from sim.chain.artifacts import Artifact, shipped
from sim.chain.backend import Log

UNKNOWN = "<unknown>"


@dataclass(frozen=True, slots=True)
class Event:
    """A decoded log: ``name``, emitting ``address``, ``args`` by parameter name.

    Arguments read as items or attributes: ``event["to"]`` or ``event.to``.
    """

    name: str
    address: str
    args: dict[str, Any]
    log_index: int

    def __getitem__(self, key: str) -> Any:
        return self.args[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self.args[key]
        except KeyError:
            raise AttributeError(f"event {self.name} has no argument {key!r}") from None


class EventRegistry:
    """Known events by (topic0, topic count)."""

    def __init__(self) -> None:
        self._events: dict[tuple[bytes, int], AbiEvent] = {}
        self._by_name: dict[str, frozenset[tuple[bytes, int]]] = {}  # keys_named, made on first use
        self._loaded = False

    def _ensure_loaded(self) -> None:
        if not self._loaded:
            self._loaded = True
            for artifact in shipped():
                self.register(artifact)

    def register(self, artifact: Artifact) -> None:
        """Add the events of ``artifact``'s ABI; one with the topic of a known event keeps the
        known one (the shipped contracts' are loaded first, so their field names stay)."""
        self._ensure_loaded()
        for entry in artifact.abi:
            if entry.get("type") == "event" and not entry.get("anonymous"):
                event = AbiEvent(entry)
                self._events.setdefault((event.topic0, event.topic_count), event)
        self._by_name.clear()

    def keys_named(self, name: str) -> frozenset[tuple[bytes, int]]:
        """The (topic0, topic count) of every known event called ``name``."""
        self._ensure_loaded()
        keys = self._by_name.get(name)
        if keys is None:
            keys = self._by_name[name] = frozenset(k for k, e in self._events.items() if e.name == name)
        return keys

    def decode(self, log: Log) -> Event:
        self._ensure_loaded()
        address = checksum("0x" + log.address.hex())
        if log.topics:
            event = self._events.get((log.topics[0], len(log.topics)))
            if event is not None:
                return Event(event.name, address, event.decode(log.topics, log.data), log.log_index)
        return Event(UNKNOWN, address, {"topics": log.topics, "data": log.data}, log.log_index)


registry = EventRegistry()
