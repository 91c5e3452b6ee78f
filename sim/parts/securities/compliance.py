"""What the token's compliance announces, recorded as it happens (the 12(g) flag).

The holder-limit module emits ``HoldersOfRecordThresholdReached`` when a transfer takes the
token's holders of record to the Section 12(g) thresholds. The watch picks that log from
every receipt (a ``Chain.on_receipt`` listener) and writes a ``section_12g_flag`` record
right after the record of the act that caused it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eth_hash.auto import keccak

from sim.engine.actor import Actor

if TYPE_CHECKING:
    from sim.chain.backend import RawReceipt
    from sim.engine.part import Part
    from sim.parts.securities.system import System

SECTION_12G = keccak(b"HoldersOfRecordThresholdReached(uint256,uint256,uint256,uint256)")


class ComplianceWatch(Actor):
    """Listens to receipts and the event log (actor ``compliance``)."""

    name = "compliance"

    def __init__(self, part: Part, system: System) -> None:
        super().__init__(part)
        module = system.modules.get("holder-limit")
        self._module = bytes.fromhex(module.address[2:]) if module is not None else None
        self._notices: list[tuple[str, dict[str, Any]]] = []
        if self._module is not None:
            self.world.chain.on_receipt(self.watch)
        self.world.recorder.subscribe(self.flush)

    def watch(self, receipt: RawReceipt) -> None:
        """Queue what the compliance modules announce (the 12(g) flag) as it happens."""
        for log in receipt.logs:
            if log.address == self._module and log.topics[0] == SECTION_12G:
                holders, non_accredited, threshold, non_accredited_threshold = (
                    int.from_bytes(log.data[i : i + 32], "big") for i in range(0, 128, 32)
                )
                self._notices.append(
                    ("section_12g_flag", {
                        "holders": holders, "non_accredited_holders": non_accredited,
                        "holders_threshold": threshold, "non_accredited_threshold": non_accredited_threshold,
                    })
                )

    def flush(self, record: dict[str, Any]) -> None:
        """Write queued notices right after the record of the act that caused them."""
        if record["actor"] == self.name or not self._notices:
            return
        notices, self._notices = self._notices, []
        for act, fields in notices:
            self.record(act, **fields)
