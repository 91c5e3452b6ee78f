"""CashToken: the payment leg."""

from __future__ import annotations

from sim import solidity
from sim.contracts import deploy_cash_token


def test_minter_mints_and_holders_burn_their_own(chain, cash_token, deployer):
    holder = chain.new_account()
    cash_token.mint(holder, 5_000_000, sender=deployer)
    cash_token.burn(2_000_000, sender=holder)
    assert cash_token.balanceOf(holder) == 3_000_000
    assert cash_token.decimals() == 6


def test_allow_list_refuses_unlisted_senders_and_recipients(chain, deployer, reverts):
    cash = deploy_cash_token(chain, admin=deployer, allow_list=True, name="Bank Deposit", symbol="BDT")
    listed, unlisted = chain.new_account(), chain.new_account()
    with reverts(solidity.CashNotAllowListed, account=listed):
        cash.mint(listed, 10, sender=deployer)
    cash.batchSetAllowListed([listed], True, sender=deployer)
    cash.mint(listed, 10, sender=deployer)
    with reverts(solidity.CashNotAllowListed, account=unlisted):
        cash.transfer(unlisted, 1, sender=listed)


def test_allow_list_can_be_switched_off(chain, deployer):
    cash = deploy_cash_token(chain, admin=deployer, allow_list=True)
    receipt = cash.setAllowListEnabled(False, sender=deployer)
    assert receipt.events[0].args == {"enabled": False}
    cash.mint(chain.new_account(), 1, sender=deployer)
