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

Neither registry moves anything on an approval alone: each side of a venue trade is an
``Order`` its owner signed, and each purchase in a safe-harbor sale a ``Purchase`` intent
its buyer signed (EIP-712, ``sim.chain.eip712``)::

    sell = venues.sign_order(Order(seller, venue, token, cash, True, 100, 4_000_000, nonce=1, deadline=t))
    buy = venues.sign_order(Order(buyer, venue, token, cash, False, 100, 4_000_000, nonce=1, deadline=t))
    venues.settle(sell, buy, 100, 4_000_000, sender=venue)
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
from sim.chain.eip712 import Domain
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
    """An exemption's terms (``SafeHarborRegistry.Terms``); money in cash-token units.

    The window runs from the notice: ``window_seconds`` or ``window_months`` calendar
    months (exactly one). Disclosure periods run from the notice too, each
    ``disclosure_interval`` seconds or ``disclosure_months`` months long, its update due
    ``disclosure_grace`` seconds after it ends. ``Terms.token_safe_harbor()`` gives the
    proposal's: 36 months, six-month periods, 30 days' grace."""

    window_seconds: int = 0
    sale_limit_seconds: int = 0
    disclosure_interval: int = 0
    pause_on_missed_disclosure: bool = False
    whitelist_only: bool = False
    refund_on_fail: bool = False
    max_total_raise: int = UNLIMITED
    max_per_investor: int = UNLIMITED
    window_months: int = 0
    disclosure_months: int = 0
    disclosure_grace: int = 0

    @classmethod
    def token_safe_harbor(cls, **overrides: Any) -> Terms:
        """Token Safe Harbor Proposal 2.0: relief for three years from the notice (Rule 195(e)),
        updates every six months from it, each within 30 days after its period (195(b)(2))."""
        fields: dict[str, Any] = {
            "window_months": rules.SAFE_HARBOR_WINDOW_MONTHS,
            "disclosure_months": rules.SAFE_HARBOR_UPDATE_EVERY_MONTHS,
            "disclosure_grace": rules.SAFE_HARBOR_UPDATE_GRACE_DAYS * 86_400,
        }
        return cls(**{**fields, **overrides})

    def encode(self) -> tuple[Any, ...]:
        return (self.window_seconds, self.window_months, self.sale_limit_seconds, self.disclosure_interval,
                self.disclosure_months, self.disclosure_grace, self.pause_on_missed_disclosure,
                self.whitelist_only, self.refund_on_fail, self.max_total_raise, self.max_per_investor)


@dataclass(frozen=True)
class ExitRules:
    """What the exit report must show, and the classes that follow (``ExitRules``): the
    regulator's, set with ``SafeHarborRegistry.set_exit_rules``."""

    max_top10_share_bp: int = BPS
    max_hhi: int = BPS
    max_developer_share_bp: int = rules.SAFE_HARBOR_MAX_TEAM_SHARE_PCT * 100
    min_independent_holders: int = 0
    min_venues: int = 0
    mature_class: AssetClass = AssetClass.DIGITAL_COMMODITY
    fail_class: AssetClass = AssetClass.TOKENIZED_SECURITY

    def encode(self) -> tuple[Any, ...]:
        return (self.max_top10_share_bp, self.max_hhi, self.max_developer_share_bp, self.min_independent_holders,
                self.min_venues, int(self.mature_class), int(self.fail_class))


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


PURCHASE_TYPE = "Purchase(address buyer,address token,uint256 maxAmount,uint256 maxPrice,uint256 nonce,uint64 deadline)"
ORDER_TYPE = (
    "Order(address owner,address venue,address token,address cash,bool sell,uint256 amount,uint256 payment,"
    "uint256 nonce,uint64 deadline)"
)


@dataclass(frozen=True)
class Purchase:
    """A buyer's consent to buy up to ``max_amount`` units of ``token`` at no more than
    ``max_price`` cash units per whole token until ``deadline`` (``SafeHarborRegistry.Purchase``)."""

    buyer: str
    token: str
    max_amount: int
    max_price: int
    nonce: int
    deadline: int

    def encode(self) -> tuple[Any, ...]:
        return (self.buyer, self.token, self.max_amount, self.max_price, self.nonce, self.deadline)


