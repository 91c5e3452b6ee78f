"""Whose act moves an asset: every function that moves tokens or cash it does not own.

The rule (docs/architecture.md, "Whose act moves an asset"): no contract moves tokens or
cash it does not own without that owner's own act for that movement: an order it signed, an
affirmation, a signed intent, a per-trade allowance. The tables below are built against the
ABIs: every state-changing function of every shipped contract is listed once, as moving only
the caller's own assets, as moving nothing, or as moving another's assets with the act that
authorises it. A function added without a line here fails
``test_every_state_changing_function_says_whose_act_moves_what``.

For every function that moves another's assets, three attackers try it against a victim
who holds tokens and cash everywhere they can be held (a wallet, a settlement hold, a
custody account, a margin account, signed orders and intents outstanding): a stranger,
another venue (a registered ATS on the venue registry, the clearing agent of another
settlement contract, the operator of another custody vault, the dealer of another margin
engine) and another developer (the admin and agent of another token, with its own offering
under the same safe harbor). Each is refused, and the victim's assets are where they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from sim.calendar import DAY
from sim.chain.abi import AbiFunction
from sim.chain.artifacts import load, shipped_names
from sim.chain.reverts import ContractRevert
from sim.contracts import AGENT_ROLE, Identity, deploy_cash_token, deploy_security_token
from sim.contracts.assets import Asset, AssetClass, deploy_asset_registry
from sim.contracts.collateral import deploy_collateral_registry
from sim.contracts.custody import deploy_vault
from sim.contracts.margin import Method, deploy_collateral_custodian, deploy_margin
from sim.contracts.oracle import deploy_oracle, to_oracle_price
from sim.contracts.settlement import HOLD_OPERATOR_ROLE, deploy_dvp
from sim.contracts.taxonomy import (
    CLASSIFIER_ROLE,
    UNLIMITED,
    ExitRules,
    Order,
    Purchase,
    Terms,
    VenueKind,
    deploy_safe_harbor,
    deploy_venue_registry,
)

# ------------------------------------------------------------------ the tables

ROLES = {"grantRole", "revokeRole", "renounceRole"}
ADMIN_RULES = {
    "beginDefaultAdminTransfer", "cancelDefaultAdminTransfer", "acceptDefaultAdminTransfer",
    "changeDefaultAdminDelay", "rollbackDefaultAdminDelay",
}
MODULE = ROLES | {"onTransfer", "onMint", "onBurn"}  # hooks: the module's own bookkeeping, called by its compliance

MOVES_NOTHING: dict[str, set[str]] = {
    "AccreditedOnlyModule": MODULE,
    "EligibleParticipantModule": MODULE,
    "ExemptionWhitelistModule": MODULE,
    "LockupModule": MODULE | {"recordDistribution"},
    "HolderLimitModule": MODULE | {"setMaxHolders", "setMaxNonAccreditedPurchasers", "beginOffering",
                                   "setExemptHoldersExcluded", "assessYearEnd"},
    "InvestmentLimitModule": MODULE | {"setOfferingCapCents", "setPriceCents", "recordPurchaseElsewhere"},
    "JurisdictionModule": MODULE | {"setListed"},
    "MaxBalanceModule": MODULE | {"setMaxBalance"},
    "SupplyLimitModule": MODULE | {"setSupplyLimit"},
    "AssetRegistry": ROLES | {"register", "reclassify", "setFundHoldings"},
    "CollateralRegistry": ROLES | {"clearHaircut", "setCurrencyMismatchAddOn", "setEligible", "setHaircut", "setLimits",
                                   "setLockedPolicy", "setLockupModule"},
    "CollateralCustodian": set(),
    "Compliance": ROLES | {"addModule", "removeModule", "bindToken", "setAssetRegistry", "setModuleClasses",
                           "created", "destroyed", "transferred"},
    "IdentityRegistry": ROLES | {"batchRegisterIdentities", "registerIdentity", "removeIdentity", "revokeIdentity"},
    "PriceOracle": ROLES | {"setMaxAge", "setMaxDeviation", "setPrice", "setPrices"},
    "ChainProbe": {"burnGas", "deposit", "setValue"},  # a test contract: holds only what is sent to it
    "MarginCalculator": set(),
    "OrderDesk": set(),  # view functions only
    "SecurityToken": ROLES | ADMIN_RULES | {
        "pause", "unpause", "setCompliance", "setIdentityRegistry", "mint", "batchMint",
        # a freeze immobilises a holding where it is; it moves nothing
        "setAddressFrozen", "batchSetAddressFrozen", "freezePartialTokens", "batchFreezePartialTokens",
        "unfreezePartialTokens", "batchUnfreezePartialTokens", "setFrozenTokens",
    },
    "CashToken": ROLES | {"mint", "setAllowListEnabled", "setAllowListed", "batchSetAllowListed"},
    "DvPSettlement": ROLES | {"instruct", "markFailed", "setFailPenaltyPpm"},  # records and penalties owed, no transfer
    "ERC3643HoldAdapter": ROLES,
    "CustodyVault": ROLES | {"openAccount", "openAccounts"},
    "MarginEngine": ROLES | {"configure", "listUnderlying", "openAccount", "setLiquidationAccount", "issueCall",
                             "reviewCall", "setCustodian"},
    "PerpetualFutures": ROLES | {"listMarket", "setEngine"},
    "SafeHarborRegistry": ROLES | {"fileNotice", "fileExitReport", "recordMissedDisclosure", "recordLapse", "setExitRules",
                                   "setWhitelisted", "updateDisclosures"},
    "VenueRegistry": ROLES | {"assessFairAccess", "delist", "list", "registerVenue", "setFairAccessRule",
                              "setPermittedKinds"},
}
"""Functions that move no one's tokens or cash (configuration, records, roles, freezes)."""

