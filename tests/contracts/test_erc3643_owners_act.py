"""Whose act moves an asset, on the ERC-3643 hold adapter (docs/architecture.md).

``ERC3643HoldAdapter`` is a T-REX agent: the token lets it freeze and force anyone's
tokens. It may use that power only within a hold the owner placed by affirming a DvP
instruction. A stranger, another venue (a second settlement contract the issuer also made
a hold operator, and the clearing agent of that contract) and another developer (admin
and agent of its own T-REX token and adapter) each try ``hold``, ``executeHold`` and
``releaseHold`` against a victim with tokens on hold; each is refused with its typed error
and the victim's tokens and freezes are where they were. The table in
tests/contracts/test_owners_act.py points here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sim.chain import Chain
from sim.contracts import Identity, deploy_cash_token
from sim.contracts.compliance import Jurisdictions
from sim.contracts.erc3643 import Erc3643Token, deploy_erc3643_token
from sim.contracts.settlement import HOLD_OPERATOR_ROLE, deploy_dvp
from sim.errors import ContractRevert


@dataclass
class World:
    chain: Chain
    token: Erc3643Token
    dvp: object
    rival_dvp: object
    victim: str
    buyer: str
    hold_id: bytes
    attackers: dict[str, str]
    rival: Erc3643Token
    cash: object

    def holdings(self):
        t = self.token
        return [(t.balanceOf(w), int(t.token.getFrozenTokens(w)), t.heldBalanceOf(w))
                for w in (self.victim, self.buyer, *self.attackers.values())]


@pytest.fixture(scope="module")
def world():
    chain = Chain("revm")
    issuer, agent, clearing, rival_clearing, cash_admin = (chain.new_account() for _ in range(5))
    token, registry = deploy_erc3643_token(chain, admin=issuer, agent=agent, name="Victim Share", symbol="VIC",
                                           modules=[Jurisdictions(block=["KP"])])
    cash = deploy_cash_token(chain, admin=cash_admin)
    dvp = deploy_dvp(chain, admin=clearing, clearing=clearing, tokens=[(token.settlement, issuer), (cash, cash_admin)])
    # another venue: a second settlement contract the issuer also lets place holds
    rival_dvp = deploy_dvp(chain, admin=rival_clearing, clearing=rival_clearing,
                           tokens=[(token.settlement, issuer), (cash, cash_admin)])
    victim, buyer, stranger = chain.new_account(), chain.new_account(), chain.new_account()
    developer = chain.new_account()  # admin and agent of its own T-REX token and adapter
    rival, _ = deploy_erc3643_token(chain, admin=developer, agent=developer, name="Rival", symbol="RIV")
    for wallet in (victim, buyer, stranger, rival_clearing, developer):
        registry.register(wallet, Identity(investor_id=wallet, jurisdiction="DE"))
    token.mint(victim, 1_000, sender=agent)
    settle_by = chain.now() + 86_400
    dvp.instruct(victim, buyer, token.settlement, 400, cash, 0, settle_by, b"\x01" * 32, sender=clearing)
    dvp.affirm(1, True, sender=victim)  # the victim's own act: 400 on hold for this instruction
    hold_id = dvp.holdIdOf(1, True)
    attackers = {"stranger": stranger, "another venue": rival_clearing, "another developer": developer}
    return World(chain, token, dvp, rival_dvp, victim, buyer, hold_id, attackers, rival, cash)


def test_the_victims_affirmation_froze_its_tokens_on_t_rex(world):
    assert world.token.heldBalanceOf(world.victim) == 400
    assert world.token.token.getFrozenTokens(world.victim) == 400
    assert world.token.availableBalanceOf(world.victim) == 600


ATTEMPTS = {
    "hold": lambda w, a: w.token.adapter.hold(b"\x07" * 32, w.victim, 1, sender=a),
    "executeHold": lambda w, a: w.token.adapter.executeHold(w.hold_id, a, 1, sender=a),
    "releaseHold": lambda w, a: w.token.adapter.releaseHold(w.hold_id, sender=a),
}
REFUSAL = {"hold": "AccessControlUnauthorizedAccount", "executeHold": "HoldCallerNotOperator",
           "releaseHold": "HoldCallerNotOperator"}


@pytest.mark.parametrize("attacker", ["stranger", "another venue", "another developer"])
@pytest.mark.parametrize("function", sorted(ATTEMPTS))
def test_no_one_but_the_owner_moves_its_tokens_through_the_adapter(world, function, attacker):
    before = world.holdings()
    with pytest.raises(ContractRevert) as refused:
        ATTEMPTS[function](world, world.attackers[attacker])
    assert type(refused.value).__name__ == REFUSAL[function]
    assert world.holdings() == before


def test_another_settlement_contract_cannot_reach_a_hold_it_did_not_place(world):
    """A hold operator itself, the rival settlement contract names its holds by its own
    address: it can only execute holds its own instructions' parties placed, and settling
    an instruction of the victim's without the victim's affirmation is refused."""
    before = world.holdings()
    rival, clearing = world.rival_dvp, world.attackers["another venue"]
    assert rival.holdIdOf(1, True) != world.hold_id
    rival.instruct(world.victim, clearing, world.token.settlement, 400, world.cash, 0,
                   world.chain.now() + 86_400, b"\x02" * 32, sender=clearing)
    with pytest.raises(ContractRevert) as refused:
        rival.settle(1, sender=clearing)
    assert type(refused.value).__name__ == "DvPNotAffirmed"
    assert world.holdings() == before


def test_another_developers_adapter_acts_only_on_its_own_token(world):
    before = world.holdings()
    developer = world.attackers["another developer"]
    world.rival.adapter.grantRole(HOLD_OPERATOR_ROLE, developer, sender=developer)
    with pytest.raises(ContractRevert):  # its adapter is no agent of this token: T-REX refuses the freeze
        world.rival.adapter.hold(b"\x09" * 32, world.victim, 1, sender=developer)
    assert world.holdings() == before
