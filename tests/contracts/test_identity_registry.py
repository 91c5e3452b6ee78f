"""IdentityRegistry: records written by verifiers only, validated on the way in."""

from __future__ import annotations

import pytest

from sim import solidity
from sim.contracts import (
    DEFAULT_BAND_FLOORS_USD,
    Identity,
    InvestorType,
    deploy_identity_registry,
    investor_id,
)
from sim.contracts.identity import Financials, band_of
from sim.errors import ConfigError


def test_registration_records_every_field(chain, identity_registry, deployer):
    wallet = chain.new_account()
    identity = Identity(
        investor_id="hana", investor_type="qualified_purchaser", jurisdiction="JP",
        income_usd=260_000, net_worth_usd=3_000_000, expiry=chain.now() + 1_000,
    )
    identity_registry.register(wallet, identity, sender=deployer)
    record = identity_registry.identityOf(wallet)
    assert record.investorId == investor_id("hana")
    assert record.verified is True
    assert record.expiry == identity.expiry
    assert InvestorType(record.investorType) == InvestorType.QUALIFIED_PURCHASER
    assert record.jurisdiction == b"JP"
    assert record.usPerson is False
    assert Financials(record.financials) == Financials.EXACT
    assert identity_registry.incomeOf(wallet) == 260_000
    assert identity_registry.netWorthOf(wallet) == 3_000_000
    assert identity_registry.isAccredited(wallet) is True


def test_bands_are_read_as_their_floors(chain, identity_registry, deployer):
    """The privacy option: only the band is recorded, read as its floor (limits come out low)."""
    wallet = chain.new_account()
    identity = Identity(investor_id="hiro", income_usd=260_000, net_worth_usd=3_000_000, bands=True)
    identity_registry.register(wallet, identity, sender=deployer)
    record = identity_registry.identityOf(wallet)
    assert Financials(record.financials) == Financials.BANDS
    assert (record.incomeUsd, record.netWorthUsd) == (0, 0)  # exact figures stay off chain
    assert identity_registry.incomeOf(wallet) == 200_000
    assert identity_registry.netWorthOf(wallet) == 2_000_000


def test_attested_limits_are_recorded_instead_of_income_and_net_worth(chain, identity_registry, deployer):
    """17 CFR 227.303(b)(1): the intermediary's attested limits, in cents."""
    wallet = chain.new_account()
    identity = Identity(investor_id="ines", income_usd=50_000, reg_cf_limit_cents=2_500_00)
    identity_registry.register(wallet, identity, sender=deployer)
    record = identity_registry.identityOf(wallet)
    assert Financials(record.financials) == Financials.ATTESTED
    assert (record.regCfLimitCents, record.regALimitCents) == (2_500_00, 0)
    assert identity_registry.incomeOf(wallet) == 0


def test_attested_limits_and_bands_are_exclusive():
    with pytest.raises(ConfigError, match="not both"):
        Identity(investor_id="x", bands=True, reg_cf_limit_cents=1)


def test_first_registration_and_update_emit_different_events(chain, identity_registry, deployer):
    wallet = chain.new_account()
    struct = Identity(investor_id="ivan").to_struct(chain.now())
    first = identity_registry.registerIdentity(wallet, struct, sender=deployer)
    second = identity_registry.registerIdentity(wallet, struct, sender=deployer)
    assert [e.name for e in first.events] == ["IdentityRegistered"]
    assert [e.name for e in second.events] == ["IdentityUpdated"]
    assert first.events[0].args["wallet"] == wallet


def test_a_wallets_investor_id_cannot_change(chain, identity_registry, make_investor, deployer, reverts):
    investor = make_investor(investor_id="jack")
    with reverts(
        solidity.IdentityInvestorIdImmutable,
        wallet=investor,
        investorId=investor_id("jack"),
        proposed=investor_id("jill"),
    ):
        identity_registry.register(investor, Identity(investor_id="jill"), sender=deployer)
    identity_registry.removeIdentity(investor, sender=deployer)
    identity_registry.register(investor, Identity(investor_id="jill"), sender=deployer)


def test_batch_registration(chain, identity_registry, deployer):
    wallets = [chain.new_account() for _ in range(3)]
    identities = [Identity(investor_id=f"batch-{i}", investor_type="retail") for i in range(3)]
    identity_registry.register_many(wallets, identities, sender=deployer)
    assert all(identity_registry.isVerified(w) for w in wallets)
    assert not any(identity_registry.isAccredited(w) for w in wallets)


