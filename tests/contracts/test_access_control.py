"""Access-control matrix: every privileged function refuses a stranger.

The matrix is built from the ABIs: every state-changing function of every shipped
contract must be listed below, either as open to anyone (and why) or with the role or
caller it requires. A function added without a line here fails
``test_every_state_changing_function_is_classified``, so nothing becomes callable by
accident.
"""

from __future__ import annotations

import re

import pytest

from sim import solidity
from sim.chain.abi import AbiFunction
from sim.chain.artifacts import load
from sim.contracts import (
    AccreditedOnly,
    EligibleParticipant,
    ExemptionWhitelist,
    HolderLimit,
    InvestmentLimit,
    Jurisdictions,
    Lockup,
    MaxBalance,
    SupplyLimit,
)
from sim.contracts.assets import REGISTRAR_ROLE, Asset, AssetClass, deploy_asset_registry
from sim.contracts.collateral import COLLATERAL_ADMIN_ROLE, deploy_collateral_registry
from sim.contracts.custody import OPERATOR_ROLE, deploy_vault
from sim.contracts.identity import VERIFIER_ROLE
from sim.contracts.margin import (
    deploy_collateral_custodian,
    DEALER_ROLE,
    FUNDING_KEEPER_ROLE,
    LIQUIDATOR_ROLE,
    MARGIN_DESK_ROLE,
    MARKET_ADMIN_ROLE,
    RISK_ADMIN_ROLE,
    TRADER_ROLE,
    TREASURY_ROLE,
    deploy_margin,
)
from sim.contracts.oracle import FEEDER_ROLE, deploy_oracle
from sim.contracts.settlement import CLEARING_ROLE, HOLD_OPERATOR_ROLE, deploy_dvp
from sim.contracts.taxonomy import (
    CLASSIFIER_ROLE,
    REGULATOR_ROLE,
    Terms,
    deploy_safe_harbor,
    deploy_venue_registry,
)
from sim.contracts.token import AGENT_ROLE, DEFAULT_ADMIN_ROLE, LIST_MANAGER_ROLE, MINTER_ROLE

ADMIN, AGENT, VERIFIER, MINTER, LIST_MANAGER = "admin", "agent", "verifier", "minter", "list-manager"
HOLD_OPERATOR, CLEARING, OPERATOR, FEEDER = "hold-operator", "clearing", "operator", "feeder"
REGISTRAR, COLLATERAL_ADMIN = "registrar", "collateral-admin"
RISK_ADMIN, TRADER, MARGIN_DESK, LIQUIDATOR = "risk-admin", "trader", "margin-desk", "liquidator"
DEALER = "dealer"
TREASURY, MARKET_ADMIN, FUNDING_KEEPER = "treasury", "market-admin", "funding-keeper"
DEFAULT_ADMIN_RULES, PENDING_ADMIN_ONLY = "default-admin-rules", "pending-admin-only"
CLASSIFIER, REGULATOR = "classifier", "regulator"
PERPETUALS_ONLY, ENGINE_ONLY = "perpetuals-only", "engine-only"
MARGIN_ENGINE_ONLY = "margin-engine-only"
TOKEN_ONLY, COMPLIANCE_ONLY, SELF_ONLY = "token-only", "compliance-only", "self-only"
CLIENT_OR_OPERATOR = "client-or-operator"
TOKEN_ADMIN_ONLY, DEVELOPER_ONLY, LISTED_VENUE_ONLY = "token-admin-only", "developer-only", "listed-venue-only"

HOLDER_MOVES = {
    "transfer": "a holder moves its own tokens (the token's rules apply)",
    "transferFrom": "moves tokens within an allowance the holder granted",
    "approve": "a holder sets its own allowance",
    "renounceRole": "an account gives up its own role only",
}
RENOUNCE = {"renounceRole": "an account gives up its own role only"}

