"""Recipients by jurisdiction: allow-list and block-list (JurisdictionModule)."""

from __future__ import annotations

import pytest

from sim import solidity
from sim.contracts import Jurisdictions, Restriction
from sim.errors import ConfigError


def test_allow_list_refuses_other_jurisdictions_on_mint(chain, make_security_token, make_investor, deployer, reverts):
    token = make_security_token(modules=[Jurisdictions(allow=["US", "CA"])])
    token.mint(make_investor(jurisdiction="CA"), 1, sender=deployer)
    french = make_investor(jurisdiction="FR")
    with reverts(solidity.JurisdictionRestricted, wallet=french, jurisdiction=b"FR"):
        token.mint(french, 1, sender=deployer)


def test_allow_list_refuses_other_jurisdictions_on_transfer(chain, make_security_token, make_investor, deployer, reverts):
    token = make_security_token(modules=[Jurisdictions(allow=["US"])])
    seller, buyer = make_investor(), make_investor(jurisdiction="DE")
    token.mint(seller, 1, sender=deployer)
    assert token.restriction(seller, buyer, 1) == Restriction.JURISDICTION
    with reverts(solidity.JurisdictionRestricted, code=Restriction.JURISDICTION):
        token.transfer(buyer, 1, sender=seller)


def test_block_list_refuses_listed_jurisdictions_only(chain, make_security_token, make_investor, deployer, reverts):
    token = make_security_token(modules=[Jurisdictions(block=["KP", "IR"])])
    token.mint(make_investor(jurisdiction="JP"), 1, sender=deployer)
    with reverts(solidity.JurisdictionRestricted, jurisdiction=b"KP"):
        token.mint(make_investor(jurisdiction="KP"), 1, sender=deployer)


def test_admin_can_update_the_list(chain, make_security_token, make_investor, deployer):
    token = make_security_token(modules=[Jurisdictions(allow=["US"])])
    swiss = make_investor(jurisdiction="CH")
    module = token.module("jurisdiction")
    receipt = module.setListed([b"CH"], True, sender=deployer)
    assert receipt.events[0].args == {"jurisdiction": b"CH", "listed": True}
    token.mint(swiss, 1, sender=deployer)
    assert token.balanceOf(swiss) == 1


def test_sender_jurisdiction_does_not_matter(chain, make_security_token, make_investor, deployer):
    """The rule is about who may receive: a holder who moved abroad may still sell home."""
    token = make_security_token(modules=[Jurisdictions(allow=["US"])])
    holder, buyer = make_investor(), make_investor()
    token.mint(holder, 2, sender=deployer)
    make_investor(jurisdiction="FR", wallet=holder, investor_id=holder.identity.investor_id)
    assert token.restriction(holder, buyer, 1) == Restriction.SUCCESS
    token.transfer(buyer, 1, sender=holder)
    assert (token.balanceOf(holder), token.balanceOf(buyer)) == (1, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give exactly one of allow or block"),
        ({"allow": ["US"], "block": ["KP"]}, "give exactly one of allow or block"),
        ({"allow": ["USA"]}, "'USA' is not an ISO 3166-1 alpha-2 country code"),
        ({"block": ["us"]}, "'us' is not an ISO 3166-1 alpha-2 country code"),
    ],
)
def test_bad_parameters_are_refused_before_deployment(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        Jurisdictions(**kwargs)