MOVES_OWN: dict[str, set[str]] = {
    "SecurityToken": {"transfer", "batchTransfer", "approve"},
    "CashToken": {"transfer", "batchTransfer", "approve", "burn"},
    "DvPSettlement": {"affirm"},  # the party's own side goes on hold: that is its affirmation
    "CustodyVault": {"deposit"},
    "MarginEngine": {"depositCash", "withdrawCash", "pledge", "release", "payIntoDefaultFund", "fundLending",
                     "pledgeInPlace", "releaseInPlace",  # the caller's own tokens, held or released in its wallet
                     "settleForeclosure"},  # the liquidator's own cash, the proceeds of its sale
    "SafeHarborRegistry": {"claimRefund"},  # its own purchases; the escrowed proceeds under the developer's filed undertaking
    "VenueRegistry": {"cancelOrder"},
}
"""Functions that move only the caller's own tokens or cash (msg.sender's)."""

ALLOWANCE = "a per-spender allowance the owner granted the caller (ERC-20 approve)"
AGENT = "the issuer's agent's explicit act (court order, lost wallet, redemption): AGENT_ROLE, its own event"
AFFIRMED = "a hold the owner placed by affirming that instruction; only the operator that placed it executes it"
CLEARING = "holds the owners placed by their affirmations; only this settlement contract's clearing agent"
SELF = "the settlement contract's own call inside settle (DvPOnlySelf for anyone else)"
CUSTODY = "what the vault itself holds, on its sub-ledger: the client's own call, or the custodian's operator"
MARGIN = "what the engine itself holds, on its ledger, under the account agreement: the firm's role holders"
DEALER = "the calling dealer's own inventory and cash; the account's side is on the engine's ledger"
SIGNED_ORDER = "an order each owner signed (EIP-712) for this venue, this token and cash, this price or better"
ENGINE = ("only its margin engine, serving the owner's own pledge or release, or the liquidation of the owner's "
          "account (CustodianOnlyEngine for anyone else)")
SIGNED_INTENT = "the buyer's signed purchase intent (EIP-712) for this token, this amount, this price or less"

