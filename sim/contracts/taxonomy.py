"""The taxonomy router, safe-harbor and venue registries: handles and deployment.

A token's class in the ``AssetRegistry`` routes its rules: ``route_modules`` tells its
``Compliance`` which modules apply to which classes, and the ``VenueRegistry`` lets only the
venue kinds permitted for the class list and trade it. ``SafeHarborRegistry`` runs an exempt
launch (notice, capped sales, disclosures, exit report) and reclassifies the token at its
end::

    assets = deploy_asset_registry(chain, admin=regulator)
    harbor = deploy_safe_harbor(chain, assets, admin=regulator)
    venues = deploy_venue_registry(chain, assets, admin=regulator)
    route_modules(token, assets, {module: {AssetClass.TOKENIZED_SECURITY}}, admin=developer)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_hash.auto import keccak

from sim import rules
from sim.chain.chain import Chain
from sim.chain.contract import Contract
from sim.contracts.assets import CLASSIFIER_ROLE, AssetClass, AssetRegistry

REGULATOR_ROLE = keccak(b"REGULATOR_ROLE")
BPS = 10_000
UNLIMITED = 2**256 - 1


class VenueKind(IntEnum):
    """``VenueRegistry.VenueKind`` (same numbers)."""

    UNREGISTERED = 0
    SECURITIES_EXCHANGE = 1
    ATS = 2
    COMMODITY_EXCHANGE = 3


class HarborStatus(IntEnum):
    """``SafeHarborRegistry.Status`` (same numbers)."""

    NONE = 0
    RUNNING = 1
    MATURED = 2
    FAILED = 3
    REFUNDING = 4


FAILED_MEASURES = {1: "top10_share", 2: "hhi", 4: "developer_share", 8: "independent_holders", 16: "venues"}
"""Bits of ``ExitReportFiled.failed``: the measures that missed their threshold."""


@dataclass(frozen=True)
class Terms:
    """An exemption's terms (``SafeHarborRegistry.Terms``); money in cash-token units."""

    window_seconds: int
    sale_limit_seconds: int = 0
    disclosure_interval: int = 0
    pause_on_missed_disclosure: bool = False
    whitelist_only: bool = False
    max_total_raise: int = UNLIMITED
    max_per_investor: int = UNLIMITED

    def encode(self) -> tuple[Any, ...]:
        return (self.window_seconds, self.sale_limit_seconds, self.disclosure_interval,
                self.pause_on_missed_disclosure, self.whitelist_only, self.max_total_raise, self.max_per_investor)


@dataclass(frozen=True)
class ExitRules:
    """What the exit report must show, and the classes that follow (``ExitRules``)."""

    max_top10_share_bp: int = BPS
    max_hhi: int = BPS
    max_developer_share_bp: int = BPS
    min_independent_holders: int = 0
    min_venues: int = 0
    mature_class: AssetClass = AssetClass.DIGITAL_COMMODITY
    fail_class: AssetClass = AssetClass.TOKENIZED_SECURITY
    refund_on_fail: bool = False

    def encode(self) -> tuple[Any, ...]:
        return (self.max_top10_share_bp, self.max_hhi, self.max_developer_share_bp, self.min_independent_holders,
                self.min_venues, int(self.mature_class), int(self.fail_class), self.refund_on_fail)


@dataclass(frozen=True)
class Measures:
    """Network-maturity facts (``SafeHarborRegistry.Measures``): shares in basis points,
    the Herfindahl-Hirschman index on the 0-10,000 scale."""

    top10_share_bp: int
    hhi: int
    developer_share_bp: int
    independent_holders: int
    venues: int

    def encode(self) -> tuple[int, ...]:
        return (self.top10_share_bp, self.hhi, self.developer_share_bp, self.independent_holders, self.venues)


