"""``reverts(ErrorClass, **fields)`` passes only on the right error with the right fields."""

from __future__ import annotations

import pytest

from sim import solidity
from sim.testing import reverts


@pytest.fixture
def funded(security_token, make_investor, deployer):
    holder = make_investor()
    security_token.mint(holder, 5, sender=deployer)
    return security_token, holder


def test_passes_on_the_expected_error_and_fields(funded, make_investor):
    token, holder = funded
    with reverts(solidity.LockupActive, holder=holder, needed=1) as refused:
        token.transfer(make_investor(), 1, sender=holder)
    assert refused.value.unlocked == 0


def test_accepts_the_error_name(funded, make_investor):
    token, holder = funded
    with reverts("LockupActive"):
        token.transfer(make_investor(), 1, sender=holder)


def test_fails_when_nothing_reverts(security_token):
    with pytest.raises(AssertionError, match="did not revert; expected LockupActive"):
        with reverts(solidity.LockupActive):
            security_token.totalSupply()


def test_fails_on_another_error(funded, make_investor):
    token, holder = funded
    with pytest.raises(AssertionError, match="expected SenderFrozen, got LockupActive"):
        with reverts(solidity.SenderFrozen):
            token.transfer(make_investor(), 1, sender=holder)


def test_fails_on_a_field_mismatch(funded, make_investor):
    token, holder = funded
    with pytest.raises(AssertionError, match="needed: expected 2, got 1"):
        with reverts(solidity.LockupActive, needed=2):
            token.transfer(make_investor(), 1, sender=holder)


def test_refuses_a_non_error_class():
    with pytest.raises(TypeError, match="needs a ContractRevert class"):
        reverts(ValueError)