MOVES_ANOTHERS: dict[str, dict[str, str]] = {
    "SecurityToken": {
        "transferFrom": ALLOWANCE,
        "forcedTransfer": AGENT, "batchForcedTransfer": AGENT, "burn": AGENT, "batchBurn": AGENT,
        "recoverWallet": AGENT,
        "hold": AFFIRMED, "executeHold": AFFIRMED, "releaseHold": AFFIRMED,
    },
    "CashToken": {
        "transferFrom": ALLOWANCE, "burnFrom": ALLOWANCE,
        "hold": AFFIRMED, "executeHold": AFFIRMED, "releaseHold": AFFIRMED,
    },
    "ERC3643HoldAdapter": {  # a T-REX agent: it freezes and moves only within a hold the owner placed
        "hold": AFFIRMED, "executeHold": AFFIRMED, "releaseHold": AFFIRMED,
    },
    "DvPSettlement": {
        "settle": CLEARING, "settleBatch": CLEARING, "cancel": CLEARING, "buyIn": CLEARING,
        "executeLegs": SELF, "executeNet": SELF,
    },
    "CustodyVault": {
        "withdraw": CUSTODY, "internalTransfer": CUSTODY, "allocate": CUSTODY, "allocateMany": CUSTODY,
        "bookOutflow": CUSTODY, "affirm": CUSTODY, "book": CUSTODY,
    },
    "MarginEngine": {"tradeSpot": DEALER, "liquidate": MARGIN, "settleCash": MARGIN},
    "CollateralCustodian": {"encumber": ENGINE, "deliver": ENGINE, "foreclose": ENGINE},
    "PerpetualFutures": {"trade": MARGIN, "settle": MARGIN, "transferAll": MARGIN, "applyFunding": MARGIN},
    "SafeHarborRegistry": {"sell": SIGNED_INTENT},
    "VenueRegistry": {"trade": SIGNED_ORDER},
}
"""Functions that move tokens or cash the contract does not own, with the owner's act each needs."""


def _state_changing(name: str) -> set[str]:
    return {
        AbiFunction(e).name
        for e in load(name).abi
        if e.get("type") == "function" and e.get("stateMutability") not in ("view", "pure")
    }


def test_every_state_changing_function_says_whose_act_moves_what():
    tables = (MOVES_NOTHING, MOVES_OWN, MOVES_ANOTHERS)
    assert set(shipped_names()) == set(MOVES_NOTHING)
    missing, twice, stale = [], [], []
    for name in shipped_names():
        functions = _state_changing(name)
        for fn in sorted(functions):
            hits = sum(fn in table.get(name, ()) for table in tables)
            if hits == 0:
                missing.append(f"{name}.{fn}")
            elif hits > 1:
                twice.append(f"{name}.{fn}")
        stale += [f"{name}.{fn}" for table in tables for fn in table.get(name, ()) if fn not in functions]
    assert (missing, twice, stale) == ([], [], [])


def _attacked(contract: str, function: str) -> set[tuple[str, str]]:
    """What ``ATTEMPTS`` must hold for a function: its name, or each overload's signature."""
    signatures = [AbiFunction(e).signature for e in load(contract).abi
                  if e.get("type") == "function" and e.get("name") == function]
    return {(contract, function)} if len(signatures) == 1 else {(contract, s) for s in signatures}


def test_every_function_that_moves_anothers_assets_is_attacked_below():
    """Each overload is attacked on its own (``forcedTransfer`` has ours and ERC-7943's)."""
    expected = set().union(*(_attacked(c, f) for c, table in MOVES_ANOTHERS.items() for f in table))
    assert expected == set(ATTEMPTS)


# ------------------------------------------------------------------ the world


@dataclass
class World:
    chain: Any
    deployer: str
    victim: str
    attackers: dict[str, str]
    token: Any
    cash: Any
    rival_token: Any
    venues: Any
    home_venue: str
    harbor: Any
    dvp: Any
    rival_dvp: Any
    pending: int  # the victim's affirmed sale on `dvp`
    vault: Any
    rival_vault: Any
    engine: Any
    perps: Any
    rival_engine: Any
    market: int
    index: int
    orders: tuple = ()
    intent: Any = None
    extra: dict = field(default_factory=dict)
    custodian: Any = None

    def holdings(self) -> tuple:
        """Everything the victim owns, wherever it is."""
        v = self.victim
        return (
            self.token.balanceOf(v), self.token.heldBalanceOf(v), self.cash.balanceOf(v), self.cash.heldBalanceOf(v),
            self.vault.positionOf(self.token, v), self.vault.positionOf(self.cash, v),
            self.engine.account(v).cash, self.engine.collateralOf(v, self.token), self.engine.inPlaceOf(v, self.token),
            self.engine.spotOf(v, self.index), self.perps.positionOf(v, self.market)[0],
        )