def measure_holdings(balances: Mapping[str, int], developer: Iterable[str], venues: int) -> Measures:
    """Maturity measures of a token's holdings: ``balances`` of every holder (they must sum
    to the supply), the developer team's wallets, and the number of venues trading it.

    Shares round down to a basis point; the HHI is the sum of squared percentage shares,
    rounded to the nearest unit (halves up), in integers.
    """
    supply = sum(balances.values())
    if supply == 0:
        return Measures(0, 0, 0, 0, venues)
    team = set(developer)
    held = sorted((b for b in balances.values() if b > 0), reverse=True)
    top10 = sum(held[:10]) * BPS // supply
    hhi = (sum((b * 100) ** 2 for b in held) * 2 + supply**2) // (2 * supply**2)
    team_share = sum(b for w, b in balances.items() if w in team) * BPS // supply
    independent = sum(1 for w, b in balances.items() if b > 0 and w not in team)
    return Measures(top10, hhi, team_share, independent, venues)


class SafeHarborRegistry(Contract):
    """Handle on a ``SafeHarborRegistry``."""

    def file(self, token: Any, cash: Any, disclosures: bytes, terms: Terms, exit_rules: ExitRules, *, sender: Any) -> Any:
        return self.fileNotice(token, cash, disclosures, terms.encode(), exit_rules.encode(), sender=sender)

    def exit_report(self, token: Any, report: bytes, measures: Measures, *, sender: Any) -> Any:
        return self.fileExitReport(token, report, measures.encode(), sender=sender)

    def status(self, token: Any) -> HarborStatus:
        return HarborStatus(self.statusOf(token))


class VenueRegistry(Contract):
    """Handle on a ``VenueRegistry``."""

    def permit(self, table: Mapping[str, Iterable[str]], *, sender: Any) -> None:
        """Set the venue kinds each class may trade on (class and kind names)."""
        for name, kinds in table.items():
            mask = 0
            for kind in kinds:
                mask |= 1 << VenueKind[kind.upper()]
            self.setPermittedKinds(int(AssetClass[name.upper()]), mask, sender=sender)




def deploy_safe_harbor(chain: Chain, assets: AssetRegistry, *, admin: Any) -> SafeHarborRegistry:
    """Deploy a ``SafeHarborRegistry`` and let it reclassify tokens in ``assets``."""
    harbor = chain.deploy("SafeHarborRegistry", assets, sender=admin)
    assets.grantRole(CLASSIFIER_ROLE, harbor, sender=admin)
    return harbor  # type: ignore[return-value]


def deploy_venue_registry(
    chain: Chain,
    assets: AssetRegistry,
    *,
    admin: Any,
    table: Mapping[str, Iterable[str]] | None = None,
    fair_access: tuple[int, int, int] | None = None,
) -> VenueRegistry:
    """Deploy a ``VenueRegistry`` with the class-to-venue table (default
    ``sim.rules.VENUES_BY_CLASS``) and the fair-access rule (share in basis points, months,
    lookback months; default Reg ATS 301(b)(5): 5%, 4 of 6)."""
    venues = chain.deploy("VenueRegistry", admin, assets, sender=admin)
    venues.grantRole(REGULATOR_ROLE, admin, sender=admin)
    venues.permit(rules.VENUES_BY_CLASS if table is None else table, sender=admin)  # type: ignore[attr-defined]
    share, months, lookback = fair_access or (
        rules.ATS_FAIR_ACCESS_SHARE_BPS, rules.ATS_FAIR_ACCESS_MONTHS, rules.ATS_FAIR_ACCESS_LOOKBACK_MONTHS
    )
    venues.setFairAccessRule(share, months, lookback, sender=admin)
    return venues  # type: ignore[return-value]


def route_modules(
    token: Any, assets: AssetRegistry, routes: Mapping[Any, Iterable[AssetClass]], *, admin: Any
) -> None:
    """Route ``token``'s compliance by its class in ``assets``: each installed module (a
    handle or address) applies only to the classes given for it."""
    compliance = token.compliance_contract
    compliance.setAssetRegistry(assets, sender=admin)
    for module, classes in routes.items():
        mask = 0
        for c in classes:
            mask |= 1 << int(c)
        compliance.setModuleClasses(module, mask, sender=admin)


__all__ = [
    "CLASSIFIER_ROLE",
    "FAILED_MEASURES",
    "REGULATOR_ROLE",
    "ExitRules",
    "HarborStatus",
    "Measures",
    "SafeHarborRegistry",
    "Terms",
    "VenueKind",
    "VenueRegistry",
    "deploy_safe_harbor",
    "deploy_venue_registry",
    "measure_holdings",
    "route_modules",
]
