"""What the token's compliance announces, recorded as it happens (the 12(g) test).

Section 12(g)(1)(A) tests holders of record on the last day of the issuer's fiscal year. At
each fiscal year-end the watch asks the holder-limit module to assess it
(``assess_year_end``, ``assessYearEnd``), and records the module's ``YearEndAssessed`` as a
``section_12g_year_end`` record (holders, non-accredited holders, whether exempt-offering
holders are excluded, whether registration is required). The module's instant
``HoldersOfRecordThresholdReached`` is an early warning only, recorded as
``section_12g_flag`` right after the act that caused it. Both are picked from every receipt
(a ``Chain.on_receipt`` listener).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from eth_hash.auto import keccak

from sim.calendar import iso
from sim.engine.actor import Actor
from sim.scenario.base import MAX_DAYS

if TYPE_CHECKING:
    from sim.chain.backend import RawReceipt
    from sim.engine.part import Part
    from sim.parts.securities.system import System

SECTION_12G = keccak(b"HoldersOfRecordThresholdReached(uint256,uint256,uint256,uint256)")
YEAR_END = keccak(b"YearEndAssessed(uint64,uint256,uint256,bool,bool)")


class ComplianceWatch(Actor):
    """Listens to receipts and the event log (actor ``compliance``)."""

    name = "compliance"

    def __init__(self, part: Part, system: System) -> None:
        super().__init__(part)
        module = system.modules.get("holder-limit")
        self.system = system
        self.holder_limit = module
        self.year_ends: list[dict[str, Any]] = []
        """Each fiscal year-end assessed: its date, the counts, and whether registration is required."""
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
                        "early_warning": True,
                        "holders": holders, "non_accredited_holders": non_accredited,
                        "holders_threshold": threshold, "non_accredited_threshold": non_accredited_threshold,
                    })
                )
            elif log.address == self._module and log.topics[0] == YEAR_END:
                year_end, holders, non_accredited, excluded, required = (
                    int.from_bytes(log.data[i : i + 32], "big") for i in range(0, 160, 32)
                )
                fields = {
                    "year_end": iso(year_end), "holders": holders, "non_accredited_holders": non_accredited,
                    "exempt_holders_excluded": bool(excluded), "registration_required": bool(required),
                }
                self.year_ends.append(fields)
                self._notices.append(("section_12g_year_end", fields))

    def assess_year_ends(self) -> Iterator[Any]:
        """At each fiscal year-end within the run, have the module assess it (anyone may; the
        issuer does), and record what it found."""
        module = self.holder_limit
        if module is None:
            return
        start, end = self.world.start, self.world.start + self.world.end_seconds
        month = int(module.fiscalYearEndMonth())
        first = datetime.fromtimestamp(start, UTC).year
        for year in range(first, first + MAX_DAYS // 365 + 2):
            after = date(year + (month == 12), month % 12 + 1, 1)
            year_end = int(datetime(after.year, after.month, 1, tzinfo=UTC).timestamp())
            if year_end <= start:
                continue
            if year_end >= end:
                return
            yield self.env.timeout(year_end - start - self.env.now)
            self.act("assess_year_end", lambda: module.assessYearEnd(sender=self.system.issuer))
            notices, self._notices = self._notices, []
            for act, fields in notices:
                self.record(act, **fields)

    def flush(self, record: dict[str, Any]) -> None:
        """Write queued notices right after the record of the act that caused them."""
        if record["actor"] == self.name or not self._notices:
            return
        notices, self._notices = self._notices, []
        for act, fields in notices:
            self.record(act, **fields)
