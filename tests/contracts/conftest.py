"""Fixtures shared by the contract tests of the taxonomy (``test_taxonomy``) and the attacks
on it (``test_attacks``): the regulator and the developer, the asset, safe-harbor and venue
registries, and makers of verified investors, tokens, launches, signed intents and venues."""

from __future__ import annotations

import itertools

import pytest

from sim.calendar import DAY
from sim.contracts import AGENT_ROLE, Identity, deploy_security_token
from sim.contracts.assets import Asset, AssetClass, deploy_asset_registry
from sim.contracts.taxonomy import (
    CLASSIFIER_ROLE,
    UNLIMITED,
    ExitRules,
    Purchase,
    Terms,
    VenueKind,
    deploy_safe_harbor,
    deploy_venue_registry,
    route_modules,
)

EXEMPT = AssetClass.EXEMPT_NETWORK_TOKEN
DISCLOSURES = b"\x01" * 32


@pytest.fixture(scope="module")
def regulator(chain):
    return chain.accounts[1]


@pytest.fixture(scope="module")
def developer(chain):
    return chain.accounts[2]


@pytest.fixture(scope="module")
def assets(chain, regulator):
    """The asset registry; the regulator registers and reclassifies."""
    registry = deploy_asset_registry(chain, admin=regulator)
    registry.grantRole(CLASSIFIER_ROLE, regulator, sender=regulator)
    return registry


@pytest.fixture(scope="module")
def harbor(chain, assets, regulator):
    return deploy_safe_harbor(chain, assets, admin=regulator)


@pytest.fixture(scope="module")
def venues(chain, assets, regulator):
    """The venue registry with the default class-to-venue table and fair-access rule."""
    return deploy_venue_registry(chain, assets, admin=regulator)


@pytest.fixture(scope="module")
def onboard(chain, identity_registry, deployer):
    """``onboard(investor_type)``: a new wallet with a verified identity."""
    counter = itertools.count(1)

    def make(investor_type: str = "accredited") -> str:
        wallet = chain.new_account()
        identity = Identity(investor_id=f"taxonomy-{next(counter)}-{wallet}", investor_type=investor_type)
        identity_registry.register(wallet, identity, sender=deployer)
        return wallet

    return make


@pytest.fixture(scope="module")
def make_token(chain, identity_registry, assets, harbor, developer, regulator):
    """``make_token(asset_class, modules, routes)``: a token whose admin and agent is the
    developer, registered in ``assets`` as ``asset_class`` (None: not registered), its
    modules routed by ``routes`` (module name -> classes; None: compliance not routed)."""

    def make(asset_class=None, modules=(), routes=None, decimals=0):
        token = deploy_security_token(
            chain, registry=identity_registry, admin=developer, modules=list(modules), decimals=decimals,
            module_context={"exemption": harbor},
        )
        if routes is not None:
            route_modules(token, assets, {token.module(n): c for n, c in routes.items()}, admin=developer)
        if asset_class is not None:
            assets.record(token, Asset(asset_class), sender=regulator)
        return token

    return make


@pytest.fixture(scope="module")
def launch(make_token, harbor, cash_token, developer, regulator):
    """``launch(terms, rules)``: an exempt token with the regulator's exit rules and its
    notice filed by the developer; the harbor may mint and burn it (refunds are paid from the
    proceeds it holds in escrow when the terms promise them)."""

    def make(terms: Terms, rules: ExitRules = ExitRules(), decimals: int = 0):
        token = make_token(EXEMPT, decimals=decimals)
        harbor.set_exit_rules(token, rules, sender=regulator)
        harbor.file(token, cash_token, DISCLOSURES, terms, sender=developer)
        token.grantRole(AGENT_ROLE, harbor, sender=developer)  # refunds come from escrow: no allowance asked
        return token

    return make


@pytest.fixture(scope="module")
def intent(chain, harbor):
    """``intent(token, buyer, max_amount, max_price)``: the buyer's signed purchase intent."""
    nonces = itertools.count(1)

    def make(token, buyer_wallet, max_amount, max_price, deadline=None):
        deadline = chain.now() + DAY if deadline is None else deadline
        return harbor.sign_purchase(Purchase(buyer_wallet, token.address, max_amount, max_price, next(nonces), deadline))

    return make


@pytest.fixture(scope="module")
def sell(harbor, developer, intent):
    """``sell(token, buyer, amount, price)``: a sale under the buyer's intent for exactly it."""

    def make(token, buyer_wallet, amount, price, sender=None):
        signed = intent(token, buyer_wallet, amount, price)
        return harbor.sell_under(token, signed, amount, price, sender=developer if sender is None else sender)

    return make


@pytest.fixture(scope="module")
def buyer(onboard, harbor, cash_token, deployer):
    """``buyer(cash)``: an investor holding ``cash`` units who lets the harbor take payment."""

    def make(cash: int = 10**12, investor_type: str = "accredited") -> str:
        wallet = onboard(investor_type)
        if cash:
            cash_token.mint(wallet, cash, sender=deployer)
        cash_token.approve(harbor, UNLIMITED, sender=wallet)
        return wallet

    return make


@pytest.fixture(scope="module")
def venue(chain, venues, regulator):
    """``venue(kind)``: a new venue registered as ``kind`` (``UNREGISTERED``: never registered)."""

    def make(kind: VenueKind, name: str = "venue") -> str:
        address = chain.new_account()
        if kind != VenueKind.UNREGISTERED:
            venues.registerVenue(address, int(kind), name, sender=regulator)
        return address

    return make


@pytest.fixture(scope="module")
def trader(onboard, venues, cash_token, deployer):
    """``trader(investor_type, cash)``: an investor who lets the venue registry settle for it."""

    def make(investor_type: str = "accredited", cash: int = 10**12) -> str:
        wallet = onboard(investor_type)
        if cash:
            cash_token.mint(wallet, cash, sender=deployer)
        cash_token.approve(venues, UNLIMITED, sender=wallet)
        return wallet

    return make