@pytest.fixture(scope="module")
def world(chain, identity_registry, deployer) -> World:
    counter = iter(range(10**6))

    def investor(wallet=None, investor_type="institutional"):
        wallet = wallet or chain.new_account()
        identity_registry.register(wallet, Identity(investor_id=f"owners-act-{next(counter)}-{wallet}",
                                                    investor_type=investor_type), sender=deployer)
        return wallet

    victim = investor()
    stranger = chain.new_account()
    rival_venue, rival_developer = investor(), investor()
    assets = deploy_asset_registry(chain, admin=deployer)
    assets.grantRole(CLASSIFIER_ROLE, deployer, sender=deployer)
    harbor = deploy_safe_harbor(chain, assets, admin=deployer)
    cash = deploy_cash_token(chain, admin=deployer, decimals=6)
    token = deploy_security_token(chain, registry=identity_registry, admin=deployer, modules=[],
                                  module_context={"exemption": harbor})
    rival_token = deploy_security_token(chain, registry=identity_registry, admin=rival_developer, modules=[],
                                        module_context={"exemption": harbor})
    for t in (token, rival_token):
        assets.record(t, Asset(AssetClass.EXEMPT_NETWORK_TOKEN), sender=deployer)
        harbor.set_exit_rules(t, ExitRules(), sender=deployer)
    harbor.file(token, cash, b"\x01" * 32, Terms(window_seconds=30 * DAY), sender=deployer)
    harbor.file(rival_token, cash, b"\x01" * 32, Terms(window_seconds=30 * DAY), sender=rival_developer)
    token.grantRole(AGENT_ROLE, harbor, sender=deployer)
    rival_token.grantRole(AGENT_ROLE, harbor, sender=rival_developer)

    # the victim's wallet, with approvals to everything it uses
    token.mint(victim, 1_000, sender=deployer)
    cash.mint(victim, 10**12, sender=deployer)
    venues = deploy_venue_registry(chain, assets, admin=deployer)
    home = chain.new_account()
    venues.registerVenue(home, int(VenueKind.ATS), "home", sender=deployer)
    venues.registerVenue(rival_venue, int(VenueKind.ATS), "rival", sender=deployer)
    for v in (home, rival_venue):
        venues.list(token, sender=v)
    for spender in (venues, harbor):
        token.approve(spender, UNLIMITED, sender=victim)
        cash.approve(spender, UNLIMITED, sender=victim)

    # settlement: the victim's sale affirmed on `dvp`; a rival contract cleared by the rival venue
    buyer = investor()
    clearing = chain.new_account()
    dvp = deploy_dvp(chain, admin=deployer, clearing=clearing, tokens=[(token, deployer), (cash, deployer)])
    rival_dvp = deploy_dvp(chain, admin=deployer, clearing=rival_venue, tokens=[(token, deployer), (cash, deployer)])
    pending = dvp.instruct(victim, buyer, token, 100, cash, 100, chain.now() + 30 * DAY, b"v".ljust(32, b"\0"),
                           sender=clearing).return_value
    dvp.affirm(pending, True, sender=victim)

    # custody: the victim's account at a vault; a rival vault operated by the rival venue
    operator = chain.new_account()
    vault = deploy_vault(chain, name="Omnibus", admin=deployer, operator=operator)
    rival_vault = deploy_vault(chain, name="Rival", admin=deployer, operator=rival_venue)
    for v in (vault, rival_vault):
        investor(v.address)
    vault.openAccount(victim, sender=operator)
    token.approve(vault, 100, sender=victim)
    vault.deposit(token, 100, sender=victim)
    cash.approve(vault, 10**6, sender=victim)
    vault.deposit(cash, 10**6, sender=victim)

    # margin: the victim's account with cash, collateral and positions; a rival engine whose dealer is the rival venue
    oracle = deploy_oracle(chain, admin=deployer, max_age_seconds=10 * 365 * DAY)
    collateral = deploy_collateral_registry(chain, assets, admin=deployer)
    spot = deploy_cash_token(chain, admin=deployer, name="Index", symbol="IDX", decimals=0)
    assets.record(spot, Asset(AssetClass.EQUITY, main_index=True), sender=deployer)
    systems = []
    for dealer in (deployer, rival_venue):
        system = deploy_margin(chain, cash=cash, collateral=collateral, oracle=oracle, admin=deployer, dealer=dealer)
        systems.append(system)
    engine, perps = systems[0].engine, systems[0].perpetuals
    rival_engine = systems[1].engine
    index = engine.list_underlying(spot, up_bps=800, down_bps=800, retail_leverage=2, sender=deployer)
    systems[1].engine.list_underlying(spot, up_bps=800, down_bps=800, retail_leverage=2, sender=deployer)
    market = perps.list_market(index, funding_interval=8 * 3600, sender=deployer)
    oracle.setPrices([spot, perps.markFeedOf(market)], [to_oracle_price(10_000), to_oracle_price(10_000)],
                     sender=deployer)
    spot.mint(deployer, 10**6, sender=deployer)
    cash.mint(deployer, 10**12, sender=deployer)
    for e in (engine, rival_engine):
        spot.approve(e, UNLIMITED, sender=deployer)
        cash.approve(e, UNLIMITED, sender=deployer)
    engine.open_account(victim, retail=False, method=Method.PORTFOLIO, sender=deployer)
    engine.open_account(deployer, retail=False, method=Method.PORTFOLIO, sender=deployer)
    cash.approve(engine, UNLIMITED, sender=victim)
    engine.depositCash(10**9, sender=deployer)
    engine.depositCash(10**9, sender=victim)
    engine.tradeSpot(victim, index, 10, sender=deployer)
    perps.trade(market, victim, deployer, 5, sender=deployer)
    # the victim's security tokens at the engine's collateral custodian: 10 by title transfer, 10 pledged in place
    collateral.setEligible(token, True, sender=deployer)
    collateral.setHaircut(token, 5_000, sender=deployer)
    oracle.setPrice(token, to_oracle_price(10_000), sender=deployer)
    custodian = deploy_collateral_custodian(chain, engine, token, admin=deployer)
    investor(custodian.address)
    token.grantRole(HOLD_OPERATOR_ROLE, custodian, sender=deployer)
    token.approve(engine, 10, sender=victim)
    engine.pledge(token, 10, sender=victim)
    engine.pledgeInPlace(token, 10, sender=victim)

    w = World(chain, deployer, victim, {"stranger": stranger, "another venue": rival_venue,
                                        "another developer": rival_developer},
              token, cash, rival_token, venues, home, harbor, dvp, rival_dvp, pending, vault, rival_vault,
              engine, perps, rival_engine, market, index, custodian=custodian)
    # outstanding signed intents: a sell order and a buy order on the home venue, a purchase intent
    deadline = chain.now() + 30 * DAY
    w.orders = (
        venues.sign_order(Order(victim, home, token.address, cash.address, True, 100, 100, 1, deadline)),
        venues.sign_order(Order(victim, home, token.address, cash.address, False, 100, 10**9, 2, deadline)),
    )
    w.intent = harbor.sign_purchase(Purchase(victim, token.address, 100, 10**6, 1, deadline))
    return w


