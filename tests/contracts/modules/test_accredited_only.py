"""Rule 506(c): accredited recipients only (AccreditedOnlyModule)."""

from __future__ import annotations

import pytest

from sim import solidity
from sim.contracts import AccreditedOnly, Restriction


@pytest.fixture
def reg_d_506c(make_security_token):
    return make_security_token(modules=[AccreditedOnly()])


@pytest.mark.parametrize("investor_type", ["accredited", "qualified_purchaser", "institutional"])
def test_accredited_types_may_buy(chain, reg_d_506c, make_investor, deployer, investor_type):
    buyer = make_investor(investor_type)
    reg_d_506c.mint(buyer, 1, sender=deployer)
    assert reg_d_506c.balanceOf(buyer) == 1


def test_retail_investor_may_not_buy(chain, reg_d_506c, make_investor, deployer, reverts):
    retail = make_investor("retail")
    with reverts(solidity.InvestorNotAccredited, wallet=retail, code=Restriction.NOT_ACCREDITED):
        reg_d_506c.mint(retail, 1, sender=deployer)


def test_retail_investor_may_not_receive_a_resale(chain, reg_d_506c, make_investor, deployer, reverts):
    seller, retail = make_investor(), make_investor("retail")
    reg_d_506c.mint(seller, 1, sender=deployer)
    with reverts(solidity.InvestorNotAccredited):
        reg_d_506c.transfer(retail, 1, sender=seller)


def test_mints_only_variant_allows_retail_resales(chain, make_security_token, make_investor, deployer, reverts):
    token = make_security_token(modules=[AccreditedOnly(mints_only=True)])
    seller, retail = make_investor(), make_investor("retail")
    with reverts(solidity.InvestorNotAccredited):
        token.mint(retail, 1, sender=deployer)
    token.mint(seller, 1, sender=deployer)
    token.transfer(retail, 1, sender=seller)
    assert token.balanceOf(retail) == 1


def test_accreditation_lapses_with_verification(chain, reg_d_506c, make_investor, deployer, reverts):
    expiry = chain.now() + 1_000
    buyer = make_investor(expiry=expiry)
    chain.warp(expiry - 1)
    reg_d_506c.mint(buyer, 1, sender=deployer)
    chain.warp(expiry)
    with reverts(solidity.RecipientNotVerified):
        reg_d_506c.mint(buyer, 1, sender=deployer)