@dataclass(frozen=True)
class Order:
    """One side of a venue trade, for its owner to sign (``VenueRegistry.Order``): sell (or
    buy) up to ``amount`` of ``token`` on ``venue`` for at least (at most) ``payment`` of
    ``cash`` for the whole amount."""

    owner: str
    venue: str
    token: str
    cash: str
    sell: bool
    amount: int
    payment: int
    nonce: int
    deadline: int

    def encode(self) -> tuple[Any, ...]:
        return (self.owner, self.venue, self.token, self.cash, self.sell, self.amount, self.payment, self.nonce,
                self.deadline)


@dataclass(frozen=True)
class Signed:
    """An intent and its owner's signature."""

    intent: Any
    signature: bytes


def _signed(contract: Contract, type_string: str, intent: Any, signer: str) -> Signed:
    domain = contract.__dict__.get("_domain")
    if domain is None:
        domain = contract.__dict__["_domain"] = Domain.of(contract)
    digest = domain.digest(type_string, intent.encode())
    return Signed(intent, contract.chain.sign(signer, digest))


class SafeHarborRegistry(Contract):
    """Handle on a ``SafeHarborRegistry``."""

    def file(self, token: Any, cash: Any, disclosures: bytes, terms: Terms, *, sender: Any) -> Any:
        """File the notice (by the token's admin, who becomes the developer)."""
        return self.fileNotice(token, cash, disclosures, terms.encode(), sender=sender)

    def set_exit_rules(self, token: Any, rules: ExitRules, *, sender: Any) -> Any:
        """The regulator sets the exit report's tests and classes for ``token``."""
        return self.setExitRules(token, rules.encode(), sender=sender)

    def sign_purchase(self, intent: Purchase, *, signer: str | None = None) -> Signed:
        """``intent`` signed by its buyer (the buyer's key, held by the chain's backend);
        ``signer`` signs in the buyer's place instead (a forgery the harbor refuses)."""
        return _signed(self, PURCHASE_TYPE, intent, intent.buyer if signer is None else signer)

    def sell_under(self, token: Any, signed: Signed, amount: int, price: int, *, sender: Any) -> Any:
        """The developer sells ``amount`` at ``price`` under the buyer's signed intent."""
        return self.sell(token, signed.intent.encode(), signed.signature, amount, price, sender=sender)

    def exit_report(self, token: Any, report: bytes, measures: Measures, *, sender: Any) -> Any:
        return self.fileExitReport(token, report, measures.encode(), sender=sender)

    def status(self, token: Any) -> HarborStatus:
        return HarborStatus(self.statusOf(token))


class VenueRegistry(Contract):
    """Handle on a ``VenueRegistry``."""

    def sign_order(self, order: Order, *, signer: str | None = None) -> Signed:
        """``order`` signed by its owner (the owner's key, held by the chain's backend);
        ``signer`` signs in the owner's place instead (a forgery the registry refuses)."""
        return _signed(self, ORDER_TYPE, order, order.owner if signer is None else signer)

    def settle(self, sell: Signed, buy: Signed, amount: int, payment: int, *, sender: Any) -> Any:
        """The venue ``sender`` settles ``amount`` for ``payment`` between two signed orders."""
        return self.trade(sell.intent.encode(), sell.signature, buy.intent.encode(), buy.signature, amount, payment,
                          sender=sender)

    def permit(self, table: Mapping[str, Iterable[str]], *, sender: Any) -> None:
        """Set the venue kinds each class may trade on (class and kind names)."""
        for name, kinds in table.items():
            mask = 0
            for kind in kinds:
                mask |= 1 << VenueKind[kind.upper()]
            self.setPermittedKinds(int(AssetClass[name.upper()]), mask, sender=sender)




def deploy_safe_harbor(chain: Chain, assets: AssetRegistry, *, admin: Any) -> SafeHarborRegistry:
    """Deploy a ``SafeHarborRegistry`` (``admin``, the regulator, sets exit rules) and let it
    reclassify tokens in ``assets``."""
    harbor = chain.deploy("SafeHarborRegistry", admin, assets, sender=admin, handle=SafeHarborRegistry)
    harbor.grantRole(REGULATOR_ROLE, admin, sender=admin)
    assets.grantRole(CLASSIFIER_ROLE, harbor, sender=admin)
    return harbor


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
    lookback months; default Reg ATS, 17 CFR 242.301(b)(5)(i): 5%, 4 of 6)."""
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
    "Order",
    "Purchase",
    "Signed",
    "SafeHarborRegistry",
    "Terms",
    "VenueKind",
    "VenueRegistry",
    "deploy_safe_harbor",
    "deploy_venue_registry",
    "measure_holdings",
    "route_modules",
]