OPEN: dict[str, dict[str, str]] = {
    "SecurityToken": {**HOLDER_MOVES, "batchTransfer": "a holder moves its own tokens to several recipients"},
    "CashToken": {
        **HOLDER_MOVES,
        "batchTransfer": "a holder pays several recipients from its own cash",
        "burn": "a holder redeems its own cash",
        "burnFrom": "redeems cash within an allowance",
    },
    "DvPSettlement": {**RENOUNCE, "affirm": "only the instruction's seller or buyer affirms its own side (DvPNotParty)"},
    "CustodyVault": {**RENOUNCE, "deposit": "a client moves its own tokens in (VaultNotClient for others)"},
    "MarginEngine": {
        **RENOUNCE,
        "depositCash": "an account holder pays into its own account (MarginNoAccount for others)",
        "withdrawCash": "an account holder takes from its own account, above its initial requirement",
        "pledge": "an account holder pledges its own tokens to its own account",
        "release": "an account holder takes back its own collateral, above its initial requirement",
        "pledgeInPlace": "an account holder puts its own tokens on hold for its own account",
        "releaseInPlace": "an account holder takes its own tokens off hold, above its initial requirement",
    },
    "PerpetualFutures": {
        **RENOUNCE,
        "settle": "moves an account's P&L and funding to cash at the mark; changes no one's position",
    },
    "HolderLimitModule": {
        **RENOUNCE,
        "assessYearEnd": "a monitor's act: records the counts at a passed fiscal year-end, once; moves nothing",
    },
    "SafeHarborRegistry": {
        **RENOUNCE,
        "recordMissedDisclosure": "a monitor's act: only an update past its due time, once (SafeHarborNothingMissed)",
        "recordLapse": "a monitor's act: only after the window ended with no exit report, once (SafeHarborNotLapsed)",
        "claimRefund": "a holder claims its own refund: burns only what it bought, repays what it paid",
    },
    "VenueRegistry": {
        **RENOUNCE,
        "cancelOrder": "an owner cancels its own order (VenueNotOrderOwner for others)",
        "list": "a venue lists a token on itself only, and only if its registered kind may trade the class",
        "delist": "a venue removes its own listing only (VenueNotListed for others)",
        "assessFairAccess": "a monitor's act: sets the ATS duty from the volumes on chain, nothing else",
    },
}
"""Functions anyone may call, per contract, and why that is safe."""

ROLE_ADMIN = {"grantRole": ADMIN, "revokeRole": ADMIN}
MODULE_HOOKS = {"onTransfer": COMPLIANCE_ONLY, "onMint": COMPLIANCE_ONLY, "onBurn": COMPLIANCE_ONLY}