# --------------------------------------------------------------- the attempts

def _victim_hold(w: World) -> bytes:
    return w.dvp.holdIdOf(w.pending, True)


def _venue_trade(w: World, attacker: str):
    sell, _ = w.orders
    if not w.venues.isListed(attacker, w.token):
        w.venues.list(w.token, sender=attacker)  # an exempt class: anyone may list it on itself
    counter = w.venues.sign_order(Order(attacker, attacker, w.token.address, w.cash.address, False, 100, 100, 9,
                                        w.chain.now() + DAY))
    return w.venues.settle(sell, counter, 100, 100, sender=attacker)


def _harbor_sell(w: World, attacker: str):
    if attacker == w.attackers["another developer"]:  # its own offering, the victim's intent
        return w.harbor.sell_under(w.rival_token, w.intent, 100, 10**6, sender=attacker)
    return w.harbor.sell_under(w.token, w.intent, 100, 10**6, sender=attacker)


Attempt = Callable[[World, str], Any]

ATTEMPTS: dict[tuple[str, str], Attempt] = {
    ("SecurityToken", "transferFrom"): lambda w, a: w.token.transferFrom(w.victim, a, 1, sender=a),
    ("SecurityToken", "forcedTransfer(address,address,uint256,bool)"):
        lambda w, a: w.token.forcedTransfer(w.victim, a, 1, False, sender=a),
    ("SecurityToken", "forcedTransfer(address,address,uint256)"):  # ERC-7943's
        lambda w, a: w.token.forcedTransfer(w.victim, a, 1, sender=a),
    ("SecurityToken", "batchForcedTransfer"): lambda w, a: w.token.batchForcedTransfer([w.victim], [a], [1], True,
                                                                                       sender=a),
    ("SecurityToken", "burn"): lambda w, a: w.token.burn(w.victim, 1, sender=a),
    ("SecurityToken", "batchBurn"): lambda w, a: w.token.batchBurn([w.victim], [1], sender=a),
    ("SecurityToken", "recoverWallet"): lambda w, a: w.token.recoverWallet(w.victim, a, sender=a),
    ("SecurityToken", "hold"): lambda w, a: w.token.hold(b"\x07" * 32, w.victim, 1, sender=a),
    ("SecurityToken", "executeHold"): lambda w, a: w.token.executeHold(_victim_hold(w), a, 1, sender=a),
    ("SecurityToken", "releaseHold"): lambda w, a: w.token.releaseHold(_victim_hold(w), sender=a),
    ("CashToken", "transferFrom"): lambda w, a: w.cash.transferFrom(w.victim, a, 1, sender=a),
    ("CashToken", "burnFrom"): lambda w, a: w.cash.burnFrom(w.victim, 1, sender=a),
    ("CashToken", "hold"): lambda w, a: w.cash.hold(b"\x07" * 32, w.victim, 1, sender=a),
    ("CashToken", "executeHold"): lambda w, a: w.cash.executeHold(b"\x07" * 32, a, 1, sender=a),
    ("CashToken", "releaseHold"): lambda w, a: w.cash.releaseHold(b"\x07" * 32, sender=a),
    # the adapter needs a T-REX token: tests/contracts/test_erc3643_holds.py tries its three
    # functions as the stranger, another venue and another developer
    ("ERC3643HoldAdapter", "hold"): None,
    ("ERC3643HoldAdapter", "executeHold"): None,
    ("ERC3643HoldAdapter", "releaseHold"): None,
    ("DvPSettlement", "settle"): lambda w, a: w.dvp.settle(w.pending, sender=a),
    ("DvPSettlement", "settleBatch"): lambda w, a: w.dvp.settleBatch([w.pending], True, sender=a),
    ("DvPSettlement", "cancel"): lambda w, a: w.dvp.cancel(w.pending, sender=a),
    ("DvPSettlement", "buyIn"): lambda w, a: w.dvp.buyIn(w.pending, 10**9, sender=a),
    ("DvPSettlement", "executeLegs"): lambda w, a: w.dvp.executeLegs(w.pending, sender=a),
    ("DvPSettlement", "executeNet"): lambda w, a: w.dvp.executeNet([w.pending], sender=a),
    ("CustodyVault", "withdraw"): lambda w, a: w.vault.withdraw(w.token, w.victim, a, 1, sender=a),
    ("CustodyVault", "internalTransfer"): lambda w, a: w.vault.internalTransfer(w.token, w.victim, a, 1, sender=a),
    ("CustodyVault", "allocate"): lambda w, a: w.vault.allocate(w.token, a, 1, sender=a),
    ("CustodyVault", "allocateMany"): lambda w, a: w.vault.allocateMany(w.token, [a], [1], sender=a),
    ("CustodyVault", "bookOutflow"): lambda w, a: w.vault.bookOutflow(w.token, [w.victim], [1], sender=a),
    ("CustodyVault", "affirm"): lambda w, a: w.vault.affirm(w.dvp, w.pending, w.victim, sender=a),
    ("CustodyVault", "book"): lambda w, a: w.vault.book(w.dvp, w.pending, sender=a),
    ("MarginEngine", "tradeSpot"): lambda w, a: w.engine.tradeSpot(w.victim, w.index, -10, sender=a),
    ("MarginEngine", "liquidate"): lambda w, a: w.engine.liquidate(w.victim, sender=a),
    ("MarginEngine", "settleCash"): lambda w, a: w.engine.settleCash(w.victim, -1, sender=a),
    ("CollateralCustodian", "encumber"): lambda w, a: w.custodian.encumber(w.victim, w.token, 0, sender=a),
    ("CollateralCustodian", "deliver"): lambda w, a: w.custodian.deliver(w.token, a, 1, sender=a),
    ("CollateralCustodian", "foreclose"): lambda w, a: w.custodian.foreclose(w.victim, w.token, a, 1, 1, sender=a),
    ("PerpetualFutures", "trade"): lambda w, a: w.perps.trade(w.market, a, w.victim, 1, sender=a),
    ("PerpetualFutures", "settle"): None,  # anyone may settle: see test_settling_perpetuals_moves_no_value
    ("PerpetualFutures", "transferAll"): lambda w, a: w.perps.transferAll(w.victim, a, sender=a),
    ("PerpetualFutures", "applyFunding"): lambda w, a: w.perps.applyFunding(w.market, sender=a),
    ("SafeHarborRegistry", "sell"): _harbor_sell,
    ("VenueRegistry", "trade"): _venue_trade,
}

