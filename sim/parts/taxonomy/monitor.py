"""The monitor: records missed disclosures and assesses each ATS's fair-access duty.

One second after each disclosure update falls due, the monitor records it as missed if it
was not made (``SafeHarborRegistry.recordMissedDisclosure``: each further interval without
one is another miss). At the start of every calendar month it reads each venue's share of
the token's volume in the month just ended and asks the ``VenueRegistry`` to assess each
ATS's fair-access duty (Reg ATS, 17 CFR 242.301(b)(5)(i): a share at the threshold in enough of the
preceding months); a duty that starts or lapses is noted.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sim.calendar import DAY, iso
from sim.contracts.taxonomy import HarborStatus
from sim.engine.actor import Actor

if TYPE_CHECKING:
    from sim.engine.part import Part
    from sim.scenario.taxonomy import TaxonomySection


def month_of(timestamp: int) -> int:
    """``VenueRegistry.monthOf``: year * 12 + month - 1 (UTC)."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.year * 12 + moment.month - 1


def month_label(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def next_month_start(timestamp: int) -> int:
    month = month_of(timestamp) + 1
    return int(datetime(month // 12, month % 12 + 1, 1, tzinfo=UTC).timestamp())


class Monitor(Actor):
    """Actor ``monitor`` (it acts with the regulator's account).

    Args:
        part: the taxonomy part.
        section: the scenario's ``taxonomy`` section.
        regulator: the regulator's account.
        token, harbor, venues: the token, the safe-harbor registry (or None), the venue registry.
        venue_address: each venue's account, by name.
        unit: token units per whole token.
        plot_events: where missed disclosures are noted for the plots.
    """

    name = "monitor"

    def __init__(
        self, part: Part, section: TaxonomySection, *, regulator: str, token: Any, harbor: Any, venues: Any,
        venue_address: dict[str, str], unit: int, plot_events: list[dict[str, Any]],
    ) -> None:
        super().__init__(part)
        self.section = section
        self.regulator = regulator
        self.token, self.harbor, self.venues = token, harbor, venues
        self.venue_address = venue_address
        self.unit = unit
        self.plot_events = plot_events
        self.missed = 0
        self.venue_months: list[dict[str, Any]] = []
        self.fair_access_flags: list[dict[str, Any]] = []

    def watch_disclosures(self) -> Iterator[Any]:
        """One second after each due time, record the period's update as missed if it was not
        made (each further period without one is another miss)."""
        assert self.harbor is not None
        end = self.world.end_seconds
        while True:
            running = self.harbor.status(self.token) == HarborStatus.RUNNING
            due = self.harbor.nextDisclosureDue(self.token) if running else 0
            if due == 0:  # none due (none left before the window ends, or not running)
                if not running and self.harbor.status(self.token) != HarborStatus.NONE:
                    return
                wake = max(self.env.now + DAY, self.harbor.windowEnd(self.token) - self.world.start + 1)
                if wake >= end:
                    return
                yield self.env.timeout(wake - self.env.now)
                continue
            at = due - self.world.start + 1
            if at >= end:
                return
            yield self.env.timeout(max(0, at - self.env.now))
            self.world.sync()
            if self.harbor.status(self.token) == HarborStatus.RUNNING and self.harbor.nextDisclosureDue(self.token) == due:
                recorded = self.act("disclosure_missed",
                                    lambda: self.harbor.recordMissedDisclosure(self.token, sender=self.regulator),
                                    due=iso(due))
                if recorded:
                    self.missed += 1
                    self.plot_events.append({"day": self.env.now / DAY, "kind": "missed"})

    def assess_fair_access(self) -> Iterator[Any]:
        """At the start of each calendar month: each venue's share of last month's volume,
        and each ATS's fair-access duty assessed on chain."""
        ats = [v.name for v in self.section.venues if v.registration == "ats"]
        while True:
            nxt = next_month_start(self.world.now()) - self.world.start
            if nxt >= self.world.end_seconds:
                return
            yield self.env.timeout(nxt - self.env.now)
            self.world.sync()
            month = month_of(self.world.now())
            for venue in self.section.venues:
                address = self.venue_address[venue.name]
                volume = self.venues.volumeOf(address, self.token, month - 1)
                if volume:
                    self.venue_months.append({
                        "month": month_label(month - 1), "venue": venue.name,
                        "share_pct": self.venues.shareBp(address, self.token, month - 1) / 100,
                        "volume_tokens": volume // self.unit,
                    })
            for name in ats:
                address = self.venue_address[name]
                before = self.venues.fairAccessDuty(address, self.token)
                assessed = self.act("assess_fair_access",
                                    lambda a=address: self.venues.assessFairAccess(a, self.token, sender=self.regulator),
                                    venue=name, rule=self.section.fair_access.model_dump(mode="json"))
                after = self.venues.fairAccessDuty(address, self.token)
                if assessed and after != before:
                    count = self.venues.monthsAtThreshold(address, self.token, month)
                    self.fair_access_flags.append({
                        "venue": name, "month": month_label(month), "day": round(self.env.now / DAY, 4),
                        "duty": after, "months_at_threshold": count,
                    })