MATRIX: dict[str, dict[str, str]] = {
    "SecurityToken": {
        "grantRole": DEFAULT_ADMIN_RULES,  # the dummy role is DEFAULT_ADMIN_ROLE: refused for anyone
        "revokeRole": DEFAULT_ADMIN_RULES,
        **{f: ADMIN for f in (
            "beginDefaultAdminTransfer", "cancelDefaultAdminTransfer", "changeDefaultAdminDelay",
            "rollbackDefaultAdminDelay",
        )},
        "acceptDefaultAdminTransfer": PENDING_ADMIN_ONLY,
        **{f: AGENT for f in (
            "mint", "batchMint", "burn", "batchBurn", "forcedTransfer", "batchForcedTransfer",
            "recoverWallet", "setAddressFrozen", "batchSetAddressFrozen", "freezePartialTokens",
            "batchFreezePartialTokens", "unfreezePartialTokens", "batchUnfreezePartialTokens",
            "setFrozenTokens", "pause", "unpause",
        )},
        "setIdentityRegistry": ADMIN,
        "setCompliance": ADMIN,
        "hold": HOLD_OPERATOR,
        "executeHold": HOLD_OPERATOR,
        "releaseHold": HOLD_OPERATOR,
    },
    "IdentityRegistry": {
        **ROLE_ADMIN,
        **{f: VERIFIER for f in ("registerIdentity", "batchRegisterIdentities", "revokeIdentity", "removeIdentity")},
    },
    "Compliance": {
        **ROLE_ADMIN,
        "bindToken": ADMIN,
        "addModule": ADMIN,
        "removeModule": ADMIN,
        "setAssetRegistry": ADMIN,
        "setModuleClasses": ADMIN,
        "transferred": TOKEN_ONLY,
        "created": TOKEN_ONLY,
        "destroyed": TOKEN_ONLY,
    },
    "LockupModule": {**ROLE_ADMIN, **MODULE_HOOKS, "recordDistribution": ADMIN},
    "AccreditedOnlyModule": {**ROLE_ADMIN, **MODULE_HOOKS},
    "HolderLimitModule": {
        **ROLE_ADMIN, **MODULE_HOOKS, "setMaxHolders": ADMIN, "setMaxNonAccreditedPurchasers": ADMIN,
        "beginOffering": ADMIN, "setExemptHoldersExcluded": ADMIN,
    },
    "JurisdictionModule": {**ROLE_ADMIN, **MODULE_HOOKS, "setListed": ADMIN},
    "MaxBalanceModule": {**ROLE_ADMIN, **MODULE_HOOKS, "setMaxBalance": ADMIN},
    "SupplyLimitModule": {**ROLE_ADMIN, **MODULE_HOOKS, "setSupplyLimit": ADMIN},
    "InvestmentLimitModule": {
        **ROLE_ADMIN, **MODULE_HOOKS, "setPriceCents": ADMIN, "setOfferingCapCents": ADMIN,
        "recordPurchaseElsewhere": ADMIN,
    },
    "EligibleParticipantModule": {**ROLE_ADMIN, **MODULE_HOOKS},
    "ExemptionWhitelistModule": {**ROLE_ADMIN, **MODULE_HOOKS},
    "CashToken": {
        **ROLE_ADMIN,
        "mint": MINTER,
        "setAllowListEnabled": LIST_MANAGER,
        "setAllowListed": LIST_MANAGER,
        "batchSetAllowListed": LIST_MANAGER,
        "hold": HOLD_OPERATOR,
        "executeHold": HOLD_OPERATOR,
        "releaseHold": HOLD_OPERATOR,
    },
    "DvPSettlement": {
        **ROLE_ADMIN,
        **{f: CLEARING for f in ("instruct", "settle", "settleBatch", "markFailed", "cancel", "buyIn")},
        "setFailPenaltyPpm": ADMIN,
        "executeLegs": SELF_ONLY,
        "executeNet": SELF_ONLY,
    },
    "CustodyVault": {
        **ROLE_ADMIN,
        **{f: OPERATOR for f in (
            "openAccount", "openAccounts", "internalTransfer", "allocate", "allocateMany", "affirm", "book",
            "bookOutflow",
        )},
        "withdraw": CLIENT_OR_OPERATOR,
    },
    "PriceOracle": {**ROLE_ADMIN, "setPrice": FEEDER, "setPrices": FEEDER, "setMaxAge": ADMIN, "setMaxDeviation": ADMIN},
    "AssetRegistry": {
        **ROLE_ADMIN, "register": REGISTRAR, "setFundHoldings": REGISTRAR, "reclassify": CLASSIFIER,
    },
    "MarginCalculator": {},  # pure functions only
    "OrderDesk": {},  # view functions only: one read of price and balances per order
    "MarginEngine": {
        **ROLE_ADMIN,
        **{f: RISK_ADMIN for f in ("configure", "listUnderlying", "setLiquidationAccount", "openAccount",
                                   "setCustodian")},
        "settleForeclosure": LIQUIDATOR,
        "payIntoDefaultFund": TREASURY,
        "fundLending": TREASURY,
        "tradeSpot": DEALER,
        "issueCall": MARGIN_DESK,
        "reviewCall": MARGIN_DESK,
        "liquidate": LIQUIDATOR,
        "settleCash": PERPETUALS_ONLY,
    },
    "CollateralCustodian": {f: MARGIN_ENGINE_ONLY for f in ("encumber", "deliver", "foreclose")},
    "PerpetualFutures": {
        **ROLE_ADMIN,
        "setEngine": ADMIN,
        "listMarket": MARKET_ADMIN,
        "trade": TRADER,
        "applyFunding": FUNDING_KEEPER,
        "transferAll": ENGINE_ONLY,
    },
    "CollateralRegistry": {
        **ROLE_ADMIN,
        **{f: COLLATERAL_ADMIN for f in (
            "setEligible", "setHaircut", "clearHaircut", "setLimits", "setCurrencyMismatchAddOn", "setLockedPolicy",
            "setLockupModule",
        )},
    },
    "SafeHarborRegistry": {  # the token's admin files, and becomes the offering's developer
        **ROLE_ADMIN,
        "setExitRules": REGULATOR,
        "fileNotice": TOKEN_ADMIN_ONLY,
        **{f: DEVELOPER_ONLY for f in ("setWhitelisted", "sell", "updateDisclosures", "fileExitReport")},
    },
    "VenueRegistry": {
        **ROLE_ADMIN,
        **{f: REGULATOR for f in ("registerVenue", "setPermittedKinds", "setFairAccessRule")},
        "trade": LISTED_VENUE_ONLY,
    },
}