def test_batch_length_mismatch_is_refused(chain, identity_registry, deployer, reverts):
    struct = Identity(investor_id="x").to_struct(chain.now())
    with reverts(solidity.IdentityBatchLengthMismatch, wallets=2, identities=1):
        identity_registry.batchRegisterIdentities([chain.new_account(), chain.new_account()], [struct], sender=deployer)


def test_only_verifiers_write(chain, identity_registry, reverts):
    stranger = chain.new_account()
    struct = Identity(investor_id="y").to_struct(chain.now())
    with reverts(solidity.AccessControlUnauthorizedAccount, account=stranger):
        identity_registry.registerIdentity(stranger, struct, sender=stranger)


def test_revoke_keeps_the_record_but_unverifies(chain, identity_registry, make_investor, deployer):
    investor = make_investor()
    receipt = identity_registry.revokeIdentity(investor, sender=deployer)
    assert receipt.events[0].name == "IdentityRevoked"
    assert identity_registry.isVerified(investor) is False
    assert identity_registry.investorIdOf(investor) == investor_id(investor.identity.investor_id)


def test_remove_deletes_the_record(chain, identity_registry, make_investor, deployer, reverts):
    investor = make_investor()
    identity_registry.removeIdentity(investor, sender=deployer)
    assert identity_registry.investorIdOf(investor) == b"\x00" * 32
    with reverts(solidity.IdentityNotRegistered, wallet=investor):
        identity_registry.removeIdentity(investor, sender=deployer)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("investorId", b"\x00" * 32, "IdentityInvalidInvestorId"),
        ("investorType", 0, "IdentityInvalidInvestorType"),
        ("jurisdiction", b"us", "IdentityInvalidJurisdiction"),
        ("incomeBand", 15, "IdentityUnknownBand"),
        ("expiry", 1, "IdentityExpiryNotInFuture"),
    ],
)
def test_contract_refuses_invalid_records(chain, identity_registry, deployer, reverts, field, value, error):
    struct = Identity(investor_id="z", bands=True).to_struct(chain.now())
    struct[field] = value
    with reverts(error):
        identity_registry.registerIdentity(chain.new_account(), struct, sender=deployer)


def test_zero_wallet_is_refused(chain, identity_registry, deployer, reverts):
    struct = Identity(investor_id="z").to_struct(chain.now())
    with reverts(solidity.IdentityInvalidWallet):
        identity_registry.registerIdentity("0x" + "00" * 20, struct, sender=deployer)


def test_band_floors_must_start_at_zero_and_increase(chain, deployer, reverts):
    with reverts(solidity.IdentityInvalidBandFloors, index=0):
        chain.deploy("IdentityRegistry", deployer, [100, 200], sender=deployer)
    with reverts(solidity.IdentityInvalidBandFloors, index=2):
        chain.deploy("IdentityRegistry", deployer, [0, 200, 200], sender=deployer)


def test_custom_bands(chain, deployer):
    registry = deploy_identity_registry(chain, admin=deployer, band_floors_usd=(0, 1_000_000))
    investor = registry.register(chain.new_account(), Identity(investor_id="w", net_worth_usd=2_000_000, bands=True), sender=deployer)
    assert registry.netWorthOf(investor) == 1_000_000


def test_value_maps_to_the_band_whose_floor_is_at_or_below_it():
    assert band_of(0) == 0
    assert band_of(123_999) == DEFAULT_BAND_FLOORS_USD.index(100_000)
    assert band_of(124_000) == DEFAULT_BAND_FLOORS_USD.index(124_000)
    assert band_of(10**12) == len(DEFAULT_BAND_FLOORS_USD) - 1


def test_us_person_defaults_to_us_jurisdiction():
    assert Identity(investor_id="a", jurisdiction="US").us_person is True
    assert Identity(investor_id="a", jurisdiction="DE").us_person is False
    assert Identity(investor_id="a", jurisdiction="DE", us_person=True).us_person is True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"investor_type": "whale"}, "Identity.investor_type: Input should be 'retail', 'accredited'"),
        ({"jurisdiction": "XX"}, "'XX' is not an ISO 3166-1 alpha-2 country code"),
        ({"income_usd": -1}, "Identity.income_usd: Input should be greater than or equal to 0"),
        ({"investor_id": ""}, "investor id label must not be empty"),
        ({"investor_id": b"short"}, "raw investor id must have 32 bytes"),
        ({"net_worth_usd": 1.5}, "Identity.net_worth_usd: Input should be a valid integer"),
    ],
)
def test_bad_identities_are_refused_before_registration(kwargs, message):
    kwargs.setdefault("investor_id", "q")
    with pytest.raises(ConfigError, match=message):
        Identity(**kwargs)