ROLE_ON_RIVAL = {  # attacks where the attacker holds the same power on a rival contract and tries it here
    ("CustodyVault", "withdraw"): (
        lambda w, a: w.rival_vault.withdraw(w.token, w.victim, a, 1, sender=a), "VaultInsufficientPosition"),
    ("MarginEngine", "tradeSpot"): (
        lambda w, a: w.rival_engine.tradeSpot(w.victim, w.index, 10, sender=a), "MarginNoAccount"),
}

UNAUTHORIZED = "AccessControlUnauthorizedAccount"
REFUSALS: dict[tuple[str, str], str] = {
    ("SecurityToken", "transferFrom"): "ERC20InsufficientAllowance",
    ("CashToken", "transferFrom"): "ERC20InsufficientAllowance",
    ("CashToken", "burnFrom"): "ERC20InsufficientAllowance",
    ("DvPSettlement", "executeLegs"): "DvPOnlySelf",
    ("DvPSettlement", "executeNet"): "DvPOnlySelf",
    ("CustodyVault", "withdraw"): "VaultCallerNotClient",
    ("MarginEngine", "settleCash"): "MarginOnlyPerpetuals",
    ("CollateralCustodian", "encumber"): "CustodianOnlyEngine",
    ("CollateralCustodian", "deliver"): "CustodianOnlyEngine",
    ("CollateralCustodian", "foreclose"): "CustodianOnlyEngine",
    ("PerpetualFutures", "transferAll"): "PerpOnlyEngine",
    ("SafeHarborRegistry", "sell"): "SafeHarborNotDeveloper",
    ("VenueRegistry", "trade"): "VenueOrderNotForVenue",
}
"""The typed refusal of each attempt (the role check where none is named)."""