NOT_IN_MATRIX = {
    "ChainProbe": "test fixture of the backend conformance suite, not part of the system",
    "ERC3643HoldAdapter": "needs a T-REX token: tests/contracts/test_erc3643_holds.py and test_erc3643_owners_act.py "
                          "refuse its hold, executeHold and releaseHold to a stranger, another venue and another developer",
}

ROLE_IDS = {
    ADMIN: DEFAULT_ADMIN_ROLE,
    AGENT: AGENT_ROLE,
    VERIFIER: VERIFIER_ROLE,
    MINTER: MINTER_ROLE,
    LIST_MANAGER: LIST_MANAGER_ROLE,
    HOLD_OPERATOR: HOLD_OPERATOR_ROLE,
    CLEARING: CLEARING_ROLE,
    OPERATOR: OPERATOR_ROLE,
    FEEDER: FEEDER_ROLE,
    REGISTRAR: REGISTRAR_ROLE,
    COLLATERAL_ADMIN: COLLATERAL_ADMIN_ROLE,
    RISK_ADMIN: RISK_ADMIN_ROLE,
    TRADER: TRADER_ROLE,
    DEALER: DEALER_ROLE,
    MARGIN_DESK: MARGIN_DESK_ROLE,
    LIQUIDATOR: LIQUIDATOR_ROLE,
    TREASURY: TREASURY_ROLE,
    MARKET_ADMIN: MARKET_ADMIN_ROLE,
    FUNDING_KEEPER: FUNDING_KEEPER_ROLE,
    CLASSIFIER: CLASSIFIER_ROLE,
    REGULATOR: REGULATOR_ROLE,
}


def _state_changing(name: str) -> list[AbiFunction]:
    return [
        AbiFunction(e)
        for e in load(name).abi
        if e.get("type") == "function" and e.get("stateMutability") not in ("view", "pure")
    ]


def _dummy(kind: str, stranger: str):
    if kind.endswith("]"):
        return [_dummy(re.sub(r"\[\d*\]$", "", kind), stranger)]
    if kind.startswith("("):
        inner, depth, parts, start = kind[1:-1], 0, [], 0
        for i, ch in enumerate(inner):
            depth += ch == "("
            depth -= ch == ")"
            if ch == "," and depth == 0:
                parts.append(inner[start:i])
                start = i + 1
        parts.append(inner[start:])
        return tuple(_dummy(p, stranger) for p in parts)
    if kind == "address":
        return stranger
    if kind == "bool":
        return False
    if kind == "string":
        return ""
    if kind == "bytes":
        return b""
    if kind.startswith("bytes"):
        return b"\x00" * int(kind[5:])
    return 1


@pytest.fixture(scope="module")
def system(chain, identity_registry, deployer):
    from sim.contracts import deploy_cash_token, deploy_security_token

    assets = deploy_asset_registry(chain, admin=deployer)
    harbor = deploy_safe_harbor(chain, assets, admin=deployer)
    token = deploy_security_token(
        chain,
        registry=identity_registry,
        admin=deployer,
        modules=[
            Lockup.rule_144(),
            HolderLimit.rule_506b(),
            Jurisdictions(block=["KP"]),
            AccreditedOnly(),
            MaxBalance(max_balance=10**9),
            SupplyLimit(supply_limit=10**12),
            InvestmentLimit.reg_cf(price_cents=100),
            EligibleParticipant(),
            ExemptionWhitelist(),
        ],
        module_context={"exemption": harbor},
    )
    cash = deploy_cash_token(chain, admin=deployer)
    # the token's offering under the safe harbor, filed by its admin (the developer)
    assets.record(token, Asset(AssetClass.EXEMPT_NETWORK_TOKEN), sender=deployer)
    harbor.file(token, cash, b"\x00" * 32, Terms(window_seconds=86_400), sender=deployer)
    contracts = {
        "SecurityToken": token,
        "IdentityRegistry": identity_registry,
        "Compliance": token.compliance_contract,
        "CashToken": cash,
        "DvPSettlement": deploy_dvp(chain, admin=deployer, clearing=deployer, tokens=[(token, deployer), (cash, deployer)]),
        "CustodyVault": deploy_vault(chain, name="Omnibus", admin=deployer),
        "PriceOracle": deploy_oracle(chain, admin=deployer, max_age_seconds=3600),
    }
    contracts["AssetRegistry"] = assets
    contracts["SafeHarborRegistry"] = harbor
    contracts["VenueRegistry"] = deploy_venue_registry(chain, assets, admin=deployer)
    contracts["CollateralRegistry"] = deploy_collateral_registry(chain, contracts["AssetRegistry"], admin=deployer)
    margin = deploy_margin(
        chain, cash=cash, collateral=contracts["CollateralRegistry"], oracle=contracts["PriceOracle"], admin=deployer
    )
    contracts["MarginEngine"], contracts["PerpetualFutures"] = margin.engine, margin.perpetuals
    contracts["CollateralCustodian"] = deploy_collateral_custodian(chain, margin.engine, token, admin=deployer)
    for module in token.modules().values():
        contracts[module.artifact.name] = module
    return contracts


