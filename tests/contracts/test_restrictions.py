"""The Python table of restriction codes equals the Solidity one."""

from __future__ import annotations

import pytest

from sim import solidity
from sim.chain.restrictions import RESTRICTION_OF_ERROR
from sim.contracts import Restriction
from sim.errors import TransferRestricted


@pytest.mark.parametrize("code", list(Restriction))
def test_message_equals_the_contracts(security_token, code):
    assert security_token.messageForTransferRestriction(code) == code.message


def test_unknown_code_has_a_message(security_token):
    assert security_token.messageForTransferRestriction(99) == "Unknown restriction code"


def test_every_refusal_code_has_exactly_one_error_on_our_token():
    ours = [code for name, code in RESTRICTION_OF_ERROR.items() if not name.startswith("ERC3643")]
    assert sorted(ours) == sorted(r for r in Restriction if r not in (Restriction.SUCCESS, Restriction.MODULE_REFUSED))


def test_the_erc3643_adapter_errors_carry_the_codes_of_the_rules_they_stand_for():
    adapter = {name: code for name, code in RESTRICTION_OF_ERROR.items() if name.startswith("ERC3643")}
    assert adapter == {"ERC3643JurisdictionRestricted": Restriction.JURISDICTION,
                       "ERC3643MaxBalanceExceeded": Restriction.MAX_BALANCE,
                       "ERC3643ModuleRefused": Restriction.MODULE_REFUSED}


@pytest.mark.parametrize(("name", "code"), sorted(RESTRICTION_OF_ERROR.items()))
def test_restriction_errors_carry_their_code(name, code):
    cls = getattr(solidity, name)
    assert issubclass(cls, TransferRestricted)
    assert (cls.code, cls.message) == (code, code.message)