def refusal(contract: str, function: str, attacker: str) -> str:
    if (contract, function, attacker) == ("SafeHarborRegistry", "sell", "another developer"):
        return "SafeHarborIntentMismatch"  # a developer, but the victim's intent names another token
    return REFUSALS.get((contract, function), UNAUTHORIZED)


CASES = [(c, f, who) for (c, f), attempt in ATTEMPTS.items() if attempt is not None
         for who in ("stranger", "another venue", "another developer")]


@pytest.mark.parametrize(("contract", "function", "attacker"), CASES,
                         ids=[f"{c}.{f}-{who.replace(' ', '-')}" for c, f, who in CASES])
def test_no_one_but_the_owner_moves_its_assets(world, contract, function, attacker):
    before = world.holdings()
    with pytest.raises(ContractRevert) as refused:
        ATTEMPTS[(contract, function)](world, world.attackers[attacker])
    assert type(refused.value).__name__ == refusal(contract, function, attacker)
    assert world.holdings() == before


@pytest.mark.parametrize(("attempt", "expected"), list(ROLE_ON_RIVAL.values()),
                         ids=[f"{c}.{f}" for c, f in ROLE_ON_RIVAL])
def test_a_venues_power_on_its_own_contract_reaches_no_other_venues_client(world, attempt, expected):
    before = world.holdings()
    with pytest.raises(ContractRevert) as refused:
        attempt(world, world.attackers["another venue"])
    assert type(refused.value).__name__ == expected
    assert world.holdings() == before


def test_another_settlement_contract_cannot_put_the_victims_tokens_on_hold(world):
    """The rival venue clears its own settlement contract, which may place holds on the
    token: it instructs a sale from the victim and tries to affirm it for the victim."""
    w, rival = world, world.attackers["another venue"]
    ident = w.rival_dvp.instruct(w.victim, rival, w.token, 1, w.cash, 0, w.chain.now() + DAY, b"r".ljust(32, b"\0"),
                                 sender=rival).return_value
    before = w.holdings()
    with pytest.raises(ContractRevert) as refused:
        w.rival_dvp.affirm(ident, True, sender=rival)
    assert type(refused.value).__name__ == "DvPNotParty"
    assert w.holdings() == before


def test_settling_perpetuals_moves_no_value(world):
    """``PerpetualFutures.settle`` is open to anyone: it books the account's own P&L and
    funding into its own cash at the mark, so its equity is unchanged."""
    w = world
    equity = w.engine.status(w.victim).equity
    w.perps.settle(w.victim, sender=w.attackers["stranger"])
    assert w.engine.status(w.victim).equity == equity
    assert w.perps.positionOf(w.victim, w.market)[0] == 5