def test_every_state_changing_function_is_classified():
    from sim.chain.artifacts import shipped_names

    assert set(shipped_names()) == set(MATRIX) | set(NOT_IN_MATRIX)
    unclassified = [
        f"{name}.{fn.name}"
        for name in MATRIX
        for fn in _state_changing(name)
        if fn.name not in MATRIX[name] and fn.name not in OPEN.get(name, RENOUNCE)
    ]
    assert unclassified == []
    stale = [f"{name}.{f}" for name, table in MATRIX.items() for f in table if f not in {fn.name for fn in _state_changing(name)}]
    assert stale == []


CASES = [
    (name, fn.signature, guard)
    for name, table in MATRIX.items()
    for fn in _state_changing(name)
    for guard in [table.get(fn.name)]
    if guard is not None
]


@pytest.mark.parametrize(("contract", "signature", "guard"), CASES, ids=[f"{c}.{s.split('(')[0]}" for c, s, _ in CASES])
def test_stranger_is_refused(chain, system, contract, signature, guard, reverts):
    stranger = chain.new_account()
    handle = system[contract]
    fn = handle._by_signature[signature]
    args = [_dummy(kind, stranger) for kind in fn.input_types]
    if guard == CLIENT_OR_OPERATOR:  # the stranger acts for somebody else's account
        args[fn.input_names.index("client")] = chain.deployer
    if guard in (TOKEN_ADMIN_ONLY, DEVELOPER_ONLY):  # the stranger acts on the token whose notice is filed
        args[fn.input_names.index("token")] = system["SecurityToken"].address
    if guard == TOKEN_ONLY:
        expected = reverts(solidity.ComplianceCallerNotToken, caller=stranger)
    elif guard == COMPLIANCE_ONLY:
        expected = reverts(solidity.ModuleCallerNotCompliance, caller=stranger)
    elif guard == SELF_ONLY:
        expected = reverts(solidity.DvPOnlySelf, caller=stranger)
    elif guard == CLIENT_OR_OPERATOR:
        expected = reverts(solidity.VaultCallerNotClient, caller=stranger)
    elif guard == PERPETUALS_ONLY:
        expected = reverts(solidity.MarginOnlyPerpetuals, caller=stranger)
    elif guard == MARGIN_ENGINE_ONLY:
        expected = reverts(solidity.CustodianOnlyEngine, caller=stranger)
    elif guard == ENGINE_ONLY:
        expected = reverts(solidity.PerpOnlyEngine, caller=stranger)
    elif guard == TOKEN_ADMIN_ONLY:
        expected = reverts(solidity.SafeHarborNotTokenAdmin, token=system["SecurityToken"], caller=stranger)
    elif guard == DEVELOPER_ONLY:
        expected = reverts(solidity.SafeHarborNotDeveloper, token=system["SecurityToken"], caller=stranger)
    elif guard == DEFAULT_ADMIN_RULES:
        expected = reverts(solidity.AccessControlEnforcedDefaultAdminRules)
    elif guard == PENDING_ADMIN_ONLY:
        expected = reverts(solidity.AccessControlInvalidDefaultAdmin, defaultAdmin=stranger)
    elif guard == LISTED_VENUE_ONLY:  # the stranger has listed nothing
        expected = reverts(solidity.VenueNotListed, venue=stranger)
    else:
        expected = reverts(
            solidity.AccessControlUnauthorizedAccount, account=stranger, neededRole=ROLE_IDS[guard]
        )
    with expected:
        handle.fn(signature).transact(*args, sender=stranger)
